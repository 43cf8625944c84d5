//! The real Claude Code CLI (from `@anthropic-ai/claude-agent-sdk`, installed by `ci/tools.sh`)
//! with cupcake wired as its hook by `cupcake init`, against a fake Messages API on loopback
//! (`live/fake-anthropic.mjs`): no network, no key. The scripted model asks Bash to run
//! `touch ran.txt`; each case writes one policy and checks what the client did with cupcake's
//! answer — whether the tool ran, whether text reached the model, whether the turn ended.
#![cfg(unix)]
#![expect(clippy::panic, reason = "a test fails by panicking")]

#[path = "live/support.rs"]
mod support;

use std::path::PathBuf;

use serde_json::{json, Value};
use support::{event_policy, model_saw, Install, Project, Run, Slot, VERDICT};

/// The CLI binary inside the SDK's platform package.
fn claude_cli() -> PathBuf {
    Install::from_env("CUPCAKE_CLAUDE_CODE_DIR", "ci/tools.sh")
        .file("node_modules/@anthropic-ai/claude-agent-sdk-linux-x64/claude")
}

/// Whether a logged request offered the Bash tool: one of the agent's own turns.
fn offers_bash(request: &Value) -> bool {
    request["body"]["tools"]
        .as_array()
        .is_some_and(|tools| tools.iter().any(|t| t["name"] == "Bash"))
}

/// One project with cupcake wired by `cupcake init` and one policy.
impl Project {
    fn new(policy: &str) -> Self {
        let project = Self::create();
        let warm =
            json!({"hook_event_name": "SessionEnd", "session_id": "warm", "reason": "other"});
        project.init("claude", Some(policy), &[], &warm);
        project
    }

    /// Runs one `-p` turn; the fake API that served it logged the requests.
    fn run(&self, permission_mode: &str) -> Run {
        let api = self.fake_api(
            "fake-anthropic.mjs",
            &[("FAKE_BASH_COMMAND", "touch ran.txt")],
        );
        let mut claude = self.agent(claude_cli());
        claude
            .args([
                "-p",
                "run it",
                "--output-format",
                "json",
                "--max-turns",
                "4",
            ])
            .args(["--permission-mode", permission_mode])
            .env("ANTHROPIC_API_KEY", "test-key")
            .env("CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC", "1")
            .env("DISABLE_AUTOUPDATER", "1")
            .env("DISABLE_TELEMETRY", "1")
            // bypassPermissions refuses to run as root outside a sandbox; tests may run as root.
            .env("IS_SANDBOX", "1")
            .env("ANTHROPIC_BASE_URL", api.url());
        self.run_agent(&Slot::take(), "Claude Code", claude, api, offers_bash)
    }

    fn settings_path(&self) -> PathBuf {
        self.root.join(".claude/settings.json")
    }
}

fn bash_policy(body: &str) -> String {
    support::policy(
        &[
            "required_events: [\"PreToolUse\"]",
            "required_tools: [\"Bash\"]",
        ],
        body,
    )
}

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
