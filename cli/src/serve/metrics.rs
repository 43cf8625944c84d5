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

type Latency = Family<HarnessLabels, Histogram, fn() -> Histogram>;

pub(crate) struct Metrics {
    registry: Registry,
    decisions: Family<DecisionLabels, Counter>,
    errors: Family<ErrorLabels, Counter>,
    latency: Latency,
    requests: Family<RequestLabels, Counter>,
    in_flight: Gauge,
    reloads: Family<ReloadLabels, Counter>,
    reload_failing: Gauge,
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
        Self {
            registry,
            decisions,
            errors,
            latency,
            requests,
            in_flight,
            reloads,
            reload_failing,
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

    /// The exposition text.
    pub(crate) fn encode(&self) -> Result<String, std::fmt::Error> {
        let mut text = String::new();
        prometheus_client::encoding::text::encode(&mut text, &self.registry)?;
        Ok(text)
    }
}
