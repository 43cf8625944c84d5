//! Finds the OPA binary that compiles policies, in this order: the explicit `opa_path`, `opa`
//! on `PATH`, `opa-<version>` in cupcake's cache directory, and — only when the caller opted
//! in with `download_opa` — a download of the pinned release into that cache directory.
//!
//! Two entry points keep warm starts cheap: [`cache_identity`] only looks at files (its result
//! keys the compile cache), while [`locate`] runs `opa version` and is called only when
//! policies must actually be compiled.

use std::path::{Path, PathBuf};

use super::download::{self, OpaRelease};
use super::pin::{self, OpaPin};
use super::{check, Opa, OPA_VERSION};
use crate::error::{DownloadProblem, Error, Result};

/// Where the caller lets OPA come from: the part of [`EngineOptions`](crate::EngineOptions)
/// about OPA, borrowed.
#[derive(Debug, Clone, Copy, Default)]
pub struct Search<'a> {
    /// A binary to use and nothing else.
    pub opa_path: Option<&'a Path>,
    /// Whether a missing OPA may be downloaded into the cache directory.
    pub download_opa: bool,
    /// The release a download fetches, when not the pinned one (tests).
    pub opa_release: Option<&'a OpaRelease>,
    /// Cupcake's cache directory, when not the user's.
    pub cache_dir: Option<&'a Path>,
    /// Directories searched instead of `PATH` (tests).
    pub opa_search_path: Option<&'a [PathBuf]>,
}

/// Locates and version-checks OPA for a compile. An explicit path (the option, else the one
/// the rulebook pins) must work; it is never silently replaced by another binary. When the
/// rulebook pins a SHA-256, only a binary with that hash runs, and it runs from a private copy.
pub fn locate(options: &Search<'_>, pin: Option<&OpaPin>) -> Result<Opa> {
    let pinned_hash = pin.and_then(|pin| pin.sha256.as_deref());
    let explicit = options
        .opa_path
        .or_else(|| pin.and_then(|pin| pin.path.as_deref()));
    if let Some(path) = explicit {
        return prepare(path, pinned_hash).map_err(|found| match (found, pin) {
            (Refusal::Mismatch(why), Some(pin)) => {
                mismatch(pin, &format!("{}: {why}", path.display()))
            }
            (found, _) => not_found(format!("{}: {found}", path.display()), options),
        });
    }
    let places = Places::new(options);
    let cached_hash = cached_release(options).map(|release| release.sha256);
    let mut tried = Vec::new();
    let mut mismatched = Vec::new();
    // Only existing files are run: spawning a process per PATH entry costs milliseconds.
    for candidate in places.in_order().filter(|path| path.is_file()) {
        // A binary in cupcake's cache must be the release cupcake downloads there.
        let expected = pinned_hash.or_else(|| {
            (Some(candidate) == places.cached.as_ref())
                .then_some(cached_hash.as_deref())
                .flatten()
        });
        match prepare(candidate, expected) {
            Ok(opa) => return Ok(opa),
            Err(Refusal::Mismatch(why)) => {
                mismatched.push(format!("{}: {why}", candidate.display()));
            }
            Err(found) => tried.push(format!("{}: {found}", candidate.display())),
        }
    }
    if options.download_opa {
        let downloaded = download(options, places.cached.as_deref())?;
        return match pinned_hash {
            Some(hash) => prepare(&downloaded.path, Some(hash)).map_err(|why| {
                let where_ = format!("{}: {why}", downloaded.path.display());
                pin.map_or_else(
                    || not_found(where_.clone(), options),
                    |pin| mismatch(pin, &where_),
                )
            }),
            None => Ok(downloaded),
        };
    }
    match pin {
        Some(pin) if !mismatched.is_empty() => Err(mismatch(pin, &mismatched.join("; "))),
        _ => {
            tried.extend(mismatched);
            Err(not_found(places.describe(tried), options))
        }
    }
}

