//! The one tokio runtime behind the async foreign API. Foreign event loops (asyncio, Node) poll
//! UniFFI futures but cannot run CPU-bound work without stalling, so evaluations are handed to
//! this runtime's blocking pool and the foreign future only waits. It is built on first use, so
//! programs that never call an async method never start it.

use std::sync::OnceLock;

use super::CupcakeError;

static RUNTIME: OnceLock<Result<tokio::runtime::Runtime, String>> = OnceLock::new();

fn runtime() -> Result<&'static tokio::runtime::Runtime, CupcakeError> {
    RUNTIME
        .get_or_init(|| {
            tokio::runtime::Builder::new_multi_thread()
                .worker_threads(1)
                .thread_name("cupcake-async")
                .build()
                .map_err(|err| err.to_string())
        })
        .as_ref()
        .map_err(|reason| CupcakeError::Internal {
            message: format!("cannot start cupcake's async runtime: {reason}"),
        })
}

/// Runs `work` on the runtime's blocking pool and waits for it without blocking the caller.
pub(super) async fn run_blocking<T, F>(work: F) -> Result<T, CupcakeError>
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    let handle = runtime()?.spawn_blocking(work);
    handle.await.map_err(|err| CupcakeError::Internal {
        message: format!("an evaluation task failed: {err}"),
    })
}
