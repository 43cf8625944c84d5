//! Where cupcake keeps per-user files. The home directory comes from the password database,
//! never from `$HOME` or the XDG variables: an agent can set environment variables, and
//! pointing cupcake at another config or cache directory would let it skip global policies or
//! plant a compiled module. A user with no database entry (a container run as `--user N`) has
//! no default directories at all: the caller must name them.

use std::path::PathBuf;

use crate::error::{Error, Result};

/// The user's home directory, from the password database.
#[cfg(unix)]
pub(crate) fn home() -> Result<PathBuf> {
    let uid = nix::unistd::getuid();
    match nix::unistd::User::from_uid(uid) {
        Ok(Some(user)) => Ok(user.dir),
        _ => Err(Error::config(
            "~",
            format!(
                "user {uid} has no entry in the password database, so cupcake has no home directory to take its global policy and cache directories from ($HOME is not trusted: an agent can set it); pass global_dir and cache_dir (--global-dir, --cache-dir) explicitly"
            ),
        )),
    }
}

#[cfg(not(unix))]
#[expect(
    clippy::disallowed_methods,
    reason = "Windows has no password database; the profile directory is the user's home"
)]
pub(crate) fn home() -> Result<PathBuf> {
    std::env::var_os("USERPROFILE")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .ok_or_else(|| {
            Error::config(
                "~",
                "no user profile directory; pass global_dir and cache_dir (--global-dir, --cache-dir) explicitly",
            )
        })
}

/// `~/.cache/cupcake`: compiled policies, and OPA when cupcake downloads it.
pub fn cache_dir() -> Result<PathBuf> {
    home().map(|home| home.join(".cache").join("cupcake"))
}

/// `~/.config/cupcake`: the default global policy directory.
pub fn global_config_dir() -> Result<PathBuf> {
    home().map(|home| home.join(".config").join("cupcake"))
}
