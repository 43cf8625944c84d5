//! The foreign API declared in `interface.udl`, built as `libcupcake` for the Python and Node
//! packages: thin wrappers that convert arguments, delegate to the engine (`cupcake-core`) and
//! convert results and errors. No policy logic lives here; the async runtime the foreign event
//! loops wait on does.

mod error;
mod runtime;
mod types;

use std::sync::Arc;

pub use engine::{DecisionKind, Harness};
pub use error::CupcakeError;
// The scaffolding's macros look the component tag up at the crate root.
pub(crate) use scaffolding::UniFfiTag;
pub use types::{Decision, EngineOptions, HookReply};

/// An engine shared with foreign code.
pub struct Engine {
    inner: Arc<engine::Engine>,
}

impl Engine {
    /// Loads the policies found from `path`.
    pub fn new(path: String, options: EngineOptions) -> Result<Self, CupcakeError> {
        let inner = engine::Engine::new(path, options.into_core())?;
        Ok(Self {
            inner: Arc::new(inner),
        })
    }

    /// Loads a bundle made by [`export_bundle`].
    pub fn from_bundle(bundle_path: String, options: EngineOptions) -> Result<Self, CupcakeError> {
        let inner = engine::Engine::from_bundle(bundle_path, options.into_core())?;
        Ok(Self {
            inner: Arc::new(inner),
        })
    }

    /// Evaluates one event on the caller's thread.
    #[expect(
        clippy::needless_pass_by_value,
        reason = "UniFFI passes owned arguments"
    )]
    pub fn evaluate(&self, event_json: String) -> Result<Decision, CupcakeError> {
        Ok(self.inner.evaluate(&event_json)?.into())
    }

    /// Evaluates one event on cupcake's runtime, leaving the caller's thread free.
    pub async fn evaluate_async(&self, event_json: String) -> Result<Decision, CupcakeError> {
        let engine = Arc::clone(&self.inner);
        let decision = runtime::run_blocking(move || engine.evaluate(&event_json)).await??;
        Ok(decision.into())
    }

    /// The harness this engine answers for.
    pub fn harness(&self) -> Harness {
        self.inner.harness()
    }
}

/// Parses a harness name as the CLI does (`claude`, `claude-code`, `cursor`, …).
#[expect(
    clippy::needless_pass_by_value,
    reason = "UniFFI hands foreign strings over by value"
)]
pub fn parse_harness(name: String) -> Result<Harness, CupcakeError> {
    Harness::parse(&name).ok_or_else(|| CupcakeError::Config {
        message: Harness::unknown(&name),
        path: None,
    })
}

/// The blocking response for an event that could not be evaluated (see
/// [`engine::failure_response`]); `event_json` may be unparsable.
#[expect(
    clippy::needless_pass_by_value,
    reason = "UniFFI hands foreign strings over by value"
)]
pub fn failure_response(harness: Harness, event_json: String, reason: String) -> HookReply {
    let event = serde_json::from_str::<serde_json::Value>(&event_json).ok();
    engine::failure_response(harness, event.as_ref(), &reason).into()
}

/// Async calls a facade keeps pending in the native layer at once. Each completion costs the
/// foreign event loop a callback and a promise or future; with more pending, a burst of them
/// runs between two turns of the loop (1,000 pending left Node's timers and asyncio's loop
/// waiting 200-300 ms on a 2-core machine). 16 keeps the worst gap near 10 ms there and keeps
/// both cores busy: the evaluations are CPU-bound, so more in flight adds no throughput.
pub const ASYNC_IN_FLIGHT_LIMIT: u32 = 16;

/// See [`ASYNC_IN_FLIGHT_LIMIT`].
pub fn async_in_flight_limit() -> u32 {
    ASYNC_IN_FLIGHT_LIMIT
}

/// The crate version.
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}

/// Writes a bundle of the policies found from `path`.
pub fn export_bundle(
    path: String,
    options: EngineOptions,
    output: String,
) -> Result<(), CupcakeError> {
    Ok(engine::Engine::export_bundle(
        path,
        &options.into_core(),
        output,
    )?)
}

/// Finds OPA as a compile would (downloading it when `options.download_opa` is set) and
/// returns its path.
pub fn ensure_opa(options: EngineOptions) -> Result<String, CupcakeError> {
    let path = engine::ensure_opa(&options.into_core())?;
    path.into_os_string().into_string().map_err(|path| {
        let path = std::path::Path::new(&path).display().to_string();
        CupcakeError::Config {
            message: format!("the OPA path {path} is not valid UTF-8; pass an opa_path that is"),
            path: Some(path),
        }
    })
}

/// Loads an engine on cupcake's runtime.
pub async fn load_engine(
    path: String,
    options: EngineOptions,
) -> Result<Arc<Engine>, CupcakeError> {
    let engine = runtime::run_blocking(move || Engine::new(path, options)).await??;
    Ok(Arc::new(engine))
}

#[expect(
    unsafe_code,
    reason = "the UniFFI scaffolding exports extern \"C\" functions"
)]
#[allow(clippy::pedantic, missing_docs, reason = "generated code")]
mod scaffolding {
    use super::{
        async_in_flight_limit, ensure_opa, export_bundle, failure_response, load_engine,
        parse_harness, version, CupcakeError, Decision, DecisionKind, Engine, EngineOptions,
        Harness, HookReply,
    };
    uniffi::include_scaffolding!("cupcake");
}
