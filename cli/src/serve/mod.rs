//! `cupcake serve`: one process that decides for many agents. It loads the policies once per
//! served harness, answers hook events over HTTP (`/v1/evaluate`), reloads the policies when
//! their files change (an atomic swap: a request sees the old set or the new one, never a mix;
//! a failed reload keeps the old set and says so in `/health/ready` and the metrics), and drains
//! the requests in flight before it exits on SIGTERM or Ctrl-C.

mod api;
mod auth;
mod fetch;
mod fingerprint;
mod metrics;
mod policies;
mod routes;

use std::net::SocketAddr;
use std::num::NonZeroU32;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{bail, Context as _, Result};
use cupcake::Harness;

use crate::LoadArgs;

#[derive(clap::Args)]
pub(crate) struct ServeArgs {
    #[command(flatten)]
    load: LoadArgs,
    /// Every harness to serve, comma-separated (`claude,cursor`); a request names one of them.
    #[arg(long = "harnesses", value_delimiter = ',')]
    harnesses: Vec<String>,
    /// The address to listen on. Anything but loopback needs --token-file.
    #[arg(long, default_value = "127.0.0.1:8410")]
    listen: SocketAddr,
    /// Serve the bundle published at this URL (made by `cupcake compile --sign-key`), polled
    /// every --reload-interval-ms with If-None-Match; `<url>.sig` must verify against
    /// --bundle-public-key before a bundle is loaded.
    #[arg(long, requires = "bundle_public_key", conflicts_with = "bundle")]
    bundle_url: Option<String>,
    /// The public key (`cupcake keygen`) bundles from --bundle-url must be signed with.
    #[arg(long, requires = "bundle_url")]
    bundle_public_key: Option<PathBuf>,
    /// File of bearer tokens, one per line (blank lines and `#` comments ignored); every /v1 and
    /// /metrics request must present one of them.
    #[arg(long)]
    token_file: Option<PathBuf>,
    /// The largest request body accepted, in bytes.
    #[arg(long, default_value_t = 1 << 20)]
    max_body_bytes: usize,
    /// Requests handled at once; more are refused with 503 rather than queued.
    #[arg(long, default_value_t = 512)]
    max_concurrency: usize,
    /// The most events one batch request may carry.
    #[arg(long, default_value_t = 256)]
    max_batch: usize,
    /// Requests per second each client (its token, or its address without tokens) may make.
    #[arg(long, default_value = "2000")]
    rate_limit: NonZeroU32,
    /// How many requests a client may make at once above its rate.
    #[arg(long, default_value = "4000")]
    rate_burst: NonZeroU32,
    /// How often, in milliseconds, the policy files are checked for changes (0: never reload).
    #[arg(long, default_value_t = 1000)]
    reload_interval_ms: u64,
    /// Seconds to let requests in flight finish after SIGTERM or Ctrl-C.
    #[arg(long, default_value_t = 30)]
    shutdown_grace_seconds: u64,
    #[command(flatten)]
    pub(crate) otlp: crate::telemetry::OtlpArgs,
}

/// Everything the handlers share.
pub(crate) struct App {
    pub policies: policies::Served,
    pub tokens: Option<auth::Tokens>,
    pub limiter: auth::ClientLimiter,
    pub metrics: Arc<metrics::Metrics>,
    pub max_batch: usize,
    /// Set once shutdown began: readiness turns 503 so load balancers stop sending.
    pub draining: std::sync::atomic::AtomicBool,
    /// Evaluations running on blocking threads, at most --max-concurrency.
    pub evaluations: Arc<tokio::sync::Semaphore>,
}

pub(crate) use metrics::{EngineEvents, Metrics};

