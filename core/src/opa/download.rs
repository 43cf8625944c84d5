//! The opt-in download of OPA: the official release binary for this platform, checked against a
//! SHA-256 compiled into cupcake. The file is written beside its final name, synced, verified,
//! made executable, run once, and only then renamed into place, so the cache never holds a
//! partial or unverified binary. This is the only code in cupcake that uses the network.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use sha2::{Digest, Sha256};

use super::Opa;
use crate::error::{DownloadProblem, Error, Result};

/// The OPA release cupcake downloads. [`crate::OPA_VERSION`] is the release CI builds from
/// source; the checksums of its published binaries could not be confirmed when this table was
/// written, so downloads use the newest release whose checksums could. Any 1.x release compiles
/// cupcake's policies (same Rego v1 language, same WebAssembly ABI).
pub const OPA_DOWNLOAD_VERSION: &str = "1.20.2";

/// Where OPA publishes release binaries: `<RELEASES>/v<version>/<asset>`.
const RELEASES: &str = "https://github.com/open-policy-agent/opa/releases/download";

/// Largest download accepted. OPA binaries are about 60 MB; this only stops a runaway server
/// from filling the disk.
const MAX_BYTES: u64 = 256 * 1024 * 1024;

/// Names of files being downloaded; never run, never found by the search.
const PARTIAL_PREFIX: &str = ".opa-download-";

/// One official release binary and the SHA-256 its bytes must have.
struct PinnedAsset {
    /// `std::env::consts::OS` of the platform it runs on.
    os: &'static str,
    /// `std::env::consts::ARCH` of the platform it runs on.
    arch: &'static str,
    /// The asset's file name in the release.
    asset: &'static str,
    /// Lowercase hex SHA-256 of the asset.
    sha256: &'static str,
}

/// SHA-256 of each OPA v1.20.2 binary, as OPA publishes them beside each asset
/// (`<asset>.sha256`). They were taken from the public pin table in ilterohq/iltero-schemas
/// (`src/iltero_schemas/opa/PIN.json`) and each one was matched against at least one other,
/// independent public pin of the same asset. A platform missing here is refused, never guessed.
/// To move to another release, take every value from that release's `.sha256` files.
const PINNED: &[PinnedAsset] = &[
    PinnedAsset {
        os: "linux",
        arch: "x86_64",
        asset: "opa_linux_amd64_static",
        sha256: "69da5179ee403d10fa11bab6cfb4ffb0d23dba5f9b682fa977db772a1da5670f",
    },
    PinnedAsset {
        os: "linux",
        arch: "aarch64",
        asset: "opa_linux_arm64_static",
        sha256: "431bed5a365578241ab06c7cc1c7d0cdff8c11dcbc6f12c3488590deb8b8d66d",
    },
    PinnedAsset {
        os: "macos",
        arch: "x86_64",
        asset: "opa_darwin_amd64",
        sha256: "e9b8d205db1aeaa6ec350855087b7d7fc014e7728b65cdf822464ee59e63f601",
    },
    PinnedAsset {
        os: "macos",
        arch: "aarch64",
        asset: "opa_darwin_arm64",
        sha256: "54e7008e696d39e8e4f96594e2b71bcbe45fd9a4f838102bcf1240638bf3fbe1",
    },
    PinnedAsset {
        os: "windows",
        arch: "x86_64",
        asset: "opa_windows_amd64.exe",
        sha256: "e2f2e2b735ab98f316171ca47a6b352288cdeb5a616e31aa16335b8934748453",
    },
];

/// A downloadable OPA binary: where it is, which version it is, and what its bytes hash to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpaRelease {
    /// The version the binary reports; the cached file is named `opa-<version>`.
    pub version: String,
    /// Where to fetch it (HTTPS for real releases).
    pub url: String,
    /// Lowercase hex SHA-256 the downloaded bytes must have.
    pub sha256: String,
}

impl OpaRelease {
    /// The pinned release for the platform cupcake was built for, or the error that refuses
    /// to download for a platform without a pinned checksum.
    pub fn pinned() -> Result<Self> {
        Self::pinned_for(std::env::consts::OS, std::env::consts::ARCH)
    }

