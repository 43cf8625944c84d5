//! The real Claude Code CLI (from `@anthropic-ai/claude-agent-sdk`, installed by `ci/tools.sh`)
//! with cupcake wired as its hook by `cupcake init`, against a fake Messages API on loopback
//! (`live/fake-anthropic.mjs`): no network, no key. The scripted model asks Bash to run
//! `touch ran.txt`; each case writes one policy and checks what the client did with cupcake's
//! answer — whether the tool ran, whether text reached the model, whether the turn ended.
#![cfg(unix)]

use std::io::{BufRead as _, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

/// The CLI binary inside the SDK's platform package.
#[expect(
    clippy::disallowed_methods,
    reason = "the test tools' location comes from ci/env.sh"
)]
fn claude_cli() -> PathBuf {
    let dir = std::env::var_os("CUPCAKE_CLAUDE_CODE_DIR")
        .expect("CUPCAKE_CLAUDE_CODE_DIR is set (source ci/env.sh; ci/tools.sh installs the CLI)");
    let cli = Path::new(&dir).join("node_modules/@anthropic-ai/claude-agent-sdk-linux-x64/claude");
    assert!(
        cli.is_file(),
        "{} is missing: run ci/tools.sh",
        cli.display()
    );
    cli
}

/// The fake API, killed when dropped.
struct FakeApi {
    child: Child,
    port: u16,
    log: PathBuf,
}

impl FakeApi {
    fn start(dir: &Path, bash_command: &str) -> Self {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/live/fake-anthropic.mjs");
        let mut child = Command::new("node")
            .arg(script)
            .arg(dir)
            .env("FAKE_BASH_COMMAND", bash_command)
            .stdout(Stdio::piped())
            .spawn()
            .expect("node runs the fake API");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("fake API prints its port");
        let port = line
            .trim()
            .strip_prefix("PORT=")
            .and_then(|p| p.parse().ok())
            .expect("PORT=<n>");
        Self {
            child,
            port,
            log: dir.join("requests.jsonl"),
        }
    }

    /// Bodies of the requests that offered the Bash tool: the agent's own turns.
    fn turns(&self) -> Vec<Value> {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        text.lines()
            .filter_map(|line| serde_json::from_str::<Value>(line).ok())
            .map(|entry| entry["body"].clone())
            .filter(|body| {
                body["tools"]
                    .as_array()
                    .is_some_and(|tools| tools.iter().any(|t| t["name"] == "Bash"))
            })
            .collect()
    }
}

impl Drop for FakeApi {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One project with cupcake wired by `cupcake init` and one policy.
struct Project {
    _dir: tempfile::TempDir,
    root: PathBuf,
    home: PathBuf,
    api_dir: PathBuf,
}

impl Project {
    fn new(policy: &str) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let root = dir.path().join("proj");
        let home = dir.path().join("home");
        let api_dir = dir.path().join("api");
        for path in [&root, &home, &api_dir] {
            std::fs::create_dir_all(path).expect("mkdir");
        }
        let init = Command::new(env!("CARGO_BIN_EXE_cupcake"))
            .args(["init", "--harness", "claude", "--dir"])
            .arg(&root)
            .output()
            .expect("cupcake init runs");
        assert!(
            init.status.success(),
            "{}",
            String::from_utf8_lossy(&init.stderr)
        );
        let policies = root.join(".cupcake/policies/claude");
        let _ = std::fs::remove_file(root.join(".cupcake/policies/shared/example.rego"));
        std::fs::create_dir_all(&policies).expect("mkdir policies");
        std::fs::write(policies.join("case.rego"), policy).expect("write policy");
        // Compile once before the agent runs, so no hook call spends its deadline compiling
        // while the other cases compete for the cores.
        let warm = Command::new(env!("CARGO_BIN_EXE_cupcake"))
            .args(["eval", "--harness", "claude", "--policy-dir"])
            .arg(root.join(".cupcake"))
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .and_then(|mut child| {
                use std::io::Write as _;
                child
                    .stdin
                    .take()
                    .expect("stdin")
                    .write_all(br#"{"hook_event_name": "SessionEnd", "session_id": "warm", "reason": "other"}"#)?;
                child.wait()
            })
            .expect("cupcake eval runs");
        assert!(warm.success(), "the case's policy compiles");
        Self {
            _dir: dir,
            root,
            home,
            api_dir,
        }
    }

