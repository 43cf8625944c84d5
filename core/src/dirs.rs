//! Where cupcake keeps per-user files. The home directory comes from the password database, not
//! from `$HOME` or the XDG variables: an agent can set environment variables, and pointing
//! cupcake at another config or cache directory would let it skip global policies or plant a
//! compiled module. `$HOME` is used only where the database has no entry.

use std::path::PathBuf;

/// The user's home directory.
#[cfg(unix)]
fn home() -> Option<PathBuf> {
    let uid = nix::unistd::getuid();
    if let Ok(Some(user)) = nix::unistd::User::from_uid(uid) {
        return Some(user.dir);
    }
    home_from_env()
}

#[cfg(not(unix))]
fn home() -> Option<PathBuf> {
    home_from_env()
}

#[expect(
    clippy::disallowed_methods,
    reason = "last resort when the password database has no entry"
)]
fn home_from_env() -> Option<PathBuf> {
    std::env::var_os("HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
}

/// `~/.cache/cupcake`: compiled policies.
pub fn cache_dir() -> Option<PathBuf> {
    home().map(|home| home.join(".cache").join("cupcake"))
}

/// `~/.config/cupcake`: the default global policy directory.
pub fn global_config_dir() -> Option<PathBuf> {
    home().map(|home| home.join(".config").join("cupcake"))
}
