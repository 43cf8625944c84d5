//! Regression tests for issue 10: every way a hostile agent could make hook mode let an action
//! through. Each runs the real `cupcake` binary with the real OPA on real files (FIFOs,
//! symlinks to devices, planted binaries, escaping processes) and checks that a well-formed
//! answer arrives, blocking where it must.
#![cfg(unix)]
#![expect(clippy::panic, reason = "a test fails by panicking")]

mod support;

use support::{real_opa, script};

use std::io::Write as _;
use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

/// Longest any call may take before the test calls it a hang.
const HANG: Duration = Duration::from_secs(30);

const DENY_RM: &str = r#"# METADATA
# custom:
#   routing:
#     required_events: ["PreToolUse"]
#     required_tools: ["Bash"]
package cupcake.policies.rm

import rego.v1

deny contains {"rule_id": "RM", "reason": "no rm -rf", "severity": "HIGH"} if {
	contains(input.tool_input.command, "rm -rf")
}
"#;

/// Denies unless the `gate` signal printed `ok`.
const GATED: &str = r#"# METADATA
# custom:
#   routing:
#     required_events: ["PreToolUse"]
#     required_tools: ["Bash"]
#     required_signals: ["gate"]
package cupcake.policies.gate

import rego.v1

deny contains {"rule_id": "GATE", "reason": sprintf("gate said %v", [input.signals.gate]), "severity": "HIGH"} if {
	input.signals.gate != "ok"
}
"#;

fn bash(command: &str) -> Value {
    json!({"hook_event_name": "PreToolUse", "tool_name": "Bash", "tool_input": {"command": command}})
}

fn mkfifo(path: &Path) {
    let _ = std::fs::remove_file(path);
    let status = Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("mkfifo runs");
    assert!(status.success(), "mkfifo {}", path.display());
}

/// A scratch project: `<dir>/.cupcake` with the given policies and rulebook, an empty global
/// directory and a private cache.
struct Project {
    dir: tempfile::TempDir,
}

/// One answer from `cupcake eval`.
struct Answer {
    response: Value,
    stderr: String,
    took: Duration,
}

impl Answer {
    /// The `PreToolUse` deny reason, if the answer denies.
    fn denial(&self) -> Option<&str> {
        let output = &self.response["hookSpecificOutput"];
        (output["permissionDecision"] == "deny").then(|| {
            output["permissionDecisionReason"]
                .as_str()
                .unwrap_or_default()
        })
    }
}

impl Project {
    fn new(policies: &[(&str, &str)], rulebook: &str) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let project = Self { dir };
        let claude = project.cupcake().join("policies/claude");
        std::fs::create_dir_all(&claude).expect("mkdir");
        for (name, text) in policies {
            std::fs::write(claude.join(name), text).expect("write policy");
        }
        std::fs::write(project.cupcake().join("rulebook.yml"), rulebook).expect("rulebook");
        std::fs::create_dir_all(project.path("global")).expect("mkdir");
        project
    }

    fn path(&self, rest: &str) -> PathBuf {
        self.dir.path().join(rest)
    }

    fn cupcake(&self) -> PathBuf {
        self.path(".cupcake")
    }

    /// `cupcake <subcommand>` with this project's cache and global directory.
    fn command(&self, subcommand: &str) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_cupcake"));
        command
            .arg(subcommand)
            .arg("--cache-dir")
            .arg(self.path("cache"))
            .arg("--global-dir")
            .arg(self.path("global"));
        command
    }

    /// `cupcake eval --policy-dir <project>/.cupcake --opa-path <real opa>` plus `extra`.
    fn eval(&self, extra: &[&str], event: &Value) -> Answer {
        let mut command = self.command("eval");
        command
            .arg("--policy-dir")
            .arg(self.cupcake())
            .arg("--opa-path")
            .arg(real_opa())
            .args(extra);
        run(command, event)
    }
}

