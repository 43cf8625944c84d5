//! The real GitHub Copilot CLI (`@github/copilot`, installed by `ci/tools-copilot.sh`) with
//! cupcake wired as its hook by `cupcake init --harness copilot`, against a fake
//! chat-completions API on loopback (`live/fake-openai.mjs`, which Copilot's bring-your-own-key
//! mode talks to): no network, no login. The scripted model asks the `bash` tool to run one
//! command (`touch ran.txt` unless a case says otherwise); each case writes one policy and
//! checks what the CLI did with cupcake's answer — whether the tool ran, whether text reached
//! the model, whether the turn ended.
//!
//! In prompt mode (`-p`) Copilot loads repository hooks only from a trusted folder, so every run
//! passes `--trust-folder` but the one that shows what happens without it.
#![cfg(unix)]
#![expect(clippy::panic, reason = "a test fails by panicking")]

#[path = "live/support.rs"]
mod support;

use std::path::PathBuf;

use serde_json::Value;
use support::{event_policy, model_saw, Install, Project, Run, Slot, VERDICT};

/// The native CLI inside the npm package's platform package.
fn copilot_cli(install: &Install) -> PathBuf {
    let (os, cpu) = support::npm_platform();
    install.file(&format!("node_modules/@github/copilot-{os}-{cpu}/copilot"))
}

/// One project with cupcake wired by `cupcake init` and one policy.
impl Project {
    /// With `policy` as the only policy, or with the example `cupcake init` ships when `None`.
    fn new(policy: Option<&str>) -> Self {
        let project = Self::create();
        let warm = serde_json::json!({
            "sessionId": "warm",
            "timestamp": 0,
            "cwd": project.root,
            "reason": "complete",
        });
        project.init("copilot", policy, &["--event", "sessionEnd"], &warm);
        project
    }

    fn hooks_path(&self) -> PathBuf {
        self.root.join(".github/hooks/cupcake.json")
    }

    /// One `-p` turn with every tool allowed and the folder trusted.
    fn run(&self, shell_command: &str) -> Run {
        self.run_with(shell_command, &["--allow-all-tools", "--trust-folder"])
    }

    /// One `-p` turn with `flags`; returns what it left behind.
    fn run_with(&self, shell_command: &str, flags: &[&str]) -> Run {
        let install = Install::from_env("CUPCAKE_COPILOT_CLI_DIR", "ci/tools-copilot.sh");
        let api = self.fake_api(
            "fake-openai.mjs",
            &[
                ("FAKE_SHELL_COMMAND", shell_command),
                ("FAKE_TOOL_NAME", "bash"),
            ],
        );
        let mut copilot = self.agent(copilot_cli(&install));
        copilot
            .args(["-p", "run it", "--no-auto-update", "--log-dir"])
            .arg(&self.out)
            .args(flags)
            .env("NO_COLOR", "1")
            // The CLI unpacks its JavaScript into this cache on first use; ci/tools-copilot.sh
            // unpacks it at install time, so the scratch HOME does not get a copy per case.
            .env("COPILOT_PKG_CACHE_HOME", install.dir.join("cache"))
            .env("COPILOT_PROVIDER_API_KEY", "dummy")
            .env("COPILOT_MODEL", "gpt-4.1")
            .env("COPILOT_OFFLINE", "true")
            .env("COPILOT_AUTO_UPDATE", "false")
            .env("COPILOT_PROVIDER_BASE_URL", format!("{}/v1", api.url()));
        self.run_agent(&Slot::take(), "Copilot", copilot, api, is_completion)
    }
}

/// Whether a logged request asked for a chat completion: one of the agent's turns.
fn is_completion(request: &Value) -> bool {
    request["method"] == "POST"
        && request["path"]
            .as_str()
            .is_some_and(|path| path.ends_with("/chat/completions"))
}

impl Run {
    /// Whether `needle` appears anywhere in the messages the model was sent.
    fn model_saw(&self, needle: &str) -> bool {
        model_saw(&self.turns(), needle)
    }

    fn success(&self) -> bool {
        self.status.is_some_and(|status| status.success())
    }
}

/// A policy routed for every event about to run a shell command (preToolUse and
/// permissionRequest).
fn shell_policy(body: &str) -> String {
    support::policy(&["required_actions: [\"shell\"]"], body)
}

const ON_RAN: &str = r#"contains(input.tool_input.command, "ran.txt")"#;

