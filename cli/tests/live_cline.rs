//! The real Cline CLI (`cline`, installed by `ci/tools-cline.sh`) with cupcake wired as its hook
//! by `cupcake init --harness cline`, against a fake chat-completions API on loopback
//! (`live/fake-openai.mjs`, configured as Cline's `openai-compatible` provider): no network, no
//! account. The scripted model asks `run_commands` to run one command (`touch ran.txt` unless a
//! case says otherwise); each case writes one policy and checks what the CLI did with cupcake's
//! answer — whether the command ran, whether text reached the model, how the run finished.
//!
//! The CLI runs one prompt headless (`cline --json "<prompt>"`, every tool auto-approved) with
//! the local session backend, so the hooks run in the CLI's own process tree rather than in a
//! background hub daemon. Cline's only refusal is `cancel`, which aborts the whole run: the
//! model is never told why, and the reason shows up only in the CLI's log.
#![cfg(unix)]
#![expect(clippy::panic, reason = "a test fails by panicking")]

#[path = "live/support.rs"]
mod support;

use std::path::PathBuf;
use std::process::Command;

use serde_json::{json, Value};
use support::{event_policy, model_saw, Install, Project, Run, Slot, VERDICT};

/// The native CLI inside the npm package's platform package.
fn cline_cli() -> PathBuf {
    Install::from_env("CUPCAKE_CLINE_CLI_DIR", "ci/tools-cline.sh")
        .file("node_modules/@cline/cli-linux-x64/bin/cline")
}

/// One project with cupcake wired by `cupcake init` and one policy.
impl Project {
    /// With `policy` as the only policy, or with the example `cupcake init` ships when `None`.
    fn new(policy: Option<&str>) -> Self {
        let project = Self::create();
        let warm = json!({
            "hookName": "agent_end",
            "taskId": "warm",
            "workspaceRoots": [project.root],
            "workspaceInfo": {"rootPath": project.root},
        });
        project.init("cline", policy, &[], &warm);
        project.configure_home();
        project
    }

    /// Cline's global settings in the scratch home: no telemetry (OpenTelemetry to
    /// otel.cline.bot, also from `cline auth`) and no update check.
    fn configure_home(&self) {
        let settings = self.home.join(".cline/data/settings");
        std::fs::create_dir_all(&settings).expect("mkdir settings");
        let global = json!({"telemetryOptOut": true, "autoUpdateEnabled": false});
        std::fs::write(settings.join("global-settings.json"), global.to_string())
            .expect("write global settings");
    }

    /// The script `cupcake init` wrote for the hook file `name`.
    fn hook_path(&self, name: &str) -> PathBuf {
        self.root.join(".clinerules/hooks").join(name)
    }

    /// The CLI with the environment every Cline process of a case gets.
    fn cline(&self) -> Command {
        let mut cline = self.agent(cline_cli());
        cline
            .env("NO_COLOR", "1")
            .env("CLINE_NO_AUTO_UPDATE", "1")
            // Keeps the PostHog feature-flag client (data.cline.bot) from starting; this
            // variable gates nothing else in the CLI.
            .env("E2E_TEST", "true")
            // Sessions and hooks in this process, not in a hub daemon shared between runs.
            .env("CLINE_SESSION_BACKEND_MODE", "local")
            .env("CLINE_LOG_PATH", self.out.join("cline.log"));
        cline
    }

    /// Points Cline's `openai-compatible` provider at `url` (`cline auth`, which only writes
    /// `providers.json` in the scratch home).
    fn authenticate(&self, url: &str) {
        let auth = self
            .cline()
            .args([
                "auth",
                "-p",
                "openai-compatible",
                "-k",
                "dummy",
                "-m",
                "gpt-4.1",
            ])
            .arg("-b")
            .arg(format!("{url}/v1"))
            .output()
            .expect("cline auth runs");
        assert!(
            auth.status.success(),
            "cline auth failed: {}{}",
            String::from_utf8_lossy(&auth.stdout),
            String::from_utf8_lossy(&auth.stderr)
        );
    }