/// Runs a hook call, failing the test (not hanging it) if no answer comes within [`HANG`].
fn run(mut command: Command, event: &Value) -> Answer {
    let started = Instant::now();
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("cupcake starts");
    let mut stdin = child.stdin.take().expect("stdin");
    stdin
        .write_all(event.to_string().as_bytes())
        .expect("write event");
    drop(stdin);
    loop {
        if child.try_wait().expect("wait").is_some() {
            break;
        }
        if started.elapsed() > HANG {
            let _ = child.kill();
            panic!("cupcake eval hung for {HANG:?}");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let took = started.elapsed();
    let output = child.wait_with_output().expect("output");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    let response = serde_json::from_str(stdout.trim()).unwrap_or_else(|err| {
        panic!("stdout is not one JSON answer ({err}): {stdout:?}; stderr: {stderr}")
    });
    Answer {
        response,
        stderr,
        took,
    }
}

#[test]
fn issue_10_policy_files_that_are_fifos_or_devices_block_at_once() {
    let project = Project::new(&[("rm.rego", DENY_RM)], "");
    let evil = project.cupcake().join("policies/claude/evil.rego");
    mkfifo(&evil);
    let answer = project.eval(&[], &bash("ls"));
    let reason = answer.denial().expect("a FIFO policy blocks");
    assert!(
        reason.contains("FIFO") && reason.contains("evil.rego"),
        "{reason}"
    );

    std::fs::remove_file(&evil).expect("rm");
    std::os::unix::fs::symlink("/dev/zero", &evil).expect("symlink");
    let answer = project.eval(&[], &bash("ls"));
    let reason = answer.denial().expect("a policy reading /dev/zero blocks");
    assert!(reason.contains("character device"), "{reason}");

    // The entrypoint and the rulebook too.
    std::fs::remove_file(&evil).expect("rm");
    std::fs::create_dir_all(project.cupcake().join("system")).expect("mkdir");
    mkfifo(&project.cupcake().join("system/evaluate.rego"));
    let reason = project.eval(&[], &bash("ls")).denial().map(str::to_string);
    assert!(
        reason.is_some_and(|r| r.contains("FIFO")),
        "entrypoint FIFO"
    );
    std::fs::remove_file(project.cupcake().join("system/evaluate.rego")).expect("rm");
    mkfifo(&project.cupcake().join("rulebook.yml"));
    let reason = project.eval(&[], &bash("ls")).denial().map(str::to_string);
    assert!(
        reason.is_some_and(|r| r.contains("FIFO") && r.contains("rulebook.yml")),
        "rulebook FIFO"
    );
}

#[test]
fn issue_10_cache_entries_and_bundles_that_are_fifos_do_not_hang() {
    let project = Project::new(&[("rm.rego", DENY_RM)], "");
    assert_eq!(
        project.eval(&[], &bash("rm -rf build")).denial(),
        Some("no rm -rf")
    );
    let compiled = project.path("cache/compiled");
    for file in ["module.cwasm", "meta.json"] {
        let entries: Vec<PathBuf> = std::fs::read_dir(&compiled)
            .expect("cache entries")
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.is_dir())
            .collect();
        assert!(!entries.is_empty(), "the first call filled the cache");
        for entry in entries {
            mkfifo(&entry.join(file));
        }
        // The damaged entry is discarded and the policies compile again.
        let answer = project.eval(&[], &bash("rm -rf build"));
        assert_eq!(
            answer.denial(),
            Some("no rm -rf"),
            "with {file} as a FIFO: {}",
            answer.stderr
        );
    }
    let bundle = project.path("bundle.tar");
    mkfifo(&bundle);
    let mut command = project.command("eval");
    command.arg("--bundle").arg(&bundle);
    let answer = run(command, &bash("ls"));
    let reason = answer.denial().expect("a FIFO bundle blocks");
    assert!(reason.contains("FIFO"), "{reason}");
}

#[test]
fn issue_10_a_hanging_signal_meets_the_hook_deadline_and_is_killed() {
    let project = Project::new(&[("gate.rego", GATED)], "");
    let marker = project.path("survivor");
    let rulebook = format!(
        "signals:\n  gate:\n    command: 'sleep 3; touch {}; echo ok'\n    timeout_seconds: 60\n",
        marker.display()
    );
    std::fs::write(project.cupcake().join("rulebook.yml"), rulebook).expect("rulebook");
    let answer = project.eval(&["--deadline", "1"], &bash("ls"));
    let reason = answer.denial().expect("the deadline blocks");
    assert!(reason.contains("deadline"), "{reason}");
    assert!(
        answer.took < Duration::from_secs(10),
        "answered after {:?}",
        answer.took
    );
    std::thread::sleep(Duration::from_secs(4));
    assert!(!marker.exists(), "the signal outlived the hook");
}

#[test]
fn issue_10_a_signal_whose_child_escapes_its_group_ends_at_its_timeout() {
    let project = Project::new(&[("gate.rego", GATED)], "");
    // The escaped `sleep` keeps the signal's stdout open long after the signal exits, as git's
    // fsmonitor daemon did for a `git status` signal.
    let rulebook =
        "signals:\n  gate:\n    command: 'setsid sleep 20 & sleep 0.3; echo ok'\n    timeout_seconds: 1\n";
    std::fs::write(project.cupcake().join("rulebook.yml"), rulebook).expect("rulebook");
    let answer = project.eval(&["--deadline", "15"], &bash("ls"));
    let reason = answer.denial().expect("a signal that cannot finish fails");
    assert!(
        reason.starts_with("gate said") && reason.contains("kept its output open"),
        "the signal itself failed, before any deadline: {reason}"
    );
}

#[test]
fn issue_10_a_relative_policy_dir_runs_signals() {
    let project = Project::new(&[("gate.rego", GATED)], "");
    let signals = project.cupcake().join("signals");
    std::fs::create_dir_all(&signals).expect("mkdir");
    script(&signals.join("gate.sh"), "echo closed\n");
    for policy_dir in [".cupcake", "./.cupcake", "."] {
        let mut command = project.command("eval");
        command
            .current_dir(project.dir.path())
            .arg("--policy-dir")
            .arg(policy_dir)
            .arg("--opa-path")
            .arg(real_opa());
        let answer = run(command, &bash("ls"));
        assert_eq!(
            answer.denial(),
            Some("gate said closed"),
            "--policy-dir {policy_dir}"
        );
    }
}

#[test]
fn issue_10_only_the_pinned_opa_compiles() {
    let opa = real_opa();
    let hash = cupcake::opa_sha256(&opa).expect("hash opa");
    let project = Project::new(&[("rm.rego", DENY_RM)], "");
    let marker = project.path("planted-ran");
    let planted_dir = project.path("bin");
    std::fs::create_dir_all(&planted_dir).expect("mkdir");
    let planted = planted_dir.join("opa");
    script(&planted, &format!("touch {}\nexit 1\n", marker.display()));
    let real_dir = opa.parent().expect("opa has a directory");
    let path = std::env::join_paths([planted_dir.as_path(), real_dir]).expect("PATH");

    // Pinned by hash only: the planted `opa` comes first on PATH and is refused unrun.
    std::fs::write(
        project.cupcake().join("rulebook.yml"),
        format!("opa:\n  sha256: {hash}\n"),
    )
    .expect("rulebook");
    let mut command = project.command("eval");
    command
        .env("PATH", &path)
        .arg("--policy-dir")
        .arg(project.cupcake());
    let answer = run(command, &bash("rm -rf build"));
    assert_eq!(answer.denial(), Some("no rm -rf"), "{}", answer.stderr);
    assert!(!marker.exists(), "the planted opa ran");

    // Pinned path overwritten by another binary: nothing compiles, the hook blocks.
    std::fs::remove_dir_all(project.path("cache")).expect("clear cache");
    std::fs::write(
        project.cupcake().join("rulebook.yml"),
        format!("opa:\n  path: {}\n  sha256: {hash}\n", planted.display()),
    )
    .expect("rulebook");
    let mut command = project.command("eval");
    command.arg("--policy-dir").arg(project.cupcake());
    let answer = run(command, &bash("ls"));
    let reason = answer.denial().expect("a mismatched OPA blocks");
    assert!(
        reason.contains("SHA-256") && reason.contains("rulebook.yml"),
        "{reason}"
    );
    assert!(!marker.exists(), "the planted opa ran");
}

#[test]
fn issue_10_init_pins_absolute_binaries() {
    let dir = tempfile::tempdir().expect("temp dir");
    let opa = real_opa();
    let status = Command::new(env!("CARGO_BIN_EXE_cupcake"))
        .args(["init", "--harness", "claude", "--dir"])
        .arg(dir.path())
        .arg("--opa-path")
        .arg(&opa)
        .status()
        .expect("init runs");
    assert!(status.success());
    let rulebook =
        std::fs::read_to_string(dir.path().join(".cupcake/rulebook.yml")).expect("rulebook");
    let hash = cupcake::opa_sha256(&opa).expect("hash");
    assert!(rulebook.contains(&format!("sha256: {hash}")), "{rulebook}");
    let canonical = std::fs::canonicalize(&opa).expect("canonical");
    assert!(
        rulebook.contains(&canonical.display().to_string()),
        "{rulebook}"
    );
    let settings: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join(".claude/settings.json")).expect("settings"),
    )
    .expect("json");
    let command = settings["hooks"]["PreToolUse"][0]["hooks"][0]["command"]
        .as_str()
        .expect("a command");
    let binary = std::fs::canonicalize(env!("CARGO_BIN_EXE_cupcake")).expect("canonical");
    assert!(
        command.starts_with(&binary.display().to_string()),
        "{command}"
    );
    // Running init again changes nothing.
    let again = Command::new(env!("CARGO_BIN_EXE_cupcake"))
        .args(["init", "--harness", "claude", "--dir"])
        .arg(dir.path())
        .status()
        .expect("init runs");
    assert!(again.success());
    let after: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join(".claude/settings.json")).expect("settings"),
    )
    .expect("json");
    assert_eq!(settings, after);
    assert_eq!(
        std::fs::read_to_string(dir.path().join(".cupcake/rulebook.yml")).expect("rulebook"),
        rulebook
    );
}