#[test]
fn allow_leaves_copilots_permissions_in_charge() {
    let policy = shell_policy("add_context contains \"unused\" if input.tool_name == \"Nothing\"");
    let project = Project::new(Some(&policy));
    let run = project.run("touch ran.txt");
    assert!(
        project.ran("ran.txt"),
        "an allow lets the tool run\n{}",
        run.report()
    );
    assert_eq!(
        run.turns().len(),
        2,
        "tool call, then the answer\n{}",
        run.report()
    );
    assert!(run.success(), "{}", run.report());

    let project = Project::new(Some(&policy));
    let run = project.run_with("touch ran.txt", &["--trust-folder"]);
    assert!(
        !project.ran("ran.txt"),
        "an allow is not a grant: without --allow-all-tools Copilot's own check refuses\n{}",
        run.report()
    );
    assert!(
        !run.model_saw("Denied by preToolUse hook"),
        "Copilot refused, not cupcake\n{}",
        run.report()
    );
}

#[test]
fn deny_stops_the_tool_and_tells_the_model() {
    let project = Project::new(Some(&shell_policy(&format!(
        "deny contains {VERDICT} if {ON_RAN}"
    ))));
    let run = project.run("touch ran.txt");
    assert!(!project.ran("ran.txt"), "{}", run.report());
    assert!(
        run.model_saw("LIVE-REASON-7"),
        "the reason reaches the model\n{}",
        run.report()
    );
}

#[test]
fn the_shipped_example_policy_refuses_rm_rf() {
    let project = Project::new(None);
    std::fs::create_dir_all(project.root.join("victim")).expect("mkdir victim");
    std::fs::write(project.root.join("victim/keep.txt"), "keep").expect("victim file");
    let run = project.run("rm -rf victim && touch ran.txt");
    assert!(
        project.ran("victim/keep.txt"),
        "the example policy refused the recursive delete\n{}",
        run.report()
    );
    assert!(!project.ran("ran.txt"), "{}", run.report());
    assert!(
        run.model_saw("Recursive force-deletes are blocked"),
        "{}",
        run.report()
    );
}

#[test]
fn ask_never_runs_the_tool_in_prompt_mode() {
    let project = Project::new(Some(&shell_policy(&format!(
        "ask contains {VERDICT} if {ON_RAN}"
    ))));
    let run = project.run("touch ran.txt");
    assert!(
        !project.ran("ran.txt"),
        "-p has nobody to ask, so an ask is a deny\n{}",
        run.report()
    );
    assert!(run.model_saw("LIVE-REASON-7"), "{}", run.report());
}

#[test]
fn modify_rewrites_without_granting_approval() {
    let rewrite = shell_policy(&format!(
        r#"modify contains {{"rule_id": "LIVE", "reason": "rewritten", "updated_input": {{"command": "touch modified.txt", "description": "x"}}}} if {ON_RAN}"#
    ));
    let project = Project::new(Some(&rewrite));
    let run = project.run("touch ran.txt");
    assert!(
        project.ran("modified.txt"),
        "the rewritten command ran\n{}",
        run.report()
    );
    assert!(
        !project.ran("ran.txt"),
        "the original did not\n{}",
        run.report()
    );

    let project = Project::new(Some(&rewrite));
    let run = project.run_with("touch ran.txt", &["--trust-folder"]);
    assert!(
        !project.ran("modified.txt") && !project.ran("ran.txt"),
        "a rewrite is not a grant: without --allow-all-tools nothing runs\n{}",
        run.report()
    );
}

#[test]
fn context_on_pre_tool_use_reaches_the_model() {
    let project = Project::new(Some(&event_policy(
        "preToolUse",
        &format!("add_context contains \"LIVE-CONTEXT-1\" if {ON_RAN}"),
    )));
    let run = project.run("touch ran.txt");
    assert!(project.ran("ran.txt"), "{}", run.report());
    assert!(run.model_saw("LIVE-CONTEXT-1"), "{}", run.report());
}

#[test]
fn context_on_post_tool_use_reaches_the_model() {
    let project = Project::new(Some(&event_policy(
        "postToolUse",
        &format!("add_context contains \"LIVE-CONTEXT-3\" if {ON_RAN}"),
    )));
    let run = project.run("touch ran.txt");
    assert!(project.ran("ran.txt"), "{}", run.report());
    assert!(
        run.model_saw("LIVE-CONTEXT-3"),
        "the context rides on the tool result\n{}",
        run.report()
    );
}

#[test]
fn halt_on_permission_request_ends_the_turn() {
    let project = Project::new(Some(&event_policy(
        "permissionRequest",
        &format!("halt contains {VERDICT} if {ON_RAN}"),
    )));
    let run = project.run("touch ran.txt");
    assert!(!project.ran("ran.txt"), "{}", run.report());
    assert_eq!(
        run.turns().len(),
        1,
        "interrupt: no model call after the halt\n{}",
        run.report()
    );
}

