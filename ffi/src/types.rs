//! Records of the foreign API and their conversions to and from the core types. JSON values
//! cross the boundary as text, so both languages parse them with their own JSON parser.

use std::path::PathBuf;
use std::time::Duration;

use engine::{DecisionKind, Harness, Limits};

/// Foreign form of [`engine::EngineOptions`].
#[derive(Debug, Clone)]
pub struct EngineOptions {
    /// Which agent's events and responses to use.
    pub harness: Harness,
    /// Path to the OPA binary.
    pub opa_path: Option<String>,
    /// Evaluation deadline in milliseconds.
    pub timeout_ms: Option<u32>,
    /// Memory cap in bytes.
    pub memory_limit_bytes: Option<u64>,
    /// Global policy directory.
    pub global_dir: Option<String>,
    /// Compile cache root.
    pub cache_dir: Option<String>,
    /// Download the pinned OPA release when none is found (default false).
    pub download_opa: Option<bool>,
}

impl EngineOptions {
    pub(crate) fn into_core(self) -> engine::EngineOptions {
        let defaults = Limits::default();
        engine::EngineOptions {
            harness: self.harness,
            opa_path: self.opa_path.map(PathBuf::from),
            protected_paths: Vec::new(),
            limits: Limits {
                timeout: self
                    .timeout_ms
                    .map_or(defaults.timeout, |ms| Duration::from_millis(u64::from(ms))),
                memory_bytes: self
                    .memory_limit_bytes
                    .and_then(|bytes| usize::try_from(bytes).ok())
                    .unwrap_or(defaults.memory_bytes),
                ..defaults
            },
            cache_dir: self.cache_dir.map(PathBuf::from),
            global_dir: self.global_dir.map(PathBuf::from),
            download_opa: self.download_opa.unwrap_or(false),
            decision_log: None,
            opa_release: None,
            opa_search_path: None,
        }
    }
}

/// Foreign form of [`engine::Evaluation`]: the decision's fields and the reply's, with JSON
/// values as text (UniFFI has no JSON type).
#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    /// The winning kind.
    pub kind: DecisionKind,
    /// The reason shown to the user.
    pub reason: String,
    /// `add_context` strings.
    pub context: Vec<String>,
    /// Messages meant for the agent.
    pub agent_messages: Vec<String>,
    /// Rule ids behind the decision.
    pub rule_ids: Vec<String>,
    /// Merged tool input as JSON text.
    pub updated_input: Option<String>,
    /// Harness response as JSON text.
    pub response: String,
    /// Text for stderr.
    pub stderr: String,
    /// The hook's exit code.
    pub exit_code: i32,
}

/// Foreign form of [`engine::Reply`]: what a hook prints and how it exits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HookReply {
    /// JSON text for stdout.
    pub response: String,
    /// Text for stderr.
    pub stderr: String,
    /// The exit code.
    pub exit_code: i32,
}

impl From<engine::Reply> for HookReply {
    fn from(reply: engine::Reply) -> Self {
        Self {
            response: reply.response.to_string(),
            stderr: reply.stderr,
            exit_code: reply.exit_code,
        }
    }
}

impl From<engine::Evaluation> for Decision {
    fn from(engine::Evaluation { decision, reply }: engine::Evaluation) -> Self {
        Self {
            kind: decision.kind,
            reason: decision.reason,
            context: decision.context,
            agent_messages: decision.agent_messages,
            rule_ids: decision.rule_ids,
            updated_input: decision.updated_input.map(|value| value.to_string()),
            response: reply.response.to_string(),
            stderr: reply.stderr,
            exit_code: reply.exit_code,
        }
    }
}
