//! The server's metrics, in the Prometheus text format at `/metrics`. Every label takes values
//! from a fixed set (harness, decision kind, error kind, route, status class), so the number of
//! series stays bounded whatever the clients send.

use std::time::Duration;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub(crate) struct DecisionLabels {
    pub harness: &'static str,
    pub kind: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub(crate) struct HarnessLabels {
    pub harness: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub(crate) struct ErrorLabels {
    pub harness: &'static str,
    pub error: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub(crate) struct RequestLabels {
    pub route: &'static str,
    pub status: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub(crate) struct ReloadLabels {
    pub result: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub(crate) struct SignalLabels {
    /// The signal's name in the rulebook (bounded by the configuration; past
    /// [`MAX_SIGNAL_NAMES`] distinct names, the rest count as `other`).
    pub signal: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub(crate) struct SignalOutcomeLabels {
    pub signal: String,
    pub result: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub(crate) struct CacheLabels {
    pub outcome: &'static str,
}

/// Distinct signal names tracked before the rest share one series.
const MAX_SIGNAL_NAMES: usize = 256;

type Latency = Family<HarnessLabels, Histogram, fn() -> Histogram>;
type SignalLatency = Family<SignalLabels, Histogram, fn() -> Histogram>;

pub(crate) struct Metrics {
    registry: Registry,
    decisions: Family<DecisionLabels, Counter>,
    errors: Family<ErrorLabels, Counter>,
    latency: Latency,
    requests: Family<RequestLabels, Counter>,
    in_flight: Gauge,
    reloads: Family<ReloadLabels, Counter>,
    reload_failing: Gauge,
    signal_runs: Family<SignalOutcomeLabels, Counter>,
    signal_latency: SignalLatency,
    signal_names: std::sync::Mutex<std::collections::BTreeSet<String>>,
    compile_cache: Family<CacheLabels, Counter>,
}

/// 10 µs to about 5 s, doubling.
fn latency_histogram() -> Histogram {
    Histogram::new(exponential_buckets(0.000_01, 2.0, 20))
}

impl Metrics {
    pub(crate) fn new() -> Self {
        let mut registry = Registry::with_prefix("cupcake");
        let decisions = Family::<DecisionLabels, Counter>::default();
        registry.register(
            "decisions",
            "Decisions made, by harness and kind",
            decisions.clone(),
        );
        let errors = Family::<ErrorLabels, Counter>::default();
        registry.register(
            "evaluation_errors",
            "Events that could not be evaluated, by harness and error kind",
            errors.clone(),
        );
        let latency: Latency = Family::new_with_constructor(latency_histogram);
        registry.register(
            "evaluation_duration_seconds",
            "Time to evaluate one event, signals included",
            latency.clone(),
        );
        let requests = Family::<RequestLabels, Counter>::default();
        registry.register(
            "http_requests",
            "HTTP requests by route and status class",
            requests.clone(),
        );
        let in_flight = Gauge::default();
        registry.register(
            "http_requests_in_flight",
            "HTTP requests being handled",
            in_flight.clone(),
        );
        let reloads = Family::<ReloadLabels, Counter>::default();
        registry.register(
            "policy_reloads",
            "Policy reloads, by result",
            reloads.clone(),
        );
        let reload_failing = Gauge::default();
        registry.register(
            "policy_reload_failing",
            "1 while the newest policy files failed to load and the previous set is served",
            reload_failing.clone(),
        );
        let signal_runs = Family::<SignalOutcomeLabels, Counter>::default();
        registry.register(
            "signal_runs",
            "Signal runs, by signal and result (ok, or failed: error, timeout, bad output)",
            signal_runs.clone(),
        );
        let signal_latency: SignalLatency = Family::new_with_constructor(latency_histogram);
        registry.register(
            "signal_duration_seconds",
            "Time one signal took",
            signal_latency.clone(),
        );
        let compile_cache = Family::<CacheLabels, Counter>::default();
        registry.register(
            "compile_cache_lookups",
            "Compiled-module lookups at policy load, by outcome (hit, miss)",
            compile_cache.clone(),
        );
        Self {
            registry,
            decisions,
            errors,
            latency,
            requests,
            in_flight,
            reloads,
            reload_failing,
            signal_runs,
            signal_latency,
            signal_names: std::sync::Mutex::default(),
            compile_cache,
        }
    }

    pub(crate) fn decided(&self, harness: &'static str, kind: &'static str, took: Duration) {
        self.decisions
            .get_or_create(&DecisionLabels { harness, kind })
            .inc();
        self.latency
            .get_or_create(&HarnessLabels { harness })
            .observe(took.as_secs_f64());
    }

    pub(crate) fn failed(&self, harness: &'static str, error: &'static str) {
        self.errors
            .get_or_create(&ErrorLabels { harness, error })
            .inc();
    }

    pub(crate) fn request(&self, route: &'static str, status: u16) {
        let status = match status {
            200..=299 => "2xx",
            400..=499 => "4xx",
            500..=599 => "5xx",
            _ => "other",
        };
        self.requests
            .get_or_create(&RequestLabels { route, status })
            .inc();
    }

    pub(crate) fn in_flight(&self) -> &Gauge {
        &self.in_flight
    }

    pub(crate) fn reloaded(&self, ok: bool) {
        let result = if ok { "ok" } else { "failed" };
        self.reloads.get_or_create(&ReloadLabels { result }).inc();
        self.reload_failing.set(i64::from(!ok));
    }

    pub(crate) fn signal_ran(&self, name: &str, took: Duration, ok: bool) {
        let signal = {
            let mut names = self
                .signal_names
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            if names.contains(name) || names.len() < MAX_SIGNAL_NAMES {
                names.insert(name.to_string());
                name.to_string()
            } else {
                "other".to_string()
            }
        };
        let result = if ok { "ok" } else { "failed" };
        self.signal_runs
            .get_or_create(&SignalOutcomeLabels {
                signal: signal.clone(),
                result,
            })
            .inc();
        self.signal_latency
            .get_or_create(&SignalLabels { signal })
            .observe(took.as_secs_f64());
    }

    pub(crate) fn compile_cache(&self, hit: bool) {
        let outcome = if hit { "hit" } else { "miss" };
        self.compile_cache
            .get_or_create(&CacheLabels { outcome })
            .inc();
    }

    /// The exposition text.
    pub(crate) fn encode(&self) -> Result<String, std::fmt::Error> {
        let mut text = String::new();
        prometheus_client::encoding::text::encode(&mut text, &self.registry)?;
        Ok(text)
    }
}

/// Feeds the signal and compile-cache metrics from the events the engine emits for them.
pub(crate) struct EngineEvents(pub std::sync::Arc<Metrics>);

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for EngineEvents {
    fn on_event(&self, event: &tracing::Event<'_>, _: tracing_subscriber::layer::Context<'_, S>) {
        let target = event.metadata().target();
        if target != cupcake::SIGNAL_RUNS && target != cupcake::COMPILE_CACHE {
            return;
        }
        let mut fields = Fields::default();
        event.record(&mut fields);
        if target == cupcake::SIGNAL_RUNS {
            self.0.signal_ran(
                &fields.signal,
                Duration::from_micros(fields.duration_us),
                fields.ok,
            );
        } else {
            self.0.compile_cache(fields.outcome == "hit");
        }
    }
}

/// The fields of those events.
#[derive(Default)]
struct Fields {
    signal: String,
    outcome: String,
    duration_us: u64,
    ok: bool,
}

impl tracing::field::Visit for Fields {
    fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
        match field.name() {
            "signal" => self.signal = value.to_string(),
            "outcome" => self.outcome = value.to_string(),
            _ => {}
        }
    }

    fn record_u64(&mut self, field: &tracing::field::Field, value: u64) {
        if field.name() == "duration_us" {
            self.duration_us = value;
        }
    }

    fn record_bool(&mut self, field: &tracing::field::Field, value: bool) {
        if field.name() == "ok" {
            self.ok = value;
        }
    }

    fn record_debug(&mut self, _: &tracing::field::Field, _: &dyn std::fmt::Debug) {}
}
