//! The process-wide wasmtime engine and the ticker thread that advances its epoch. Deadlines are
//! counted in ticks, so one background thread serves every store in the process. The ticker
//! runs only while some thread is inside a policy module ([`Running`]); otherwise it sleeps
//! parked, so a process that keeps an idle engine (a server, an embedding program) does not
//! wake every tick forever.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;
use std::thread::Thread;
use std::time::Duration;

use crate::error::{Error, Result};

/// How often the epoch advances; deadlines are rounded up to whole ticks.
pub(crate) const TICK: Duration = Duration::from_millis(2);

static ENGINE: OnceLock<std::result::Result<wasmtime::Engine, String>> = OnceLock::new();
/// The ticker thread, to wake when the first call into a module starts.
static TICKER: OnceLock<Thread> = OnceLock::new();
/// How many calls into policy modules are running now.
static RUNNING: AtomicUsize = AtomicUsize::new(0);

/// The shared engine, configured for epoch interruption, with its ticker started.
pub(crate) fn engine() -> Result<&'static wasmtime::Engine> {
    ENGINE
        .get_or_init(|| {
            let mut config = wasmtime::Config::new();
            config.epoch_interruption(true);
            let engine = wasmtime::Engine::new(&config).map_err(|err| err.to_string())?;
            let ticking = engine.clone();
            let ticker = std::thread::Builder::new()
                .name("cupcake-epoch".into())
                .spawn(move || tick(&ticking))
                .map_err(|err| err.to_string())?;
            TICKER
                .set(ticker.thread().clone())
                .map_err(|_| "the epoch ticker started twice".to_string())?;
            Ok(engine)
        })
        .as_ref()
        .map_err(|reason| Error::internal(format!("cannot start wasmtime: {reason}")))
}

/// Advances the epoch every tick while a module runs, and parks otherwise. A wake-up that
/// arrives between the check and the park is kept by the thread's token, so none is lost.
fn tick(engine: &wasmtime::Engine) {
    loop {
        if RUNNING.load(Ordering::SeqCst) == 0 {
            std::thread::park();
            continue;
        }
        std::thread::sleep(TICK);
        engine.increment_epoch();
    }
}

/// Held for as long as a thread may execute policy code: while any is held, the epoch advances
/// and deadlines fire.
pub(crate) struct Running(());

impl Running {
    /// Marks a call into a module as started, waking the ticker if it was the first.
    pub(crate) fn start() -> Self {
        if RUNNING.fetch_add(1, Ordering::SeqCst) == 0 {
            if let Some(ticker) = TICKER.get() {
                ticker.unpark();
            }
        }
        Self(())
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        RUNNING.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Converts a wall-clock budget into epoch ticks, never zero.
pub(crate) fn ticks_for(timeout: Duration) -> u64 {
    let ticks = timeout.as_nanos().div_ceil(TICK.as_nanos()).max(1);
    u64::try_from(ticks).unwrap_or(u64::MAX)
}
