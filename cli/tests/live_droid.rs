//! The real Factory Droid CLI (`@factory/cli-linux-x64`, installed by `ci/tools-droid.sh`) with
//! cupcake wired as its hook by `cupcake init --harness factory`, against a fake
//! chat-completions API on loopback (`live/fake-openai.mjs`, which Droid talks to as a custom
//! "generic-chat-completion-api" model): no network, no Factory account. Airgap Mode
//! (`FACTORY_AIRGAP_ENABLED=1`) lets Droid run without a login and refuses every request to
//! Factory's servers. The scripted model asks the `Execute` tool to run one command
//! (`touch ran.txt` unless a case says otherwise); each case writes one policy and checks what
//! the CLI did with cupcake's answer — whether the tool ran, whether text reached the model,
//! whether the turn ended.
//!
//! Most cases run `droid exec`. Droid runs `UserPromptSubmit` hooks only in its JSON-RPC mode, so
//! the prompt cases drive that mode through `live/droid-rpc.mjs`. Project hooks need no trust
//! step in either mode.
#![cfg(unix)]
#![expect(clippy::panic, reason = "a test fails by panicking")]

#[path = "live/support.rs"]
mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{json, Value};
use support::{event_policy, model_saw, FakeApi, Install, Run, Slot, VERDICT};

/// The model id the custom model gets (`custom:<model>` on the command line).
const MODEL: &str = "cupcake-fake";

/// The native CLI inside the platform package.
fn droid_cli() -> PathBuf {
    let (os, cpu) = support::npm_platform();
    Install::from_env("CUPCAKE_DROID_CLI_DIR", "ci/tools-droid.sh")
        .file(&format!("node_modules/@factory/cli-{os}-{cpu}/bin/droid"))
}

/// How the CLI is started for one turn.
#[derive(Clone, Copy)]
enum Mode {
    /// `droid exec --auto high "run it"`.
    Exec,
    /// `droid exec` without `--auto`: read-only, so Droid itself refuses a risky command.
    ExecReadOnly,
    /// The JSON-RPC mode through `live/droid-rpc.mjs`, which fires `UserPromptSubmit`.
    Rpc,
}

/// One project with cupcake wired by `cupcake init` and the case's policy.
type Project = support::Held;

impl Project {
    /// With `policy` as the only policy, or with the example `cupcake init` ships when `None`.
    fn new(policy: Option<&str>) -> Self {
        let slot = Slot::take();
        let project = support::Project::create();
        let warm = json!({
            "hook_event_name": "SessionStart",
            "session_id": "warm",
            "transcript_path": "",
            "cwd": project.root,
            "permission_mode": "auto-high",
            "source": "startup",
        });
        project.init("factory", policy, &[], &warm);
        Self { slot, project }
    }

    fn hooks_path(&self) -> PathBuf {
        self.root.join(".factory/hooks.json")
    }

    /// Every session transcript Droid wrote (`~/.factory/sessions/<project>/<id>.jsonl`), where
    /// it records each hook's exit code.
    fn transcript(&self) -> String {
        let sessions = self.home.join(".factory/sessions");
        std::fs::read_dir(sessions)
            .into_iter()
            .flatten()
            .flatten()
            .flat_map(|project| std::fs::read_dir(project.path()).into_iter().flatten())
            .flatten()
            .map(|entry| entry.path())
            .filter(|path| path.extension().is_some_and(|ext| ext == "jsonl"))
            .map(|path| std::fs::read_to_string(path).unwrap_or_default())
            .collect()
    }

    /// The user settings: one custom model served by the fake API.
    fn write_settings(&self, api: &FakeApi) {
        let settings = json!({
            "customModels": [{
                "model": MODEL,
                "displayName": "Cupcake fake",
                "baseUrl": format!("{}/v1", api.url()),
                "apiKey": "dummy",
                "provider": "generic-chat-completion-api",
                "maxOutputTokens": 1024,
            }],
        });
        let dir = self.home.join(".factory");
        std::fs::create_dir_all(&dir).expect("mkdir ~/.factory");
        std::fs::write(dir.join("settings.json"), settings.to_string()).expect("write settings");
    }

