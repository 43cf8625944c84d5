//! The HTTP surface: routes, their handlers, and the layers every request passes through
//! (request accounting, then a global concurrency cap that refuses rather than queues, then —
//! on `/v1` and `/metrics` — bearer authentication and the per-client rate limit).

use std::net::SocketAddr;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Instant, UNIX_EPOCH};

use axum::body::Bytes;
use axum::error_handling::HandleErrorLayer;
use axum::extract::rejection::BytesRejection;
use axum::extract::{ConnectInfo, DefaultBodyLimit, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use cupcake::{Error, Evaluation, Harness};
use serde_json::Value;
use tower::limit::GlobalConcurrencyLimitLayer;
use tower::ServiceBuilder;
use utoipa::OpenApi as _;

use super::api::{
    BatchItem, BatchRequest, BatchResponse, DecisionBody, Document, ErrorDetail, ErrorResponse,
    EvaluateRequest, EvaluateResponse, Health, PoliciesResponse, ReloadFailure,
};
use super::auth::{bearer, Client};
use super::App;

type Shared = State<Arc<App>>;

pub(crate) fn router(app: Arc<App>, max_body_bytes: usize, max_concurrency: usize) -> Router {
    let guarded = Router::new()
        .route("/v1/evaluate", post(evaluate))
        .route("/v1/evaluate/batch", post(evaluate_batch))
        .route("/v1/policies", get(policies))
        .route("/metrics", get(metrics))
        .route_layer(middleware::from_fn_with_state(Arc::clone(&app), authorize));
    Router::new()
        .route("/health/live", get(live))
        .route("/health/ready", get(ready))
        .route("/openapi.json", get(openapi))
        .merge(guarded)
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(max_body_bytes))
        .layer(
            ServiceBuilder::new()
                .layer(HandleErrorLayer::new(|_: tower::BoxError| async {
                    failure(
                        StatusCode::SERVICE_UNAVAILABLE,
                        "overloaded",
                        "the server is handling as many requests as it may; retry shortly".into(),
                        None,
                    )
                }))
                .load_shed()
                .layer(GlobalConcurrencyLimitLayer::new(max_concurrency)),
        )
        .layer(middleware::from_fn_with_state(Arc::clone(&app), account))
        .with_state(app)
}

/// Counts every request by route and status class, and the ones in flight.
async fn account(State(app): Shared, request: Request, next: Next) -> Response {
    let route = route_label(request.uri().path());
    let _in_flight = InFlight::enter(&app);
    let response = next.run(request).await;
    app.metrics.request(route, response.status().as_u16());
    response
}

/// Counts a request in flight until dropped, also when its client goes away mid-request.
struct InFlight<'a>(&'a App);

impl<'a> InFlight<'a> {
    fn enter(app: &'a App) -> Self {
        app.metrics.in_flight().inc();
        Self(app)
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.metrics.in_flight().dec();
    }
}

/// Runs `work` on a blocking thread (signals may run programs; evaluation is CPU work),
/// holding one of --max-concurrency evaluation slots until it finishes: a client that gives
/// up does not free its slot while its evaluation still runs. Refused with 503 when none is
/// free.
async fn on_blocking_thread<T: Send + 'static>(
    app: Arc<App>,
    work: impl FnOnce(&App) -> T + Send + 'static,
) -> Result<T, Response> {
    let Ok(slot) = Arc::clone(&app.evaluations).try_acquire_owned() else {
        return Err(failure(
            StatusCode::SERVICE_UNAVAILABLE,
            "overloaded",
            "the server is evaluating as many events as it may; retry shortly".into(),
            None,
        ));
    };
    tokio::task::spawn_blocking(move || {
        let _slot = slot;
        work(&app)
    })
    .await
    .map_err(|err| {
        failure(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            format!("the evaluation task failed: {err}"),
            None,
        )
    })
}