#[test]
fn halt_on_pre_tool_use_is_a_deny() {
    // preToolUse has no halt field: the call is refused and the model is told, and the turn
    // goes on. A shell policy is routed for preToolUse first, so permissionRequest (which can
    // halt) never fires.
    let project = Project::new(Some(&shell_policy(&format!(
        "halt contains {VERDICT} if {ON_RAN}"
    ))));
    let run = project.run("touch ran.txt");
    assert!(!project.ran("ran.txt"), "{}", run.report());
    assert!(run.model_saw("LIVE-REASON-7"), "{}", run.report());
    assert_eq!(
        run.turns().len(),
        2,
        "the model answers the refusal\n{}",
        run.report()
    );
}

#[test]
fn deny_on_user_prompt_submitted_sends_nothing_to_the_model() {
    let project = Project::new(Some(&event_policy(
        "userPromptSubmitted",
        &format!("deny contains {VERDICT} if true"),
    )));
    let run = project.run("touch ran.txt");
    assert!(!project.ran("ran.txt"), "{}", run.report());
    assert!(
        run.turns().is_empty(),
        "the prompt never reached the model\n{}",
        run.report()
    );
    assert!(
        !run.success() && run.stderr.contains("LIVE-REASON-7"),
        "the CLI fails and shows the reason\n{}",
        run.report()
    );
}

#[test]
fn context_on_user_prompt_submitted_reaches_the_model() {
    let project = Project::new(Some(&event_policy(
        "userPromptSubmitted",
        "add_context contains \"LIVE-PROMPT-CONTEXT\" if true",
    )));
    let run = project.run("touch ran.txt");
    assert!(
        model_saw(&run.turns()[..1], "LIVE-PROMPT-CONTEXT"),
        "the first request carries it\n{}",
        run.report()
    );
}

#[test]
fn block_on_agent_stop_sends_the_agent_back_once() {
    let project = Project::new(Some(&event_policy(
        "agentStop",
        &format!("block contains {VERDICT} if not input.stop_hook_active"),
    )));
    let run = project.run("touch ran.txt");
    let turns = run.turns();
    assert_eq!(
        turns.len(),
        3,
        "one more turn after the blocked stop\n{}",
        run.report()
    );
    assert!(model_saw(&turns[2..], "LIVE-REASON-7"), "{}", run.report());
}

#[test]
fn halt_on_agent_stop_lets_the_agent_stop() {
    let project = Project::new(Some(&event_policy(
        "agentStop",
        &format!("halt contains {VERDICT} if true"),
    )));
    let run = project.run("touch ran.txt");
    assert!(project.ran("ran.txt"), "{}", run.report());
    assert_eq!(
        run.turns().len(),
        2,
        "no extra model calls: a halt on agentStop must not keep the agent going\n{}",
        run.report()
    );
}

#[test]
fn a_missing_cupcake_fails_closed_on_pre_tool_use() {
    let project = Project::new(Some(&shell_policy(
        "add_context contains \"unused\" if false",
    )));
    let hooks = std::fs::read_to_string(project.hooks_path()).expect("hooks file");
    let cupcake = env!("CARGO_BIN_EXE_cupcake");
    assert!(hooks.contains(cupcake), "init wrote the binary's path");
    std::fs::write(
        project.hooks_path(),
        hooks.replace(cupcake, "/nonexistent/cupcake"),
    )
    .expect("rewrite hooks");
    let run = project.run("touch ran.txt");
    assert!(
        !project.ran("ran.txt"),
        "a preToolUse hook that cannot start (exit 127) refuses the tool\n{}",
        run.report()
    );
    assert!(
        run.model_saw("Denied by preToolUse hook"),
        "the hook refused it\n{}",
        run.report()
    );
}

#[test]
fn without_trust_prompt_mode_skips_repository_hooks() {
    // Copilot's behaviour, not cupcake's: `-p` silently ignores `.github/hooks/` unless the
    // folder is trusted. If this starts failing, Copilot changed and docs/harnesses.md with it.
    let project = Project::new(Some(&shell_policy(&format!(
        "deny contains {VERDICT} if {ON_RAN}"
    ))));
    let run = project.run_with("touch ran.txt", &["--allow-all-tools"]);
    assert!(
        project.ran("ran.txt"),
        "untrusted, the deny policy never ran\n{}",
        run.report()
    );
    assert!(!run.model_saw("LIVE-REASON-7"), "{}", run.report());
}
