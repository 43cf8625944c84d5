//! Running one OPA subcommand: in its own process group, with no stdin, its output written to
//! files (so nothing has to drain a pipe while we wait), killed with its group at the deadline.
//! Every OPA cupcake starts goes through [`run`], so none can hang a load or a lint.

use std::ffi::OsStr;
use std::path::Path;
use std::process::{Command, ExitStatus, Stdio};
use std::time::Duration;

use crate::children::Group;

/// How much of each output stream is kept: far more than any capabilities document or error
/// report OPA prints, and a bound on what a hostile binary can make cupcake hold.
const OUTPUT_CAP: u64 = 64 * 1024 * 1024;

/// A finished run.
pub struct Ran {
    /// How it exited.
    pub status: ExitStatus,
    /// What it printed on stdout, up to the cap.
    pub stdout: Vec<u8>,
    /// What it printed on stderr, up to the cap.
    pub stderr: Vec<u8>,
}

impl Ran {
    /// Both streams as text, stderr first (where OPA reports errors).
    pub fn text(&self) -> String {
        format!(
            "{}{}",
            String::from_utf8_lossy(&self.stderr),
            String::from_utf8_lossy(&self.stdout)
        )
    }
}

/// Why a run produced no result.
#[derive(Debug)]
pub enum RunFailure {
    /// The binary could not be started.
    Start(std::io::Error),
    /// It ran past the deadline and was killed.
    Deadline(Duration),
    /// Its output files could not be created or read back.
    Output(std::io::Error),
}

impl std::fmt::Display for RunFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Start(err) => write!(f, "cannot run: {err}"),
            Self::Deadline(deadline) => write!(
                f,
                "ran longer than {} s and was stopped",
                deadline.as_secs_f64()
            ),
            Self::Output(err) => write!(f, "its output could not be read: {err}"),
        }
    }
}

/// Runs `binary` with `args` and waits at most `deadline` for it.
pub fn run<I, S>(binary: &Path, args: I, deadline: Duration) -> Result<Ran, RunFailure>
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let scratch = tempfile::tempdir().map_err(RunFailure::Output)?;
    let stdout_path = scratch.path().join("stdout");
    let stderr_path = scratch.path().join("stderr");
    let stdout = std::fs::File::create(&stdout_path).map_err(RunFailure::Output)?;
    let stderr = std::fs::File::create(&stderr_path).map_err(RunFailure::Output)?;
    let mut command = Command::new(binary);
    command
        .args(args)
        .stdin(Stdio::null())
        .stdout(stdout)
        .stderr(stderr);
    let mut group = Group::spawn(&mut command).map_err(RunFailure::Start)?;
    let status = group
        .wait_with_deadline(deadline)
        .ok_or(RunFailure::Deadline(deadline))?;
    let read = |path: &Path| -> std::io::Result<Vec<u8>> {
        let mut kept = Vec::new();
        std::io::Read::read_to_end(
            &mut std::io::Read::take(std::fs::File::open(path)?, OUTPUT_CAP),
            &mut kept,
        )?;
        Ok(kept)
    };
    Ok(Ran {
        status,
        stdout: read(&stdout_path).map_err(RunFailure::Output)?,
        stderr: read(&stderr_path).map_err(RunFailure::Output)?,
    })
}
