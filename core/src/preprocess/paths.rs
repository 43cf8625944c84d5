//! Canonical paths for policies. A path from an event is joined to the event's `cwd` and then
//! resolved the way the kernel would: component by component, following every symlink (chains
//! and dangling ones included), so `..` after a symlinked directory climbs out of the link's
//! target, not out of the directory that holds the link. Components that do not exist yet are
//! appended lexically, so a file about to be created still gets its final location.
//!
//! The filesystem is consulted only for absolute paths: a relative path with no usable `cwd`
//! has no base in the agent's world (the engine's own working directory is unrelated), so it
//! is normalised lexically and stays relative. Hardlinks cannot be told apart by path: a
//! second name for a protected file resolves to that second name.

use std::collections::VecDeque;
use std::ffi::OsString;
use std::path::{Component, Path, PathBuf};

/// Symlinks followed in one resolution before the rest is taken lexically; the same bound
/// Linux puts on a lookup, so a loop ends where the kernel's `ELOOP` would.
const MAX_SYMLINK_HOPS: usize = 40;

/// `given` joined to `cwd` when it is relative and there is a `cwd`.
pub(crate) fn join(cwd: Option<&Path>, given: &Path) -> PathBuf {
    match cwd {
        Some(cwd) if !given.is_absolute() => cwd.join(given),
        _ => given.to_path_buf(),
    }
}

/// The canonical form of `path`: resolved on disk when absolute, lexically otherwise.
pub(crate) fn resolve(path: &Path) -> PathBuf {
    if path.is_absolute() {
        physical(path)
    } else {
        lexical(path)
    }
}

/// The path a coding agent's file tool actually touches for `given`, the way Claude Code (and
/// Cursor, both Node programs) read it: surrounding whitespace trimmed (as JavaScript's `trim`,
/// including U+00A0 and U+FEFF), a leading `~/` taken from the home directory, joined to `cwd`,
/// `..` resolved lexically, and only then symlinks followed on disk.
pub(crate) fn as_agent_resolves(given: &str, cwd: Option<&Path>, home: Option<&Path>) -> PathBuf {
    let trimmed = given.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
    let expanded = match (trimmed.strip_prefix("~/"), home) {
        (Some(rest), Some(home)) => home.join(rest),
        _ if trimmed == "~" => home.map_or_else(|| PathBuf::from(trimmed), Path::to_path_buf),
        _ => PathBuf::from(trimmed),
    };
    let clean = lexical(&join(cwd, &expanded));
    if clean.is_absolute() {
        physical(&clean)
    } else {
        clean
    }
}

/// Whether `path` itself (not what it points to) is a symlink. Relative paths are not looked
/// up, for the reason in the module doc.
pub(super) fn is_symlink(path: &Path) -> bool {
    path.is_absolute()
        && fs_err::symlink_metadata(path).is_ok_and(|meta| meta.file_type().is_symlink())
}

/// What a path names, without following a final symlink.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Missing,
    Directory,
    Symlink,
    Other,
}

/// The [`Kind`] of `path` in one `lstat`; relative paths are [`Kind::Missing`], for the reason
/// in the module doc.
pub(super) fn kind(path: &Path) -> Kind {
    if !path.is_absolute() {
        return Kind::Missing;
    }
    match fs_err::symlink_metadata(path) {
        Err(_) => Kind::Missing,
        Ok(meta) if meta.file_type().is_symlink() => Kind::Symlink,
        Ok(meta) if meta.is_dir() => Kind::Directory,
        Ok(_) => Kind::Other,
    }
}

/// Whether `path` names an existing directory, following symlinks.
pub(super) fn is_dir(path: &Path) -> bool {
    path.is_absolute() && fs_err::metadata(path).is_ok_and(|meta| meta.is_dir())
}

/// One step of a path still to be walked, owned so link targets can be spliced in.
enum Part {
    Prefix(OsString),
    Root,
    Parent,
    Name(OsString),
}

fn parts(path: &Path) -> Vec<Part> {
    path.components()
        .filter_map(|component| match component {
            Component::Prefix(prefix) => Some(Part::Prefix(prefix.as_os_str().to_os_string())),
            Component::RootDir => Some(Part::Root),
            Component::CurDir => None,
            Component::ParentDir => Some(Part::Parent),
            Component::Normal(name) => Some(Part::Name(name.to_os_string())),
        })
        .collect()
}