    fn settings_path(&self) -> PathBuf {
        self.root.join(".claude/settings.json")
    }

    /// Runs one `-p` turn and returns the fake API that served it.
    fn run(&self, permission_mode: &str) -> FakeApi {
        let api = FakeApi::start(&self.api_dir, "touch ran.txt");
        let mut child = Command::new(claude_cli())
            .args([
                "-p",
                "run it",
                "--output-format",
                "json",
                "--max-turns",
                "4",
            ])
            .args(["--permission-mode", permission_mode])
            .current_dir(&self.root)
            .env_clear()
            .env("PATH", "/usr/local/bin:/usr/bin:/bin")
            .env("HOME", &self.home)
            .env("TERM", "dumb")
            .env(
                "ANTHROPIC_BASE_URL",
                format!("http://127.0.0.1:{}", api.port),
            )
            .env("ANTHROPIC_API_KEY", "test-key")
            .env("CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC", "1")
            .env("DISABLE_AUTOUPDATER", "1")
            .env("DISABLE_TELEMETRY", "1")
            // bypassPermissions refuses to run as root outside a sandbox; tests may run as root.
            .env("IS_SANDBOX", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("the Claude Code CLI starts");
        let deadline = Instant::now() + Duration::from_secs(90);
        while child.try_wait().expect("wait").is_none() {
            let timed_out = Instant::now() > deadline;
            if timed_out {
                let _ = child.kill();
                let _ = child.wait();
            }
            assert!(!timed_out, "the Claude Code CLI ran longer than 90 s");
            std::thread::sleep(Duration::from_millis(50));
        }
        api
    }

    fn ran(&self, file: &str) -> bool {
        self.root.join(file).exists()
    }
}

/// Whether `needle` appears anywhere in the requests' message lists.
fn model_saw(turns: &[Value], needle: &str) -> bool {
    turns
        .iter()
        .any(|body| body["messages"].to_string().contains(needle))
}

fn bash_policy(body: &str) -> String {
    format!(
        "# METADATA\n# scope: package\n# title: live case\n# custom:\n#   routing:\n\
         #     required_events: [\"PreToolUse\"]\n#     required_tools: [\"Bash\"]\n\
         package cupcake.policies.live_case\n\nimport rego.v1\n\n{body}\n"
    )
}

fn event_policy(event: &str, body: &str) -> String {
    format!(
        "# METADATA\n# scope: package\n# title: live case\n# custom:\n#   routing:\n\
         #     required_events: [\"{event}\"]\npackage cupcake.policies.live_case\n\n\
         import rego.v1\n\n{body}\n"
    )
}

const VERDICT: &str = r#"{"rule_id": "LIVE", "reason": "LIVE-REASON-7", "severity": "HIGH"}"#;

#[test]
fn allow_leaves_claudes_permissions_in_charge() {
    let project = Project::new(&bash_policy(
        "add_context contains \"unused\" if input.tool_name == \"Nothing\"",
    ));
    let api = project.run("bypassPermissions");
    assert!(project.ran("ran.txt"), "an allow lets the tool run");
    assert_eq!(api.turns().len(), 2, "tool use, then the answer");
    let project = Project::new(&bash_policy(
        "add_context contains \"unused\" if input.tool_name == \"Nothing\"",
    ));
    project.run("default");
    assert!(
        !project.ran("ran.txt"),
        "an allow is not an approval: Claude's own permission check still applies"
    );
}

#[test]
fn deny_stops_the_tool_and_tells_the_model() {
    let project = Project::new(&bash_policy(&format!(
        "deny contains {VERDICT} if contains(input.tool_input.command, \"ran.txt\")"
    )));
    let api = project.run("bypassPermissions");
    assert!(!project.ran("ran.txt"));
    assert!(
        model_saw(&api.turns(), "LIVE-REASON-7"),
        "the reason reaches the model"
    );
}

#[test]
fn ask_never_runs_the_tool_unattended() {
    let project = Project::new(&bash_policy(&format!(
        "ask contains {VERDICT} if contains(input.tool_input.command, \"ran.txt\")"
    )));
    let api = project.run("bypassPermissions");
    assert!(!project.ran("ran.txt"));
    assert!(model_saw(&api.turns(), "LIVE-REASON-7"));
}

#[test]
fn modify_rewrites_without_granting_approval() {
    let rewrite = r#"modify contains {"rule_id": "LIVE", "reason": "rewritten", "updated_input": {"command": "touch modified.txt"}} if contains(input.tool_input.command, "ran.txt")"#;
    let project = Project::new(&bash_policy(rewrite));
    project.run("bypassPermissions");
    assert!(project.ran("modified.txt"), "the rewritten command ran");
    assert!(!project.ran("ran.txt"), "the original did not");
    let project = Project::new(&bash_policy(rewrite));
    project.run("default");
    assert!(
        !project.ran("modified.txt") && !project.ran("ran.txt"),
        "a rewrite is not an approval: in default mode nothing runs unasked"
    );
}

#[test]
fn context_on_pre_tool_use_reaches_the_model() {
    let project = Project::new(&bash_policy(
        "add_context contains \"LIVE-CONTEXT-3\" if contains(input.tool_input.command, \"ran.txt\")",
    ));
    let api = project.run("bypassPermissions");
    assert!(project.ran("ran.txt"));
    assert!(model_saw(&api.turns(), "LIVE-CONTEXT-3"));
}

#[test]
fn halt_on_pre_tool_use_ends_the_turn() {
    let project = Project::new(&bash_policy(&format!(
        "halt contains {VERDICT} if contains(input.tool_input.command, \"ran.txt\")"
    )));
    let api = project.run("bypassPermissions");
    assert!(!project.ran("ran.txt"));
    assert_eq!(api.turns().len(), 1, "no model call after the halt");
}

#[test]
fn deny_on_user_prompt_submit_sends_nothing_to_the_model() {
    let project = Project::new(&event_policy(
        "UserPromptSubmit",
        &format!("deny contains {VERDICT} if true"),
    ));
    let api = project.run("bypassPermissions");
    assert!(!project.ran("ran.txt"));
    assert!(api.turns().is_empty(), "the prompt never reached the model");
}

#[test]
fn context_on_user_prompt_submit_reaches_the_model() {
    let project = Project::new(&event_policy(
        "UserPromptSubmit",
        "add_context contains \"LIVE-PROMPT-CONTEXT\" if true",
    ));
    let api = project.run("bypassPermissions");
    assert!(model_saw(&api.turns(), "LIVE-PROMPT-CONTEXT"));
}

#[test]
fn halt_on_stop_lets_the_agent_stop() {
    let project = Project::new(&event_policy(
        "Stop",
        &format!("halt contains {VERDICT} if true"),
    ));
    let api = project.run("bypassPermissions");
    assert!(project.ran("ran.txt"));
    assert_eq!(
        api.turns().len(),
        2,
        "no extra model calls: Halt on Stop must not keep the agent going"
    );
}

#[test]
fn block_on_stop_sends_the_agent_back_once() {
    let project = Project::new(&event_policy(
        "Stop",
        &format!("block contains {VERDICT} if not input.stop_hook_active"),
    ));
    let api = project.run("bypassPermissions");
    let turns = api.turns();
    assert_eq!(turns.len(), 3, "one more turn after the blocked stop");
    assert!(model_saw(&turns[2..], "LIVE-REASON-7"));
}

#[test]
fn a_missing_cupcake_blocks_because_init_sets_on_failure() {
    let project = Project::new(&bash_policy("add_context contains \"unused\" if false"));
    let settings = std::fs::read_to_string(project.settings_path()).expect("settings");
    let mut value: Value = serde_json::from_str(&settings).expect("json");
    let hook = &mut value["hooks"]["PreToolUse"][0]["hooks"][0];
    assert_eq!(
        hook["onFailure"], "block",
        "init writes the failure setting"
    );
    hook["command"] = Value::from("/nonexistent/cupcake eval --harness claude");
    std::fs::write(project.settings_path(), value.to_string()).expect("write settings");
    project.run("bypassPermissions");
    assert!(
        !project.ran("ran.txt"),
        "with onFailure: block a hook that cannot start blocks the tool"
    );
}