    /// One headless run whose model asks `run_commands` to run `shell_command`.
    fn run(&self, shell_command: &str) -> Run {
        let slot = Slot::take();
        let args = json!({"commands": [shell_command]}).to_string();
        let api = self.fake_api(
            "fake-openai.mjs",
            &[
                ("FAKE_TOOL_NAME", "run_commands"),
                ("FAKE_TOOL_ARGS", &args),
            ],
        );
        self.authenticate(&api.url());
        let mut cline = self.cline();
        cline.args(["--json", "run it"]);
        self.run_agent(&slot, "Cline", cline, api, is_completion)
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

    /// `finishReason` of the `run_result` line `--json` prints: `completed` or `aborted`.
    fn finish(&self) -> Option<String> {
        self.stdout
            .lines()
            .filter_map(|line| serde_json::from_str::<Value>(line).ok())
            .filter(|line| line["type"] == "run_result")
            .find_map(|line| line["finishReason"].as_str().map(str::to_owned))
    }

    /// Whether the run ended as Cline ends one a hook cancelled: aborted, after `turns` model
    /// calls, with exit 0, the reason only in the CLI's log.
    fn cancelled(&self, turns: usize, reason: &str) -> bool {
        self.finish().as_deref() == Some("aborted")
            && self.turns().len() == turns
            && self.status.is_some_and(|status| status.success())
            && self.log.contains(reason)
    }

    fn completed(&self) -> bool {
        self.finish().as_deref() == Some("completed")
            && self.status.is_some_and(|status| status.success())
    }
}

/// A policy routed for every event about to run a shell command (`tool_call` with
/// `run_commands`).
fn shell_policy(body: &str) -> String {
    support::policy(&["required_actions: [\"shell\"]"], body)
}

const ON_RAN: &str = r#"contains(input.cupcake.action.command, "ran.txt")"#;

#[test]
fn allow_lets_the_command_run() {
    let project = Project::new(Some(&shell_policy(
        "add_context contains \"unused\" if input.tool_name == \"Nothing\"",
    )));
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
    assert!(run.completed(), "{}", run.report());
}

#[test]
fn deny_cancels_the_run_and_the_model_is_not_told() {
    let project = Project::new(Some(&shell_policy(&format!(
        "deny contains {VERDICT} if {ON_RAN}"
    ))));
    let run = project.run("touch ran.txt");
    assert!(!project.ran("ran.txt"), "{}", run.report());
    assert!(
        run.cancelled(1, "LIVE-REASON-7"),
        "cancel: the run aborts before another model call, the reason only in the log\n{}",
        run.report()
    );
    assert!(
        !run.model_saw("LIVE-REASON-7") && !run.stdout.contains("LIVE-REASON-7"),
        "Cline tells neither the model nor the user why\n{}",
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
        run.cancelled(1, "Recursive force-deletes are blocked"),
        "{}",
        run.report()
    );
}

#[test]
fn ask_cancels_the_run() {
    let project = Project::new(Some(&shell_policy(&format!(
        "ask contains {VERDICT} if {ON_RAN}"
    ))));
    let run = project.run("touch ran.txt");
    assert!(
        !project.ran("ran.txt"),
        "Cline hooks cannot ask, so an ask refuses\n{}",
        run.report()
    );
    assert!(
        run.cancelled(1, "Cline hooks cannot ask"),
        "{}",
        run.report()
    );
}

#[test]
fn modify_runs_the_rewritten_command() {
    let project = Project::new(Some(&shell_policy(&format!(
        r#"modify contains {{"rule_id": "LIVE", "reason": "rewritten", "updated_input": {{"commands": ["touch modified.txt"]}}}} if {ON_RAN}"#
    ))));
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
    assert!(run.completed(), "{}", run.report());
}

#[test]
fn context_on_tool_call_reaches_the_model_after_the_tool() {
    let project = Project::new(Some(&event_policy(
        "tool_call",
        &format!("add_context contains \"LIVE-CONTEXT-1\" if {ON_RAN}"),
    )));
    let run = project.run("touch ran.txt");
    assert!(project.ran("ran.txt"), "{}", run.report());
    let turns = run.turns();
    assert!(
        model_saw(&turns[turns.len().min(1)..], "LIVE-CONTEXT-1"),
        "the context follows the tool's result\n{}",
        run.report()
    );
    assert!(run.completed(), "{}", run.report());
}

#[test]
fn context_on_tool_result_reaches_the_model() {
    let project = Project::new(Some(&event_policy(
        "tool_result",
        &format!("add_context contains \"LIVE-CONTEXT-3\" if {ON_RAN}"),
    )));
    let run = project.run("touch ran.txt");
    assert!(project.ran("ran.txt"), "{}", run.report());
    assert!(run.model_saw("LIVE-CONTEXT-3"), "{}", run.report());
    assert!(run.completed(), "{}", run.report());
}

#[test]
fn halt_on_tool_result_ends_the_run_after_the_tool() {
    let project = Project::new(Some(&event_policy(
        "tool_result",
        &format!("halt contains {VERDICT} if {ON_RAN}"),
    )));
    let run = project.run("touch ran.txt");
    assert!(
        project.ran("ran.txt"),
        "the tool had run before the hook\n{}",
        run.report()
    );
    assert!(
        run.cancelled(1, "LIVE-REASON-7"),
        "no model call after the halt\n{}",
        run.report()
    );
}

#[test]
fn the_cli_never_runs_the_prompt_hook() {
    // Cline's behaviour, not cupcake's: the CLI does not run `UserPromptSubmit` for the prompt
    // it is given, so nothing can refuse a prompt. The script leaves a mark when it runs. If
    // this starts failing, Cline changed and docs/harnesses.md with it.
    let project = Project::new(Some(&event_policy(
        "prompt_submit",
        &format!("deny contains {VERDICT} if true"),
    )));
    let hook = project.hook_path("UserPromptSubmit");
    let script = std::fs::read_to_string(&hook).expect("init wrote the UserPromptSubmit hook");
    let mark = project.root.join("prompt-hook-ran.txt");
    let marked = script.replacen(
        "\nexec ",
        &format!("\ntouch '{}'\nexec ", mark.display()),
        1,
    );
    assert_ne!(marked, script, "the script execs cupcake");
    std::fs::write(&hook, marked).expect("rewrite the hook");
    let run = project.run("touch ran.txt");
    assert!(
        !project.ran("prompt-hook-ran.txt"),
        "the prompt hook did not run\n{}",
        run.report()
    );
    assert!(
        project.ran("ran.txt") && run.model_saw("run it"),
        "the prompt reached the model and the turn went on\n{}",
        run.report()
    );
}

#[test]
fn a_missing_cupcake_fails_open() {
    // Cline ignores a hook's exit code and stderr and reads only JSON on stdout: a hook that
    // cannot start (`/bin/sh` exits 127, printing nothing on stdout) allows everything.
    let project = Project::new(Some(&shell_policy(&format!(
        "deny contains {VERDICT} if {ON_RAN}"
    ))));
    let cupcake = env!("CARGO_BIN_EXE_cupcake");
    for name in ["PreToolUse", "PostToolUse"] {
        let hook = project.hook_path(name);
        let script = std::fs::read_to_string(&hook).expect("hook script");
        assert!(script.contains(cupcake), "init wrote the binary's path");
        std::fs::write(&hook, script.replace(cupcake, "/nonexistent/cupcake"))
            .expect("rewrite hook");
    }
    let run = project.run("touch ran.txt");
    assert!(
        project.ran("ran.txt"),
        "Cline 3.0.65 runs the tool when the hook cannot start; if this now fails, Cline \
         fails closed and docs/harnesses.md needs updating\n{}",
        run.report()
    );
    assert!(run.completed(), "{}", run.report());
}
