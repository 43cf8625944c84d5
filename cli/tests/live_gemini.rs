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

use std::io::{BufRead as _, BufReader, Write as _};
use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Condvar, Mutex, PoisonError};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

/// How long one CLI run may take before it is killed.
const RUN_LIMIT: Duration = Duration::from_secs(90);

/// At most this many cases run at once: each runs a Node CLI and a cupcake per hook, and the
/// hook has to answer within cupcake's own deadline.
const PARALLEL: usize = 2;

static BUSY: Mutex<usize> = Mutex::new(0);
static FREED: Condvar = Condvar::new();

/// A place among the [`PARALLEL`] cases allowed to run; given back when dropped.
struct Slot;

impl Slot {
    fn take() -> Self {
        let mut busy = BUSY.lock().unwrap_or_else(PoisonError::into_inner);
        while *busy >= PARALLEL {
            busy = FREED.wait(busy).unwrap_or_else(PoisonError::into_inner);
        }
        *busy += 1;
        Self
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        *BUSY.lock().unwrap_or_else(PoisonError::into_inner) -= 1;
        FREED.notify_one();
    }
}

/// The CLI's entry script in the pinned install.
#[expect(
    clippy::disallowed_methods,
    reason = "the test tools' location comes from the environment (ci/env.sh)"
)]
fn gemini_cli() -> PathBuf {
    let Some(dir) = std::env::var_os("CUPCAKE_GEMINI_CLI_DIR") else {
        panic!(
            "CUPCAKE_GEMINI_CLI_DIR is not set: source ci/env.sh, or run ci/tools-gemini.sh and \
             export CUPCAKE_GEMINI_CLI_DIR=$CUPCAKE_DEV_CACHE/gemini-cli-0.61.0"
        );
    };
    let cli = Path::new(&dir).join("node_modules/@google/gemini-cli/bundle/gemini.js");
    assert!(
        cli.is_file(),
        "{} is missing (CUPCAKE_GEMINI_CLI_DIR={}): run ci/tools-gemini.sh",
        cli.display(),
        Path::new(&dir).display()
    );
    cli
}

/// The `PATH` the CLI and its hooks get: the test's own, for `node` and `bash`.
#[expect(
    clippy::disallowed_methods,
    reason = "the CLI needs node from the caller's PATH"
)]
fn search_path() -> std::ffi::OsString {
    std::env::var_os("PATH").unwrap_or_else(|| "/usr/local/bin:/usr/bin:/bin".into())
}

/// The fake API, killed when dropped.
struct FakeApi {
    child: Child,
    port: u16,
    log: PathBuf,
}

impl FakeApi {
    fn start(dir: &Path, shell_command: &str) -> Self {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/live/fake-gemini.mjs");
        let mut child = Command::new("node")
            .arg(script)
            .arg(dir)
            .env("FAKE_SHELL_COMMAND", shell_command)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .spawn()
            .expect("node runs the fake Gemini API");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("the fake API prints its port");
        let port = line
            .trim()
            .strip_prefix("PORT=")
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("the fake API printed {line:?}, not PORT=<n>"));
        Self {
            child,
            port,
            log: dir.join("requests.jsonl"),
        }
    }

    /// Every request it received, in order: `{"method", "path", "body"}`.
    fn requests(&self) -> Vec<Value> {
        std::fs::read_to_string(&self.log)
            .unwrap_or_default()
            .lines()
            .filter_map(|line| serde_json::from_str(line).ok())
            .collect()
    }
}

impl Drop for FakeApi {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// What one CLI run left behind.
struct Run {
    status: ExitStatus,
    elapsed: Duration,
    stdout: String,
    stderr: String,
    requests: Vec<Value>,
}

impl Run {
    /// Requests asking the model for content (streamed or not).
    fn generations(&self) -> Vec<&Value> {
        self.requests
            .iter()
            .filter(|r| {
                r["path"].as_str().is_some_and(|path| {
                    path.ends_with(":streamGenerateContent") || path.ends_with(":generateContent")
                })
            })
            .collect()
    }

