//! The real Gemini CLI (`@google/gemini-cli`, installed by `ci/tools-gemini.sh`) with cupcake
//! wired as its hook by `cupcake init --harness gemini`, against a fake Gemini API on loopback
//! (`live/fake-gemini.mjs`): no network, no key. The scripted model calls `run_shell_command`
//! once (`touch ran.txt` unless a case says otherwise) and then answers "done"; each case writes
//! one policy and checks what the CLI did with cupcake's answer — whether the command ran,
//! whether text reached the model, whether the run ended early.
//!
//! The CLI runs headless (`-p`) in `--yolo` mode: without it Gemini does not offer the shell
//! tool at all in a headless run. `ask` is not exercised: a headless Gemini waits forever for
//! a confirmation nobody can give.
#![cfg(unix)]
#![expect(clippy::panic, reason = "a test fails by panicking")]

#[path = "live/support.rs"]
mod support;

use std::path::PathBuf;

use serde_json::{json, Value};
use support::{event_policy, model_saw, Install, Run, Slot, VERDICT};

impl Run {
    /// Requests asking the model for content (streamed or not).
    fn generations(&self) -> Vec<Value> {
        self.bodies(is_generation)
    }

    /// Whether `needle` appears in the conversation of a turn after the first: text the CLI
    /// sent the model only after the tool call.
    fn model_saw_later(&self, needle: &str) -> bool {
        let turns = self.turns();
        let (first, later) = turns.split_at(turns.len().min(1));
        assert!(
            !model_saw(first, needle),
            "{needle} is already in the first request, so seeing it later proves nothing{}",
            self.context()
        );
        model_saw(later, needle)
    }

    /// The run's exit status, requests and output tails, for failure messages.
    fn context(&self) -> String {
        format!("\n{}", self.report())
    }
}

fn is_generation(request: &Value) -> bool {
    request["path"].as_str().is_some_and(|path| {
        path.ends_with(":streamGenerateContent") || path.ends_with(":generateContent")
    })
}

/// The agent's own turns: generations that offer the shell tool.
fn offers_shell(request: &Value) -> bool {
    is_generation(request)
        && request["body"]["tools"].as_array().is_some_and(|tools| {
            tools.iter().any(|tool| {
                tool["functionDeclarations"]
                    .as_array()
                    .is_some_and(|decls| decls.iter().any(|d| d["name"] == "run_shell_command"))
            })
        })
}

/// The CLI's entry script in the pinned install.
fn gemini_cli() -> PathBuf {
    Install::from_env("CUPCAKE_GEMINI_CLI_DIR", "ci/tools-gemini.sh")
        .file("node_modules/@google/gemini-cli/bundle/gemini.js")
}

/// One project with cupcake wired by `cupcake init` and the case's policy.
type Project = support::Held;

impl Project {
    /// A project whose only policy is `policy` (the example `init` writes is removed).
    fn new(policy: &str) -> Self {
        Self::initialised(Some(policy))
    }

    /// A project exactly as `cupcake init --harness gemini` leaves it.
    fn as_initialised() -> Self {
        Self::initialised(None)
    }

    fn initialised(policy: Option<&str>) -> Self {
        let slot = Slot::take();
        let project = support::Project::create();
        let warm = json!({
            "hook_event_name": "SessionEnd",
            "session_id": "warm",
            "transcript_path": "",
            "cwd": project.root,
            "timestamp": "2026-01-01T00:00:00Z",
            "reason": "other",
        });
        project.init("gemini", policy, &[], &warm);
        // The user settings the headless CLI needs against the fake API: API-key auth (with a
        // base URL and no setting Gemini picks `gateway` and refuses to run headless), and
        // nothing sent anywhere else.
        let settings = json!({
            "security": {"auth": {"selectedType": "gemini-api-key"}},
            "privacy": {"usageStatisticsEnabled": false},
            "telemetry": {"enabled": false},
            "general": {"enableAutoUpdate": false, "enableAutoUpdateNotification": false},
        });
        std::fs::create_dir_all(project.home.join(".gemini")).expect("mkdir .gemini");
        std::fs::write(
            project.home.join(".gemini/settings.json"),
            settings.to_string(),
        )
        .expect("write user settings");
        Self { slot, project }
    }

    fn settings_path(&self) -> PathBuf {
        self.root.join(".gemini/settings.json")
    }

