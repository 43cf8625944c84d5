//! The user's cache directory for cupcake. Finding it is the only place the core reads the
//! environment (`XDG_CACHE_HOME`, `HOME`), and what it finds only locates files.

use std::path::PathBuf;

/// `$XDG_CACHE_HOME/cupcake`, else `~/.cache/cupcake`.
#[expect(
    clippy::disallowed_methods,
    reason = "the one sanctioned environment lookup: where the cache lives"
)]
pub fn cache_dir() -> Option<PathBuf> {
    if let Some(xdg) = std::env::var_os("XDG_CACHE_HOME").filter(|v| !v.is_empty()) {
        return Some(PathBuf::from(xdg).join("cupcake"));
    }
    std::env::var_os("HOME")
        .filter(|v| !v.is_empty())
        .map(|home| PathBuf::from(home).join(".cache").join("cupcake"))
}
