//! Logging on stderr, and — with `--otlp-endpoint` — every decision exported as an
//! OpenTelemetry log record and every evaluation as spans (load, evaluate, route, signals,
//! wasm, synthesis), over OTLP/HTTP with protobuf, to any collector.
//!
//! Only the stderr filter comes from the environment (`CUPCAKE_LOG`). What is exported, where
//! to, with which headers, sampler, limits and batching is fixed here or by flags: an agent
//! can set `OTEL_*` variables, and none of them may redirect, thin out or switch off the
//! record of what it did.

use std::time::Duration;

use async_trait::async_trait;
use opentelemetry::trace::TracerProvider as _;
use opentelemetry_appender_tracing::layer::OpenTelemetryTracingBridge;
use opentelemetry_http::{Bytes, HttpClient, HttpError, Request, Response};
use opentelemetry_otlp::{Protocol, WithExportConfig as _, WithHttpConfig as _};
use opentelemetry_sdk::logs::SdkLoggerProvider;
use opentelemetry_sdk::trace::{Sampler, SdkTracerProvider};
use opentelemetry_sdk::Resource;
use tracing::Level;
use tracing_subscriber::filter::Targets;
use tracing_subscriber::layer::SubscriberExt as _;
use tracing_subscriber::util::SubscriberInitExt as _;
use tracing_subscriber::Layer as _;

use crate::env_vars;

/// How long one export may take; a collector that is down costs a hook at most this.
const EXPORT_TIMEOUT: Duration = Duration::from_secs(2);
/// Records buffered before new ones are dropped (a collector that is down must not grow the
/// server's memory without bound).
const MAX_QUEUE: usize = 65_536;
const MAX_BATCH: usize = 512;
const BATCH_DELAY: Duration = Duration::from_millis(500);

#[derive(clap::Args, Clone, Default)]
pub(crate) struct OtlpArgs {
    /// Export decisions (OpenTelemetry logs) and evaluation spans to this OTLP/HTTP endpoint,
    /// e.g. `http://127.0.0.1:4318` (`/v1/logs` and `/v1/traces` are appended).
    #[arg(long)]
    otlp_endpoint: Option<String>,
}

/// The exporters, flushed on [`Telemetry::finish`].
pub(crate) struct Telemetry {
    exporting: Option<Exporting>,
}

impl Telemetry {
    /// Installs the global subscriber: stderr logs, the OTLP layers when asked for, and
    /// `observer` (the server's metrics) on the engine's signal and compile-cache events. When
    /// the exporters cannot be set up, the rest is installed and the problem returned.
    pub(crate) fn install(
        otlp: &OtlpArgs,
        observer: Option<Observer>,
        timings: bool,
    ) -> (Self, Option<String>) {
        let observer = observer.map(|layer| {
            layer.with_filter(
                Targets::new()
                    .with_target(cupcake::SIGNAL_RUNS, Level::INFO)
                    .with_target(cupcake::COMPILE_CACHE, Level::INFO),
            )
        });
        let base = otlp.otlp_endpoint.as_deref().map(|endpoint| {
            let base = endpoint.trim_end_matches('/').to_string();
            if base.starts_with("http://") || base.starts_with("https://") {
                Ok(base)
            } else {
                Err(format!(
                    "--otlp-endpoint `{endpoint}` must start with http:// or https://"
                ))
            }
        });
        let exporting = base.map(|base| base.and_then(|base| Exporting::new(&base)));
        let (exporting, problem) = match exporting {
            None => (None, None),
            Some(Ok(exporting)) => (Some(exporting), None),
            Some(Err(problem)) => (None, Some(problem)),
        };
        let layers = exporting.as_ref().map(Exporting::layers);
        let timings = timings.then(|| {
            crate::timings::SpanTimes::new().with_filter(tracing::level_filters::LevelFilter::INFO)
        });
        tracing_subscriber::registry()
            .with(timings)
            .with(observer)
            .with(stderr_layer())
            .with(layers)
            .init();
        (Self { exporting }, problem)
    }

    /// Sends what is buffered and stops the exporters.
    pub(crate) fn finish(self) {
        if let Some(exporting) = self.exporting {
            if let Err(err) = exporting.traces.shutdown_with_timeout(EXPORT_TIMEOUT) {
                tracing::warn!(error = %err, "could not export the evaluation spans");
            }
            if let Err(err) = exporting.logs.shutdown_with_timeout(EXPORT_TIMEOUT) {
                tracing::warn!(error = %err, "could not export the decision records");
            }
        }
    }
}

/// A layer that watches events for the server's metrics.
pub(crate) type Observer = crate::serve::EngineEvents;

/// The OTLP providers for logs and spans.
struct Exporting {
    logs: SdkLoggerProvider,
    traces: SdkTracerProvider,
}

