//! The real OpenCode CLI (`opencode-ai`, installed by `ci/tools-opencode.sh`) with cupcake's
//! plugin, written by `cupcake init --harness opencode`, against a fake chat-completions API on
//! loopback (`live/fake-openai.mjs`, set up in the project's `opencode.json` as a provider of
//! OpenCode's bundled `@ai-sdk/openai-compatible`): no network, no login. The scripted model asks
//! the `bash` tool to run one command (`touch ran.txt` unless a case says otherwise); each case
//! writes one policy and checks what the CLI did with cupcake's answer — whether the tool ran,
//! whether text reached the model, whether the turn ended.
//!
//! OpenCode npm-installs `@opencode-ai/plugin` into every config folder (the global one and the
//! project's `.opencode/`) and, once a plugin is there, waits for those installs before the
//! turn. cupcake's plugin only imports types from it, so each case leaves what OpenCode checks
//! before installing (a `node_modules/` and a `package-lock.json` that lists the package), and
//! points npm's registry at the fake API, so an install OpenCode still tries shows in its log.
#![cfg(unix)]
#![expect(clippy::panic, reason = "a test fails by panicking")]

#[path = "live/support.rs"]
mod support;

use std::path::{Path, PathBuf};

use serde_json::{json, Value};
use support::{event_policy, model_saw, Install, Project, Run, Slot, VERDICT};

/// The model the fake provider offers, as `--model` names it.
const MODEL: &str = "fake/gpt-4.1";

/// The native CLI inside the npm package's platform package.
fn opencode_cli(install: &Install) -> PathBuf {
    install.file("node_modules/opencode-linux-x64/bin/opencode")
}

/// Leaves in the config folder `dir` what OpenCode's `Npm.install` takes for an installed
/// `@opencode-ai/plugin`, so it neither installs nor makes the turn wait for an install.
fn skip_plugin_install(dir: &Path) {
    std::fs::create_dir_all(dir.join("node_modules")).expect("mkdir node_modules");
    let lock = json!({
        "lockfileVersion": 3,
        "packages": {"": {"dependencies": {"@opencode-ai/plugin": "1.18.33"}}},
    });
    std::fs::write(dir.join("package-lock.json"), lock.to_string()).expect("write lock");
}

/// One project with cupcake wired by `cupcake init` and one policy.
impl Project {
    /// With `policy` as the only policy, or with the example `cupcake init` ships when `None`.
    fn new(policy: Option<&str>) -> Self {
        let project = Self::create();
        let warm = json!({
            "hook_event_name": "experimental.session.compacting",
            "session_id": "warm",
            "cwd": project.root,
        });
        project.init("opencode", policy, &[], &warm);
        skip_plugin_install(&project.root.join(".opencode"));
        skip_plugin_install(&project.home.join(".config/opencode"));
        project
    }

    fn plugin_path(&self) -> PathBuf {
        self.root.join(".opencode/plugins/cupcake.ts")
    }

    /// One headless turn with OpenCode's default permissions (`bash` is allowed).
    fn run(&self, shell_command: &str) -> Run {
        self.run_with(shell_command, None)
    }

    /// One `opencode run` turn, with `permission` as the project's permission rules when given;
    /// returns what it left behind.
    fn run_with(&self, shell_command: &str, permission: Option<Value>) -> Run {
        let install = Install::from_env("CUPCAKE_OPENCODE_CLI_DIR", "ci/tools-opencode.sh");
        let api = self.fake_api(
            "fake-openai.mjs",
            &[
                ("FAKE_SHELL_COMMAND", shell_command),
                ("FAKE_TOOL_NAME", "bash"),
            ],
        );
        self.write_config(&api.url(), permission);
        let mut opencode = self.agent(opencode_cli(&install));
        opencode
            .args(["run", "run it", "--model", MODEL, "--print-logs"])
            .env("NO_COLOR", "1")
            .env("OPENCODE_DISABLE_MODELS_FETCH", "1")
            .env("OPENCODE_DISABLE_AUTOUPDATE", "1")
            .env("npm_config_registry", format!("{}/npm/", api.url()));
        self.run_agent(&Slot::take(), "OpenCode", opencode, api, offers_shell)
    }

