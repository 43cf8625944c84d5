//! The process-wide wasmtime engine and the ticker thread that advances its epoch. Deadlines are
//! counted in ticks, so one background thread serves every store in the process.

use std::sync::OnceLock;
use std::time::Duration;

use crate::error::{Error, Result};

/// How often the epoch advances; deadlines are rounded up to whole ticks.
pub(crate) const TICK: Duration = Duration::from_millis(2);

static ENGINE: OnceLock<std::result::Result<wasmtime::Engine, String>> = OnceLock::new();

/// The shared engine, configured for epoch interruption, with its ticker running.
pub(crate) fn engine() -> Result<&'static wasmtime::Engine> {
    ENGINE
        .get_or_init(|| {
            let mut config = wasmtime::Config::new();
            config.epoch_interruption(true);
            let engine = wasmtime::Engine::new(&config).map_err(|err| err.to_string())?;
            let ticking = engine.clone();
            std::thread::Builder::new()
                .name("cupcake-epoch".into())
                .spawn(move || loop {
                    std::thread::sleep(TICK);
                    ticking.increment_epoch();
                })
                .map_err(|err| err.to_string())?;
            Ok(engine)
        })
        .as_ref()
        .map_err(|reason| Error::internal(format!("cannot start wasmtime: {reason}")))
}

/// Converts a wall-clock budget into epoch ticks, never zero.
pub(crate) fn ticks_for(timeout: Duration) -> u64 {
    let ticks = timeout.as_nanos().div_ceil(TICK.as_nanos()).max(1);
    u64::try_from(ticks).unwrap_or(u64::MAX)
}