/// What is on disk at a path; any error (missing, not a directory, no permission) means
/// there is nothing we can follow there.
enum Entry {
    Missing,
    Present,
    Link(PathBuf),
}

fn entry(path: &Path) -> Entry {
    match fs_err::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_symlink() => {
            fs_err::read_link(path).map_or(Entry::Missing, Entry::Link)
        }
        Ok(_) => Entry::Present,
        Err(_) => Entry::Missing,
    }
}

fn physical(path: &Path) -> PathBuf {
    let mut pending: VecDeque<Part> = parts(path).into();
    let mut out = PathBuf::new();
    // How many trailing components of `out` do not exist. Names below a missing one cannot be
    // symlinks, and `..` climbing back out of them lands on disk again.
    let mut missing = 0_usize;
    let mut hops = 0_usize;
    while let Some(part) = pending.pop_front() {
        match part {
            Part::Prefix(prefix) => {
                out = PathBuf::from(prefix);
                missing = 0;
            }
            Part::Root => {
                out.push(Component::RootDir.as_os_str());
                missing = 0;
            }
            Part::Parent => {
                out.pop();
                missing = missing.saturating_sub(1);
            }
            Part::Name(name) => {
                out.push(&name);
                if missing > 0 || hops >= MAX_SYMLINK_HOPS {
                    missing += usize::from(missing > 0);
                    continue;
                }
                match entry(&out) {
                    Entry::Present => {}
                    Entry::Missing => missing = 1,
                    Entry::Link(target) => {
                        hops += 1;
                        out.pop();
                        // A relative target continues from the link's directory, an absolute
                        // one restarts from its root (its `Root` part resets `out`).
                        for part in parts(&target).into_iter().rev() {
                            pending.push_front(part);
                        }
                    }
                }
            }
        }
    }
    out
}