    /// One `droid exec --auto high` turn whose model runs `shell_command`.
    fn run(&self, shell_command: &str) -> Run {
        self.run_in(Mode::Exec, shell_command)
    }

    /// One turn in `mode`; returns what it left behind.
    fn run_in(&self, mode: Mode, shell_command: &str) -> Run {
        // Execute refuses a call without a risk level; "high" is more than read-only allows.
        let args = json!({
            "command": shell_command,
            "riskLevelReason": "the scripted command",
            "riskLevel": "high",
        })
        .to_string();
        let api = self.fake_api(
            "fake-openai.mjs",
            &[
                ("FAKE_TOOL_NAME", "Execute"),
                ("FAKE_TOOL_ARGS", args.as_str()),
                ("FAKE_MODEL", MODEL),
            ],
        );
        self.write_settings(&api);
        let model = format!("custom:{MODEL}");
        let mut droid = match mode {
            Mode::Exec | Mode::ExecReadOnly => self.agent(droid_cli()),
            Mode::Rpc => {
                let mut node = self.agent("node");
                node.arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/live/droid-rpc.mjs"))
                    .arg(droid_cli())
                    .env("DROID_RPC_MODEL", &model)
                    .env("DROID_RPC_PROMPT", "run it");
                node
            }
        };
        droid.arg("exec").args(["-m", &model]);
        match mode {
            Mode::Exec => droid.args(["--auto", "high", "run it"]),
            Mode::ExecReadOnly => droid.arg("run it"),
            Mode::Rpc => droid.args([
                "--auto",
                "high",
                "--input-format",
                "stream-jsonrpc",
                "--output-format",
                "stream-jsonrpc",
            ]),
        };
        offline(&mut droid, &self.out);
        self.run_agent(&self.slot, "Droid", droid, api, is_turn)
    }
}

/// The environment that keeps Droid off the network and writes its log with the output.
fn offline(droid: &mut Command, out: &Path) {
    droid
        .env("PATH", support::search_path())
        // No login, no Factory server: only the custom model, MCP and marketplaces may be
        // reached, and Factory's telemetry and feature-flag fetches are off.
        .env("FACTORY_AIRGAP_ENABLED", "1")
        .env("FACTORY_DROID_AUTO_UPDATE_ENABLED", "false")
        .env("FACTORY_DISABLE_KEYRING", "true")
        .env("FACTORY_LOG_FILE", out.join("droid.log"))
        .env("NO_COLOR", "1");
}

/// Whether a logged request is one of the agent's turns: a chat completion offering tools
/// (the JSON-RPC mode also asks the model for a session title, with no tools).
fn is_turn(request: &Value) -> bool {
    request["method"] == "POST"
        && request["path"]
            .as_str()
            .is_some_and(|path| path.ends_with("/chat/completions"))
        && request["body"]["tools"]
            .as_array()
            .is_some_and(|tools| !tools.is_empty())
}

impl Run {
    /// Whether `needle` appears anywhere in the messages the model was sent.
    fn model_saw(&self, needle: &str) -> bool {
        model_saw(&self.turns(), needle)
    }

    fn success(&self) -> bool {
        self.status.is_some_and(|status| status.success())
    }

    /// How the JSON-RPC turn ended (`reason` of `agent_turn_completed`).
    fn turn_outcome(&self) -> Option<String> {
        self.stdout
            .lines()
            .filter_map(|line| serde_json::from_str::<Value>(line).ok())
            .find_map(|message| {
                let notification = &message["params"]["notification"];
                (notification["type"] == "agent_turn_completed")
                    .then(|| notification["reason"].as_str().map(str::to_owned))
                    .flatten()
            })
    }
}

/// A policy routed for every event about to run a shell command (`PreToolUse` on `Execute`).
fn shell_policy(body: &str) -> String {
    support::policy(&["required_actions: [\"shell\"]"], body)
}