    /// The project's `opencode.json`: the fake API as the only provider, nothing shared.
    fn write_config(&self, api: &str, permission: Option<Value>) {
        let mut config = json!({
            "provider": {"fake": {
                "npm": "@ai-sdk/openai-compatible",
                "name": "Fake",
                "options": {"baseURL": format!("{api}/v1"), "apiKey": "dummy"},
                "models": {"gpt-4.1": {"name": "gpt-4.1", "tool_call": true}},
            }},
            "model": MODEL,
            "autoupdate": false,
            "share": "disabled",
        });
        if let Some(permission) = permission {
            config["permission"] = permission;
        }
        std::fs::write(self.root.join("opencode.json"), config.to_string())
            .expect("write opencode.json");
    }
}

/// Whether a logged request is one of the agent's turns: a chat completion offering `bash`
/// (OpenCode's title request offers no tools).
fn offers_shell(request: &Value) -> bool {
    request["method"] == "POST"
        && request["path"]
            .as_str()
            .is_some_and(|path| path.ends_with("/chat/completions"))
        && request["body"]["tools"]
            .as_array()
            .is_some_and(|tools| tools.iter().any(|tool| tool["function"]["name"] == "bash"))
}

impl Run {
    /// Whether `needle` appears anywhere in the messages the model was sent.
    fn model_saw(&self, needle: &str) -> bool {
        model_saw(&self.turns(), needle)
    }

    fn success(&self) -> bool {
        self.status.is_some_and(|status| status.success())
    }

    /// Whether OpenCode asked npm's registry for anything.
    fn asked_npm(&self) -> bool {
        self.requests.iter().any(|request| {
            request["path"]
                .as_str()
                .is_some_and(|path| path.starts_with("/npm/"))
        })
    }
}

/// A policy routed for every event about to run a shell command (`tool.execute.before`).
fn shell_policy(body: &str) -> String {
    support::policy(&["required_actions: [\"shell\"]"], body)
}

const ON_RAN: &str = r#"contains(input.tool_input.command, "ran.txt")"#;

/// What OpenCode tells the model when its own permission rules refuse a call.
const OPENCODE_REFUSAL: &str = "prevents you from using this specific tool call";

