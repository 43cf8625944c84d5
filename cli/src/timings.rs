//! `cupcake eval --timings`: where a hook process's time goes. A layer adds up how long each
//! `cupcake.*` span (load and its phases, evaluate) was open; at the end, one JSON line on
//! stderr lists them beside the time since the layer was installed, right after the command
//! line was parsed. The flag is for benchmarks; it changes no decision and no response.

use std::collections::BTreeMap;
use std::io::Write as _;
use std::sync::{Mutex, OnceLock, PoisonError};
use std::time::Instant;

use tracing::span;
use tracing_subscriber::layer::Context;
use tracing_subscriber::registry::LookupSpan;

/// Microseconds each span name was open, summed over its occurrences.
static TOTALS: Mutex<BTreeMap<&'static str, f64>> = Mutex::new(BTreeMap::new());
static INSTALLED: OnceLock<Instant> = OnceLock::new();

/// The layer; see the module documentation.
pub(crate) struct SpanTimes;

impl SpanTimes {
    pub(crate) fn new() -> Self {
        INSTALLED.get_or_init(Instant::now);
        Self
    }
}

/// When a span was created, kept in its extensions.
struct Opened(Instant);

impl<S> tracing_subscriber::Layer<S> for SpanTimes
where
    S: tracing::Subscriber + for<'span> LookupSpan<'span>,
{
    fn on_new_span(&self, _attrs: &span::Attributes<'_>, id: &span::Id, ctx: Context<'_, S>) {
        if let Some(span) = ctx.span(id) {
            span.extensions_mut().insert(Opened(Instant::now()));
        }
    }

    fn on_close(&self, id: span::Id, ctx: Context<'_, S>) {
        let Some(span) = ctx.span(&id) else { return };
        let name = span.metadata().name();
        if !name.starts_with("cupcake.") {
            return;
        }
        let opened = span.extensions().get::<Opened>().map(|opened| opened.0);
        if let Some(at) = opened {
            let took = at.elapsed().as_secs_f64() * 1e6;
            *TOTALS
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .entry(name)
                .or_default() += took;
        }
    }
}

/// Writes `{"process_us": …, "spans": {name: µs, …}}` as one line on stderr.
pub(crate) fn report() {
    let since = INSTALLED
        .get()
        .map_or(0.0, |at| at.elapsed().as_secs_f64() * 1e6);
    let spans = TOTALS
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .clone();
    let line = serde_json::json!({"process_us": since, "spans": spans});
    let _ = writeln!(std::io::stderr(), "{line}");
}