impl Exporting {
    fn new(base: &str) -> Result<Self, String> {
        let resource = Resource::builder_empty()
            .with_service_name("cupcake")
            .with_attribute(opentelemetry::KeyValue::new(
                "service.version",
                env!("CARGO_PKG_VERSION"),
            ))
            .build();
        let logs = SdkLoggerProvider::builder()
            .with_resource(resource.clone())
            .with_log_processor(
                opentelemetry_sdk::logs::BatchLogProcessor::builder(log_exporter(base)?)
                    .with_batch_config(
                        opentelemetry_sdk::logs::BatchConfigBuilder::default()
                            .with_max_queue_size(MAX_QUEUE)
                            .with_max_export_batch_size(MAX_BATCH)
                            .with_scheduled_delay(BATCH_DELAY)
                            .build(),
                    )
                    .build(),
            )
            .build();
        let traces = SdkTracerProvider::builder()
            .with_resource(resource)
            .with_sampler(Sampler::AlwaysOn)
            .with_max_attributes_per_span(128)
            .with_max_events_per_span(128)
            .with_span_processor(
                opentelemetry_sdk::trace::BatchSpanProcessor::builder(span_exporter(base)?)
                    .with_batch_config(
                        opentelemetry_sdk::trace::BatchConfigBuilder::default()
                            .with_max_queue_size(MAX_QUEUE)
                            .with_max_export_batch_size(MAX_BATCH)
                            .with_scheduled_delay(BATCH_DELAY)
                            .build(),
                    )
                    .build(),
            )
            .build();
        Ok(Self { logs, traces })
    }

    /// Decision events become log records (cupcake's warnings and errors go along); spans
    /// become spans. Fixed filters: no environment variable thins them out.
    fn layers<S>(&self) -> impl tracing_subscriber::Layer<S>
    where
        S: tracing::Subscriber + for<'span> tracing_subscriber::registry::LookupSpan<'span>,
    {
        let decisions = OpenTelemetryTracingBridge::new(&self.logs).with_filter(
            Targets::new()
                .with_target(cupcake::DECISIONS, Level::INFO)
                .with_target("cupcake", Level::WARN),
        );
        let spans = tracing_opentelemetry::layer()
            .with_tracer(self.traces.tracer("cupcake"))
            .with_filter(Targets::new().with_target("cupcake", Level::INFO));
        decisions.and_then(spans)
    }
}

/// Logs on stderr, filtered by `CUPCAKE_LOG` (default: warnings and errors).
fn stderr_layer<S>() -> impl tracing_subscriber::Layer<S>
where
    S: tracing::Subscriber + for<'span> tracing_subscriber::registry::LookupSpan<'span>,
{
    let filter = tracing_subscriber::EnvFilter::try_from_env(env_vars::LOG)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .with_target(false)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_filter(filter)
}

fn log_exporter(base: &str) -> Result<opentelemetry_otlp::LogExporter, String> {
    opentelemetry_otlp::LogExporter::builder()
        .with_http()
        .with_http_client(UreqClient::new())
        .with_protocol(Protocol::HttpBinary)
        .with_endpoint(format!("{base}/v1/logs"))
        .with_timeout(EXPORT_TIMEOUT)
        .build()
        .map_err(|err| format!("cannot set up the OTLP log exporter: {err}"))
}

fn span_exporter(base: &str) -> Result<opentelemetry_otlp::SpanExporter, String> {
    opentelemetry_otlp::SpanExporter::builder()
        .with_http()
        .with_http_client(UreqClient::new())
        .with_protocol(Protocol::HttpBinary)
        .with_endpoint(format!("{base}/v1/traces"))
        .with_timeout(EXPORT_TIMEOUT)
        .build()
        .map_err(|err| format!("cannot set up the OTLP span exporter: {err}"))
}

/// OTLP requests sent with ureq. The exporters run it on their own threads, so blocking is
/// fine. Only the content type is forwarded: headers the SDK took from `OTEL_*` variables are
/// dropped, and no proxy from the environment is used.
#[derive(Debug)]
struct UreqClient(ureq::Agent);

impl UreqClient {
    fn new() -> Self {
        Self(
            ureq::Agent::config_builder()
                .proxy(None)
                .max_redirects(0)
                .http_status_as_error(false)
                .timeout_global(Some(EXPORT_TIMEOUT))
                .user_agent(concat!("cupcake/", env!("CARGO_PKG_VERSION")))
                .build()
                .into(),
        )
    }
}

#[async_trait]
impl HttpClient for UreqClient {
    async fn send_bytes(&self, request: Request<Bytes>) -> Result<Response<Bytes>, HttpError> {
        let content_type = request
            .headers()
            .get("content-type")
            .and_then(|value| value.to_str().ok())
            .unwrap_or("application/x-protobuf")
            .to_string();
        let uri = request.uri().to_string();
        let mut answer = self
            .0
            .post(&uri)
            .header("content-type", &content_type)
            .send(request.body().as_ref())?;
        let status = answer.status().as_u16();
        let body = answer
            .body_mut()
            .with_config()
            .limit(1 << 20)
            .read_to_vec()?;
        Ok(Response::builder().status(status).body(Bytes::from(body))?)
    }
}