/// A fixed label per known route, so arbitrary paths cannot grow the metric's series.
fn route_label(path: &str) -> &'static str {
    match path {
        "/v1/evaluate" => "/v1/evaluate",
        "/v1/evaluate/batch" => "/v1/evaluate/batch",
        "/v1/policies" => "/v1/policies",
        "/metrics" => "/metrics",
        "/health/live" => "/health/live",
        "/health/ready" => "/health/ready",
        "/openapi.json" => "/openapi.json",
        _ => "other",
    }
}

/// Bearer authentication when the server has tokens, then the client's rate limit.
async fn authorize(
    State(app): Shared,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    request: Request,
    next: Next,
) -> Response {
    let client = match &app.tokens {
        None => Client::Address(peer.ip()),
        Some(tokens) => {
            let presented = headers
                .get(header::AUTHORIZATION)
                .and_then(|value| value.to_str().ok())
                .and_then(bearer);
            let Some(index) = presented.and_then(|token| tokens.check(token)) else {
                let mut refused = failure(
                    StatusCode::UNAUTHORIZED,
                    "unauthorized",
                    "send `Authorization: Bearer <token>` with a token from the server's token \
                     file"
                        .into(),
                    None,
                );
                refused
                    .headers_mut()
                    .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
                return refused;
            };
            Client::Token(index)
        }
    };
    if !app.limiter.allow(&client) {
        let mut refused = failure(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            "this client is over its request rate; retry shortly".into(),
            None,
        );
        refused
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        return refused;
    }
    next.run(request).await
}

/// Evaluates one event.
#[utoipa::path(
    post,
    path = "/v1/evaluate",
    request_body = EvaluateRequest,
    responses(
        (status = 200, description = "The decision and the hook's answer", body = EvaluateResponse),
        (status = 400, description = "The body is not an evaluate request", body = ErrorResponse),
        (status = 401, description = "No valid bearer token", body = ErrorResponse),
        (status = 413, description = "The body is over the size limit", body = ErrorResponse),
        (status = 422, description = "Harness not served, or the event is unusable", body = ErrorResponse),
        (status = 429, description = "Over the client's rate", body = ErrorResponse),
        (status = 500, description = "The evaluation failed; `response` blocks", body = ErrorResponse),
        (status = 503, description = "At the concurrency limit", body = ErrorResponse),
    ),
    security(("bearer" = []))
)]
pub(crate) async fn evaluate(State(app): Shared, body: Result<Bytes, BytesRejection>) -> Response {
    let request: EvaluateRequest = match parse_body(body) {
        Ok(request) => request,
        Err((status, refused)) => return (status, Json(refused)).into_response(),
    };
    let decided = on_blocking_thread(Arc::clone(&app), move |app| decide(app, request)).await;
    match decided {
        Ok(Ok(decided)) => Json(decided).into_response(),
        Ok(Err((status, failed))) => (status, Json(failed)).into_response(),
        Err(refused) => refused,
    }
}

/// Evaluates several events in order; one failing does not fail the others.
#[utoipa::path(
    post,
    path = "/v1/evaluate/batch",
    request_body = BatchRequest,
    responses(
        (status = 200, description = "One result per event, in order", body = BatchResponse),
        (status = 400, description = "Not a batch request", body = ErrorResponse),
        (status = 401, description = "No valid bearer token", body = ErrorResponse),
        (status = 413, description = "Over the size limit or the batch limit", body = ErrorResponse),
        (status = 429, description = "Over the client's rate", body = ErrorResponse),
        (status = 503, description = "At the concurrency limit", body = ErrorResponse),
    ),
    security(("bearer" = []))
)]
pub(crate) async fn evaluate_batch(
    State(app): Shared,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let batch: BatchRequest = match parse_body(body) {
        Ok(batch) => batch,
        Err((status, refused)) => return (status, Json(refused)).into_response(),
    };
    if batch.events.len() > app.max_batch {
        return failure(
            StatusCode::PAYLOAD_TOO_LARGE,
            "batch_too_large",
            format!(
                "the batch holds {} events; send at most {} per request",
                batch.events.len(),
                app.max_batch
            ),
            None,
        );
    }
    let answered = on_blocking_thread(Arc::clone(&app), move |app| {
        let results = batch
            .events
            .into_iter()
            .map(|request| match decide(app, request) {
                Ok(decided) => BatchItem::Decided(Box::new(decided)),
                Err((_, failed)) => BatchItem::Failed(failed),
            })
            .collect();
        BatchResponse { results }
    })
    .await;
    match answered {
        Ok(batch) => Json(batch).into_response(),
        Err(refused) => refused,
    }
}