const ON_RAN: &str = r#"contains(input.tool_input.command, "ran.txt")"#;

#[test]
fn allow_leaves_droids_permissions_in_charge() {
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
    let run = project.run_in(Mode::ExecReadOnly, "touch ran.txt");
    assert!(
        !project.ran("ran.txt"),
        "an allow is not a grant: read-only exec refuses a high-risk command itself\n{}",
        run.report()
    );
    assert!(
        !run.success() && run.stderr.contains("insufficient permission"),
        "Droid refused, not cupcake\n{}",
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
    assert_eq!(
        run.turns().len(),
        2,
        "the model answers the refusal\n{}",
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
fn ask_is_a_deny_because_droid_never_asks() {
    let project = Project::new(Some(&shell_policy(&format!(
        "ask contains {VERDICT} if {ON_RAN}"
    ))));
    let run = project.run("touch ran.txt");
    assert!(!project.ran("ran.txt"), "{}", run.report());
    assert!(run.model_saw("LIVE-REASON-7"), "{}", run.report());
}

#[test]
fn modify_rewrites_without_granting_approval() {
    let rewrite = shell_policy(&format!(
        r#"modify contains {{"rule_id": "LIVE", "reason": "rewritten", "updated_input": {{"command": "touch modified.txt"}}}} if {ON_RAN}"#
    ));
    let project = Project::new(Some(&rewrite));
    let run = project.run("touch ran.txt");
    assert!(
        project.ran("modified.txt"),
        "the rewritten command ran (Droid merges the rewrite into the input)\n{}",
        run.report()
    );
    assert!(
        !project.ran("ran.txt"),
        "the original did not\n{}",
        run.report()
    );

    let project = Project::new(Some(&rewrite));
    let run = project.run_in(Mode::ExecReadOnly, "touch ran.txt");
    assert!(
        !project.ran("modified.txt") && !project.ran("ran.txt"),
        "a rewrite is not a grant: read-only exec still refuses\n{}",
        run.report()
    );
}

#[test]
fn context_on_post_tool_use_reaches_the_model() {
    let project = Project::new(Some(&event_policy(
        "PostToolUse",
        &format!("add_context contains \"LIVE-CONTEXT-3\" if {ON_RAN}"),
    )));
    let run = project.run("touch ran.txt");
    assert!(project.ran("ran.txt"), "{}", run.report());
    assert!(
        model_saw(&run.turns()[1..], "LIVE-CONTEXT-3"),
        "the context follows the tool result\n{}",
        run.report()
    );
}

#[test]
fn context_on_session_start_reaches_the_model() {
    let project = Project::new(Some(&event_policy(
        "SessionStart",
        "add_context contains \"LIVE-SESSION-CONTEXT\" if true",
    )));
    let run = project.run("touch ran.txt");
    assert!(
        model_saw(&run.turns()[..1], "LIVE-SESSION-CONTEXT"),
        "the first request carries it\n{}",
        run.report()
    );
}

#[test]
fn deny_on_post_tool_use_is_feedback_to_the_model() {
    let project = Project::new(Some(&event_policy(
        "PostToolUse",
        &format!("deny contains {VERDICT} if {ON_RAN}"),
    )));
    let run = project.run("touch ran.txt");
    assert!(
        project.ran("ran.txt"),
        "the tool had run already\n{}",
        run.report()
    );
    assert!(
        model_saw(&run.turns()[1..], "LIVE-REASON-7"),
        "exit 2: the reason reaches the model as hook feedback\n{}",
        run.report()
    );
}

#[test]
fn halt_on_post_tool_use_ends_the_turn() {
    let project = Project::new(Some(&event_policy(
        "PostToolUse",
        &format!("halt contains {VERDICT} if {ON_RAN}"),
    )));
    let run = project.run("touch ran.txt");
    assert!(
        project.ran("ran.txt"),
        "the tool had run already\n{}",
        run.report()
    );
    assert_eq!(
        run.turns().len(),
        1,
        "continue: false: no model call after the halt\n{}",
        run.report()
    );
}

#[test]
fn halt_on_pre_tool_use_ends_the_turn() {
    let project = Project::new(Some(&shell_policy(&format!(
        "halt contains {VERDICT} if {ON_RAN}"
    ))));
    let run = project.run("touch ran.txt");
    assert!(!project.ran("ran.txt"), "{}", run.report());
    assert_eq!(
        run.turns().len(),
        1,
        "continue: false: no model call after the halt\n{}",
        run.report()
    );
}

#[test]
fn block_on_stop_sends_the_agent_back_once() {
    let project = Project::new(Some(&event_policy(
        "Stop",
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
fn halt_on_stop_lets_the_agent_stop() {
    let project = Project::new(Some(&event_policy(
        "Stop",
        &format!("halt contains {VERDICT} if true"),
    )));
    let run = project.run("touch ran.txt");
    assert!(project.ran("ran.txt"), "{}", run.report());
    assert_eq!(
        run.turns().len(),
        2,
        "no extra model calls: a halt on Stop must not keep the agent going\n{}",
        run.report()
    );
}

#[test]
fn deny_on_user_prompt_submit_sends_nothing_to_the_model() {
    let project = Project::new(Some(&event_policy(
        "UserPromptSubmit",
        &format!("deny contains {VERDICT} if true"),
    )));
    let run = project.run_in(Mode::Rpc, "touch ran.txt");
    assert!(!project.ran("ran.txt"), "{}", run.report());
    assert!(
        run.requests.is_empty(),
        "the prompt never reached the model (not even for a title)\n{}",
        run.report()
    );
    assert_eq!(
        run.turn_outcome().as_deref(),
        Some("prompt_rejected"),
        "{}",
        run.report()
    );
    assert!(
        run.stdout.contains("LIVE-REASON-7"),
        "Droid reports the reason as the turn's error\n{}",
        run.report()
    );
}

#[test]
fn context_on_user_prompt_submit_reaches_the_model() {
    let project = Project::new(Some(&event_policy(
        "UserPromptSubmit",
        "add_context contains \"LIVE-PROMPT-CONTEXT\" if true",
    )));
    let run = project.run_in(Mode::Rpc, "touch ran.txt");
    assert_eq!(
        run.turn_outcome().as_deref(),
        Some("completed"),
        "{}",
        run.report()
    );
    assert!(project.ran("ran.txt"), "{}", run.report());
    assert!(
        model_saw(&run.turns()[..1], "LIVE-PROMPT-CONTEXT"),
        "the first request carries it\n{}",
        run.report()
    );
}

#[test]
fn exec_mode_never_runs_user_prompt_submit() {
    // Droid's behaviour, not cupcake's: `droid exec "<prompt>"` skips UserPromptSubmit, so a
    // prompt policy only binds in the JSON-RPC mode (and the interactive CLI). If this starts
    // failing, Droid changed and docs/harnesses.md with it.
    let project = Project::new(Some(&event_policy(
        "UserPromptSubmit",
        &format!("deny contains {VERDICT} if true"),
    )));
    let run = project.run("touch ran.txt");
    assert!(
        project.ran("ran.txt"),
        "the prompt policy never ran\n{}",
        run.report()
    );
    assert_eq!(run.turns().len(), 2, "{}", run.report());
}

#[test]
fn a_missing_cupcake_fails_open_on_pre_tool_use() {
    // Droid's behaviour: a hook that cannot start exits 127, which is neither a block (2) nor
    // an abort (3), so the tool runs and the shell's error is only appended to the tool result.
    // Droid has no fail-closed setting.
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
        project.ran("ran.txt"),
        "Droid fails open: the tool ran without cupcake\n{}",
        run.report()
    );
    assert!(
        project.transcript().lines().any(|line| {
            line.contains(r#""hookEventName":"PreToolUse""#) && line.contains(r#""exitCode":127"#)
        }),
        "Droid did run the hook, which could not start\n{}",
        run.report()
    );
}