    /// Runs one headless turn whose model asks the shell to run `shell_command`.
    fn run(&self, shell_command: &str) -> Run {
        let api = self.fake_api("fake-gemini.mjs", &[("FAKE_SHELL_COMMAND", shell_command)]);
        let mut gemini = self.agent("node");
        gemini
            .arg(gemini_cli())
            .args(["-p", "run it", "--yolo", "-m", "gemini-2.5-flash"])
            .env("PATH", support::search_path())
            .env("GEMINI_API_KEY", "test-key")
            // Headless Gemini refuses an untrusted folder, and drops every settings hook in
            // one; `--skip-trust` comes too late for the project's hooks.
            .env("GEMINI_CLI_TRUST_WORKSPACE", "true")
            .env("GOOGLE_GEMINI_BASE_URL", api.url());
        self.run_agent(&self.slot, "Gemini", gemini, api, offers_shell)
    }

    fn has(&self, file: &str) -> bool {
        self.ran(file)
    }
}

/// A policy routed on Gemini's `BeforeTool`/`AfterTool` for the shell tool.
fn shell_tool_policy(event: &str, body: &str) -> String {
    support::policy(
        &[
            &format!("required_events: [\"{event}\"]"),
            "required_tools: [\"run_shell_command\"]",
        ],
        body,
    )
}

/// A policy routed on every event that is about to run a shell command, in any agent.
fn shell_action_policy(body: &str) -> String {
    support::policy(&["required_actions: [\"shell\"]"], body)
}

#[test]
fn allow_lets_the_command_run() {
    let project = Project::new(&shell_tool_policy(
        "BeforeTool",
        "add_context contains \"unused\" if input.tool_name == \"Nothing\"",
    ));
    let run = project.run("touch ran.txt");
    assert!(
        project.has("ran.txt"),
        "an allow lets the tool run{}",
        run.context()
    );
    assert_eq!(
        run.turns().len(),
        2,
        "the tool call, then the answer{}",
        run.context()
    );
}

#[test]
fn deny_on_before_tool_stops_the_command_and_tells_the_model() {
    let project = Project::new(&shell_action_policy(&format!(
        "deny contains {VERDICT} if {{\n\tinput.cupcake.action.kind == \"shell\"\n\t\
         contains(input.cupcake.action.command, \"ran.txt\")\n}}"
    )));
    let run = project.run("touch ran.txt");
    assert!(
        !project.has("ran.txt"),
        "a deny stops the command{}",
        run.context()
    );
    assert!(
        run.model_saw_later("LIVE-REASON-7"),
        "the reason reaches the model{}",
        run.context()
    );
}

#[test]
fn the_example_policy_from_init_refuses_rm_rf() {
    let project = Project::as_initialised();
    let victim = project.root.join("victim");
    std::fs::create_dir_all(&victim).expect("mkdir victim");
    std::fs::write(victim.join("keep.txt"), "keep").expect("write victim file");
    let run = project.run("rm -rf victim && touch ran.txt");
    assert!(
        victim.join("keep.txt").exists(),
        "the recursive force-delete did not run{}",
        run.context()
    );
    assert!(
        !project.has("ran.txt"),
        "nothing of it ran{}",
        run.context()
    );
    assert!(
        run.model_saw_later("Recursive force-deletes are blocked"),
        "the example's reason reaches the model{}",
        run.context()
    );
}

#[test]
fn modify_on_before_tool_runs_the_rewritten_command() {
    let project = Project::new(&shell_tool_policy(
        "BeforeTool",
        r#"modify contains {"rule_id": "LIVE", "reason": "rewritten", "updated_input": {"command": "touch modified.txt"}} if contains(input.tool_input.command, "ran.txt")"#,
    ));
    let run = project.run("touch ran.txt");
    assert!(
        project.has("modified.txt"),
        "the rewritten command ran{}",
        run.context()
    );
    assert!(
        !project.has("ran.txt"),
        "the original did not{}",
        run.context()
    );
}

#[test]
fn context_on_after_tool_reaches_the_model() {
    let project = Project::new(&shell_tool_policy(
        "AfterTool",
        "add_context contains \"LIVE-CONTEXT-3\" if contains(input.tool_input.command, \"ran.txt\")",
    ));
    let run = project.run("touch ran.txt");
    assert!(project.has("ran.txt"), "the command ran{}", run.context());
    assert!(
        run.model_saw_later("LIVE-CONTEXT-3"),
        "the context reaches the model with the tool's result{}",
        run.context()
    );
}

