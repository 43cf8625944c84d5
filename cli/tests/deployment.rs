//! The Dockerfile cannot be built here (no container daemon), so what can drift is checked
//! instead: its Rust and OPA versions are the repository's pins, it runs as a non-root user,
//! and every flag its commands pass is one `cupcake serve` accepts.
#![expect(clippy::panic, reason = "a test fails by panicking")]

use std::path::Path;
use std::process::Command;

fn repo_file(name: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(name))
        .unwrap_or_else(|err| panic!("{name}: {err}"))
}

/// The value of `NAME=value` (or `export NAME=value`, `ARG NAME=value`) in `text`.
fn assignment(text: &str, name: &str) -> Option<String> {
    text.lines().find_map(|line| {
        let line = line.trim();
        let line = line
            .strip_prefix("export ")
            .or_else(|| line.strip_prefix("ARG "))
            .unwrap_or(line);
        line.strip_prefix(name)?
            .strip_prefix('=')
            .map(|value| value.trim_matches('"').to_string())
    })
}

#[test]
fn the_dockerfile_uses_the_pinned_versions_and_no_root() {
    let dockerfile = repo_file("Dockerfile");
    let toolchain = repo_file("rust-toolchain.toml");
    let channel = toolchain
        .lines()
        .find_map(|line| line.strip_prefix("channel = "))
        .map(|value| value.trim_matches('"').to_string());
    assert_eq!(assignment(&dockerfile, "RUST_VERSION"), channel);
    assert_eq!(
        assignment(&dockerfile, "OPA_VERSION"),
        assignment(&repo_file("ci/env.sh"), "OPA_VERSION")
    );
    let users: Vec<_> = dockerfile
        .lines()
        .filter_map(|line| line.strip_prefix("USER "))
        .collect();
    assert!(!users.is_empty(), "the image sets a user");
    assert!(
        users
            .iter()
            .all(|user| !matches!(user.trim(), "root" | "0")),
        "{users:?}"
    );
}

#[test]
fn the_dockerfile_commands_use_flags_serve_accepts() {
    let help = Command::new(env!("CARGO_BIN_EXE_cupcake"))
        .args(["serve", "--help"])
        .output()
        .expect("cupcake serve --help runs");
    let help = String::from_utf8_lossy(&help.stdout);
    let dockerfile = repo_file("Dockerfile");
    let flags: Vec<&str> = dockerfile
        .split('"')
        .filter(|word| word.starts_with("--"))
        .collect();
    assert!(flags.len() >= 6, "{flags:?}");
    for flag in flags {
        assert!(help.contains(flag), "`cupcake serve` has no {flag}");
    }
}
