//! The on-disk compile cache: `policy.wasm` and the serialized wasmtime module, keyed by the
//! SHA-256 of every input file plus the OPA binary, cupcake and wasmtime versions. A warm start
//! reads only the serialized module and runs neither OPA nor Cranelift; `policy.wasm` stays
//! beside it for inspection.
//!
//! Each entry records the length and CRC-32 of `module.cwasm`; a module that does not match is
//! deleted and rebuilt, never loaded. The check is against damage (a torn write, a bad disk),
//! not tampering: anyone who can rewrite the module can rewrite `meta.json` beside it, so a
//! cryptographic digest would add start-up time (it was the largest CPU cost of a warm start)
//! without adding protection. The cache directory's ownership is what guards it.

use std::io::{Read as _, Seek as _};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::regular_file;

/// The wasmtime release serialized modules come from; checked against Cargo.lock by a test.
pub const WASMTIME_VERSION: &str = "48.0.8";
/// Bumped whenever the entry layout or the key's inputs change.
const FORMAT: u32 = 4;
/// Appended to the cache folder's name for the folder of pointers from a sources key to the
/// entry last compiled from those sources.
const LAST_SUFFIX: &str = "-last";
/// Length of a key: hex SHA-256.
const KEY_LEN: usize = 64;

/// A cache entry's two artefacts.
pub struct Entry {
    /// The module OPA built.
    pub wasm: Vec<u8>,
    /// The same module compiled by Cranelift and serialized by wasmtime.
    pub native: Vec<u8>,
}

#[derive(Serialize, Deserialize)]
struct Meta {
    format: u32,
    native_len: u64,
    native_crc32: u32,
}

/// Builds cache keys from everything that goes into a compiled module.
pub struct KeyBuilder(Sha256);

impl KeyBuilder {
    /// Starts a key with cupcake's own version and the wasmtime version.
    pub fn new() -> Self {
        let mut hasher = Sha256::new();
        hasher.update(format!(
            "cupcake-cache/{FORMAT}/{}/{WASMTIME_VERSION}\0",
            env!("CARGO_PKG_VERSION")
        ));
        Self(hasher)
    }

    /// Adds a named input (a file's relative path and its bytes, or a version string).
    pub fn add(&mut self, name: &str, bytes: &[u8]) {
        // Lengths make the encoding unambiguous: no two input lists hash the same bytes.
        self.0.update((name.len() as u64).to_le_bytes());
        self.0.update(name.as_bytes());
        self.0.update((bytes.len() as u64).to_le_bytes());
        self.0.update(bytes);
    }

    /// The finished key, as lowercase hex.
    pub fn finish(self) -> String {
        hex(&self.0.finalize())
    }
}

/// A cache directory, usually `~/.cache/cupcake/compiled`.
pub struct CompileCache {
    root: PathBuf,
}

impl CompileCache {
    /// A cache rooted at `root` (created on first store).
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    /// Entry `key`'s serialized module, opened, if present and intact. A damaged entry (or one
    /// whose files are not regular files) is removed. The caller maps the very file that was
    /// checked, not whatever is at its path by then.
    pub fn load_native(&self, key: &str) -> Option<std::fs::File> {
        let dir = self.root.join(key);
        if !dir.is_dir() {
            return None;
        }
        match read_native(&dir) {
            Ok(native) => Some(native),
            Err(reason) => {
                tracing::warn!(entry = %dir.display(), %reason, "discarding damaged compile cache entry");
                self.discard(key);
                None
            }
        }
    }

    /// The key last stored for `sources` (see [`Self::remember`]), if any.
    pub fn last_for(&self, sources: &str) -> Option<String> {
        let path = self.pointers().join(sources);
        let key = regular_file::read_to_string(&path, KEY_LEN as u64 + 1).ok()?;
        (key.len() == KEY_LEN && key.bytes().all(|b| b.is_ascii_hexdigit())).then_some(key)
    }

    /// Records that `key` is the entry compiled from `sources`, so a start that cannot key on
    /// an OPA binary (none installed) still finds it. Like [`Self::store`], a failure is logged.
    pub fn remember(&self, sources: &str, key: &str) {
        let dir = self.pointers();
        let written = fs_err::create_dir_all(&dir).and_then(|()| {
            let mut staged = tempfile::NamedTempFile::new_in(&dir)?;
            std::io::Write::write_all(&mut staged, key.as_bytes())?;
            staged.persist(dir.join(sources)).map_err(|err| err.error)?;
            Ok(())
        });
        if let Err(reason) = written {
            tracing::warn!(cache = %self.root.display(), %reason, "could not write the compile cache");
        }
    }

    /// Where the pointers of [`Self::remember`] live: beside the entries (`compiled-last`), so
    /// the entries' folder holds nothing but entries.
    fn pointers(&self) -> PathBuf {
        let mut name = self.root.clone().into_os_string();
        name.push(LAST_SUFFIX);
        name.into()
    }

    /// Removes an entry, e.g. one wasmtime refused to deserialize.
    pub fn discard(&self, key: &str) {
        let _ = fs_err::remove_dir_all(self.root.join(key));
    }

    /// Stores an entry atomically: written to a private directory, then renamed into place.
    /// Failing to store only costs the next start a recompile, so it is logged, not raised;
    /// the result says whether the entry is there.
    pub fn store(&self, key: &str, entry: &Entry) -> bool {
        match self.try_store(key, entry) {
            Ok(()) => true,
            Err(reason) => {
                tracing::warn!(cache = %self.root.display(), %reason, "could not write the compile cache");
                false
            }
        }
    }

