//! The decision log through the real binary: hook mode and the server each append one JSON
//! line per decision (and per failed evaluation) with redaction, and a log that cannot be
//! written — a directory, a symlink an agent planted — blocks the hook instead of letting an
//! unrecorded action through.
#![cfg(unix)]
#![expect(clippy::panic, reason = "a test fails by panicking")]

mod support;

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::{json, Value};

const LOGGING: &str = "decision_log:\n  path: logs/decisions.jsonl\n  event: true\n  redact: [tool_input.command, transcript_path]\n";

fn bash(command: &str) -> Value {
    json!({"hook_event_name": "PreToolUse", "tool_name": "Bash", "tool_input": {"command": command}, "session_id": "abc", "transcript_path": "/home/me/t.jsonl", "cwd": "/tmp"})
}

struct Project {
    dir: tempfile::TempDir,
}

impl Project {
    fn new(rulebook: &str) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let claude = dir.path().join(".cupcake/policies/claude");
        std::fs::create_dir_all(&claude).expect("mkdir");
        std::fs::write(
            claude.join("shell.rego"),
            support::deny_bash_policy("RM", "rm -rf", "no rm -rf"),
        )
        .expect("policy");
        std::fs::write(dir.path().join(".cupcake/rulebook.yml"), rulebook).expect("rulebook");
        std::fs::create_dir_all(dir.path().join("global")).expect("mkdir");
        Self { dir }
    }

    fn path(&self, rest: &str) -> PathBuf {
        self.dir.path().join(rest)
    }

    fn log(&self) -> PathBuf {
        self.path(".cupcake/logs/decisions.jsonl")
    }

    /// `cupcake <subcommand>` loading this project.
    fn command(&self, subcommand: &str) -> Command {
        support::cupcake_in(self.dir.path(), subcommand)
    }

    /// One hook call with raw stdin; the response it printed.
    fn hook(&self, stdin: &str) -> Value {
        let mut child = self
            .command("eval")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("cupcake eval starts");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(stdin.as_bytes())
            .expect("event");
        let output = child.wait_with_output().expect("output");
        let stdout = String::from_utf8_lossy(&output.stdout);
        serde_json::from_str(stdout.trim()).unwrap_or_else(|err| {
            panic!(
                "not one JSON answer ({err}): {stdout:?} {}",
                String::from_utf8_lossy(&output.stderr)
            )
        })
    }
}

fn lines(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|_| panic!("not JSON: {line}")))
        .collect()
}

fn denial(response: &Value) -> Option<&str> {
    let output = &response["hookSpecificOutput"];
    (output["permissionDecision"] == "deny").then(|| {
        output["permissionDecisionReason"]
            .as_str()
            .unwrap_or_default()
    })
}

#[test]
fn hook_mode_logs_each_decision_with_redaction() {
    let project = Project::new(LOGGING);
    assert_eq!(
        denial(&project.hook(&bash("rm -rf build-7f3a").to_string())),
        Some("no rm -rf")
    );
    assert_eq!(denial(&project.hook(&bash("ls").to_string())), None);
    let answer = project.hook("{\"hook_event_name\": ");
    assert_eq!(answer["continue"], false, "{answer}");

    let logged = lines(&project.log());
    assert_eq!(logged.len(), 3, "{logged:?}");
    let denied = &logged[0];
    assert_eq!(denied["harness"], "claude");
    assert_eq!(denied["event_name"], "PreToolUse");
    assert_eq!(denied["tool"], "Bash");
    assert_eq!(denied["session_id"], "abc");
    assert_eq!(denied["decision"], "Deny");
    assert_eq!(denied["rule_ids"], json!(["RM"]));
    assert_eq!(denied["reason"], "no rm -rf");
    assert_eq!(denied["policy_set"].as_str().map(str::len), Some(64));
    assert!(denied["duration_us"].is_u64());
    assert!(
        denied["time"].as_str().is_some_and(|t| t.ends_with('Z')),
        "{denied}"
    );
    // The event is there, minus the redacted fields.
    assert_eq!(denied["event"]["tool_input"]["command"], "[redacted]");
    assert_eq!(denied["event"]["transcript_path"], "[redacted]");
    assert_eq!(denied["event"]["cwd"], "/tmp");
    assert!(!std::fs::read_to_string(project.log())
        .expect("log")
        .contains("build-7f3a"));

    assert_eq!(logged[1]["decision"], "Allow");
    assert_eq!(logged[1]["policy_set"], denied["policy_set"]);
    assert_eq!(logged[2]["decision"], "Error");
    assert!(logged[2]["event_name"].is_null());
    assert!(
        logged[2]["reason"]
            .as_str()
            .is_some_and(|r| r.contains("invalid event")),
        "{}",
        logged[2]
    );
}

