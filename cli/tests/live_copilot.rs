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

use std::io::{BufRead as _, BufReader, Write as _};
use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Condvar, Mutex, PoisonError};
use std::time::{Duration, Instant};

use serde_json::Value;

/// How long one CLI run may take before it is killed and the case fails.
const LIMIT: Duration = Duration::from_secs(90);
/// CLIs running at once, whatever the test harness's thread count.
const AT_ONCE: usize = 2;

/// The install `ci/tools-copilot.sh` made.
#[expect(
    clippy::disallowed_methods,
    reason = "the test tools' location comes from the environment"
)]
fn install_dir() -> PathBuf {
    let Some(dir) = std::env::var_os("CUPCAKE_COPILOT_CLI_DIR") else {
        panic!(
            "CUPCAKE_COPILOT_CLI_DIR is not set: run ci/tools-copilot.sh and export the \
             directory it prints"
        );
    };
    PathBuf::from(dir)
}

/// The native CLI inside the npm package's platform package.
fn copilot_cli(install: &Path) -> PathBuf {
    let os = match std::env::consts::OS {
        "macos" => "darwin",
        other => other,
    };
    let arch = match std::env::consts::ARCH {
        "x86_64" => "x64",
        "aarch64" => "arm64",
        other => other,
    };
    let cli = install.join(format!("node_modules/@github/copilot-{os}-{arch}/copilot"));
    assert!(
        cli.is_file(),
        "{} is missing (CUPCAKE_COPILOT_CLI_DIR={}): run ci/tools-copilot.sh",
        cli.display(),
        install.display()
    );
    cli
}

static RUNNING: Mutex<usize> = Mutex::new(0);
static FREED: Condvar = Condvar::new();

/// A place among the `AT_ONCE` CLIs allowed to run, given back when dropped.
struct Slot;

impl Slot {
    fn take() -> Self {
        let mut running = RUNNING.lock().unwrap_or_else(PoisonError::into_inner);
        while *running >= AT_ONCE {
            running = FREED.wait(running).unwrap_or_else(PoisonError::into_inner);
        }
        *running += 1;
        Self
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        *RUNNING.lock().unwrap_or_else(PoisonError::into_inner) -= 1;
        FREED.notify_one();
    }
}

/// The fake API, killed when dropped.
struct FakeApi {
    child: Child,
    port: u16,
    log: PathBuf,
}

impl FakeApi {
    fn start(dir: &Path, shell_command: &str) -> Self {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/live/fake-openai.mjs");
        let _ = std::fs::remove_file(dir.join("requests.jsonl"));
        let stderr = std::fs::File::create(dir.join("fake-api.stderr")).expect("fake API log");
        let mut child = Command::new("node")
            .arg(script)
            .arg(dir)
            .env("FAKE_SHELL_COMMAND", shell_command)
            .env("FAKE_TOOL_NAME", "bash")
            .stdout(Stdio::piped())
            .stderr(stderr)
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
            .unwrap_or_else(|| panic!("the fake API printed {line:?}, not PORT=<n>"));
        Self {
            child,
            port,
            log: dir.join("requests.jsonl"),
        }
    }

