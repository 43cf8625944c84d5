//! The one tokio runtime behind the async foreign API. Foreign event loops (asyncio, Node) poll
//! UniFFI futures but cannot run CPU-bound work without stalling, so evaluations are handed to
//! this runtime's blocking pool and the foreign future only waits. It is built on first use, so
//! programs that never call an async method never start it.

use std::sync::OnceLock;

use super::CupcakeError;

/// Evaluations running at once; the rest queue in the runtime. The pool's threads are the ones
/// that wake foreign futures, and Node's FFI runtime (koffi) crashes the process when more
/// than a few hundred distinct threads call back into it (tokio's default allows 512), so the
/// pool is small and fixed. Evaluations are CPU-bound or wait on a signal's subprocess, so this
/// is many times the core count of the machines cupcake runs on.
const BLOCKING_THREADS: usize = 32;

/// How long an idle pool thread lives: for good, in practice, so the threads that call back
/// into a foreign runtime stay the same few for the life of the process.
const KEEP_ALIVE: std::time::Duration = std::time::Duration::from_hours(365 * 24);

static RUNTIME: OnceLock<Result<tokio::runtime::Runtime, String>> = OnceLock::new();

fn runtime() -> Result<&'static tokio::runtime::Runtime, CupcakeError> {
    RUNTIME
        .get_or_init(|| {
            tokio::runtime::Builder::new_multi_thread()
                .worker_threads(1)
                .max_blocking_threads(BLOCKING_THREADS)
                .thread_keep_alive(KEEP_ALIVE)
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
