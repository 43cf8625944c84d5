//! End-to-end tests of the `cupcake` binary: real processes, real OPA, real files. Hook mode
//! must print a well-formed, blocking response on every failure.
#![expect(clippy::panic, reason = "a test fails by panicking")]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::Value;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn fixture(rest: &str) -> PathBuf {
    repo().join("tests").join(rest)
}

fn cupcake(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_cupcake"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("cupcake starts");
    child
        .stdin
        .take()
        .expect("stdin is piped")
        .write_all(stdin)
        .expect("stdin accepts the event");
    child.wait_with_output().expect("cupcake finishes")
}

/// Runs `cupcake eval` and returns the parsed stdout, asserting exit 0 and one JSON object.
fn eval(policy_dir: &Path, extra: &[&str], stdin: &[u8]) -> Value {
    let dir = policy_dir.to_string_lossy().into_owned();
    let mut args = vec!["eval", "--policy-dir", &dir];
    args.extend_from_slice(extra);
    let output = cupcake(&args, stdin);
    assert!(
        output.status.success(),
        "exit {:?}: {}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8(output.stdout).expect("stdout is UTF-8");
    assert!(!stdout.trim().is_empty(), "hook mode printed nothing");
    serde_json::from_str(stdout.trim()).expect("stdout is one JSON object")
}

const RM: &[u8] =
    br#"{"hook_event_name":"PreToolUse","tool_name":"Bash","tool_input":{"command":"rm -rf build"}}"#;

/// A Claude `PreToolUse` deny whose reason mentions `needle`, or the universal stop response
/// when the event itself could not be read.
fn assert_blocks(response: &Value, needle: &str) {
    let reason = response["hookSpecificOutput"]["permissionDecisionReason"]
        .as_str()
        .or_else(|| response["stopReason"].as_str())
        .unwrap_or_else(|| panic!("not a blocking response: {response}"));
    let blocking = response["hookSpecificOutput"]["permissionDecision"] == "deny"
        || response["continue"] == false;
    assert!(blocking, "not blocking: {response}");
    assert!(reason.contains(needle), "reason lacks {needle:?}: {reason}");
}

#[test]
fn evaluates_a_real_policy() {
    let response = eval(&repo().join("examples/project"), &[], RM);
    assert_eq!(response["hookSpecificOutput"]["permissionDecision"], "deny");
    let allowed = eval(
        &repo().join("examples/project"),
        &[],
        br#"{"hook_event_name":"PreToolUse","tool_name":"Bash","tool_input":{"command":"ls"}}"#,
    );
    assert_eq!(allowed, serde_json::json!({}));
}

#[test]
fn timings_report_the_phases_and_change_nothing() {
    let dir = repo().join("examples/project");
    let dir = dir.to_string_lossy().into_owned();
    let plain = cupcake(&["eval", "--policy-dir", &dir], RM);
    let timed = cupcake(&["eval", "--policy-dir", &dir, "--timings"], RM);
    assert_eq!(timed.stdout, plain.stdout);
    assert_eq!(timed.status.code(), plain.status.code());
    let stderr = String::from_utf8(timed.stderr).expect("stderr is UTF-8");
    let report: Value = serde_json::from_str(stderr.lines().last().unwrap_or_default())
        .unwrap_or_else(|err| panic!("no --timings report ({err}): {stderr}"));
    let spans = &report["spans"];
    for phase in [
        "cupcake.load",
        "cupcake.load.discover",
        "cupcake.load.cache_read",
        "cupcake.evaluate",
    ] {
        assert!(
            spans[phase].as_f64().is_some_and(|us| us > 0.0),
            "{phase}: {report}"
        );
    }
    let process = report["process_us"].as_f64().unwrap_or_default();
    let load = spans["cupcake.load"].as_f64().unwrap_or_default();
    assert!(process >= load, "{report}");
}

#[test]
fn fails_closed_on_bad_stdin() {
    let dir = repo().join("examples/project");
    assert_blocks(&eval(&dir, &[], b"{not json"), "not valid JSON");
    assert_blocks(&eval(&dir, &[], b""), "empty");
    assert_blocks(&eval(&dir, &[], b"[1,2]"), "expected a JSON object");
    assert_blocks(
        &eval(
            &dir,
            &[],
            b"{\"hook_event_name\": \"PreToolUse\", \"x\": \"\xff\xfe\"}",
        ),
        "UTF-8",
    );
    assert_blocks(
        &eval(&dir, &[], br#"{"tool_name":"Bash"}"#),
        "hook_event_name",
    );
}

#[test]
fn fails_closed_on_load_errors() {
    assert_blocks(&eval(&fixture("no/such/dir"), &[], RM), "does not exist");
    assert_blocks(
        &eval(&fixture("conformance/compile_error"), &[], RM),
        "broken.rego:13",
    );
    assert_blocks(
        &eval(&fixture("fixtures/unsupported_builtin"), &[], RM),
        "http.send",
    );
    assert_blocks(
        &eval(
            &repo().join("examples/project"),
            &["--opa-path", "/no/such/opa"],
            RM,
        ),
        "go install",
    );
    assert_blocks(
        &eval(&repo().join("examples/project"), &["--harness", "vim"], RM),
        "unknown harness",
    );
}

#[test]
fn fails_closed_on_limits() {
    let limits = fixture("fixtures/limits");
    let bomb = br#"{"hook_event_name":"PreToolUse","tool_name":"Bomb"}"#;
    // Whichever limit trips first (memory, or the deadline on a loaded machine), it blocks.
    assert_blocks(&eval(&limits, &[], bomb), "evaluation stopped");
}

#[test]
fn fail_open_is_explicit() {
    let response = eval(&fixture("conformance/compile_error"), &["--fail-open"], RM);
    assert_eq!(response, serde_json::json!({}));
}

#[test]
fn warm_start_does_not_run_opa() {
    let work = tempfile::tempdir().expect("temp dir");
    let log = work.path().join("opa-calls.log");
    let wrapper = work.path().join("opa");
    let real_opa = which_opa();
    std::fs::write(
        &wrapper,
        format!(
            "#!/bin/sh\necho \"$@\" >> '{}'\nexec '{}' \"$@\"\n",
            log.display(),
            real_opa.display()
        ),
    )
    .expect("write wrapper");
    make_executable(&wrapper);
    let cache = work.path().join("cache");
    let args = [
        "--opa-path",
        wrapper.to_str().expect("utf-8 path"),
        "--cache-dir",
        cache.to_str().expect("utf-8 path"),
    ];
    let project = repo().join("examples/project");
    for _ in 0..3 {
        let response = eval(&project, &args, RM);
        assert_eq!(response["hookSpecificOutput"]["permissionDecision"], "deny");
    }
    let calls = std::fs::read_to_string(&log).expect("opa ran at least once");
    assert_eq!(
        calls.lines().filter(|l| l.starts_with("build")).count(),
        1,
        "opa calls: {calls}"
    );
    // The first start runs `opa version`, `opa capabilities` (for the host regex builtins)
    // and `opa build`; the warm starts run nothing.
    assert_eq!(
        calls.lines().count(),
        3,
        "only the first start may run opa: {calls}"
    );

    // The key is content: an identical copy reuses the entry, and an edit compiles again.
    let copy = work.path().join("project");
    copy_dir(&project.join(".cupcake"), &copy.join(".cupcake"));
    eval(&copy, &args, RM);
    let shell = copy.join(".cupcake/policies/claude/shell.rego");
    let edited = std::fs::read_to_string(&shell)
        .expect("read")
        .replace("Recursive force-delete is blocked", "edited");
    std::fs::write(&shell, edited).expect("edit policy");
    let response = eval(&copy, &args, RM);
    assert_eq!(
        response["hookSpecificOutput"]["permissionDecisionReason"],
        "edited"
    );
    let builds = std::fs::read_to_string(&log)
        .expect("log")
        .lines()
        .filter(|l| l.starts_with("build"))
        .count();
    assert_eq!(builds, 2, "only the edit compiles again");
}

#[test]
fn init_wires_hooks_once() {
    let work = tempfile::tempdir().expect("temp dir");
    let dir = work.path().to_str().expect("utf-8 path");
    for _ in 0..2 {
        let output = cupcake(&["init", "--harness", "claude", "--dir", dir], b"");
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let settings: Value = serde_json::from_str(
        &std::fs::read_to_string(work.path().join(".claude/settings.json")).expect("settings"),
    )
    .expect("json");
    assert_eq!(
        settings["hooks"]["PreToolUse"].as_array().map(Vec::len),
        Some(1),
        "{settings}"
    );
    // Every hook Claude runs for cupcake blocks when cupcake fails (SPEC §11).
    for (event, entries) in settings["hooks"].as_object().expect("hooks object") {
        for hook in entries[0]["hooks"].as_array().expect("hooks list") {
            assert_eq!(hook["onFailure"], "block", "{event}: {hook}");
        }
    }
    let response = eval(work.path(), &[], RM);
    assert_eq!(response["hookSpecificOutput"]["permissionDecision"], "deny");

    let output = cupcake(&["init", "--harness", "cursor", "--dir", dir], b"");
    assert!(output.status.success());
    let hooks: Value = serde_json::from_str(
        &std::fs::read_to_string(work.path().join(".cursor/hooks.json")).expect("hooks"),
    )
    .expect("json");
    assert_eq!(
        hooks["hooks"]["beforeShellExecution"]
            .as_array()
            .map(Vec::len),
        Some(1)
    );
    for (event, entries) in hooks["hooks"].as_object().expect("hooks object") {
        assert_eq!(entries[0]["failClosed"], true, "{event}");
    }
}

#[test]
fn validate_and_inspect() {
    let broken = fixture("conformance/compile_error");
    let output = cupcake(
        &["validate", "--policy-dir", broken.to_str().expect("utf-8")],
        b"",
    );
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("broken.rego:13"));
    let project = repo().join("examples/project");
    let output = cupcake(
        &["validate", "--policy-dir", project.to_str().expect("utf-8")],
        b"",
    );
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let output = cupcake(
        &[
            "inspect",
            "--json",
            "--policy-dir",
            project.to_str().expect("utf-8"),
        ],
        b"",
    );
    let report: Value = serde_json::from_slice(&output.stdout).expect("inspect --json prints JSON");
    assert_eq!(report["policies"].as_array().map(Vec::len), Some(3));
    let output = cupcake(
        &["inspect", "--policy-dir", project.to_str().expect("utf-8")],
        b"",
    );
    assert!(String::from_utf8_lossy(&output.stdout).contains("PreToolUse:Bash"));
}

#[expect(
    clippy::disallowed_methods,
    reason = "the test finds the real opa the way a user's shell would"
)]
fn which_opa() -> PathBuf {
    let path = std::env::var_os("PATH").expect("PATH is set");
    std::env::split_paths(&path)
        .map(|dir| dir.join("opa"))
        .find(|p| p.is_file())
        .expect("opa on PATH (source ci/env.sh)")
}