    fn pinned_for(os: &str, arch: &str) -> Result<Self> {
        let directory = format!("{RELEASES}/v{OPA_DOWNLOAD_VERSION}");
        let Some(pin) = PINNED.iter().find(|pin| pin.os == os && pin.arch == arch) else {
            return Err(Error::OpaDownload {
                url: format!("{directory}/"),
                problem: DownloadProblem::UnsupportedPlatform {
                    platform: format!("{os}/{arch}"),
                },
            });
        };
        Ok(Self {
            version: OPA_DOWNLOAD_VERSION.to_string(),
            url: format!("{directory}/{}", pin.asset),
            sha256: pin.sha256.to_string(),
        })
    }
}

/// The file name a downloaded OPA gets in cupcake's `bin` directory.
pub fn cached_name(version: &str) -> String {
    format!("opa-{version}{}", std::env::consts::EXE_SUFFIX)
}

/// Downloads `release` into `bin_dir` as [`cached_name`] and returns it, version-checked.
pub fn install(release: &OpaRelease, bin_dir: &Path) -> Result<Opa> {
    let fail = |problem| Error::OpaDownload {
        url: release.url.clone(),
        problem,
    };
    let write = |err: std::io::Error| {
        fail(DownloadProblem::Write {
            reason: err.to_string(),
        })
    };
    fs_err::create_dir_all(bin_dir).map_err(write)?;
    remove_stale_partials(bin_dir);
    // A private name in the same directory, so the final rename is atomic. Until it is
    // persisted, dropping it (on any error below) deletes it.
    let mut partial = tempfile::Builder::new()
        .prefix(PARTIAL_PREFIX)
        .tempfile_in(bin_dir)
        .map_err(|err| write(with_path(&err, bin_dir)))?;
    let actual = fetch(&release.url, partial.as_file_mut()).map_err(fail)?;
    partial
        .as_file()
        .sync_all()
        .map_err(|err| write(with_path(&err, partial.path())))?;
    if !actual.eq_ignore_ascii_case(&release.sha256) {
        return Err(fail(DownloadProblem::Checksum {
            expected: release.sha256.to_ascii_lowercase(),
            actual,
        }));
    }
    // Closes the file, so running it cannot fail with "text file busy"; still deleted on drop.
    let partial = partial.into_temp_path();
    make_executable(&partial).map_err(write)?;
    let checked =
        super::check(&partial).map_err(|reason| fail(DownloadProblem::NotRunnable { reason }))?;
    if checked.version != release.version {
        return Err(fail(DownloadProblem::NotRunnable {
            reason: format!(
                "it reports version {}, not {}",
                checked.version, release.version
            ),
        }));
    }
    let target = bin_dir.join(cached_name(&release.version));
    partial
        .persist(&target)
        .map_err(|err| write(with_path(&err.error, &target)))?;
    sync_dir(bin_dir);
    tracing::info!(opa = %target.display(), version = %checked.version, "downloaded OPA");
    Ok(Opa {
        origin: target.clone(),
        path: target,
        version: checked.version,
        copy: None,
    })
}

/// A process killed mid-download (a hook's timeout) cannot delete its partial file; the next
/// download does, once the file is old enough that no live download can still own it.
fn remove_stale_partials(bin_dir: &Path) {
    const STALE: Duration = Duration::from_hours(1);
    let Ok(entries) = fs_err::read_dir(bin_dir) else {
        return;
    };
    for entry in entries.filter_map(std::result::Result::ok) {
        let is_partial = entry
            .file_name()
            .to_string_lossy()
            .starts_with(PARTIAL_PREFIX);
        let age = entry
            .metadata()
            .and_then(|meta| meta.modified())
            .ok()
            .and_then(|modified| modified.elapsed().ok());
        if is_partial && age.is_some_and(|age| age > STALE) {
            let _ = fs_err::remove_file(entry.path());
        }
    }
}