    /// The agent's own turns: generations that offer the shell tool.
    fn turns(&self) -> Vec<&Value> {
        self.generations()
            .into_iter()
            .filter(|r| {
                r["body"]["tools"].as_array().is_some_and(|tools| {
                    tools.iter().any(|tool| {
                        tool["functionDeclarations"]
                            .as_array()
                            .is_some_and(|decls| {
                                decls.iter().any(|d| d["name"] == "run_shell_command")
                            })
                    })
                })
            })
            .collect()
    }

    /// Whether `needle` appears in the conversation of a turn after the first: text the CLI
    /// sent the model only after the tool call.
    fn model_saw_later(&self, needle: &str) -> bool {
        let turns = self.turns();
        let in_turn = |turn: &&Value| turn["body"]["contents"].to_string().contains(needle);
        assert!(
            !turns.first().is_some_and(in_turn),
            "{needle} is already in the first request, so seeing it later proves nothing{}",
            self.context()
        );
        turns.iter().skip(1).any(in_turn)
    }

    /// The run's exit status, requests and output tails, for failure messages.
    fn context(&self) -> String {
        let paths: Vec<&str> = self
            .requests
            .iter()
            .filter_map(|r| r["path"].as_str())
            .collect();
        format!(
            "\n-- {}, after {:.1} s\n-- requests: {paths:?}\n-- stdout tail:\n{}\n-- stderr tail:\n{}",
            self.status,
            self.elapsed.as_secs_f64(),
            tail(&self.stdout),
            tail(&self.stderr)
        )
    }
}

fn tail(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(30)..].join("\n")
}

/// One project with cupcake wired by `cupcake init` and the case's policy.
struct Project {
    _slot: Slot,
    dir: tempfile::TempDir,
    root: PathBuf,
    home: PathBuf,
}

impl Project {
    /// A project whose only policy is `policy` (the example `init` writes is removed).
    fn new(policy: &str) -> Self {
        let project = Self::initialised();
        let _ = std::fs::remove_file(project.root.join(".cupcake/policies/shared/example.rego"));
        let policies = project.root.join(".cupcake/policies/gemini");
        std::fs::create_dir_all(&policies).expect("mkdir policies");
        std::fs::write(policies.join("case.rego"), policy).expect("write policy");
        project.warm();
        project
    }

    /// A project exactly as `cupcake init --harness gemini` leaves it.
    fn as_initialised() -> Self {
        let project = Self::initialised();
        project.warm();
        project
    }

    fn initialised() -> Self {
        let slot = Slot::take();
        let dir = tempfile::tempdir().expect("temp dir");
        let root = dir.path().join("proj");
        let home = dir.path().join("home");
        for path in [&root, &home.join(".gemini"), &dir.path().join("api")] {
            std::fs::create_dir_all(path).expect("mkdir");
        }
        let init = Command::new(env!("CARGO_BIN_EXE_cupcake"))
            .args(["init", "--harness", "gemini", "--dir"])
            .arg(&root)
            .output()
            .expect("cupcake init runs");
        assert!(
            init.status.success(),
            "cupcake init failed: {}",
            String::from_utf8_lossy(&init.stderr)
        );
        // The user settings the headless CLI needs against the fake API: API-key auth (with a
        // base URL and no setting Gemini picks `gateway` and refuses to run headless), and
        // nothing sent anywhere else.
        let settings = json!({
            "security": {"auth": {"selectedType": "gemini-api-key"}},
            "privacy": {"usageStatisticsEnabled": false},
            "telemetry": {"enabled": false},
            "general": {"enableAutoUpdate": false, "enableAutoUpdateNotification": false},
        });
        std::fs::write(home.join(".gemini/settings.json"), settings.to_string())
            .expect("write user settings");
        Self {
            _slot: slot,
            dir,
            root,
            home,
        }
    }

