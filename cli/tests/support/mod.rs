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

/// A `cupcake serve` a test started; killed when dropped.
pub struct Served {
    pub child: std::process::Child,
    /// `http://127.0.0.1:<port>`, from the server's first line on stdout.
    pub base: String,
    pub stdout: std::io::BufReader<std::process::ChildStdout>,
}

/// Starts `command` (a `cupcake serve ... --listen 127.0.0.1:0`) and waits for its address.
#[allow(clippy::panic, reason = "a test fails by panicking")]
pub fn serve(mut command: std::process::Command) -> Served {
    use std::io::{BufRead as _, Read as _};
    let mut child = command
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("cupcake serve starts");
    let mut stdout = std::io::BufReader::new(child.stdout.take().expect("stdout"));
    let mut line = String::new();
    stdout.read_line(&mut line).expect("first line");
    let Some(base) = line.trim().strip_prefix("cupcake serve: listening on ") else {
        let mut stderr = String::new();
        let _ = child
            .stderr
            .take()
            .map(|mut e| e.read_to_string(&mut stderr));
        let _ = child.kill();
        panic!("the server did not start: {line:?} {stderr}");
    };
    Served {
        base: base.to_string(),
        child,
        stdout,
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An HTTP client for talking to test servers: statuses are answers, no proxy, a minute at most.
pub fn http() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .proxy(None)
        .timeout_global(Some(std::time::Duration::from_mins(1)))
        .build()
        .into()
}

/// A policy denying Bash commands that contain `needle`, with rule id `rule` and reason
/// `reason`.
pub fn deny_bash_policy(rule: &str, needle: &str, reason: &str) -> String {
    format!(
        r#"# METADATA
# custom:
#   routing:
#     required_events: ["PreToolUse"]
#     required_tools: ["Bash"]
package cupcake.policies.shell

import rego.v1

deny contains {{"rule_id": "{rule}", "reason": "{reason}", "severity": "HIGH"}} if {{
	contains(input.tool_input.command, "{needle}")
}}
"#
    )
}

/// One HTTP/1.1 request a loopback test server read: its path, headers (names lowercased)
/// and body.
pub struct HttpRequest {
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl HttpRequest {
    /// The first value of header `name` (lowercase).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(header, _)| header == name)
            .map(|(_, value)| value.as_str())
    }
}

/// Reads the next request from `reader`; `None` when the connection ends.
pub fn read_request(reader: &mut impl std::io::BufRead) -> Option<HttpRequest> {
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).ok()? == 0 {
        return None;
    }
    let path = request_line.split_whitespace().nth(1)?.to_string();
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        let (name, value) = line.split_once(':').unwrap_or((line, ""));
        headers.push((name.to_ascii_lowercase(), value.trim().to_string()));
    }
    let length = headers
        .iter()
        .find(|(name, _)| name == "content-length")
        .and_then(|(_, value)| value.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0u8; length];
    reader.read_exact(&mut body).ok()?;
    Some(HttpRequest {
        path,
        headers,
        body,
    })
}

/// `cupcake <subcommand>` loading the project at `dir` (`<dir>/.cupcake`) with the real OPA,
/// a private cache (`<dir>/cache`) and global directory (`<dir>/global`).
pub fn cupcake_in(dir: &Path, subcommand: &str) -> std::process::Command {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_cupcake"));
    command
        .arg(subcommand)
        .arg("--policy-dir")
        .arg(dir.join(".cupcake"))
        .arg("--opa-path")
        .arg(real_opa())
        .arg("--cache-dir")
        .arg(dir.join("cache"))
        .arg("--global-dir")
        .arg(dir.join("global"));
    command
}