    fn try_store(&self, key: &str, entry: &Entry) -> std::io::Result<()> {
        fs_err::create_dir_all(&self.root)?;
        let staging = tempfile::Builder::new()
            .prefix(".staging-")
            .tempdir_in(&self.root)?;
        let meta = Meta {
            format: FORMAT,
            native_len: entry.native.len() as u64,
            native_crc32: crc32fast::hash(&entry.native),
        };
        fs_err::write(staging.path().join("policy.wasm"), &entry.wasm)?;
        fs_err::write(staging.path().join("module.cwasm"), &entry.native)?;
        let meta = serde_json::to_vec_pretty(&meta).map_err(std::io::Error::other)?;
        fs_err::write(staging.path().join("meta.json"), meta)?;
        let target = self.root.join(key);
        match fs_err::rename(staging.path(), &target) {
            Ok(()) => {
                // The directory now lives under its final name; nothing is left to clean up.
                let _ = staging.keep();
                Ok(())
            }
            // Another process stored the same key first; its entry is as good as ours.
            Err(_) if target.is_dir() => Ok(()),
            Err(err) => Err(err),
        }
    }
}

/// Checks `module.cwasm`, the only file a warm start needs, and returns it opened.
fn read_native(dir: &Path) -> Result<std::fs::File, String> {
    let meta = regular_file::read(&dir.join("meta.json"), regular_file::META_CAP)
        .map_err(|problem| format!("meta.json: {problem}"))?;
    let meta: Meta = serde_json::from_slice(&meta).map_err(|err| format!("meta.json: {err}"))?;
    if meta.format != FORMAT {
        return Err(format!("format {} is not {FORMAT}", meta.format));
    }
    let (mut file, _) =
        regular_file::open_capped(&dir.join("module.cwasm"), regular_file::MODULE_CAP)
            .map_err(|problem| format!("module.cwasm: {problem}"))?;
    let (len, crc) = checksum(&mut file).map_err(|err| err.to_string())?;
    if len != meta.native_len || crc != meta.native_crc32 {
        return Err("module.cwasm does not match its length and CRC-32".into());
    }
    file.seek(std::io::SeekFrom::Start(0))
        .map_err(|err| format!("module.cwasm: {err}"))?;
    Ok(file)
}

/// Length and CRC-32 of a file, streamed through a small buffer: no copy of the whole module.
fn checksum(file: &mut std::fs::File) -> std::io::Result<(u64, u32)> {
    let mut hasher = crc32fast::Hasher::new();
    let mut buffer = vec![0_u8; 64 * 1024];
    let mut len = 0_u64;
    loop {
        let read = file.read(&mut buffer)?;
        if read == 0 {
            return Ok((len, hasher.finalize()));
        }
        len += read as u64;
        hasher.update(&buffer[..read]);
    }
}

/// Lowercase hex of `bytes`.
pub(crate) fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut out, b| {
            let _ = write!(out, "{b:02x}");
            out
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry() -> Entry {
        Entry {
            wasm: b"\0asm-policy".to_vec(),
            native: b"native-code".to_vec(),
        }
    }

    #[test]
    fn stores_and_loads() {
        let dir = tempfile::tempdir().expect("temp dir");
        let cache = CompileCache::new(dir.path());
        cache.store("k1", &entry());
        let mut native = cache.load_native("k1").expect("entry present");
        let mut bytes = Vec::new();
        native.read_to_end(&mut bytes).expect("module");
        assert_eq!(bytes, entry().native);
        assert_eq!(
            fs_err::read(dir.path().join("k1/policy.wasm")).expect("policy.wasm kept"),
            entry().wasm
        );
        assert!(cache.load_native("k2").is_none());
    }

    #[test]
    fn corrupt_entries_are_discarded() {
        let dir = tempfile::tempdir().expect("temp dir");
        let cache = CompileCache::new(dir.path());
        cache.store("k", &entry());
        fs_err::write(dir.path().join("k/module.cwasm"), b"tampered").expect("write");
        assert!(cache.load_native("k").is_none());
        assert!(!dir.path().join("k").exists(), "damaged entry removed");
    }

    #[test]
    fn flipped_bits_and_truncation_are_caught() {
        let dir = tempfile::tempdir().expect("temp dir");
        let cache = CompileCache::new(dir.path());
        let module = dir.path().join("k/module.cwasm");
        // Same length, one bit changed: the CRC, not the length, catches it.
        cache.store("k", &entry());
        let mut flipped = entry().native;
        flipped[3] ^= 0x10;
        fs_err::write(&module, flipped).expect("write");
        assert!(cache.load_native("k").is_none());
        // A torn write: a prefix of the right bytes.
        cache.store("k", &entry());
        fs_err::write(&module, &entry().native[..5]).expect("write");
        assert!(cache.load_native("k").is_none());
    }

    #[test]
    fn keys_change_with_any_input() {
        let key = |name: &str, bytes: &[u8]| {
            let mut builder = KeyBuilder::new();
            builder.add(name, bytes);
            builder.finish()
        };
        assert_eq!(key("a.rego", b"x"), key("a.rego", b"x"));
        assert_ne!(key("a.rego", b"x"), key("a.rego", b"y"));
        assert_ne!(key("a.rego", b"x"), key("b.rego", b"x"));
    }

    #[test]
    fn wasmtime_version_matches_the_lockfile() {
        let lock = include_str!("../../Cargo.lock");
        let pinned = format!("name = \"wasmtime\"\nversion = \"{WASMTIME_VERSION}\"");
        assert!(
            lock.contains(&pinned),
            "update WASMTIME_VERSION to the wasmtime in Cargo.lock"
        );
    }
}