/// What keys the compile cache for the OPA a compile would use, found without running or
/// hashing anything: the pinned SHA-256 when there is one (only a binary with that hash can
/// compile), else the identity of the binary [`locate`] would try first.
pub fn cache_identity(options: &Search<'_>, pin: Option<&OpaPin>) -> Option<String> {
    if let Some(hash) = pin.and_then(|pin| pin.sha256.as_deref()) {
        return Some(format!("sha256:{hash}"));
    }
    let explicit = options
        .opa_path
        .or_else(|| pin.and_then(|pin| pin.path.as_deref()));
    let path = match explicit {
        Some(path) => path.is_file().then(|| path.to_path_buf()),
        None => Places::new(options)
            .in_order()
            .find(|path| path.is_file())
            .cloned(),
    }?;
    identity(&path)
}

/// Why a binary was not used.
enum Refusal {
    /// Its hash is not the one required.
    Mismatch(String),
    /// It does not run, or is not OPA 1.x.
    Unusable(String),
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Mismatch(why) | Self::Unusable(why) => f.write_str(why),
        }
    }
}

/// Checks `path` (hashing and copying it first when `expected` is given) and runs
/// `opa version` on what will compile.
fn prepare(path: &Path, expected: Option<&str>) -> std::result::Result<Opa, Refusal> {
    let Some(expected) = expected else {
        return check(path).map_err(Refusal::Unusable);
    };
    let copy = pin::verified_copy(path, expected).map_err(Refusal::Mismatch)?;
    let mut opa = check(&copy.path).map_err(Refusal::Unusable)?;
    opa.copy = Some(copy);
    opa.origin = path.to_path_buf();
    Ok(opa)
}

fn mismatch(pin: &OpaPin, found: &str) -> Error {
    Error::config(
        &pin.rulebook,
        format!(
            "no OPA matches the SHA-256 pinned here ({found}); nothing was run. Reinstall the pinned OPA, or pin the one you trust with `cupcake init`",
        ),
    )
}

/// The release a download would fetch, whose hash a binary in cupcake's cache must have.
fn cached_release(options: &Search<'_>) -> Option<OpaRelease> {
    match options.opa_release {
        Some(release) => Some(release.clone()),
        None => OpaRelease::pinned().ok(),
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
fn download(options: &Search<'_>, cached: Option<&Path>) -> Result<Opa> {
    let release = match options.opa_release {
        Some(release) => release.clone(),
        None => OpaRelease::pinned()?,
    };
    let Some(bin_dir) = cached.and_then(Path::parent) else {
        return Err(Error::OpaDownload {
            url: release.url,
            problem: DownloadProblem::NoCacheDir,
        });
    };
    download::install(&release, bin_dir)
}

fn not_found(searched: String, options: &Search<'_>) -> Error {
    Error::OpaNotFound {
        searched,
        wanted: OPA_VERSION,
        download: download_version(options).to_owned(),
    }
}

/// The release a download installs and the cache is searched for: the pinned one unless a
/// test replaced it.
fn download_version<'a>(options: &Search<'a>) -> &'a str {
    options
        .opa_release
        .map_or(download::OPA_DOWNLOAD_VERSION, |release| {
            release.version.as_str()
        })
}

/// Where OPA is looked for when no explicit path is given.
struct Places {
    /// `opa` in each `PATH` directory (or in the directories a test named instead).
    on_path: Vec<PathBuf>,
    /// `<cache>/bin/opa-<version>`, where a download goes; `None` without a cache directory.
    cached: Option<PathBuf>,
}

impl Places {
    fn new(options: &Search<'_>) -> Self {
        let name = if cfg!(windows) { "opa.exe" } else { "opa" };
        let on_path = search_dirs(options)
            .into_iter()
            .map(|dir| dir.join(name))
            .collect();
        let cached = download::bin_dir(options.cache_dir)
            .map(|dir| dir.join(download::cached_name(download_version(options))));
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
fn search_dirs(options: &Search<'_>) -> Vec<PathBuf> {
    if let Some(dirs) = options.opa_search_path {
        return dirs.to_vec();
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
