//! The `cupcake` command. Hook mode (`cupcake eval`) reads one event on stdin and always prints
//! a response on stdout: on any failure, a blocking one (SPEC §12).
#![expect(
    clippy::print_stderr,
    reason = "the CLI prints errors on stderr; stdout goes through `outln!`"
)]

mod env_vars;
mod eval;
mod hex;
mod init;
mod inspect;
mod output;
mod remote;
mod serve;
mod signing;
mod telemetry;
mod timings;
mod watchdog;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use cupcake::{EngineOptions, Harness};

#[derive(Parser)]
#[command(
    name = "cupcake",
    version,
    about = "Policy engine for AI coding agent hooks"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Evaluate one hook event from stdin and print the agent's response on stdout.
    Eval(eval::EvalArgs),
    /// Create .cupcake/ with an example policy and wire the hook into the agent's settings.
    Init(init::InitArgs),
    /// Show the policies, their routes, signals and host builtins.
    Inspect(inspect::InspectArgs),
    /// Load, compile and lint the policies; exit non-zero on any error.
    Validate(inspect::ValidateArgs),
    /// Compile the policies into a bundle that loads on a machine without OPA.
    Compile(CompileArgs),
    /// Answer hook events over HTTP for many agents: one place that decides.
    Serve(serve::ServeArgs),
    /// Make an Ed25519 key pair for signing bundles (`compile --sign-key`).
    Keygen(signing::KeygenArgs),
}

/// Shared by every subcommand that loads policies.
#[derive(clap::Args, Clone)]
pub(crate) struct LoadArgs {
    /// The agent: claude or cursor.
    #[arg(long, default_value = "claude")]
    harness: String,
    /// The project's .cupcake directory, or the project directory holding it.
    #[arg(long, default_value = ".cupcake")]
    policy_dir: PathBuf,
    /// Path to the OPA binary (default: PATH, then cupcake's cache directory).
    #[arg(long)]
    opa_path: Option<PathBuf>,
    /// If no OPA is found, download the pinned release into the cache directory (checked
    /// against a SHA-256 built into cupcake) instead of failing.
    #[arg(long)]
    download_opa: bool,
    /// Where compiled policies are cached (default: the user cache directory).
    #[arg(long)]
    cache_dir: Option<PathBuf>,
    /// Global policy directory, evaluated first (default: ~/.config/cupcake when present).
    #[arg(long)]
    global_dir: Option<PathBuf>,
    /// Load a bundle made by `cupcake compile` instead of --policy-dir (no OPA needed).
    #[arg(long)]
    bundle: Option<PathBuf>,
    /// Append one JSON line per decision to this file (replaces any rulebook's
    /// `decision_log`; works with bundles too).
    #[arg(long)]
    decision_log: Option<PathBuf>,
    /// With --decision-log: rotate when the file would pass this many bytes.
    #[arg(long, requires = "decision_log", default_value_t = 10 << 20)]
    decision_log_max_bytes: u64,
    /// With --decision-log: rotated files kept.
    #[arg(long, requires = "decision_log", default_value_t = 5)]
    decision_log_keep: u32,
    /// With --decision-log: include each event, minus --decision-log-redact fields.
    #[arg(long, requires = "decision_log")]
    decision_log_events: bool,
    /// With --decision-log-events: dotted event fields to redact (`tool_input.content,...`).
    #[arg(long, requires = "decision_log", value_delimiter = ',')]
    decision_log_redact: Vec<String>,
}

impl LoadArgs {
    /// Engine options from the flags; an unknown harness is an error.
    fn options(&self) -> anyhow::Result<EngineOptions> {
        let Some(harness) = Harness::parse(&self.harness) else {
            anyhow::bail!("{}", Harness::unknown(&self.harness));
        };
        Ok(EngineOptions {
            harness,
            opa_path: self.opa_path.clone(),
            download_opa: self.download_opa,
            cache_dir: self.cache_dir.clone(),
            global_dir: self.global_dir.clone(),
            decision_log: self.decision_log()?,
            // The binary the hook runs is as much cupcake's configuration as its policies.
            protected_paths: std::env::current_exe().into_iter().collect(),
            ..EngineOptions::default()
        })
    }