/// Resolves `.` and `..` without looking at the disk. Leading `..` of a relative path are
/// kept, since there is nothing to climb out of; `..` at the root stays at the root.
pub(crate) fn lexical(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => match out.components().next_back() {
                Some(Component::Normal(_)) => {
                    out.pop();
                }
                Some(Component::RootDir | Component::Prefix(_)) => {}
                _ => out.push(".."),
            },
            other => out.push(other.as_os_str()),
        }
    }
    if out.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        out
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use fs_err::os::unix::fs::symlink;

    use crate::preprocess::sandbox::Sandbox;

    #[test]
    fn lexical_resolves_dots_and_keeps_leading_parents() {
        assert_eq!(lexical(Path::new("a/./b/../c")), PathBuf::from("a/c"));
        assert_eq!(lexical(Path::new("../../x")), PathBuf::from("../../x"));
        assert_eq!(lexical(Path::new("a/../..")), PathBuf::from(".."));
        assert_eq!(lexical(Path::new("/../etc")), PathBuf::from("/etc"));
        assert_eq!(lexical(Path::new("./")), PathBuf::from("."));
        assert_eq!(lexical(Path::new("")), PathBuf::from("."));
    }

    #[test]
    fn relative_paths_without_cwd_never_touch_the_disk() {
        let joined = join(None, Path::new("secret/../x"));
        assert_eq!(resolve(&joined), PathBuf::from("x"));
        assert!(!is_symlink(Path::new("x")));
        assert!(!is_dir(Path::new(".")));
    }

    #[test]
    fn join_keeps_absolute_paths() {
        let cwd = Path::new("/project");
        assert_eq!(
            join(Some(cwd), Path::new("/etc/x")),
            PathBuf::from("/etc/x")
        );
        assert_eq!(join(Some(cwd), Path::new("a")), PathBuf::from("/project/a"));
    }

    #[test]
    fn follows_a_symlink_to_a_file() {
        let sandbox = Sandbox::new();
        let secret = sandbox.file("protected/secret.txt");
        symlink(&secret, sandbox.path("link")).expect("symlink");
        assert_eq!(resolve(&sandbox.path("link")), secret);
        assert!(is_symlink(&sandbox.path("link")));
        assert!(!is_symlink(&secret));
    }

    #[test]
    fn follows_chains_and_relative_targets() {
        let sandbox = Sandbox::new();
        let secret = sandbox.file("protected/secret.txt");
        symlink("protected/secret.txt", sandbox.path("one")).expect("symlink");
        symlink("one", sandbox.path("two")).expect("symlink");
        symlink(sandbox.path("two"), sandbox.path("three")).expect("symlink");
        assert_eq!(resolve(&sandbox.path("three")), secret);
    }

    #[test]
    fn resolves_the_target_of_a_dangling_symlink() {
        let sandbox = Sandbox::new();
        fs_err::create_dir(sandbox.path("protected")).expect("mkdir");
        symlink("protected/not-yet.txt", sandbox.path("dangling")).expect("symlink");
        assert_eq!(
            resolve(&sandbox.path("dangling")),
            sandbox.path("protected/not-yet.txt")
        );
        assert!(is_symlink(&sandbox.path("dangling")));
    }

    #[test]
    fn new_file_under_a_symlinked_directory() {
        let sandbox = Sandbox::new();
        fs_err::create_dir(sandbox.path("protected")).expect("mkdir");
        symlink(sandbox.path("protected"), sandbox.path("innocent")).expect("symlink");
        assert_eq!(
            resolve(&sandbox.path("innocent/new/deeper.txt")),
            sandbox.path("protected/new/deeper.txt")
        );
    }

    #[test]
    fn parent_after_a_symlinked_directory_is_physical() {
        let sandbox = Sandbox::new();
        fs_err::create_dir_all(sandbox.path("protected/inner")).expect("mkdir");
        fs_err::create_dir(sandbox.path("work")).expect("mkdir");
        symlink(sandbox.path("protected/inner"), sandbox.path("work/door")).expect("symlink");
        // The kernel climbs out of the link's target: work/door/.. is `protected`.
        assert_eq!(
            resolve(&sandbox.path("work/door/../secret")),
            sandbox.path("protected/secret")
        );
    }

    #[test]
    fn traversal_out_of_cwd() {
        let sandbox = Sandbox::new();
        let secret = sandbox.file("protected/secret.txt");
        fs_err::create_dir(sandbox.path("project")).expect("mkdir");
        let joined = join(
            Some(&sandbox.path("project")),
            Path::new("../protected/./secret.txt"),
        );
        assert_eq!(resolve(&joined), secret);
        let climbing_from_missing = sandbox.path("project/ghost/../../protected/secret.txt");
        assert_eq!(resolve(&climbing_from_missing), secret);
    }

    #[test]
    fn symlink_loops_end() {
        let sandbox = Sandbox::new();
        symlink("b", sandbox.path("a")).expect("symlink");
        symlink("a", sandbox.path("b")).expect("symlink");
        let resolved = resolve(&sandbox.path("a/x"));
        assert!(resolved.starts_with(&sandbox.root), "{resolved:?}");
    }

    #[test]
    fn is_dir_follows_links() {
        let sandbox = Sandbox::new();
        fs_err::create_dir(sandbox.path("d")).expect("mkdir");
        symlink(sandbox.path("d"), sandbox.path("l")).expect("symlink");
        assert!(is_dir(&sandbox.path("l")));
        assert!(!is_dir(&sandbox.file("f")));
        assert_eq!(kind(&sandbox.path("l")), Kind::Symlink);
        assert_eq!(kind(&sandbox.path("d")), Kind::Directory);
        assert_eq!(kind(&sandbox.path("f")), Kind::Other);
        assert_eq!(kind(&sandbox.path("none")), Kind::Missing);
        assert_eq!(kind(Path::new("d")), Kind::Missing);
    }

    #[test]
    fn paths_resolve_as_the_agent_reads_them() {
        let sandbox = Sandbox::new();
        let home = sandbox.path("project");
        let cwd = sandbox.path("project/src");
        let expect = |given: &str, want: &Path| {
            assert_eq!(
                as_agent_resolves(given, Some(&cwd), Some(&home)),
                resolve(want),
                "{given:?}"
            );
        };
        expect("main.rs ", &cwd.join("main.rs"));
        expect("\u{a0}\tmain.rs\u{feff}\n", &cwd.join("main.rs"));
        expect("~/innocent.txt", &home.join("innocent.txt"));
        expect("~", &home);
        expect("../src/./main.rs", &cwd.join("main.rs"));
        // A relative path with no working directory stays relative, lexically clean.
        assert_eq!(
            as_agent_resolves(" a/../b ", None, None),
            PathBuf::from("b")
        );
    }
}