#[test]
fn issue_10_cupcake_protects_itself_unless_told_not_to() {
    let project = Project::new(&[("rm.rego", DENY_RM)], "");
    let root = project.dir.path().display().to_string();
    let write = |path: &str| {
        json!({"hook_event_name": "PreToolUse", "tool_name": "Write", "cwd": root,
               "tool_input": {"file_path": path, "content": "package cupcake.system"}})
    };
    for (event, what) in [
        (write(".cupcake/system/evaluate.rego"), "write to .cupcake"),
        (
            write(".claude/settings.json"),
            "write to the hook configuration",
        ),
        (
            json!({"hook_event_name": "PreToolUse", "tool_name": "Bash", "cwd": root,
                   "tool_input": {"command": "echo '{}' > .cursor/hooks.json"}}),
            "shell redirection into the hook configuration",
        ),
        (
            json!({"hook_event_name": "PreToolUse", "tool_name": "Bash", "cwd": root,
                   "tool_input": {"command": format!("rm -rf {}", project.path("cache").display())}}),
            "deleting the cache",
        ),
    ] {
        let answer = project.eval(&[], &event);
        let reason = answer
            .denial()
            .unwrap_or_else(|| panic!("{what} was allowed"));
        assert!(
            reason.contains("cupcake protects its own configuration"),
            "{what}: {reason}"
        );
    }
    let inspect = |project: &Project| {
        let output = project
            .command("inspect")
            .arg("--policy-dir")
            .arg(project.cupcake())
            .arg("--opa-path")
            .arg(real_opa())
            .output()
            .expect("inspect runs");
        String::from_utf8_lossy(&output.stdout).into_owned()
    };
    assert!(inspect(&project).contains("self-protection: on"));

    std::fs::write(
        project.cupcake().join("rulebook.yml"),
        "self_protection:\n  enabled: false\n",
    )
    .expect("rulebook");
    let answer = project.eval(&[], &write(".cupcake/system/evaluate.rego"));
    assert_eq!(answer.response, json!({}), "switched off explicitly");
    assert!(inspect(&project).contains("self-protection: OFF"));
    let validate = project
        .command("validate")
        .arg("--policy-dir")
        .arg(project.cupcake())
        .arg("--opa-path")
        .arg(real_opa())
        .output()
        .expect("validate runs");
    assert!(String::from_utf8_lossy(&validate.stderr).contains("self-protection is off"));
}