    /// Bodies of the chat-completion requests: the agent's turns.
    fn turns(&self) -> Vec<Value> {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        text.lines()
            .filter_map(|line| serde_json::from_str::<Value>(line).ok())
            .filter(|entry| {
                entry["method"] == "POST"
                    && entry["path"]
                        .as_str()
                        .is_some_and(|path| path.ends_with("/chat/completions"))
            })
            .map(|entry| entry["body"].clone())
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
    logs: PathBuf,
}

impl Project {
    /// With `policy` as the only policy, or with the example `cupcake init` ships when `None`.
    fn new(policy: Option<&str>) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let root = dir.path().join("proj");
        let home = dir.path().join("home");
        let api_dir = dir.path().join("api");
        let logs = dir.path().join("logs");
        for path in [&root, &home, &api_dir, &logs] {
            std::fs::create_dir_all(path).expect("mkdir");
        }
        let init = Command::new(env!("CARGO_BIN_EXE_cupcake"))
            .args(["init", "--harness", "copilot", "--dir"])
            .arg(&root)
            .output()
            .expect("cupcake init runs");
        assert!(
            init.status.success(),
            "{}",
            String::from_utf8_lossy(&init.stderr)
        );
        if let Some(policy) = policy {
            let policies = root.join(".cupcake/policies/copilot");
            std::fs::remove_file(root.join(".cupcake/policies/shared/example.rego"))
                .expect("init wrote its example policy");
            std::fs::create_dir_all(&policies).expect("mkdir policies");
            std::fs::write(policies.join("case.rego"), policy).expect("write policy");
        }
        // Compile once before the agent runs, so no hook call spends its deadline compiling
        // while the other cases compete for the cores.
        let warm_input = serde_json::json!({
            "sessionId": "warm",
            "timestamp": 0,
            "cwd": root,
            "reason": "complete",
        });
        let warm = Command::new(env!("CARGO_BIN_EXE_cupcake"))
            .args(["eval", "--harness", "copilot", "--event", "sessionEnd"])
            .arg("--policy-dir")
            .arg(root.join(".cupcake"))
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .and_then(|mut child| {
                child
                    .stdin
                    .take()
                    .expect("stdin")
                    .write_all(warm_input.to_string().as_bytes())?;
                child.wait_with_output()
            })
            .expect("cupcake eval runs");
        assert!(
            warm.status.success(),
            "the case's policy compiles: {}",
            String::from_utf8_lossy(&warm.stderr)
        );
        Self {
            _dir: dir,
            root,
            home,
            api_dir,
            logs,
        }
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
        let install = install_dir();
        let cli = copilot_cli(&install);
        let api = FakeApi::start(&self.api_dir, shell_command);
        let stdout_path = self.logs.join("stdout.txt");
        let stderr_path = self.logs.join("stderr.txt");
        let slot = Slot::take();
        let started = Instant::now();
        let mut child = Command::new(cli)
            .args(["-p", "run it", "--no-auto-update", "--log-dir"])
            .arg(&self.logs)
            .args(flags)
            .current_dir(&self.root)
            .env_clear()
            .env("PATH", "/usr/local/bin:/usr/bin:/bin")
            .env("HOME", &self.home)
            .env("TERM", "dumb")
            .env("NO_COLOR", "1")
            // The CLI unpacks its JavaScript into this cache on first use; ci/tools-copilot.sh
            // unpacks it at install time, so the scratch HOME does not get a copy per case.
            .env("COPILOT_PKG_CACHE_HOME", install.join("cache"))
            .env(
                "COPILOT_PROVIDER_BASE_URL",
                format!("http://127.0.0.1:{}/v1", api.port),
            )
            .env("COPILOT_PROVIDER_API_KEY", "dummy")
            .env("COPILOT_MODEL", "gpt-4.1")
            .env("COPILOT_OFFLINE", "true")
            .env("COPILOT_AUTO_UPDATE", "false")
            .stdin(Stdio::null())
            .stdout(std::fs::File::create(&stdout_path).expect("stdout file"))
            .stderr(std::fs::File::create(&stderr_path).expect("stderr file"))
            // Its own process group, so a kill takes the hooks and shells it started too.
            .process_group(0)
            .spawn()
            .expect("the Copilot CLI starts");
        let group = nix::unistd::Pid::from_raw(i32::try_from(child.id()).expect("pid fits"));
        let status = loop {
            if let Some(status) = child.try_wait().expect("wait") {
                break Some(status);
            }
            if started.elapsed() > LIMIT {
                let _ = nix::sys::signal::killpg(group, nix::sys::signal::Signal::SIGKILL);
                let _ = child.wait();
                break None;
            }
            std::thread::sleep(Duration::from_millis(50));
        };
        let elapsed = started.elapsed();
        drop(slot);
        let run = Run {
            api,
            status,
            elapsed,
            stdout: std::fs::read_to_string(&stdout_path).unwrap_or_default(),
            stderr: std::fs::read_to_string(&stderr_path).unwrap_or_default(),
            logs: self.logs.clone(),
        };
        assert!(
            run.status.is_some(),
            "the Copilot CLI ran longer than {} s and was killed\n{}",
            LIMIT.as_secs(),
            run.report()
        );
        run
    }

    fn ran(&self, file: &str) -> bool {
        self.root.join(file).exists()
    }
}

/// What one CLI run left behind.
struct Run {
    api: FakeApi,
    /// `None` when it was killed at the limit.
    status: Option<ExitStatus>,
    elapsed: Duration,
    stdout: String,
    stderr: String,
    logs: PathBuf,
}

impl Run {
    fn turns(&self) -> Vec<Value> {
        self.api.turns()
    }

    /// Whether `needle` appears anywhere in the messages the model was sent.
    fn model_saw(&self, needle: &str) -> bool {
        model_saw(&self.turns(), needle)
    }

    fn success(&self) -> bool {
        self.status.is_some_and(|status| status.success())
    }

    /// The exit, the ends of stdout and stderr and of the CLI's own log, for failure messages.
    fn report(&self) -> String {
        let log = std::fs::read_dir(&self.logs)
            .into_iter()
            .flatten()
            .flatten()
            .map(|entry| entry.path())
            .filter(|path| path.extension().is_some_and(|ext| ext == "log"))
            .map(|path| std::fs::read_to_string(path).unwrap_or_default())
            .collect::<Vec<_>>()
            .join("\n");
        format!(
            "exit: {:?} after {:.1} s; {} model request(s)\n--- stdout (tail)\n{}\n--- stderr \
             (tail)\n{}\n--- CLI log (tail)\n{}",
            self.status,
            self.elapsed.as_secs_f64(),
            self.turns().len(),
            tail(&self.stdout, 1500),
            tail(&self.stderr, 1500),
            tail(&log, 3000),
        )
    }
}

fn tail(text: &str, max: usize) -> &str {
    let mut start = text.len().saturating_sub(max);
    while !text.is_char_boundary(start) {
        start += 1;
    }
    &text[start..]
}

fn model_saw(turns: &[Value], needle: &str) -> bool {
    turns
        .iter()
        .any(|body| body["messages"].to_string().contains(needle))
}

/// A policy routed for every event about to run a shell command (preToolUse and
/// permissionRequest).
fn shell_policy(body: &str) -> String {
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