#[test]
fn halt_on_before_tool_stops_the_command_and_the_run() {
    let project = Project::new(&shell_tool_policy(
        "BeforeTool",
        &format!("halt contains {VERDICT} if contains(input.tool_input.command, \"ran.txt\")"),
    ));
    let run = project.run("touch ran.txt");
    assert!(
        !project.has("ran.txt"),
        "a halt stops the command{}",
        run.context()
    );
    assert_eq!(
        run.generations().len(),
        1,
        "no model call after the halt{}",
        run.context()
    );
    assert!(
        run.stderr.contains("Agent execution stopped") && run.stderr.contains("LIVE-REASON-7"),
        "the user is told why the run stopped{}",
        run.context()
    );
}

#[test]
fn deny_on_before_agent_sends_nothing_to_the_model() {
    let project = Project::new(&event_policy(
        "BeforeAgent",
        &format!("deny contains {VERDICT} if true"),
    ));
    let run = project.run("touch ran.txt");
    assert!(!project.has("ran.txt"), "nothing ran{}", run.context());
    assert!(
        run.requests.is_empty(),
        "the prompt never reached the model: no request at all{}",
        run.context()
    );
    assert!(
        run.stderr
            .contains("Agent execution blocked: LIVE-REASON-7"),
        "the user is told why{}",
        run.context()
    );
}

/// Points the hooks of `events` at a cupcake binary that does not exist; returns how many.
fn break_hooks(project: &Project, events: &[&str]) -> usize {
    let text = std::fs::read_to_string(project.settings_path()).expect("settings");
    let mut settings: Value = serde_json::from_str(&text).expect("settings are JSON");
    let mut replaced = 0;
    for (event, entries) in settings["hooks"]
        .as_object_mut()
        .expect("hooks object")
        .iter_mut()
    {
        if !events.contains(&event.as_str()) {
            continue;
        }
        for entry in entries.as_array_mut().expect("event entries") {
            for hook in entry["hooks"].as_array_mut().expect("hook list") {
                let command = hook["command"].as_str().expect("command").to_owned();
                let (_binary, rest) = command
                    .split_once(" eval ")
                    .expect("init writes `<cupcake> eval …`");
                hook["command"] = Value::from(format!("/nonexistent/cupcake eval {rest}"));
                replaced += 1;
            }
        }
    }
    std::fs::write(project.settings_path(), settings.to_string()).expect("write settings");
    replaced
}

/// Gemini has no fail-closed setting, and `init` cannot give it one. What saves the day when
/// the hook command cannot start is an accident of Gemini's output parsing: `bash` prints
/// "No such file or directory" on stderr and exits 127, and Gemini reads non-JSON text with an
/// exit code of 2 or more as a deny with that text as the reason. So the first refusable event
/// (`BeforeAgent`) refuses the prompt and nothing reaches the model. (A hook that dies without
/// printing anything, or prints invalid JSON with exit 0 or 1, is let through instead.) If a
/// Gemini release changes this parsing, this test says so.
#[test]
fn a_missing_cupcake_blocks_the_prompt_in_gemini() {
    // Were cupcake running, this policy would stop the command.
    let policy = shell_tool_policy(
        "BeforeTool",
        &format!("deny contains {VERDICT} if contains(input.tool_input.command, \"ran.txt\")"),
    );
    let project = Project::new(&policy);
    let all = [
        "SessionStart",
        "BeforeAgent",
        "AfterAgent",
        "BeforeTool",
        "AfterTool",
    ];
    assert_eq!(
        break_hooks(&project, &all),
        5,
        "init wires five Gemini events"
    );
    let run = project.run("touch ran.txt");
    assert!(
        !project.has("ran.txt") && run.requests.is_empty(),
        "Gemini 0.61.0 refuses the prompt when the BeforeAgent hook cannot start (bash's error \
         text with exit 127 reads as a deny); if this now fails, Gemini changed and \
         docs/harnesses.md and SECURITY.md need updating{}",
        run.context()
    );
    assert!(
        run.stderr.contains("Agent execution blocked")
            && run.stderr.contains("No such file or directory"),
        "the refusal's reason is bash's error{}",
        run.context()
    );
    drop(project);

    // The same with only the tool hook missing: bash's error denies the tool.
    let project = Project::new(&policy);
    assert_eq!(break_hooks(&project, &["BeforeTool"]), 1);
    let run = project.run("touch ran.txt");
    assert!(
        !project.has("ran.txt"),
        "Gemini 0.61.0 refuses the tool when the BeforeTool hook cannot start{}",
        run.context()
    );
    assert!(
        run.model_saw_later("No such file or directory"),
        "the model is told bash's error{}",
        run.context()
    );
}
