//! Finds the OPA binary and checks its version: an explicit path first, then `PATH`, then
//! cupcake's cache directory.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::error::{Error, Result};

/// The OPA release cupcake is built and tested against.
pub const OPA_VERSION: &str = "1.22.2";
/// The OPA major version whose WebAssembly ABI cupcake speaks.
const OPA_MAJOR: &str = "1";

/// A located, version-checked OPA binary.
#[derive(Debug, Clone)]
pub struct Opa {
    /// Path to the binary.
    pub path: PathBuf,
    /// Its reported version, e.g. `1.22.2`.
    pub version: String,
}

/// Locates OPA. An explicit path must work; it is never silently replaced by another binary.
pub fn locate(explicit: Option<&Path>) -> Result<Opa> {
    if let Some(path) = explicit {
        return check(path)
            .map_err(|found| not_found(format!("opa_path {}: {found}", path.display())));
    }
    let mut tried = Vec::new();
    // Only existing files are run: spawning a process per PATH entry costs milliseconds.
    for candidate in candidates().into_iter().filter(|path| path.is_file()) {
        match check(&candidate) {
            Ok(opa) => return Ok(opa),
            Err(found) => tried.push(format!("{}: {found}", candidate.display())),
        }
    }
    if tried.is_empty() {
        tried.push("no `opa` on PATH or in cupcake's cache directory".into());
    }
    Err(not_found(tried.join("; ")))
}

fn not_found(searched: String) -> Error {
    Error::OpaNotFound {
        searched,
        wanted: OPA_VERSION,
    }
}

/// The binary `locate` would try first, found without running anything: the explicit path if
/// one was given, else the first `opa` that exists on `PATH` or in the cache directory.
pub fn candidate(explicit: Option<&Path>) -> Option<PathBuf> {
    match explicit {
        Some(path) => path.is_file().then(|| path.to_path_buf()),
        None => candidates().into_iter().find(|path| path.is_file()),
    }
}

/// Identifies a binary by canonical path, size and modification time, so the compile cache can
/// tell that OPA changed without running it.
pub fn identity(path: &Path) -> Option<String> {
    let canonical = fs_err::canonicalize(path).ok()?;
    let meta = fs_err::metadata(&canonical).ok()?;
    let modified = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos());
    Some(format!("{}|{}|{modified}", canonical.display(), meta.len()))
}

/// `opa` in each `PATH` entry, then in the cache directory. Locating binaries is the one use
/// of the environment: it decides which compiler runs, never what a policy decides.
fn candidates() -> Vec<PathBuf> {
    let name = if cfg!(windows) { "opa.exe" } else { "opa" };
    #[expect(
        clippy::disallowed_methods,
        reason = "PATH only locates the OPA binary"
    )]
    let path_var = std::env::var_os("PATH");
    let mut out: Vec<PathBuf> = path_var
        .map(|path| {
            std::env::split_paths(&path)
                .map(|dir| dir.join(name))
                .collect()
        })
        .unwrap_or_default();
    if let Some(cache) = crate::dirs::cache_dir() {
        out.push(cache.join("bin").join(name));
    }
    out
}

/// Runs `opa version` and accepts a 1.x release.
fn check(path: &Path) -> std::result::Result<Opa, String> {
    let output = Command::new(path)
        .arg("version")
        .output()
        .map_err(|err| format!("cannot run: {err}"))?;
    if !output.status.success() {
        return Err(format!("`opa version` exited with {}", output.status));
    }
    let text = String::from_utf8_lossy(&output.stdout);
    let version = text
        .lines()
        .find_map(|line| line.strip_prefix("Version:"))
        .map(|v| v.trim().trim_start_matches('v').to_string())
        .ok_or_else(|| "`opa version` printed no version".to_string())?;
    if version.split('.').next() != Some(OPA_MAJOR) {
        return Err(format!("version {version} is not OPA {OPA_MAJOR}.x"));
    }
    Ok(Opa {
        path: path.to_path_buf(),
        version,
    })
}
