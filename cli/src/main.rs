//! The `cupcake` command. Hook mode (`cupcake eval`) reads one event on stdin and always prints
//! a response on stdout: on any failure, a blocking one (SPEC §12).

mod env_vars;
mod eval;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

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
    /// Where compiled policies are cached (default: the user cache directory).
    #[arg(long)]
    cache_dir: Option<PathBuf>,
}

fn main() -> ExitCode {
    init_logging();
    let cli = Cli::parse();
    match cli.command {
        Command::Eval(args) => eval::run(&args),
    }
}

fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_env(env_vars::LOG)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
}