#[test]
fn issue_10_a_failing_stop_cannot_trap_the_agent() {
    let broken = "package cupcake.policies.broken\n\nthis is not rego\n";
    let project = Project::new(&[("broken.rego", broken)], "");
    let first = project.eval(
        &[],
        &json!({"hook_event_name": "Stop", "stop_hook_active": false}),
    );
    assert_eq!(
        first.response["decision"], "block",
        "a first stop blocks on failure"
    );
    for event in ["Stop", "SubagentStop"] {
        let again = project.eval(
            &[],
            &json!({"hook_event_name": event, "stop_hook_active": true}),
        );
        assert!(
            again.response.get("decision").is_none(),
            "{}",
            again.response
        );
        assert!(
            again.response.get("continue").is_none(),
            "{}",
            again.response
        );
        let message = again.response["systemMessage"]
            .as_str()
            .expect("the failure is reported");
        assert!(message.contains("Blocked by cupcake"), "{message}");
        assert!(!again.stderr.is_empty(), "and logged");
    }
    let mut command = project.command("eval");
    command
        .args(["--harness", "cursor", "--policy-dir"])
        .arg(project.cupcake());
    let cursor = run(
        command,
        &json!({"hook_event_name": "stop", "status": "completed", "loop_count": 1}),
    );
    assert_eq!(cursor.response, json!({}));
}

