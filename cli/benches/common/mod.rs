//! What the CLI benchmarks share: their command line, the standard policy set and a scratch
//! copy of it.
#![allow(dead_code, reason = "each benchmark uses its own part")]

use std::path::{Path, PathBuf};

/// The benchmark's command line: `--bench` (a full run; without it, a smoke run under
/// `cargo test --benches`) and `--name value` options.
pub struct Args(Vec<String>);

impl Args {
    pub fn from_env() -> Self {
        Self(std::env::args().collect())
    }

    /// Whether this is a measured run rather than a smoke run.
    pub fn full(&self) -> bool {
        self.0.iter().any(|arg| arg == "--bench")
    }

    /// The value after `--<name>`, as a path.
    pub fn path(&self, name: &str) -> Option<PathBuf> {
        let flag = format!("--{name}");
        self.0
            .iter()
            .position(|arg| *arg == flag)
            .and_then(|at| self.0.get(at + 1))
            .map(PathBuf::from)
    }
}

/// `core/benches/standard`: the policies and events every benchmark uses.
pub fn standard_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../core/benches/standard")
}

/// Copies the directory tree `from` to `to`.
pub fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("readable") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}
