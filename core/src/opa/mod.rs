//! Everything about the OPA binary: finding it ([`locate`]), fetching the pinned release when
//! the caller allows it ([`download`]), running only a binary with the hash a rulebook pins
//! ([`pin`]), running it under a deadline ([`run`]), and compiling policies with it
//! ([`build`]). Cupcake never runs OPA anywhere else.

pub(crate) mod build;
pub(crate) mod download;
pub(crate) mod locate;
pub(crate) mod pin;
pub(crate) mod run;

use std::path::{Path, PathBuf};
use std::time::Duration;

pub use download::{OpaRelease, OPA_DOWNLOAD_VERSION};
pub use locate::{cache_identity, locate, Search};
pub use pin::{OpaPin, VerifiedCopy};

/// The OPA release cupcake is built and tested against.
pub const OPA_VERSION: &str = "1.22.2";
/// How long `opa version` may take.
const VERSION_TIMEOUT: Duration = Duration::from_secs(30);
/// The OPA major version whose WebAssembly ABI cupcake speaks.
const OPA_MAJOR: &str = "1";

/// A located, version-checked OPA binary.
#[derive(Debug, Clone)]
pub struct Opa {
    /// Path to the binary that runs: the private verified copy when a hash was checked.
    pub path: PathBuf,
    /// Its reported version, e.g. `1.22.2`.
    pub version: String,
    /// Keeps the verified copy alive while this value is.
    pub copy: Option<VerifiedCopy>,
    /// The binary that was found (what `path` is a copy of, if it is one).
    pub origin: PathBuf,
}

/// Runs `opa version` (killed after [`VERSION_TIMEOUT`]: a binary that hangs must fail the
/// load, not hold it) and accepts a 1.x release.
pub fn check(path: &Path) -> std::result::Result<Opa, String> {
    let ran = run::run(path, ["version"], VERSION_TIMEOUT).map_err(|failure| match failure {
        run::RunFailure::Deadline(_) => format!(
            "`opa version` did not finish within {} s",
            VERSION_TIMEOUT.as_secs()
        ),
        other => other.to_string(),
    })?;
    if !ran.status.success() {
        return Err(format!("`opa version` exited with {}", ran.status));
    }
    let text = String::from_utf8_lossy(&ran.stdout);
    let version = text
        .lines()
        .find_map(|line| line.strip_prefix("Version:"))
        .map(|v| v.trim().trim_start_matches('v').to_string())
        .ok_or_else(|| "`opa version` printed no version".to_string())?;
    if version.split('.').next() != Some(OPA_MAJOR) {
        return Err(format!("version {version} is not OPA {OPA_MAJOR}.x"));
    }
    if version != OPA_VERSION {
        tracing::debug!(%version, tested = OPA_VERSION, "using a compatible OPA release");
    }
    Ok(Opa {
        path: path.to_path_buf(),
        version,
        copy: None,
        origin: path.to_path_buf(),
    })
}