#[test]
fn allow_leaves_opencodes_permissions_in_charge() {
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
    assert!(
        !run.asked_npm(),
        "the stubs kept OpenCode from installing plugin dependencies\n{}",
        run.report()
    );

    let project = Project::new(Some(&policy));
    let rules = json!({"bash": {"*": "allow", "touch ran.txt": "deny"}});
    let run = project.run_with("touch ran.txt", Some(rules));
    assert!(
        !project.ran("ran.txt"),
        "an allow is not a grant: OpenCode's own rule still refuses\n{}",
        run.report()
    );
    assert!(
        run.model_saw(OPENCODE_REFUSAL),
        "OpenCode refused, not cupcake\n{}",
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
        "the reason is the tool's result\n{}",
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
fn ask_is_a_deny_that_says_why() {
    let project = Project::new(Some(&shell_policy(&format!(
        "ask contains {VERDICT} if {ON_RAN}"
    ))));
    let run = project.run("touch ran.txt");
    assert!(
        !project.ran("ran.txt"),
        "a plugin cannot ask, so an ask refuses\n{}",
        run.report()
    );
    assert!(
        run.model_saw("LIVE-REASON-7") && run.model_saw("OpenCode cannot ask from a plugin"),
        "{}",
        run.report()
    );
}

#[test]
fn modify_rewrites_the_arguments_in_place() {
    let project = Project::new(Some(&shell_policy(&format!(
        r#"modify contains {{"rule_id": "LIVE", "reason": "rewritten", "updated_input": {{"command": "touch modified.txt"}}}} if {ON_RAN}"#
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
}

#[test]
fn context_on_tool_execute_before_is_dropped() {
    // The hook's output holds only the arguments: there is nowhere to put context.
    let project = Project::new(Some(&event_policy(
        "tool.execute.before",
        &format!("add_context contains \"LIVE-CONTEXT-1\" if {ON_RAN}"),
    )));
    let run = project.run("touch ran.txt");
    assert!(project.ran("ran.txt"), "{}", run.report());
    assert!(!run.model_saw("LIVE-CONTEXT-1"), "{}", run.report());
}

#[test]
fn context_on_tool_execute_after_reaches_the_model() {
    let project = Project::new(Some(&event_policy(
        "tool.execute.after",
        &format!("add_context contains \"LIVE-CONTEXT-3\" if {ON_RAN}"),
    )));
    let run = project.run("touch ran.txt");
    assert!(project.ran("ran.txt"), "{}", run.report());
    assert!(
        run.model_saw("LIVE-CONTEXT-3"),
        "the context rides on the tool's output\n{}",
        run.report()
    );
}

#[test]
fn deny_on_tool_execute_after_turns_the_result_into_the_reason() {
    let project = Project::new(Some(&event_policy(
        "tool.execute.after",
        &format!("deny contains {VERDICT} if {ON_RAN}"),
    )));
    let run = project.run("touch ran.txt");
    assert!(
        project.ran("ran.txt"),
        "the tool had already run\n{}",
        run.report()
    );
    assert!(
        run.model_saw("LIVE-REASON-7"),
        "the model gets the reason instead of the output\n{}",
        run.report()
    );
}

#[test]
fn halt_on_tool_execute_before_ends_the_turn() {
    let project = Project::new(Some(&shell_policy(&format!(
        "halt contains {VERDICT} if {ON_RAN}"
    ))));
    let run = project.run("touch ran.txt");
    assert!(!project.ran("ran.txt"), "{}", run.report());
    assert_eq!(
        run.turns().len(),
        1,
        "the session is aborted: no model call after the halt\n{}",
        run.report()
    );
    assert!(
        !run.success() && run.stderr.contains("Aborted"),
        "{}",
        run.report()
    );
}

#[test]
fn deny_on_chat_message_sends_nothing_to_the_model() {
    let project = Project::new(Some(&event_policy(
        "chat.message",
        &format!("deny contains {VERDICT} if true"),
    )));
    let run = project.run("touch ran.txt");
    assert!(!project.ran("ran.txt"), "{}", run.report());
    assert!(
        run.requests.is_empty(),
        "the prompt reached no model, not even for a title\n{}",
        run.report()
    );
    assert!(!run.success(), "{}", run.report());
    // OpenCode's behaviour, not cupcake's: `opencode run` shows the user only "Unexpected
    // server error"; the reason is in its log (printed here by --print-logs).
    assert!(
        run.stderr.contains("Unexpected server error") && run.stderr.contains("LIVE-REASON-7"),
        "{}",
        run.report()
    );
}

#[test]
fn context_on_chat_message_reaches_the_model() {
    let project = Project::new(Some(&event_policy(
        "chat.message",
        "add_context contains \"LIVE-PROMPT-CONTEXT\" if true",
    )));
    let run = project.run("touch ran.txt");
    assert!(
        model_saw(&run.turns()[..1], "LIVE-PROMPT-CONTEXT"),
        "the first turn carries it\n{}",
        run.report()
    );
}

#[test]
fn a_missing_cupcake_fails_closed() {
    let project = Project::new(Some(&shell_policy(
        "add_context contains \"unused\" if false",
    )));
    let plugin = std::fs::read_to_string(project.plugin_path()).expect("plugin file");
    let cupcake = env!("CARGO_BIN_EXE_cupcake");
    assert!(plugin.contains(cupcake), "init wrote the binary's path");
    std::fs::write(
        project.plugin_path(),
        plugin.replace(cupcake, "/nonexistent/cupcake"),
    )
    .expect("rewrite plugin");
    let run = project.run("touch ran.txt");
    assert!(!project.ran("ran.txt"), "{}", run.report());
    assert!(
        run.requests.is_empty(),
        "the plugin refused the prompt (chat.message) before any model call\n{}",
        run.report()
    );
    assert!(
        !run.success() && run.stderr.contains("cupcake did not answer"),
        "{}",
        run.report()
    );
}