    /// The decision log the flags ask for.
    fn decision_log(&self) -> anyhow::Result<Option<cupcake::LogConfig>> {
        let Some(path) = &self.decision_log else {
            return Ok(None);
        };
        if self.decision_log_max_bytes < 4096 {
            anyhow::bail!("--decision-log-max-bytes must be at least 4096");
        }
        // Relative to where the command runs, made absolute once so it cannot move.
        let path = std::path::absolute(path)?;
        let mut config = cupcake::LogConfig::new(path);
        config.max_bytes = self.decision_log_max_bytes;
        config.keep = self.decision_log_keep.min(1000);
        config.event = self.decision_log_events;
        for field in &self.decision_log_redact {
            config = config
                .redacting(field)
                .map_err(|problem| anyhow::anyhow!("--decision-log-redact: {problem}"))?;
        }
        Ok(Some(config))
    }

    /// The engine these flags describe: from the bundle when given, else the policy directory.
    fn engine(&self) -> anyhow::Result<cupcake::Engine> {
        self.engine_with(self.options()?)
    }

    /// The engine these flags describe, with `options` (another harness's, for the server).
    fn engine_with(&self, options: EngineOptions) -> anyhow::Result<cupcake::Engine> {
        Ok(match &self.bundle {
            Some(bundle) => cupcake::Engine::from_bundle(bundle, options)?,
            None => cupcake::Engine::new(&self.policy_dir, options)?,
        })
    }
}

#[derive(clap::Args)]
struct CompileArgs {
    #[command(flatten)]
    load: LoadArgs,
    /// Where to write the bundle.
    #[arg(long, short)]
    output: PathBuf,
    /// Also write `<output>.sig`, signed with this key from `cupcake keygen`, for servers
    /// that fetch the bundle with --bundle-url.
    #[arg(long)]
    sign_key: Option<PathBuf>,
}

/// `cupcake compile`: writes a bundle that loads without OPA.
fn compile(args: &CompileArgs) -> anyhow::Result<()> {
    if let Some(bundle) = &args.load.bundle {
        anyhow::bail!(
            "compile builds a bundle from --policy-dir; --bundle {} names one already compiled, so there is nothing to compile (drop --bundle)",
            bundle.display()
        );
    }
    cupcake::Engine::export_bundle(&args.load.policy_dir, &args.load.options()?, &args.output)?;
    crate::outln!("cupcake: wrote {}", args.output.display());
    if let Some(key) = &args.sign_key {
        let harness = args.load.options()?.harness.dir_name();
        let signature = signing::sign(key, &args.output, harness)?;
        crate::outln!("cupcake: wrote {}", signature.display());
    }
    Ok(())
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let otlp = match &cli.command {
        Command::Eval(args) => args.otlp.clone(),
        Command::Serve(args) => args.otlp.clone(),
        _ => telemetry::OtlpArgs::default(),
    };
    // The server counts the engine's signal runs and compile-cache lookups from its events.
    let metrics = matches!(cli.command, Command::Serve(_))
        .then(|| std::sync::Arc::new(serve::Metrics::new()));
    let observer = metrics
        .as_ref()
        .map(|metrics| serve::EngineEvents(std::sync::Arc::clone(metrics)));
    let timings = matches!(&cli.command, Command::Eval(args) if args.timings);
    let (telemetry, problem) = telemetry::Telemetry::install(&otlp, observer, timings);
    let code = match cli.command {
        // Hook mode answers even a broken exporter setup, with its blocking response.
        Command::Eval(args) => eval::run(&args, problem),
        Command::Serve(_) if problem.is_some() => {
            report(Err(anyhow::anyhow!("{}", problem.unwrap_or_default())))
        }
        Command::Serve(args) => serve::run(
            &args,
            metrics.unwrap_or_else(|| std::sync::Arc::new(serve::Metrics::new())),
        ),
        Command::Validate(args) => inspect::validate(&args),
        Command::Init(args) => report(init::run(&args)),
        Command::Inspect(args) => report(inspect::inspect(&args)),
        Command::Compile(args) => report(compile(&args)),
        Command::Keygen(args) => report(signing::keygen(&args)),
    };
    telemetry.finish();
    if output::failed() {
        return ExitCode::FAILURE;
    }
    code
}

/// Prints a command's error on stderr and turns it into the exit code.
fn report(result: anyhow::Result<()>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}
