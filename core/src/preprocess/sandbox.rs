//! Test support for the preprocessing suites: a temporary directory under its canonical name
//! (macOS puts temp dirs behind `/var` → `/private/var`), optionally laid out as a project
//! beside a protected tree. Each suite adds its own helpers in an `impl Sandbox` of its own.

use std::path::PathBuf;

pub(super) struct Sandbox {
    _dir: tempfile::TempDir,
    pub(super) root: PathBuf,
}

impl Sandbox {
    /// An empty directory.
    pub(super) fn new() -> Self {
        let dir = tempfile::tempdir().expect("a temp dir can be created");
        let root = fs_err::canonicalize(dir.path()).expect("the temp dir exists");
        Self { _dir: dir, root }
    }

    /// `project/src/main.rs` (the cwd is `project/`) beside `protected/secret.txt` and
    /// `protected/keys/`.
    pub(super) fn with_project() -> Self {
        let sandbox = Self::new();
        for sub in ["project/src", "protected/keys"] {
            fs_err::create_dir_all(sandbox.root.join(sub)).expect("mkdir");
        }
        fs_err::write(sandbox.root.join("protected/secret.txt"), "s").expect("write");
        fs_err::write(sandbox.root.join("project/src/main.rs"), "m").expect("write");
        sandbox
    }

    /// `relative` inside the sandbox (`""` is the root itself).
    pub(super) fn path(&self, relative: &str) -> PathBuf {
        if relative.is_empty() {
            self.root.clone()
        } else {
            self.root.join(relative)
        }
    }

    /// [`Sandbox::path`] as a string, as events carry it.
    pub(super) fn text(&self, relative: &str) -> String {
        self.path(relative).to_string_lossy().into_owned()
    }

    /// Creates a file (and its parents) and returns its path.
    pub(super) fn file(&self, relative: &str) -> PathBuf {
        let path = self.path(relative);
        fs_err::create_dir_all(path.parent().expect("has a parent")).expect("mkdir");
        fs_err::write(&path, "x").expect("write");
        path
    }
}
