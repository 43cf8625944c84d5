//! Hook mode over the shared bad-input data (SPEC §12). Every conformance case that expects an
//! error — an unusable event, a policy directory that does not load, a runaway policy — must
//! make `cupcake eval` print a non-empty blocking response whose reason says what failed. In an
//! area with a `follow_up`, every case runs, and after each one the follow-up event gets its
//! expected response. Cases only the CLI can meet (raw bytes on stdin) are written out here.
#![expect(clippy::panic, reason = "a test fails by panicking")]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::Value;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The event sent where a case has none of its own (its policy directory does not load).
const ORDINARY: &[u8] =
    br#"{"hook_event_name":"PreToolUse","tool_name":"Bash","tool_input":{"command":"ls"}}"#;

/// How `cupcake eval` is started: directly, or as an unprivileged user when this one ignores
/// permission bits.
#[derive(Clone, Copy, PartialEq, Eq)]
enum RunAs {
    Me,
    Nobody,
}

/// Runs `cupcake eval` with `args` and `stdin`; returns stdout parsed as JSON, or why not.
fn eval(args: &[String], stdin: &[u8], run_as: RunAs) -> Result<Value, String> {
    let binary = env!("CARGO_BIN_EXE_cupcake");
    let mut command = match run_as {
        RunAs::Me => Command::new(binary),
        RunAs::Nobody => {
            let mut command = Command::new("setpriv");
            command.args(["--reuid=65534", "--regid=65534", "--clear-groups", binary]);
            command
        }
    };
    let mut child = command
        .arg("eval")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|err| format!("cupcake did not start: {err}"))?;
    let mut pipe = child.stdin.take().expect("stdin is piped");
    let input = stdin.to_vec();
    // A writer thread, so a 16 MB event cannot deadlock against a full stdout pipe.
    let writer = std::thread::spawn(move || pipe.write_all(&input));
    let output = child
        .wait_with_output()
        .map_err(|err| format!("cupcake did not finish: {err}"))?;
    let _ = writer.join();
    let stdout = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() || stdout.trim().is_empty() {
        return Err(format!(
            "exit {:?}, stdout {stdout:?}, stderr {}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    serde_json::from_str(stdout.trim())
        .map_err(|err| format!("stdout is not JSON ({err}): {stdout}"))
}

/// The reason of a response that blocks the action (or stops the agent), in either harness's
/// words; `None` when the response lets the action through.
fn blocking_reason(response: &Value) -> Option<&str> {
    let specific = &response["hookSpecificOutput"];
    let candidates = [
        (specific["permissionDecision"] == "deny").then(|| &specific["permissionDecisionReason"]),
        (specific["decision"]["behavior"] == "deny").then(|| &specific["decision"]["message"]),
        (response["decision"] == "block").then(|| &response["reason"]),
        (response["continue"] == false).then(|| {
            if response["stopReason"].is_string() {
                &response["stopReason"]
            } else {
                &response["user_message"]
            }
        }),
        (response["permission"] == "deny").then(|| &response["user_message"]),
    ];
    candidates.into_iter().flatten().find_map(Value::as_str)
}

/// The event bytes of a case: `input_text`, `input_parts` concatenated, or `input` as JSON.
fn event_bytes(case: &Value) -> Vec<u8> {
    if let Some(text) = case["input_text"].as_str() {
        return text.as_bytes().to_vec();
    }
    if let Some(parts) = case["input_parts"].as_array() {
        let mut bytes = Vec::new();
        for part in parts {
            let text = part[0].as_str().expect("a part starts with its text");
            let times = part[1].as_u64().expect("a part ends with its count");
            bytes.extend(text.repeat(usize::try_from(times).expect("fits")).bytes());
        }
        return bytes;
    }
    case["input"].to_string().into_bytes()
}

/// One shared area: its directory and its cases.json with `$AREA` filled in.
struct Area {
    dir: PathBuf,
    spec: Value,
}

impl Area {
    fn all() -> Vec<Self> {
        let root = repo().join("tests").join("conformance");
        let mut areas: Vec<Self> = std::fs::read_dir(&root)
            .expect("tests/conformance exists")
            .flatten()
            .map(|entry| entry.path())
            .filter(|dir| dir.join("cases.json").is_file())
            .map(|dir| {
                let dir = std::fs::canonicalize(dir).expect("canonical area path");
                let text = std::fs::read_to_string(dir.join("cases.json")).expect("readable");
                let text = text.replace("$AREA", &dir.display().to_string());
                let spec = serde_json::from_str(&text).expect("cases.json is JSON");
                Self { dir, spec }
            })
            .collect();
        areas.sort_by(|a, b| a.dir.cmp(&b.dir));
        areas
    }

    /// `eval` flags for a policy directory with this area's harness and global directory.
    fn args(&self, policy_dir: &Path) -> Vec<String> {
        let mut args = vec![
            "--policy-dir".to_string(),
            policy_dir.display().to_string(),
            "--harness".to_string(),
            self.spec["harness"]
                .as_str()
                .unwrap_or("claude")
                .to_string(),
        ];
        if let Some(global) = self.spec["global_dir"].as_str() {
            args.extend([
                "--global-dir".to_string(),
                self.dir.join(global).display().to_string(),
            ]);
        }
        args
    }

    fn name(&self) -> String {
        self.dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    }
}

/// Checks one `cupcake eval` outcome against a case's `want_error` or `want_result.response`.
fn check(outcome: Result<Value, String>, case: &Value) -> Result<(), String> {
    let response = outcome?;
    if let Some(want) = case.get("want_error") {
        let needle = want["contains"].as_str().unwrap_or_default();
        return match blocking_reason(&response) {
            Some(reason) if reason.contains(needle) => Ok(()),
            Some(reason) => Err(format!("the blocking reason lacks {needle:?}: {reason}")),
            None => Err(format!("expected a blocking response, got {response}")),
        };
    }
    match case["want_result"].get("response") {
        Some(want) if *want != response => Err(format!("expected {want}, got {response}")),
        Some(_) => Ok(()),
        None => match case["want_result"]["kind"].as_str() {
            Some("Deny" | "Block" | "Halt") if blocking_reason(&response).is_none() => {
                Err(format!("expected a blocking response, got {response}"))
            }
            _ => Ok(()),
        },
    }
}

/// A policy directory this user cannot read, and how to run cupcake so that it is unreadable to
/// it; `None` where permission bits cannot be tested (no Unix modes, or root without setpriv).
#[cfg(unix)]
fn unreadable_dir() -> Option<(tempfile::TempDir, PathBuf, RunAs)> {
    use std::os::unix::fs::PermissionsExt;
    let chmod = |path: &Path, mode: u32| {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).expect("chmod");
    };
    let work = tempfile::tempdir().expect("temp dir");
    // Others may pass through the temporary directory, so that only `project` is unreadable.
    chmod(work.path(), 0o755);
    let project = work.path().join("project");
    std::fs::create_dir_all(project.join(".cupcake/policies/claude")).expect("layout");
    std::fs::copy(
        repo().join("tests/conformance/input_errors/policies/claude/any.rego"),
        project.join(".cupcake/policies/claude/any.rego"),
    )
    .expect("copy a policy");
    chmod(&project, 0o000);
    let run_as = if std::fs::read_dir(&project).is_err() {
        RunAs::Me
    } else {
        // Root ignores permission bits: run cupcake as `nobody` instead, if setpriv exists.
        let works = Command::new("setpriv")
            .args(["--reuid=65534", "--regid=65534", "--clear-groups", "true"])
            .status()
            .is_ok_and(|status| status.success());
        if !works {
            chmod(&project, 0o700);
            return None;
        }
        RunAs::Nobody
    };
    Some((work, project, run_as))
}

#[cfg(not(unix))]
fn unreadable_dir() -> Option<(tempfile::TempDir, PathBuf, RunAs)> {
    None
}

/// Runs one case in hook mode; `Ok(false)` when it cannot run on this machine.
fn run_case(area: &Area, case: &Value) -> Result<bool, String> {
    let Some(load) = case.get("load") else {
        return check(
            eval(&area.args(&area.dir), &event_bytes(case), RunAs::Me),
            case,
        )
        .map(|()| true);
    };
    if load["unreadable"].as_bool().unwrap_or(false) {
        let Some((work, project, run_as)) = unreadable_dir() else {
            return Ok(false);
        };
        let outcome = eval(&area.args(&project), ORDINARY, run_as);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&project, std::fs::Permissions::from_mode(0o700))
                .expect("chmod back");
        }
        drop(work);
        return check(outcome, case).map(|()| true);
    }
    let dir = PathBuf::from(
        load["policy_dir"]
            .as_str()
            .expect("load names a policy_dir"),
    );
    check(eval(&area.args(&dir), ORDINARY, RunAs::Me), case).map(|()| true)
}

