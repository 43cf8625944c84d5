//! The standard set shared by the benchmarks: ten policies under `standard/.cupcake` and eight
//! Claude Code events under `standard/events`, also used by the Python, Node and CLI benches.

use std::path::{Path, PathBuf};

/// The project directory of the standard set.
pub fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/standard")
}

/// The standard events as JSON text, in file-name order.
pub fn events() -> Vec<String> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir().join("events"))
        .expect("benches/standard/events exists")
        .map(|entry| entry.expect("readable events dir").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .collect();
    paths.sort();
    paths
        .iter()
        .map(|path| std::fs::read_to_string(path).expect("readable event"))
        .collect()
}
