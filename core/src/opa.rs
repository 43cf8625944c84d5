//! Finds the OPA binary that compiles policies, in this order: the explicit `opa_path`, `opa`
//! on `PATH`, `opa-<version>` in cupcake's cache directory, and — only when the caller opted
//! in with `download_opa` — a download of the pinned release into that cache directory.
//!
//! Two entry points keep warm starts cheap: [`candidate`] only looks at files (its result keys
//! the compile cache), while [`locate`] runs `opa version` and is called only when policies
//! must actually be compiled.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::error::{Error, Result};
use crate::opa_download::{self, DownloadProblem, OpaRelease};
use crate::options::EngineOptions;

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

/// Finds OPA the way [`crate::Engine::new`] does when it has to compile, downloading it if
/// `options.download_opa` allows, and returns the path of the binary that would compile.
///
/// ```no_run
/// let options = cupcake::EngineOptions {
///     download_opa: true,
///     ..cupcake::EngineOptions::default()
/// };
/// let opa = cupcake::ensure_opa(&options)?;
/// println!("compiling with {}", opa.display());
/// # Ok::<(), cupcake::Error>(())
/// ```
pub fn ensure_opa(options: &EngineOptions) -> Result<PathBuf> {
    locate(options).map(|opa| opa.path)
}

/// Locates and version-checks OPA for a compile. An explicit path must work; it is never
/// silently replaced by another binary.
pub fn locate(options: &EngineOptions) -> Result<Opa> {
    if let Some(path) = &options.opa_path {
        return check(path)
            .map_err(|found| not_found(format!("opa_path {}: {found}", path.display())));
    }
    let places = Places::new(options);
    let mut tried = Vec::new();
    // Only existing files are run: spawning a process per PATH entry costs milliseconds.
    for candidate in places.in_order().filter(|path| path.is_file()) {
        match check(candidate) {
            Ok(opa) => return Ok(opa),
            Err(found) => tried.push(format!("{}: {found}", candidate.display())),
        }
    }
    if options.download_opa {
        return download(options, places.cached.as_deref());
    }
    Err(not_found(places.describe(tried)))
}

/// The binary [`locate`] would try first, found without running anything: the explicit path
/// if one was given, else the first existing file among the places searched.
pub fn candidate(options: &EngineOptions) -> Option<PathBuf> {
    match &options.opa_path {
        Some(path) => path.is_file().then(|| path.clone()),
        None => Places::new(options)
            .in_order()
            .find(|path| path.is_file())
            .cloned(),
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

/// Downloads the release the options name (the pinned one unless a test replaced it) into
/// the cache directory.
fn download(options: &EngineOptions, cached: Option<&Path>) -> Result<Opa> {
    let release = match &options.opa_release {
        Some(release) => release.clone(),
        None => OpaRelease::pinned()?,
    };
    let Some(bin_dir) = cached.and_then(Path::parent) else {
        return Err(Error::OpaDownload {
            url: release.url,
            problem: DownloadProblem::NoCacheDir,
        });
    };
    opa_download::install(&release, bin_dir)
}

fn not_found(searched: String) -> Error {
    Error::OpaNotFound {
        searched,
        wanted: OPA_VERSION,
    }
}

/// Where OPA is looked for when no explicit path is given.
struct Places {
    /// `opa` in each `PATH` directory (or in the directories a test named instead).
    on_path: Vec<PathBuf>,
    /// `<cache>/bin/opa-<version>`, where a download goes; `None` without a cache directory.
    cached: Option<PathBuf>,
}

impl Places {
    fn new(options: &EngineOptions) -> Self {
        let name = if cfg!(windows) { "opa.exe" } else { "opa" };
        let on_path = search_dirs(options)
            .into_iter()
            .map(|dir| dir.join(name))
            .collect();
        let version = options
            .opa_release
            .as_ref()
            .map_or(opa_download::OPA_DOWNLOAD_VERSION, |release| {
                release.version.as_str()
            });
        let cached = opa_download::bin_dir(options.cache_dir.as_deref())
            .map(|dir| dir.join(opa_download::cached_name(version)));
        Self { on_path, cached }
    }

    fn in_order(&self) -> impl Iterator<Item = &PathBuf> {
        self.on_path.iter().chain(self.cached.as_ref())
    }

    /// What was searched, for the not-found message: each binary that failed, and the places
    /// that had none.
    fn describe(&self, mut tried: Vec<String>) -> String {
        if !self.on_path.iter().any(|path| path.is_file()) {
            tried.push(format!(
                "no opa in the {} PATH directories",
                self.on_path.len()
            ));
        }
        match &self.cached {
            Some(cached) if !cached.is_file() => {
                tried.push(format!("{} does not exist", cached.display()));
            }
            Some(_) => {}
            None => tried.push("no cache directory".into()),
        }
        tried.join("; ")
    }
}

/// The directories of `PATH`, or those a test named instead. Locating binaries is the one use
/// of the environment here: `PATH` decides which compiler runs, never what a policy decides.
fn search_dirs(options: &EngineOptions) -> Vec<PathBuf> {
    if let Some(dirs) = &options.opa_search_path {
        return dirs.clone();
    }
    #[expect(
        clippy::disallowed_methods,
        reason = "PATH only locates the OPA binary"
    )]
    let path_var = std::env::var_os("PATH");
    path_var
        .map(|path| std::env::split_paths(&path).collect())
        .unwrap_or_default()
}

/// Runs `opa version` and accepts a 1.x release.
pub fn check(path: &Path) -> std::result::Result<Opa, String> {
    let output = run_version(path).map_err(|err| format!("cannot run: {err}"))?;
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
    if version != OPA_VERSION {
        tracing::debug!(%version, tested = OPA_VERSION, "using a compatible OPA release");
    }
    Ok(Opa {
        path: path.to_path_buf(),
        version,
    })
}

/// A binary written a moment ago can briefly be "busy" on Linux while a process forked by
/// another thread still holds the writer's descriptor; such a spawn is retried.
fn run_version(path: &Path) -> std::io::Result<std::process::Output> {
    let mut attempt = 0;
    loop {
        match Command::new(path).arg("version").output() {
            Err(err) if err.kind() == std::io::ErrorKind::ExecutableFileBusy && attempt < 5 => {
                attempt += 1;
                std::thread::sleep(std::time::Duration::from_millis(20 * attempt));
            }
            result => return result,
        }
    }
}
