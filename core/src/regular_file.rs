//! How cupcake reads anything from disk (policies, the rulebook, cache entries, bundles, the
//! OPA binary it hashes): only regular files, opened without blocking and read with a size
//! cap. An agent can replace any of these with a FIFO (whose `open` waits forever for a writer)
//! or a symlink to `/dev/zero` (which never ends), and a hook that hangs is a hook the agent
//! wins. Symlinks are followed, but what they name must be a regular file.

use std::fmt;
use std::io::Read as _;
use std::path::Path;

/// Largest policy or system Rego file.
pub const POLICY_CAP: u64 = 4 * 1024 * 1024;
/// Largest `rulebook.yml`.
pub const RULEBOOK_CAP: u64 = 1024 * 1024;
/// Largest compile-cache record (`meta.json`).
pub const META_CAP: u64 = 64 * 1024;
/// Largest serialized module or bundle.
pub const MODULE_CAP: u64 = 512 * 1024 * 1024;

/// Why a file could not be read.
#[derive(Debug)]
pub enum Problem {
    /// Nothing at the path (or a dangling symlink).
    Missing,
    /// Something other than a regular file: a FIFO, a device, a socket, a directory.
    NotRegular(&'static str),
    /// Larger than the cap for its kind.
    TooLarge {
        /// The cap in bytes.
        cap: u64,
    },
    /// Any other I/O failure.
    Io(std::io::Error),
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Missing => f.write_str("it does not exist"),
            Self::NotRegular(kind) => write!(
                f,
                "it is a {kind}, not a regular file; replace it with a regular file"
            ),
            Self::TooLarge { cap } => write!(f, "it is larger than the {cap}-byte limit"),
            Self::Io(err) => write!(f, "{err}"),
        }
    }
}

impl From<std::io::Error> for Problem {
    fn from(err: std::io::Error) -> Self {
        if err.kind() == std::io::ErrorKind::NotFound {
            Self::Missing
        } else {
            Self::Io(err)
        }
    }
}

/// Opens `path` for reading if it is a regular file, without ever blocking on a FIFO or device.
pub fn open(path: &Path) -> Result<std::fs::File, Problem> {
    let file = open_nonblocking(path)?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(Problem::NotRegular(kind(meta.file_type())));
    }
    Ok(file)
}

/// Opens `path` and returns the file with its length, refusing it when over `cap`.
pub fn open_capped(path: &Path, cap: u64) -> Result<(std::fs::File, u64), Problem> {
    let file = open(path)?;
    let len = file.metadata()?.len();
    if len > cap {
        return Err(Problem::TooLarge { cap });
    }
    Ok((file, len))
}

/// Reads a whole regular file of at most `cap` bytes. The read itself stops at the cap too,
/// in case the file grows while it is read.
pub fn read(path: &Path, cap: u64) -> Result<Vec<u8>, Problem> {
    let (file, len) = open_capped(path, cap)?;
    let mut bytes = Vec::with_capacity(usize::try_from(len).unwrap_or(0));
    file.take(cap.saturating_add(1)).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > cap {
        return Err(Problem::TooLarge { cap });
    }
    Ok(bytes)
}

/// [`read`], as UTF-8 text.
pub fn read_to_string(path: &Path, cap: u64) -> Result<String, Problem> {
    String::from_utf8(read(path, cap)?).map_err(|_| {
        Problem::Io(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            "it is not valid UTF-8",
        ))
    })
}

/// What `path` is, without opening it (no blocking): `None` when nothing is there, including a
/// dangling symlink.
pub fn kind_at(path: &Path) -> Result<Option<&'static str>, std::io::Error> {
    match std::fs::metadata(path) {
        Ok(meta) => Ok(Some(kind(meta.file_type()))),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(err) => Err(err),
    }
}

#[cfg(unix)]
fn open_nonblocking(path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt as _;
    // O_NONBLOCK makes opening a FIFO return at once instead of waiting for a writer; on a
    // regular file it changes nothing.
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_CLOEXEC)
        .open(path)
}

#[cfg(not(unix))]
fn open_nonblocking(path: &Path) -> std::io::Result<std::fs::File> {
    std::fs::File::open(path)
}

/// A file type in words, for messages.
pub fn kind(file_type: std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt as _;
        if file_type.is_fifo() {
            return "FIFO";
        }
        if file_type.is_char_device() {
            return "character device";
        }
        if file_type.is_block_device() {
            return "block device";
        }
        if file_type.is_socket() {
            return "socket";
        }
    }
    if file_type.is_dir() {
        "directory"
    } else if file_type.is_file() {
        "regular file"
    } else if file_type.is_symlink() {
        "symlink"
    } else {
        "special file"
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn regular_files_read_within_the_cap() {
        let dir = tempfile::tempdir().expect("temp dir");
        let file = dir.path().join("a.rego");
        std::fs::write(&file, "package a").expect("write");
        assert_eq!(read_to_string(&file, 100).expect("readable"), "package a");
        assert!(matches!(read(&file, 3), Err(Problem::TooLarge { cap: 3 })));
        assert!(matches!(
            read(&dir.path().join("none"), 3),
            Err(Problem::Missing)
        ));
    }

    #[test]
    fn fifos_devices_and_directories_are_refused_without_blocking() {
        let dir = tempfile::tempdir().expect("temp dir");
        let fifo = dir.path().join("policy.rego");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        assert!(made.is_ok_and(|s| s.success()), "mkfifo");
        assert!(matches!(read(&fifo, 100), Err(Problem::NotRegular("FIFO"))));
        let zero = dir.path().join("zero.rego");
        std::os::unix::fs::symlink("/dev/zero", &zero).expect("symlink");
        assert!(matches!(
            read(&zero, 100),
            Err(Problem::NotRegular("character device"))
        ));
        assert!(matches!(
            read(dir.path(), 100),
            Err(Problem::NotRegular("directory"))
        ));
        let dangling = dir.path().join("dangling.rego");
        std::os::unix::fs::symlink(dir.path().join("gone"), &dangling).expect("symlink");
        assert!(matches!(read(&dangling, 100), Err(Problem::Missing)));
        assert_eq!(kind_at(&dangling).expect("stat"), None);
    }
}