/// The process is up and answering.
#[utoipa::path(get, path = "/health/live", responses((status = 200, body = Health)))]
pub(crate) async fn live(State(app): Shared) -> Response {
    Json(health(&app, "live")).into_response()
}

/// Policies are loaded and the server is not shutting down. A failed reload stays ready (the
/// previous set serves) and is shown under `reload_failure`.
#[utoipa::path(
    get,
    path = "/health/ready",
    responses(
        (status = 200, description = "Ready", body = Health),
        (status = 503, description = "Shutting down", body = Health),
    )
)]
pub(crate) async fn ready(State(app): Shared) -> Response {
    if app.draining.load(Ordering::SeqCst) {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(health(&app, "draining")),
        )
            .into_response();
    }
    Json(health(&app, "ready")).into_response()
}

/// Prometheus text exposition.
#[utoipa::path(
    get,
    path = "/metrics",
    responses((status = 200, description = "Metrics in the Prometheus text format", body = String)),
    security(("bearer" = []))
)]
pub(crate) async fn metrics(State(app): Shared) -> Response {
    match app.metrics.encode() {
        Ok(text) => (
            [(
                header::CONTENT_TYPE,
                "application/openmetrics-text; version=1.0.0; charset=utf-8",
            )],
            text,
        )
            .into_response(),
        Err(err) => failure(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            format!("cannot encode the metrics: {err}"),
            None,
        ),
    }
}

/// The policies, routes, signals and builtins of each served harness.
#[utoipa::path(
    get,
    path = "/v1/policies",
    responses((status = 200, body = PoliciesResponse)),
    security(("bearer" = []))
)]
pub(crate) async fn policies(State(app): Shared) -> Response {
    let generation = app.policies.current();
    Json(PoliciesResponse {
        harnesses: generation
            .engines
            .iter()
            .map(|(_, engine)| crate::inspect::report(engine))
            .collect(),
    })
    .into_response()
}

async fn openapi() -> Response {
    Json(Document::openapi()).into_response()
}

async fn not_found() -> Response {
    failure(
        StatusCode::NOT_FOUND,
        "not_found",
        "no such route; see /openapi.json".into(),
        None,
    )
}

