//! What the server reads and writes, as types: the handlers use them and the API description
//! at `/openapi.json` is derived from them, so the description cannot drift from the API.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi, ToSchema};

/// One hook event, as the agent sent it to its hook.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct EvaluateRequest {
    /// The agent whose hook sent the event (`claude`, `cursor`, …); the server must serve it.
    pub harness: String,
    /// The hook input, unchanged.
    #[schema(value_type = Object)]
    pub event: Value,
}

/// Several events, answered in order; each succeeds or fails on its own.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct BatchRequest {
    pub events: Vec<EvaluateRequest>,
}

/// The merged decision, before it is put in the agent's words.
#[derive(Serialize, ToSchema)]
pub(crate) struct DecisionBody {
    /// Allow, Modify, Ask, Block, Deny or Halt.
    pub kind: &'static str,
    pub reason: String,
    pub rule_ids: Vec<String>,
    /// `add_context` strings (on Allow).
    pub context: Vec<String>,
    pub agent_messages: Vec<String>,
    /// The merged tool input, on Modify.
    #[schema(value_type = Option<Object>)]
    pub updated_input: Option<Value>,
}

/// The answer to one event: the decision, and what the hook prints and exits with.
#[derive(Serialize, ToSchema)]
pub(crate) struct EvaluateResponse {
    pub harness: &'static str,
    pub decision: DecisionBody,
    /// The JSON the hook prints on stdout, in the agent's own format.
    #[schema(value_type = Object)]
    pub response: Value,
    /// What the hook prints on stderr (exit-code protocols read it).
    pub stderr: String,
    /// The hook's exit code (2 blocks in exit-code protocols).
    pub exit_code: i32,
    /// The SHA-256 of the policy set that decided.
    pub policy_set: String,
}

/// Why a request was not answered with a decision.
#[derive(Serialize, ToSchema)]
pub(crate) struct ErrorDetail {
    /// A stable name: `invalid_request`, `harness_not_served`, `invalid_event`, `evaluation`,
    /// `limit_exceeded`, `internal`, `unauthorized`, `rate_limited`, `too_large`, `overloaded`,
    /// `batch_too_large`, `not_found`.
    pub kind: &'static str,
    pub message: String,
}

#[derive(Serialize, ToSchema)]
pub(crate) struct ErrorResponse {
    pub error: ErrorDetail,
    /// When the harness is known: the blocking answer a hook should print for this failure.
    #[schema(value_type = Option<Object>)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response: Option<Value>,
}

/// One entry of a batch answer: a decision, or the error for that event.
#[derive(Serialize, ToSchema)]
#[serde(untagged)]
pub(crate) enum BatchItem {
    Decided(Box<EvaluateResponse>),
    Failed(ErrorResponse),
}

#[derive(Serialize, ToSchema)]
pub(crate) struct BatchResponse {
    pub results: Vec<BatchItem>,
}

/// The newest reload that failed; the previous set keeps serving.
#[derive(Serialize, ToSchema)]
pub(crate) struct ReloadFailure {
    pub error: String,
    /// Seconds since the Unix epoch.
    pub at: u64,
}

#[derive(Serialize, ToSchema)]
pub(crate) struct Health {
    /// `live`, `ready`, or `draining` (shutting down: send elsewhere).
    pub status: &'static str,
    pub harnesses: Vec<&'static str>,
    /// Each served harness's policy set (`policy_set` in answers and decision log lines).
    pub policy_sets: std::collections::BTreeMap<&'static str, String>,
    /// Seconds since the Unix epoch.
    pub loaded_at: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reload_failure: Option<ReloadFailure>,
}

/// What `cupcake inspect --json` shows, for each served harness.
#[derive(Serialize, ToSchema)]
pub(crate) struct PoliciesResponse {
    #[schema(value_type = Vec<Object>)]
    pub harnesses: Vec<Value>,
}

#[derive(OpenApi)]
#[openapi(
    info(title = "cupcake decision server", description = "Policy decisions for AI coding agent hooks"),
    paths(
        super::routes::evaluate,
        super::routes::evaluate_batch,
        super::routes::live,
        super::routes::ready,
        super::routes::metrics,
        super::routes::policies,
    ),
    modifiers(&BearerAuth)
)]
pub(crate) struct Document;

/// Declares the `bearer` scheme the secured paths name.
struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
    }
}
