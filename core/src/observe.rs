//! The `tracing` targets of the structured events cupcake emits for whoever observes it: the
//! server's metrics and the OpenTelemetry export subscribe to these by name, so they are part
//! of the interface and change only with it.

/// One event per decision (and per failed evaluation): harness, event, tool, session,
/// decision, rule ids, reason, policy set, duration.
pub const DECISIONS: &str = "cupcake::decision";

/// One event per signal run: `signal` (its name in the rulebook), `duration_us`, `ok`.
pub const SIGNAL_RUNS: &str = "cupcake::signal_run";

/// One event per compiled module looked up in the compile cache: `outcome` is `hit` or
/// `miss`.
pub const COMPILE_CACHE: &str = "cupcake::compile_cache";