/// Decides one request against the current policy set (on a blocking thread: signals may run
/// programs and the evaluation is CPU work).
fn decide(
    app: &App,
    request: EvaluateRequest,
) -> Result<EvaluateResponse, (StatusCode, ErrorResponse)> {
    let Some(harness) = Harness::parse(&request.harness) else {
        return Err(refusal(
            StatusCode::UNPROCESSABLE_ENTITY,
            "harness_not_served",
            Harness::unknown(&request.harness),
            None,
        ));
    };
    let generation = app.policies.current();
    let Some(engine) = generation.engine(harness) else {
        let served: Vec<_> = app
            .policies
            .harnesses()
            .iter()
            .map(|h| h.dir_name())
            .collect();
        return Err(refusal(
            StatusCode::UNPROCESSABLE_ENTITY,
            "harness_not_served",
            format!(
                "this server does not serve {}; it serves {}",
                harness.dir_name(),
                served.join(", ")
            ),
            None,
        ));
    };
    let started = Instant::now();
    // The engine takes the event as text, so the input limits of hook mode (size, nesting)
    // apply to the server's events too; the value stays for the failure answer, which depends
    // on the event (a repeated Stop is allowed).
    let event_for_failure = request.event;
    let text = serde_json::to_string(&event_for_failure).map_err(|err| {
        refusal(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            format!("the event cannot be read: {err}"),
            None,
        )
    })?;
    match engine.evaluate(&text) {
        Ok(Evaluation { decision, reply }) => {
            app.metrics.decided(
                harness.dir_name(),
                decision.kind.as_str(),
                started.elapsed(),
            );
            Ok(EvaluateResponse {
                harness: harness.dir_name(),
                decision: DecisionBody {
                    kind: decision.kind.as_str(),
                    reason: decision.reason,
                    rule_ids: decision.rule_ids,
                    context: decision.context,
                    agent_messages: decision.agent_messages,
                    updated_input: decision.updated_input,
                },
                response: reply.response,
                stderr: reply.stderr,
                exit_code: reply.exit_code,
                policy_set: engine.policy_set().to_string(),
            })
        }
        Err(err) => {
            let (status, kind) = classify(&err);
            app.metrics.failed(harness.dir_name(), kind);
            let message = err.to_string();
            let blocking = cupcake::failure_response(harness, Some(&event_for_failure), &message);
            Err(refusal(status, kind, message, Some(blocking.response)))
        }
    }
}

/// The status and stable name of an engine error.
fn classify(err: &Error) -> (StatusCode, &'static str) {
    match err {
        Error::InvalidInput { .. } => (StatusCode::UNPROCESSABLE_ENTITY, "invalid_event"),
        Error::LimitExceeded { .. } => (StatusCode::INTERNAL_SERVER_ERROR, "limit_exceeded"),
        Error::Evaluation { .. } => (StatusCode::INTERNAL_SERVER_ERROR, "evaluation"),
        _ => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
    }
}

/// The body as `T`, or the JSON refusal to send.
fn parse_body<T: serde::de::DeserializeOwned>(
    body: Result<Bytes, BytesRejection>,
) -> Result<T, (StatusCode, ErrorResponse)> {
    let bytes = body.map_err(|rejection| {
        let status = rejection.status();
        let kind = if status == StatusCode::PAYLOAD_TOO_LARGE {
            "too_large"
        } else {
            "invalid_request"
        };
        refusal(status, kind, rejection.body_text(), None)
    })?;
    serde_json::from_slice(&bytes).map_err(|err| {
        refusal(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            format!("the body is not a valid request ({err}); see /openapi.json"),
            None,
        )
    })
}

fn health(app: &App, status: &'static str) -> Health {
    let generation = app.policies.current();
    Health {
        status,
        harnesses: app
            .policies
            .harnesses()
            .iter()
            .map(|h| h.dir_name())
            .collect(),
        policy_sets: generation
            .engines
            .iter()
            .map(|(harness, engine)| (harness.dir_name(), engine.policy_set().to_string()))
            .collect(),
        loaded_at: epoch_seconds(generation.loaded_at),
        reload_failure: app.policies.failed().map(|failed| ReloadFailure {
            error: failed.error,
            at: epoch_seconds(failed.at),
        }),
    }
}

fn epoch_seconds(at: std::time::SystemTime) -> u64 {
    at.duration_since(UNIX_EPOCH)
        .map_or(0, |since| since.as_secs())
}

fn refusal(
    status: StatusCode,
    kind: &'static str,
    message: String,
    response: Option<Value>,
) -> (StatusCode, ErrorResponse) {
    (
        status,
        ErrorResponse {
            error: ErrorDetail { kind, message },
            response,
        },
    )
}

fn failure(
    status: StatusCode,
    kind: &'static str,
    message: String,
    response: Option<Value>,
) -> Response {
    let (status, body) = refusal(status, kind, message, response);
    (status, Json(body)).into_response()
}
