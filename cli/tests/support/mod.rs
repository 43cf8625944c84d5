//! Helpers shared by the CLI test binaries that run real OPA and real scripts.
#![cfg(unix)]
// Each test binary uses its own part of the helpers; `expect` would fail in the others.
#![allow(dead_code, reason = "shared by several test binaries")]

use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};

/// The `opa` a user's shell would find first on `PATH`.
#[expect(
    clippy::disallowed_methods,
    reason = "the test finds the real opa the way a user's shell would"
)]
pub fn real_opa() -> PathBuf {
    let path = std::env::var_os("PATH").expect("PATH is set");
    std::env::split_paths(&path)
        .map(|dir| dir.join("opa"))
        .find(|p| p.is_file())
        .expect("opa on PATH (source ci/env.sh)")
}

/// Writes an executable `/bin/sh` script.
pub fn script(path: &Path, body: &str) {
    std::fs::write(path, format!("#!/bin/sh\n{body}")).expect("write script");
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
}