#[test]
fn every_failure_blocks_and_the_next_event_is_answered() {
    let mut failures = Vec::new();
    let mut ran = 0;
    for area in Area::all() {
        if let Some(want) = area.spec.get("load_error") {
            let case = serde_json::json!({"want_error": want});
            ran += 1;
            if let Err(why) = check(eval(&area.args(&area.dir), ORDINARY, RunAs::Me), &case) {
                failures.push(format!("{}/load-error: {why}", area.name()));
            }
        }
        let follow_up = area.spec.get("follow_up");
        for case in area.spec["cases"].as_array().into_iter().flatten() {
            // Without a follow-up, an area's plain results are semantics, tested elsewhere.
            if follow_up.is_none() && case.get("want_error").is_none() {
                continue;
            }
            let note = case["note"].as_str().unwrap_or("?");
            match run_case(&area, case) {
                Ok(true) => ran += 1,
                Ok(false) => continue,
                Err(why) => failures.push(format!("{note}: {why}")),
            }
            if let Some(follow_up) = follow_up {
                let outcome = eval(&area.args(&area.dir), &event_bytes(follow_up), RunAs::Me);
                if let Err(why) = check(outcome, follow_up) {
                    failures.push(format!("{note}, then the follow-up: {why}"));
                }
            }
        }
    }
    assert!(ran >= 25, "only {ran} cases ran in hook mode");
    assert!(
        failures.is_empty(),
        "{} hook-mode failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn bytes_that_are_not_utf8_block() {
    let dir = repo().join("tests/conformance/bad_input");
    let args = vec!["--policy-dir".to_string(), dir.display().to_string()];
    let prefix = br#"{"hook_event_name":"PreToolUse","tool_name":"Forbidden","x":""#;
    let cases: [(&str, &[u8]); 6] = [
        ("a stray continuation byte", b"\x80"),
        ("bytes that never occur in UTF-8", b"\xff\xfe"),
        ("a truncated two-byte sequence", b"\xc3"),
        ("an overlong encoding of '/'", b"\xc0\xaf"),
        ("an encoded lone surrogate (WTF-8)", b"\xed\xa0\x80"),
        ("a code point above U+10FFFF", b"\xf4\x90\x80\x80"),
    ];
    for (what, bad) in cases {
        let mut event = prefix.to_vec();
        event.extend_from_slice(bad);
        event.extend_from_slice(b"\"}");
        let response = eval(&args, &event, RunAs::Me).unwrap_or_else(|why| panic!("{what}: {why}"));
        let reason = blocking_reason(&response)
            .unwrap_or_else(|| panic!("{what}: not blocking: {response}"));
        assert!(reason.contains("not valid UTF-8"), "{what}: {reason}");
        let next = eval(
            &args,
            br#"{"hook_event_name":"PreToolUse","tool_name":"Forbidden"}"#,
            RunAs::Me,
        )
        .unwrap_or_else(|why| panic!("after {what}: {why}"));
        assert_eq!(
            blocking_reason(&next),
            Some("ordinary decision"),
            "after {what}"
        );
    }
}

#[test]
fn an_unknown_harness_blocks() {
    let dir = repo().join("tests/conformance/bad_input");
    let args: Vec<String> = [
        "--policy-dir",
        &dir.display().to_string(),
        "--harness",
        "aider",
    ]
    .iter()
    .map(ToString::to_string)
    .collect();
    let response = eval(
        &args,
        br#"{"hook_event_name":"PreToolUse","tool_name":"Bash"}"#,
        RunAs::Me,
    )
    .unwrap_or_else(|why| panic!("{why}"));
    let reason = blocking_reason(&response).unwrap_or_else(|| panic!("not blocking: {response}"));
    assert!(reason.contains("unknown harness 'aider'"), "{reason}");
}