#[cfg(unix)]
fn make_executable(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read dir").flatten() {
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).expect("copy");
        }
    }
}

#[test]
fn bundle_loads_without_opa() {
    let work = tempfile::tempdir().expect("temp dir");
    let bundle = work.path().join("policies.bundle");
    let project = repo().join("examples/project");
    let output = cupcake(
        &[
            "compile",
            "--policy-dir",
            project.to_str().expect("utf-8"),
            "--output",
            bundle.to_str().expect("utf-8"),
        ],
        b"",
    );
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let cache = work.path().join("cache");
    let mut child = Command::new(env!("CARGO_BIN_EXE_cupcake"))
        .args([
            "eval",
            "--bundle",
            bundle.to_str().expect("utf-8"),
            "--cache-dir",
            cache.to_str().expect("utf-8"),
        ])
        .env("PATH", "/nonexistent")
        .env("HOME", work.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("cupcake starts");
    child
        .stdin
        .take()
        .expect("piped")
        .write_all(RM)
        .expect("write event");
    let output = child.wait_with_output().expect("finishes");
    let response: Value = serde_json::from_slice(&output.stdout).expect("JSON response");
    assert_eq!(
        response["hookSpecificOutput"]["permissionDecision"], "deny",
        "{response}"
    );

    let damaged = work.path().join("damaged.bundle");
    std::fs::write(&damaged, b"not a tar file at all").expect("write");
    assert_blocks(
        &eval(&repo(), &["--bundle", damaged.to_str().expect("utf-8")], RM),
        "cupcake compile",
    );
}

#[test]
fn compile_refuses_a_bundle_to_compile() {
    let work = tempfile::tempdir().expect("temp dir");
    let output = work.path().join("out.bundle");
    let given = work.path().join("given.bundle");
    std::fs::write(&given, b"any").expect("write");
    let result = cupcake(
        &[
            "compile",
            "--bundle",
            given.to_str().expect("utf-8"),
            "--output",
            output.to_str().expect("utf-8"),
        ],
        b"",
    );
    assert!(!result.status.success(), "compile --bundle was accepted");
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert!(stderr.contains("drop --bundle"), "{stderr}");
    assert!(!output.exists(), "a bundle was written anyway");
}

/// Runs `cupcake <args>` with stdout a pipe whose reader has already gone, as in
/// `cupcake inspect | head -0`.
fn with_closed_stdout(args: &[&str]) -> (std::process::ExitStatus, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_cupcake"))
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("cupcake starts");
    drop(child.stdout.take());
    let output = child.wait_with_output().expect("cupcake finishes");
    (
        output.status,
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn a_closed_stdout_ends_the_output_without_a_panic() {
    let project = repo().join("examples/project");
    let project = project.to_str().expect("utf-8");
    let work = tempfile::tempdir().expect("temp dir");
    let bundle = work.path().join("policies.bundle");
    let runs: [&[&str]; 4] = [
        &["inspect", "--policy-dir", project],
        &["inspect", "--json", "--policy-dir", project],
        &["validate", "--policy-dir", project],
        &[
            "compile",
            "--policy-dir",
            project,
            "--output",
            bundle.to_str().expect("utf-8"),
        ],
    ];
    for args in runs {
        let (status, stderr) = with_closed_stdout(args);
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert!(status.success(), "{args:?}: {status}: {stderr}");
    }
    assert!(bundle.is_file(), "compile still wrote the bundle");
}
