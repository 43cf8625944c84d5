//! The machinery the live checks of real agent CLIs share (`live_claude.rs`, `live_gemini.rs`,
//! `live_copilot.rs`, `live_droid.rs`, `live_opencode.rs`, `live_cline.rs`, each of which
//! includes this file as `mod support`): a scratch project wired
//! by `cupcake init`, a fake model API on loopback, the installed CLI, and one run of it under a
//! deadline.

use std::ffi::OsStr;
use std::io::{BufRead as _, BufReader, Write as _};
use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Condvar, Mutex, PoisonError};
use std::time::{Duration, Instant};

use serde_json::Value;

/// How long one CLI run may take before its process group is killed and the case fails.
const LIMIT: Duration = Duration::from_secs(90);

/// Agent CLIs running at once, whatever the test harness's thread count: each runs a CLI and a
/// cupcake per hook, and a hook has to answer within cupcake's own deadline.
const AT_ONCE: usize = 2;

static RUNNING: Mutex<usize> = Mutex::new(0);
static FREED: Condvar = Condvar::new();

/// A place among the [`AT_ONCE`] CLIs allowed to run; given back when dropped.
pub struct Slot(());

impl Slot {
    /// Waits for a free place.
    pub fn take() -> Self {
        let mut running = RUNNING.lock().unwrap_or_else(PoisonError::into_inner);
        while *running >= AT_ONCE {
            running = FREED.wait(running).unwrap_or_else(PoisonError::into_inner);
        }
        *running += 1;
        Self(())
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        *RUNNING.lock().unwrap_or_else(PoisonError::into_inner) -= 1;
        FREED.notify_one();
    }
}

/// A case's project that holds its [`Slot`] from `init` to the end, so the other case's
/// compiling does not compete with its run.
#[allow(
    dead_code,
    reason = "only some of the live checks that include this file hold a slot"
)]
pub struct Held {
    pub slot: Slot,
    pub project: Project,
}

impl std::ops::Deref for Held {
    type Target = Project;

    fn deref(&self) -> &Project {
        &self.project
    }
}

/// The `PATH` a CLI and its hooks get when they need the test's own tools (`node`, the shell's).
#[allow(
    dead_code,
    reason = "only some of the live checks that include this file use it"
)]
#[expect(
    clippy::disallowed_methods,
    reason = "the CLI needs node from the caller's PATH"
)]
pub fn search_path() -> std::ffi::OsString {
    std::env::var_os("PATH").unwrap_or_else(|| "/usr/local/bin:/usr/bin:/bin".into())
}

/// This platform as npm's platform packages spell it: `(os, cpu)`, e.g. `("linux", "x64")`.
#[allow(
    dead_code,
    reason = "only some of the live checks that include this file use it"
)]
pub fn npm_platform() -> (&'static str, &'static str) {
    let os = match std::env::consts::OS {
        "macos" => "darwin",
        other => other,
    };
    let cpu = match std::env::consts::ARCH {
        "x86_64" => "x64",
        "aarch64" => "arm64",
        other => other,
    };
    (os, cpu)
}

/// The verdict fields the cases' policies return; its reason is what the checks look for.
pub const VERDICT: &str = r#"{"rule_id": "LIVE", "reason": "LIVE-REASON-7", "severity": "HIGH"}"#;

/// A policy for one case: `routing` are the lines under `routing:` (such as
/// `required_events: ["Stop"]`), `body` its rules.
pub fn policy(routing: &[&str], body: &str) -> String {
    let routing = routing.iter().fold(String::new(), |mut lines, line| {
        lines.push_str("#     ");
        lines.push_str(line);
        lines.push('\n');
        lines
    });
    format!(
        "# METADATA\n# scope: package\n# title: live case\n# custom:\n#   routing:\n{routing}\
         package cupcake.policies.live_case\n\nimport rego.v1\n\n{body}\n"
    )
}

/// A policy routed on one event.
pub fn event_policy(event: &str, body: &str) -> String {
    policy(&[&format!("required_events: [\"{event}\"]")], body)
}

/// Whether `needle` appears in the conversation of any of `turns` (request bodies): `messages`
/// in Anthropic's and `OpenAI`'s APIs, `contents` in Gemini's.
pub fn model_saw(turns: &[Value], needle: &str) -> bool {
    turns.iter().any(|body| {
        ["messages", "contents"].iter().any(|key| {
            body.get(key)
                .is_some_and(|c| c.to_string().contains(needle))
        })
    })
}

/// Where a `ci/` script installed an agent CLI: the folder the environment variable `var` names.
pub struct Install {
    pub dir: PathBuf,
    var: &'static str,
    script: &'static str,
}

