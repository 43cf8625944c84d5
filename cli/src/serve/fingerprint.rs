//! The identity of a policy set on disk: a SHA-256 over every file's relative path and bytes
//! under the directories (or the bundle file) the server loads from. The server reloads when it
//! changes and names the set it answers with by it.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context as _, Result};
use sha2::{Digest as _, Sha256};

/// More than this many files, or bytes, under a policy directory is refused rather than hashed
/// every few seconds; a .cupcake directory holds a handful.
const MAX_FILES: usize = 10_000;
const MAX_BYTES: u64 = 256 << 20;
/// Directory nesting beyond this is refused (and stops symlink loops).
const MAX_DEPTH: usize = 32;

/// What the engine reads from a policy directory. Nothing else there counts: a decision log
/// kept under `.cupcake/` must not look like a policy change at every decision.
const INPUTS: [&str; 4] = ["rulebook.yml", "system", "signals", "policies"];

/// The fingerprint of `roots` (policy directories or bundle files; a missing root counts as
/// empty).
pub(crate) fn of(roots: &[PathBuf]) -> Result<String> {
    let mut files = Vec::new();
    for root in roots {
        if root.is_dir() {
            for input in INPUTS {
                collect(root, &root.join(input), 1, &mut files)?;
            }
        } else {
            collect(root, root, 0, &mut files)?;
        }
    }
    // The directory markers only bounded the walk.
    files.retain(|(name, _)| !name.is_empty());
    files.sort();
    let mut hasher = Sha256::new();
    let mut total = 0u64;
    for (name, path) in &files {
        let bytes = read_regular(path, MAX_BYTES - total)
            .with_context(|| format!("cannot read {}", path.display()))?;
        total += bytes.len() as u64;
        if total > MAX_BYTES {
            bail!("the policy files are over {MAX_BYTES} bytes; not watching them");
        }
        // Lengths first, so no two file lists hash the same bytes.
        hasher.update((name.len() as u64).to_le_bytes());
        hasher.update(name.as_bytes());
        hasher.update((bytes.len() as u64).to_le_bytes());
        hasher.update(&bytes);
    }
    Ok(crate::hex::encode(&hasher.finalize()))
}

/// Reads a regular file of at most `cap` bytes. Opened without blocking and checked after
/// opening: a file swapped for a FIFO between listing and reading must not hang the watcher,
/// and a symlink to something huge is cut off at the cap.
fn read_regular(path: &Path, cap: u64) -> Result<Vec<u8>> {
    use std::io::Read as _;
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.custom_flags(nix::libc::O_NONBLOCK);
    }
    let file = options.open(path)?;
    if !file.metadata()?.is_file() {
        bail!("it is not a regular file");
    }
    let mut bytes = Vec::new();
    file.take(cap.saturating_add(1)).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > cap {
        bail!("the policy files are over {MAX_BYTES} bytes; not watching them");
    }
    Ok(bytes)
}

fn collect(
    root: &Path,
    path: &Path,
    depth: usize,
    files: &mut Vec<(String, PathBuf)>,
) -> Result<()> {
    let metadata = match std::fs::metadata(path) {
        Ok(metadata) => metadata,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(err) => return Err(err).with_context(|| format!("cannot read {}", path.display())),
    };
    if metadata.is_file() {
        let relative = path.strip_prefix(root).unwrap_or(path);
        files.push((
            format!("{}\0{}", root.display(), relative.display()),
            path.to_path_buf(),
        ));
        if files.len() > MAX_FILES {
            bail!(
                "over {MAX_FILES} files under {}; not watching them",
                root.display()
            );
        }
    } else if metadata.is_dir() {
        // Directories count too, so symlinked directories fanning out cannot multiply the walk
        // past the limit.
        files.push((String::new(), PathBuf::new()));
        if files.len() > MAX_FILES {
            bail!(
                "over {MAX_FILES} entries under {}; not watching them",
                root.display()
            );
        }
        if depth >= MAX_DEPTH {
            bail!(
                "{} is nested over {MAX_DEPTH} directories deep",
                path.display()
            );
        }
        let entries =
            std::fs::read_dir(path).with_context(|| format!("cannot list {}", path.display()))?;
        for entry in entries {
            let entry = entry.with_context(|| format!("cannot list {}", path.display()))?;
            collect(root, &entry.path(), depth + 1, files)?;
        }
    }
    // FIFOs, sockets and devices are never policy files; reading one could block forever.
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_with_any_file_and_not_otherwise() -> Result<()> {
        let dir = tempfile::tempdir()?;
        let roots = [dir.path().to_path_buf()];
        std::fs::create_dir_all(dir.path().join("policies/claude"))?;
        std::fs::write(dir.path().join("policies/claude/a.rego"), "package a")?;
        let first = of(&roots)?;
        assert_eq!(of(&roots)?, first);
        std::fs::write(dir.path().join("policies/claude/a.rego"), "package b")?;
        let second = of(&roots)?;
        assert_ne!(second, first);
        std::fs::write(dir.path().join("rulebook.yml"), "")?;
        let third = of(&roots)?;
        assert_ne!(third, second);
        std::fs::create_dir_all(dir.path().join("logs"))?;
        std::fs::write(dir.path().join("logs/decisions.jsonl"), "{}\n")?;
        assert_eq!(
            of(&roots)?,
            third,
            "files the engine does not read do not count"
        );
        Ok(())
    }

    #[cfg(unix)]
    #[test]
    fn skips_fifos_instead_of_blocking_on_them() -> Result<()> {
        let dir = tempfile::tempdir()?;
        std::fs::create_dir_all(dir.path().join("policies"))?;
        let before = of(&[dir.path().to_path_buf()])?;
        let made = std::process::Command::new("mkfifo")
            .arg(dir.path().join("policies/pipe"))
            .status()?;
        assert!(made.success());
        assert_eq!(of(&[dir.path().to_path_buf()])?, before);
        Ok(())
    }

    #[test]
    fn a_missing_root_is_empty() -> Result<()> {
        let dir = tempfile::tempdir()?;
        assert_eq!(of(&[dir.path().join("absent")])?, of(&[])?);
        Ok(())
    }
}
