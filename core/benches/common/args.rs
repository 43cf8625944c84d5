//! The command line of the benchmarks that are not criterion's: `--bench` for a measured run
//! (without it, a smoke run under `cargo test --benches`) and `--out FILE` for the JSON report.

use std::path::PathBuf;

pub struct BenchArgs {
    /// Whether this is a measured run rather than a smoke run.
    pub full: bool,
    /// Where to write the report.
    pub out: Option<PathBuf>,
}

impl BenchArgs {
    pub fn from_env() -> Self {
        let args: Vec<String> = std::env::args().skip(1).collect();
        let out = args
            .iter()
            .position(|arg| arg == "--out")
            .and_then(|at| args.get(at + 1))
            .map(PathBuf::from);
        Self {
            full: args.iter().any(|arg| arg == "--bench"),
            out,
        }
    }
}