#[test]
fn issue_10_broken_layouts_are_errors() {
    let project = Project::new(&[], "");
    let claude = project.cupcake().join("policies/claude");
    std::fs::remove_dir_all(&claude).expect("rm");
    std::fs::write(&claude, "not a directory").expect("write");
    let reason = project.eval(&[], &bash("ls")).denial().map(str::to_string);
    assert!(
        reason.is_some_and(|r| r.contains("not a directory")),
        "a file for policies/claude"
    );
    std::fs::remove_file(&claude).expect("rm");
    std::os::unix::fs::symlink(project.path("nowhere"), &claude).expect("symlink");
    let reason = project.eval(&[], &bash("ls")).denial().map(str::to_string);
    assert!(
        reason.is_some_and(|r| r.contains("symlink to nothing")),
        "dangling policies/claude"
    );
    std::fs::remove_file(&claude).expect("rm");
    let mut command = Command::new(env!("CARGO_BIN_EXE_cupcake"));
    command
        .arg("eval")
        .arg("--policy-dir")
        .arg(project.cupcake())
        .arg("--cache-dir")
        .arg(project.path("cache"))
        .arg("--global-dir")
        .arg(project.path("no-such-global"));
    let reason = run(command, &bash("ls")).denial().map(str::to_string);
    assert!(
        reason.is_some_and(|r| r.contains("no-such-global")),
        "a missing global dir"
    );
}

/// Whether this process can run a child as another user (root, with `setpriv`).
fn can_switch_user() -> bool {
    nix::unistd::geteuid().is_root()
        && Command::new("setpriv")
            .args(["--reuid=54321", "--regid=54321", "--clear-groups", "true"])
            .status()
            .is_ok_and(|s| s.success())
}

#[test]
#[expect(clippy::print_stderr, reason = "says why the test did not run")]
fn issue_10_a_user_without_a_password_entry_must_name_its_directories() {
    if !can_switch_user() {
        eprintln!("skipped: needs root and setpriv to run as a user with no password entry");
        return;
    }
    assert!(
        nix::unistd::User::from_uid(nix::unistd::Uid::from_raw(54321))
            .is_ok_and(|user| user.is_none()),
        "uid 54321 must have no password entry"
    );
    let project = Project::new(&[("rm.rego", DENY_RM)], "");
    // The other user needs its own copy of OPA (the real one may sit in root's home).
    let opa = project.path("opa");
    std::fs::copy(real_opa(), &opa).expect("copy opa");
    for path in [project.dir.path().to_path_buf(), project.cupcake()] {
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o777)).expect("chmod");
    }
    let as_other = |extra: &[&str]| {
        let mut command = Command::new("setpriv");
        command
            .args(["--reuid=54321", "--regid=54321", "--clear-groups"])
            .arg(env!("CARGO_BIN_EXE_cupcake"))
            .arg("eval")
            .arg("--policy-dir")
            .arg(project.cupcake())
            .arg("--opa-path")
            .arg(&opa)
            .env("HOME", project.dir.path())
            .args(extra);
        run(command, &bash("rm -rf build"))
    };
    let answer = as_other(&[]);
    let reason = answer
        .denial()
        .expect("no default directories: the hook blocks");
    assert!(
        reason.contains("password database") && reason.contains("--global-dir"),
        "{reason}"
    );
    let global = project.path("global").display().to_string();
    let cache = project.path("other-cache").display().to_string();
    let answer = as_other(&["--global-dir", &global, "--cache-dir", &cache]);
    assert_eq!(answer.denial(), Some("no rm -rf"), "{}", answer.stderr);
}

#[test]
fn issue_10_an_opa_that_hangs_meets_the_hook_deadline() {
    let project = Project::new(&[("rm.rego", DENY_RM)], "");
    let hanging = project.path("opa");
    script(&hanging, "sleep 60\n");
    let mut command = project.command("eval");
    command
        .args(["--deadline", "1", "--policy-dir"])
        .arg(project.cupcake())
        .arg("--opa-path")
        .arg(&hanging);
    let answer = run(command, &bash("ls"));
    let reason = answer.denial().expect("the deadline blocks");
    assert!(reason.contains("deadline"), "{reason}");
}