    /// Compiles the policies once before the agent runs, so no hook call spends its deadline
    /// compiling while the other case competes for the cores.
    fn warm(&self) {
        let mut child = Command::new(env!("CARGO_BIN_EXE_cupcake"))
            .args(["eval", "--harness", "gemini", "--policy-dir"])
            .arg(self.root.join(".cupcake"))
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("cupcake eval runs");
        let event = json!({
            "hook_event_name": "SessionEnd",
            "session_id": "warm",
            "transcript_path": "",
            "cwd": self.root,
            "timestamp": "2026-01-01T00:00:00Z",
            "reason": "other",
        });
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(event.to_string().as_bytes())
            .expect("write event");
        let out = child.wait_with_output().expect("cupcake eval ends");
        assert!(
            out.status.success(),
            "the case's policies compile: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    fn settings_path(&self) -> PathBuf {
        self.root.join(".gemini/settings.json")
    }

    /// Runs one headless turn whose model asks the shell to run `shell_command`.
    fn run(&self, shell_command: &str) -> Run {
        let api_dir = self.dir.path().join("api");
        let api = FakeApi::start(&api_dir, shell_command);
        let stdout_path = self.dir.path().join("cli.stdout");
        let stderr_path = self.dir.path().join("cli.stderr");
        let started = Instant::now();
        let mut child = Command::new("node")
            .arg(gemini_cli())
            .args(["-p", "run it", "--yolo", "-m", "gemini-2.5-flash"])
            .current_dir(&self.root)
            .env_clear()
            .env("PATH", search_path())
            .env("HOME", &self.home)
            .env("TERM", "dumb")
            .env(
                "GOOGLE_GEMINI_BASE_URL",
                format!("http://127.0.0.1:{}", api.port),
            )
            .env("GEMINI_API_KEY", "test-key")
            // Headless Gemini refuses an untrusted folder, and drops every settings hook in
            // one; `--skip-trust` comes too late for the project's hooks.
            .env("GEMINI_CLI_TRUST_WORKSPACE", "true")
            .stdin(Stdio::null())
            .stdout(std::fs::File::create(&stdout_path).expect("stdout file"))
            .stderr(std::fs::File::create(&stderr_path).expect("stderr file"))
            // Its own process group, so a timeout kills the CLI with everything it started.
            .process_group(0)
            .spawn()
            .expect("the Gemini CLI starts");
        let status = loop {
            if let Some(status) = child.try_wait().expect("wait") {
                break status;
            }
            if started.elapsed() > RUN_LIMIT {
                let group = nix::unistd::Pid::from_raw(
                    i32::try_from(child.id()).expect("a pid fits in i32"),
                );
                let _ = nix::sys::signal::killpg(group, nix::sys::signal::Signal::SIGKILL);
                let _ = child.wait();
                panic!(
                    "the Gemini CLI ran longer than {} s and was killed\n-- requests so far: {}\n-- stderr tail:\n{}",
                    RUN_LIMIT.as_secs(),
                    api.requests().len(),
                    tail(&std::fs::read_to_string(&stderr_path).unwrap_or_default())
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        };
        let elapsed = started.elapsed();
        let requests = api.requests();
        drop(api);
        let run = Run {
            status,
            elapsed,
            stdout: std::fs::read_to_string(&stdout_path).unwrap_or_default(),
            stderr: std::fs::read_to_string(&stderr_path).unwrap_or_default(),
            requests,
        };
        report(&run);
        run
    }

    fn has(&self, file: &str) -> bool {
        self.root.join(file).exists()
    }
}

#[expect(clippy::print_stderr, reason = "timings for whoever runs --nocapture")]
fn report(run: &Run) {
    let name = std::thread::current()
        .name()
        .unwrap_or("live_gemini")
        .to_owned();
    eprintln!(
        "[live_gemini] {name}: {:.1} s, {}, {} requests",
        run.elapsed.as_secs_f64(),
        run.status,
        run.requests.len()
    );
}

/// A policy routed on Gemini's `BeforeTool`/`AfterTool` for the shell tool.
fn shell_tool_policy(event: &str, body: &str) -> String {
    format!(
        "# METADATA\n# scope: package\n# title: live case\n# custom:\n#   routing:\n\
         #     required_events: [\"{event}\"]\n#     required_tools: [\"run_shell_command\"]\n\
         package cupcake.policies.live_case\n\nimport rego.v1\n\n{body}\n"
    )
}

/// A policy routed on every event that is about to run a shell command, in any agent.
fn shell_action_policy(body: &str) -> String {
    format!(
        "# METADATA\n# scope: package\n# title: live case\n# custom:\n#   routing:\n\
         #     required_actions: [\"shell\"]\npackage cupcake.policies.live_case\n\n\
         import rego.v1\n\n{body}\n"
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
