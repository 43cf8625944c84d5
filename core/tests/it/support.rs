//! Paths and helpers shared by the integration tests.

use std::path::PathBuf;

use cupcake::{Engine, EngineOptions};

/// The repository root.
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("core/ has a parent directory")
        .to_path_buf()
}

/// `tests/<rest>` under the repository root.
pub fn tests_dir(rest: &str) -> PathBuf {
    repo_root().join("tests").join(rest)
}

/// Loads an engine with default options, turning failure into a test failure message.
pub fn engine(dir: &str) -> Result<Engine, String> {
    Engine::new(tests_dir(dir), EngineOptions::default()).map_err(|err| err.to_string())
}

/// Fails the trial with `message` unless `condition` holds.
pub fn check(
    condition: bool,
    message: impl FnOnce() -> String,
) -> Result<(), libtest_mimic::Failed> {
    if condition {
        Ok(())
    } else {
        Err(message().into())
    }
}