impl Install {
    /// The install `script` made, found through `var` (set by `ci/env.sh`).
    #[expect(
        clippy::disallowed_methods,
        reason = "the test tools' location comes from the environment (ci/env.sh)"
    )]
    pub fn from_env(var: &'static str, script: &'static str) -> Self {
        let Some(dir) = std::env::var_os(var) else {
            panic!("{var} is not set: source ci/env.sh (and run {script} if the CLI is missing)");
        };
        Self {
            dir: dir.into(),
            var,
            script,
        }
    }

    /// The file at `relative` in the install, which has to be there.
    pub fn file(&self, relative: &str) -> PathBuf {
        let path = self.dir.join(relative);
        assert!(
            path.is_file(),
            "{} is missing ({}={}): run {}",
            path.display(),
            self.var,
            self.dir.display(),
            self.script
        );
        path
    }
}

/// A fake model API on loopback (`tests/live/<script>`), killed when dropped.
pub struct FakeApi {
    child: Child,
    port: u16,
    log: PathBuf,
}

impl FakeApi {
    /// Starts `script` with its log in `dir` and `env` (the script's settings), and waits for the
    /// `PORT=<n>` line it prints once it listens.
    fn start(script: &str, dir: &Path, env: &[(&str, &str)]) -> Self {
        let log = dir.join("requests.jsonl");
        let _ = std::fs::remove_file(&log);
        let stderr = std::fs::File::create(dir.join("fake-api.stderr")).expect("fake API log");
        let mut child = Command::new("node")
            .arg(
                Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join("tests/live")
                    .join(script),
            )
            .arg(dir)
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(stderr)
            .spawn()
            .expect("node runs the fake API");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("the fake API prints its port");
        let port = line
            .trim()
            .strip_prefix("PORT=")
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("the fake API printed {line:?}, not PORT=<n>"));
        Self { child, port, log }
    }

    /// Where it listens: `http://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Every request it logged, in order (`{"path", "body"}`, with `"method"` in some).
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

/// One case's scratch folder: a project, a home for the agent, the fake API's folder and one
/// for the CLI's output.
pub struct Project {
    _dir: tempfile::TempDir,
    pub root: PathBuf,
    pub home: PathBuf,
    pub api: PathBuf,
    pub out: PathBuf,
}

impl Project {
    /// The empty folders.
    pub fn create() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let [root, home, api, out] =
            ["proj", "home", "api", "out"].map(|name| dir.path().join(name));
        for path in [&root, &home, &api, &out] {
            std::fs::create_dir_all(path).expect("mkdir");
        }
        Self {
            _dir: dir,
            root,
            home,
            api,
            out,
        }
    }

    /// Wires cupcake into the project with `cupcake init --harness <harness>`; with `policy`,
    /// that is the only policy (init's example is removed). Then compiles the policies once
    /// with `cupcake eval --harness <harness> <eval_flags>` on `warm_event`, so no hook call
    /// spends its deadline compiling while the other cases compete for the cores.
    pub fn init(
        &self,
        harness: &str,
        policy: Option<&str>,
        eval_flags: &[&str],
        warm_event: &Value,
    ) {
        let init = Command::new(env!("CARGO_BIN_EXE_cupcake"))
            .args(["init", "--harness", harness, "--dir"])
            .arg(&self.root)
            .output()
            .expect("cupcake init runs");
        assert!(
            init.status.success(),
            "cupcake init failed: {}",
            String::from_utf8_lossy(&init.stderr)
        );
        if let Some(policy) = policy {
            let policies = self.root.join(".cupcake/policies");
            std::fs::remove_file(policies.join("shared/example.rego"))
                .expect("init wrote its example policy");
            std::fs::create_dir_all(policies.join(harness)).expect("mkdir policies");
            std::fs::write(policies.join(harness).join("case.rego"), policy).expect("write policy");
        }
        let mut warm = Command::new(env!("CARGO_BIN_EXE_cupcake"))
            .args(["eval", "--harness", harness])
            .args(eval_flags)
            .arg("--policy-dir")
            .arg(self.root.join(".cupcake"))
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("cupcake eval runs");
        warm.stdin
            .take()
            .expect("stdin")
            .write_all(warm_event.to_string().as_bytes())
            .expect("write event");
        let warm = warm.wait_with_output().expect("cupcake eval ends");
        assert!(
            warm.status.success(),
            "the case's policies compile: {}",
            String::from_utf8_lossy(&warm.stderr)
        );
    }

    /// The fake API `script` (see [`FakeApi::start`]), logging into the API folder.
    pub fn fake_api(&self, script: &str, env: &[(&str, &str)]) -> FakeApi {
        FakeApi::start(script, &self.api, env)
    }

    /// `program` to run in the project with nothing of the test's environment: the scratch
    /// home, `TERM=dumb` and a plain `PATH` (set it again to change it).
    pub fn agent(&self, program: impl AsRef<OsStr>) -> Command {
        let mut command = Command::new(program);
        command
            .current_dir(&self.root)
            .env_clear()
            .env("PATH", "/usr/local/bin:/usr/bin:/bin")
            .env("HOME", &self.home)
            .env("TERM", "dumb");
        command
    }

    /// Runs the agent CLI `cli` ("the `name` CLI" in messages) against `api` while the caller
    /// holds a [`Slot`]: in its own process group, so that at [`LIMIT`] a kill takes the hooks
    /// and shells it started too, and the case fails with the run's [`Run::report`]. The CLI's
    /// stdout and stderr go to files in the output folder; `is_turn` tells the agent's own
    /// turns among the logged requests.
    pub fn run_agent(
        &self,
        _slot: &Slot,
        name: &str,
        mut cli: Command,
        api: FakeApi,
        is_turn: fn(&Value) -> bool,
    ) -> Run {
        let stdout_path = self.out.join("stdout.txt");
        let stderr_path = self.out.join("stderr.txt");
        let started = Instant::now();
        let mut child = cli
            .stdin(Stdio::null())
            .stdout(std::fs::File::create(&stdout_path).expect("stdout file"))
            .stderr(std::fs::File::create(&stderr_path).expect("stderr file"))
            .process_group(0)
            .spawn()
            .unwrap_or_else(|error| panic!("the {name} CLI does not start: {error}"));
        let group = nix::unistd::Pid::from_raw(i32::try_from(child.id()).expect("a pid fits"));
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
        let run = Run {
            status,
            elapsed: started.elapsed(),
            stdout: std::fs::read_to_string(&stdout_path).unwrap_or_default(),
            stderr: std::fs::read_to_string(&stderr_path).unwrap_or_default(),
            log: logs_in(&self.out),
            requests: api.requests(),
            is_turn,
        };
        drop(api);
        timing(&run);
        assert!(
            run.status.is_some(),
            "the {name} CLI ran longer than {} s and was killed\n{}",
            LIMIT.as_secs(),
            run.report()
        );
        run
    }

    /// Whether the project has `file` (a path relative to its root).
    pub fn ran(&self, file: &str) -> bool {
        self.root.join(file).exists()
    }
}

