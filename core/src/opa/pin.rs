//! OPA pinned by content. `cupcake init` records the SHA-256 of the OPA it found in the
//! project's `rulebook.yml` (`opa: {path, sha256}`); before any compile, the binary about to
//! run is hashed while it is copied into a private directory, and only a copy whose hash
//! matches is run. An `opa` dropped earlier on `PATH`, or written over the pinned file, is
//! refused, and swapping the file after the check changes nothing: the copy is what runs.

use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use sha2::{Digest, Sha256};

use crate::cache::hex;
use crate::error::{Error, Result};
use crate::regular_file;

/// What a rulebook pins about OPA.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OpaPin {
    /// The binary to run (absolute), instead of searching `PATH`.
    pub path: Option<PathBuf>,
    /// The lowercase hex SHA-256 the binary must have.
    pub sha256: Option<String>,
    /// The rulebook that says so, for messages.
    pub rulebook: PathBuf,
}

/// A private, verified copy of an OPA binary; the directory goes when the last clone does.
#[derive(Debug, Clone)]
pub struct VerifiedCopy {
    /// The copy to execute.
    pub path: PathBuf,
    _dir: Arc<tempfile::TempDir>,
}

/// Copies `source` into a new private directory, hashing as it goes, and returns the copy if
/// its SHA-256 is `wanted`; otherwise the hash it had.
pub fn verified_copy(source: &Path, wanted: &str) -> std::result::Result<VerifiedCopy, String> {
    let (mut file, _) = regular_file::open_capped(source, regular_file::MODULE_CAP)
        .map_err(|problem| problem.to_string())?;
    let dir = tempfile::Builder::new()
        .prefix("cupcake-opa-")
        .tempdir()
        .map_err(|err| format!("cannot create a private directory: {err}"))?;
    let path = dir
        .path()
        .join(if cfg!(windows) { "opa.exe" } else { "opa" });
    let mut copy = private_file(&path).map_err(|err| format!("cannot copy: {err}"))?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0_u8; 256 * 1024];
    loop {
        let read = file.read(&mut buffer).map_err(|err| err.to_string())?;
        if read == 0 {
            break;
        }
        let chunk = buffer.get(..read).unwrap_or_default();
        hasher.update(chunk);
        copy.write_all(chunk)
            .map_err(|err| format!("cannot copy: {err}"))?;
    }
    drop(copy);
    let found = hex(&hasher.finalize());
    if found != wanted {
        return Err(format!("its SHA-256 is {found}"));
    }
    Ok(VerifiedCopy {
        path,
        _dir: Arc::new(dir),
    })
}

/// The lowercase hex SHA-256 of a regular file (for `cupcake init`, which records it).
pub fn sha256_of(path: &Path) -> Result<String> {
    let (mut file, _) = regular_file::open_capped(path, regular_file::MODULE_CAP)
        .map_err(|problem| Error::config(path, format!("cannot hash: {problem}")))?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0_u8; 256 * 1024];
    loop {
        let read = file
            .read(&mut buffer)
            .map_err(|err| Error::config(path, format!("cannot hash: {err}")))?;
        if read == 0 {
            return Ok(hex(&hasher.finalize()));
        }
        hasher.update(buffer.get(..read).unwrap_or_default());
    }
}

/// Whether `text` looks like a SHA-256 in lowercase hex.
pub fn is_sha256(text: &str) -> bool {
    text.len() == 64
        && text
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

#[cfg(unix)]
fn private_file(path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt as _;
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o700)
        .open(path)
}

#[cfg(not(unix))]
fn private_file(path: &Path) -> std::io::Result<std::fs::File> {
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn copies_only_matching_binaries() {
        let dir = tempfile::tempdir().expect("temp dir");
        let source = dir.path().join("opa");
        std::fs::write(&source, b"#!/bin/sh\necho hi\n").expect("write");
        let wanted = sha256_of(&source).expect("hash");
        assert!(is_sha256(&wanted));
        let copy = verified_copy(&source, &wanted).expect("matches");
        assert_eq!(
            std::fs::read(&copy.path).expect("copy"),
            std::fs::read(&source).expect("source")
        );
        let wrong = "0".repeat(64);
        let refused = verified_copy(&source, &wrong).expect_err("does not match");
        assert!(refused.contains(&wanted), "{refused}");
    }
}