#[test]
fn a_log_that_cannot_be_written_blocks_the_hook() {
    // A directory where the file should be.
    let project = Project::new(LOGGING);
    std::fs::create_dir_all(project.log()).expect("mkdir");
    let answer = project.hook(&bash("ls").to_string());
    let reason = denial(&answer).expect("blocks");
    assert!(reason.contains("decision log"), "{reason}");

    // A symlink an agent planted, pointing at a file it wants cupcake to write into.
    let project = Project::new(LOGGING);
    let target = project.path("bashrc");
    std::fs::write(&target, "alias ls=ls\n").expect("write");
    std::fs::create_dir_all(project.path(".cupcake/logs")).expect("mkdir");
    std::os::unix::fs::symlink(&target, project.log()).expect("symlink");
    let answer = project.hook(&bash("ls").to_string());
    let reason = denial(&answer).expect("blocks");
    assert!(reason.contains("symlink"), "{reason}");
    assert_eq!(
        std::fs::read_to_string(&target).expect("read"),
        "alias ls=ls\n"
    );
}

#[test]
fn the_server_logs_each_decision_and_its_log_does_not_trigger_reloads() {
    let project = Project::new(LOGGING);
    let mut command = project.command("serve");
    command.args(["--listen", "127.0.0.1:0", "--reload-interval-ms", "50"]);
    let server = support::serve(command);
    let base = server.base.clone();
    let agent = support::http();
    let mut answers = Vec::new();
    for command in ["rm -rf build", "ls", "rm -rf dist"] {
        let body = json!({"harness": "claude", "event": bash(command)}).to_string();
        let mut answer = agent
            .post(&format!("{base}/v1/evaluate"))
            .send(&body)
            .expect("answer");
        let text = answer.body_mut().read_to_string().expect("body");
        answers.push(serde_json::from_str::<Value>(&text).expect("JSON"));
        std::thread::sleep(std::time::Duration::from_millis(120));
    }
    let mut health = agent
        .get(&format!("{base}/metrics"))
        .call()
        .expect("metrics");
    let metrics = health.body_mut().read_to_string().expect("body");
    drop(server);

    let logged = lines(&project.log());
    let kinds: Vec<_> = logged.iter().map(|l| l["decision"].clone()).collect();
    assert_eq!(kinds, [json!("Deny"), json!("Allow"), json!("Deny")]);
    for (line, answer) in logged.iter().zip(&answers) {
        assert_eq!(line["policy_set"], answer["policy_set"]);
    }
    // Only the start counts as a load: the log growing under .cupcake is not a policy change.
    assert!(
        metrics.contains("cupcake_policy_reloads_total{result=\"ok\"} 1\n"),
        "{metrics}"
    );
}

#[test]
fn agents_cannot_edit_a_log_kept_outside_the_policy_directory() {
    let project = Project::new("decision_log:\n  path: ../audit/decisions.jsonl\n");
    let log = project.path("audit/decisions.jsonl");
    for target in [log.clone(), project.path("audit/decisions.jsonl.1")] {
        let write = json!({"hook_event_name": "PreToolUse", "tool_name": "Write", "session_id": "abc", "cwd": project.path("").display().to_string(), "tool_input": {"file_path": target.display().to_string(), "content": "{}"}});
        let answer = project.hook(&write.to_string());
        let reason = denial(&answer).unwrap_or_else(|| panic!("allowed: {answer}"));
        assert!(reason.contains("decision log"), "{reason}");
    }
    // The refused attempts are themselves on record.
    let logged = lines(&log);
    assert_eq!(logged.len(), 2);
    assert!(logged
        .iter()
        .all(|line| line["decision"] == "Deny" && line["tool"] == "Write"));
}

#[test]
fn the_decision_log_flag_logs_bundles_and_overrides_the_rulebook() {
    let project = Project::new(LOGGING);
    let bundle = project.path("claude.bundle");
    let compiled = project
        .command("compile")
        .arg("--output")
        .arg(&bundle)
        .output()
        .expect("compile runs");
    assert!(
        compiled.status.success(),
        "{}",
        String::from_utf8_lossy(&compiled.stderr)
    );
    let flagged = project.path("operator/decisions.jsonl");
    let mut child = Command::new(env!("CARGO_BIN_EXE_cupcake"))
        .arg("eval")
        .arg("--bundle")
        .arg(&bundle)
        .arg("--global-dir")
        .arg(project.path("global"))
        .arg("--decision-log")
        .arg(&flagged)
        .args([
            "--decision-log-events",
            "--decision-log-redact",
            "tool_input.command",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("eval starts");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(bash("rm -rf build").to_string().as_bytes())
        .expect("event");
    let output = child.wait_with_output().expect("output");
    let answer: Value = serde_json::from_slice(&output.stdout).expect("JSON answer");
    assert_eq!(denial(&answer), Some("no rm -rf"));
    let logged = lines(&flagged);
    assert_eq!(logged.len(), 1, "{logged:?}");
    assert_eq!(logged[0]["decision"], "Deny");
    assert_eq!(logged[0]["event"]["tool_input"]["command"], "[redacted]");
    // The flag replaced the rulebook's log.
    assert!(!project.log().exists());
}