/// The `*.log` files in `dir`, one after the other (a CLI's own log when it writes one there).
fn logs_in(dir: &Path) -> String {
    std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "log"))
        .map(|path| std::fs::read_to_string(path).unwrap_or_default())
        .collect::<Vec<_>>()
        .join("\n")
}

#[expect(clippy::print_stderr, reason = "timings for whoever runs --nocapture")]
fn timing(run: &Run) {
    let case = std::thread::current().name().unwrap_or("?").to_owned();
    eprintln!(
        "[{}] {case}: {:.1} s, {:?}, {} requests",
        env!("CARGO_CRATE_NAME"),
        run.elapsed.as_secs_f64(),
        run.status,
        run.requests.len()
    );
}

/// What one CLI run left behind.
pub struct Run {
    /// `None` when it was killed at the deadline.
    pub status: Option<ExitStatus>,
    pub elapsed: Duration,
    pub stdout: String,
    pub stderr: String,
    /// The CLI's own log, if it wrote one into the output folder.
    pub log: String,
    /// Every request the fake API received, in order.
    pub requests: Vec<Value>,
    is_turn: fn(&Value) -> bool,
}

impl Run {
    /// The bodies of the requests `keep` accepts (it sees the whole logged request).
    pub fn bodies(&self, keep: impl Fn(&Value) -> bool) -> Vec<Value> {
        self.requests
            .iter()
            .filter(|request| keep(request))
            .map(|request| request["body"].clone())
            .collect()
    }

    /// The bodies of the agent's own turns: the requests it made on its own behalf, in order.
    pub fn turns(&self) -> Vec<Value> {
        self.bodies(self.is_turn)
    }

    /// The exit, the number of turns, the requests' paths and the ends of stdout, stderr and
    /// the CLI's log, for failure messages.
    pub fn report(&self) -> String {
        let paths: Vec<&str> = self
            .requests
            .iter()
            .filter_map(|request| request["path"].as_str())
            .collect();
        let mut report = format!(
            "exit: {:?} after {:.1} s; {} turn(s)\nrequests: {paths:?}\n--- stdout (tail)\n{}\n\
             --- stderr (tail)\n{}",
            self.status,
            self.elapsed.as_secs_f64(),
            self.turns().len(),
            tail(&self.stdout, 1500),
            tail(&self.stderr, 1500),
        );
        if !self.log.is_empty() {
            report.push_str("\n--- CLI log (tail)\n");
            report.push_str(tail(&self.log, 3000));
        }
        report
    }
}

/// The last `max` bytes of `text` or a little fewer, starting at a character.
fn tail(text: &str, max: usize) -> &str {
    let mut start = text.len().saturating_sub(max);
    while !text.is_char_boundary(start) {
        start += 1;
    }
    &text[start..]
}