/// Streams `url` into `out`, returning the lowercase hex SHA-256 of what arrived.
fn fetch(url: &str, out: &mut std::fs::File) -> Result<String, DownloadProblem> {
    let response = agent(url)
        .get(url)
        .call()
        .map_err(|err| DownloadProblem::Transport {
            reason: err.to_string(),
        })?;
    let status = response.status().as_u16();
    if status != 200 {
        return Err(DownloadProblem::Status { status });
    }
    let expected = response.body().content_length();
    if expected.is_some_and(|length| length > MAX_BYTES) {
        return Err(DownloadProblem::TooLarge { limit: MAX_BYTES });
    }
    let mut body = response.into_body().into_reader();
    let mut hasher = Sha256::new();
    let mut received: u64 = 0;
    let mut buffer = vec![0_u8; 64 * 1024];
    loop {
        let read = match body.read(&mut buffer) {
            Ok(0) => break,
            Ok(read) => read,
            Err(err) if err.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(err) => {
                return Err(match expected {
                    Some(expected) if err.kind() == std::io::ErrorKind::UnexpectedEof => {
                        DownloadProblem::Truncated { received, expected }
                    }
                    _ => DownloadProblem::Transport {
                        reason: format!("reading the response: {err}"),
                    },
                })
            }
        };
        let chunk = buffer.get(..read).unwrap_or_default();
        received += chunk.len() as u64;
        if received > MAX_BYTES {
            return Err(DownloadProblem::TooLarge { limit: MAX_BYTES });
        }
        hasher.update(chunk);
        out.write_all(chunk).map_err(|err| DownloadProblem::Write {
            reason: err.to_string(),
        })?;
    }
    if let Some(expected) = expected.filter(|&expected| expected != received) {
        return Err(DownloadProblem::Truncated { received, expected });
    }
    Ok(format!("{:x}", hasher.finalize()))
}

/// An HTTP client whose every setting is fixed here. No proxy is taken from the environment:
/// an agent can set `HTTPS_PROXY`, and a download must not be routed by one. (The checksum
/// would still reject a substituted file, but the request should not leave as asked, either.)
fn agent(url: &str) -> ureq::Agent {
    ureq::Agent::config_builder()
        .proxy(None)
        .https_only(url.starts_with("https://"))
        .http_status_as_error(false)
        .timeout_connect(Some(Duration::from_secs(30)))
        .timeout_global(Some(Duration::from_mins(10)))
        .user_agent(concat!("cupcake/", env!("CARGO_PKG_VERSION")))
        .build()
        .into()
}

fn with_path(err: &std::io::Error, path: &Path) -> std::io::Error {
    std::io::Error::new(err.kind(), format!("{}: {err}", path.display()))
}

#[cfg(unix)]
fn make_executable(path: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt as _;
    fs_err::set_permissions(path, std::fs::Permissions::from_mode(0o755))
}

#[cfg(not(unix))]
fn make_executable(_path: &Path) -> std::io::Result<()> {
    Ok(())
}

/// Makes the rename durable. Failing costs at most a repeated download after a crash.
fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Err(err) = fs_err::File::open(dir).and_then(|dir| dir.sync_all()) {
        tracing::debug!(error = %err, "could not sync the OPA directory");
    }
    #[cfg(not(unix))]
    let _ = dir;
}

/// `<cache>/bin`, from the option or the user's cache directory.
pub fn bin_dir(cache_dir: Option<&Path>) -> Option<PathBuf> {
    cache_dir
        .map(Path::to_path_buf)
        .or_else(|| crate::dirs::cache_dir().ok())
        .map(|dir| dir.join("bin"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pins_are_well_formed_and_unique() {
        for (index, pin) in PINNED.iter().enumerate() {
            assert_eq!(pin.sha256.len(), 64, "{}", pin.asset);
            assert!(
                pin.sha256
                    .bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)),
                "{}",
                pin.asset
            );
            let duplicate = PINNED
                .iter()
                .skip(index + 1)
                .any(|other| (other.os, other.arch) == (pin.os, pin.arch));
            assert!(!duplicate, "{}/{} pinned twice", pin.os, pin.arch);
        }
    }

    #[test]
    fn pinned_release_points_at_the_official_asset() {
        let release = OpaRelease::pinned_for("linux", "x86_64").expect("linux/x86_64 is pinned");
        assert_eq!(
            release.url,
            "https://github.com/open-policy-agent/opa/releases/download/v1.20.2/opa_linux_amd64_static"
        );
        assert_eq!(release.version, OPA_DOWNLOAD_VERSION);
        assert_eq!(release.sha256.len(), 64);
    }

    #[test]
    fn a_platform_without_a_pin_is_refused() {
        let err = OpaRelease::pinned_for("freebsd", "x86_64").expect_err("not pinned");
        assert!(
            matches!(
                &err,
                Error::OpaDownload {
                    problem: DownloadProblem::UnsupportedPlatform { platform },
                    ..
                } if platform == "freebsd/x86_64"
            ),
            "{err:?}"
        );
        let message = err.to_string();
        assert!(message.contains("freebsd/x86_64"), "{message}");
        assert!(message.contains("opa_path"), "{message}");
    }

    #[test]
    fn cached_names_carry_the_version() {
        let name = cached_name("1.20.2");
        assert!(name.starts_with("opa-1.20.2"), "{name}");
    }
}