/// Runs the server; `metrics` already counts the engine's events (see [`EngineEvents`]).
pub(crate) fn run(args: &ServeArgs, metrics: Arc<Metrics>) -> std::process::ExitCode {
    match serve(args, metrics) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn serve(args: &ServeArgs, metrics: Arc<Metrics>) -> Result<()> {
    let harnesses = harnesses(args)?;
    let tokens = args
        .token_file
        .as_deref()
        .map(auth::Tokens::load)
        .transpose()?;
    if tokens.is_none() && !args.listen.ip().is_loopback() {
        bail!(
            "listening on {} without --token-file would let anyone who can reach it read and \
             probe the policies; pass --token-file, or listen on loopback",
            args.listen
        );
    }
    // A bundle holds one harness's policies; serving another from it would apply the wrong
    // rules (or none) to that agent's events.
    if (args.load.bundle.is_some() || args.bundle_url.is_some()) && harnesses.len() > 1 {
        bail!(
            "a bundle holds the policies of one harness; serve one harness per bundle (--harness)"
        );
    }
    let fetcher = match (&args.bundle_url, &args.bundle_public_key) {
        (Some(url), Some(key)) => Some(fetch::Fetcher::new(url, key, harnesses[0].dir_name())?),
        _ => None,
    };
    let policies = policies::Served::load(args.load.clone(), harnesses, fetcher, &metrics)?;
    let app = Arc::new(App {
        policies,
        tokens,
        limiter: auth::ClientLimiter::new(args.rate_limit, args.rate_burst),
        metrics,
        max_batch: args.max_batch,
        draining: std::sync::atomic::AtomicBool::new(false),
        evaluations: Arc::new(tokio::sync::Semaphore::new(args.max_concurrency)),
    });
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("cupcake-serve")
        .build()
        .context("cannot start the server's runtime")?;
    runtime.block_on(listen(args, app))
}

/// The harnesses from --harnesses, else the one --harness names.
fn harnesses(args: &ServeArgs) -> Result<Vec<Harness>> {
    let names = if args.harnesses.is_empty() {
        vec![args.load.harness.clone()]
    } else {
        args.harnesses.clone()
    };
    let mut harnesses = Vec::new();
    for name in names.iter().map(|name| name.trim()) {
        let Some(harness) = Harness::parse(name) else {
            bail!("{}", Harness::unknown(name));
        };
        if !harnesses.contains(&harness) {
            harnesses.push(harness);
        }
    }
    Ok(harnesses)
}

async fn listen(args: &ServeArgs, app: Arc<App>) -> Result<()> {
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("cannot listen on {}", args.listen))?;
    let address = listener
        .local_addr()
        .context("cannot read the bound address")?;
    // The first line on stdout, for scripts and tests that listen on port 0.
    crate::outln!("cupcake serve: listening on http://{address}");
    let router = routes::router(Arc::clone(&app), args.max_body_bytes, args.max_concurrency);
    // Idle clients' rate-limit state is dropped every minute, so memory follows the clients
    // active recently.
    let forgetting = Arc::clone(&app);
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(Duration::from_mins(1));
        loop {
            ticks.tick().await;
            forgetting.limiter.forget_idle();
        }
    });
    if args.reload_interval_ms > 0 {
        tokio::spawn(policies::watch(
            Arc::clone(&app),
            Duration::from_millis(args.reload_interval_ms),
        ));
    }
    let grace = Duration::from_secs(args.shutdown_grace_seconds);
    let (stopped_tx, stopped_rx) = tokio::sync::oneshot::channel::<()>();
    let draining_app = Arc::clone(&app);
    let server = axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(async move {
        shutdown_signal().await;
        draining_app
            .draining
            .store(true, std::sync::atomic::Ordering::SeqCst);
        tracing::warn!("shutting down: draining requests in flight");
        let _ = stopped_tx.send(());
    });
    let serving = tokio::spawn(async move { server.await });
    tokio::select! {
        result = serving => {
            result.context("the server task failed")?.context("the server failed")?;
        }
        () = async {
            let _ = stopped_rx.await;
            tokio::time::sleep(grace).await;
        } => {
            bail!("requests were still running {}s after the shutdown signal", grace.as_secs());
        }
    }
    crate::outln!("cupcake serve: stopped");
    Ok(())
}

async fn shutdown_signal() {
    #[cfg(unix)]
    {
        let mut terminate = match tokio::signal::unix::signal(
            tokio::signal::unix::SignalKind::terminate(),
        ) {
            Ok(signal) => signal,
            Err(err) => {
                tracing::error!(error = %err, "cannot watch SIGTERM; only Ctrl-C stops the server");
                let _ = tokio::signal::ctrl_c().await;
                return;
            }
        };
        tokio::select! {
            _ = terminate.recv() => {}
            _ = tokio::signal::ctrl_c() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
