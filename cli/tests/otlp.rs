//! OTLP export against a receiver the test runs: a loopback HTTP endpoint that records every
//! request. Hook mode and the server each deliver the decision as a log record (`/v1/logs`)
//! and the evaluation's spans (`/v1/traces`), as protobuf, whatever `OTEL_*` variables say.
#![cfg(unix)]
#![expect(clippy::panic, reason = "a test fails by panicking")]

mod support;

use std::io::{BufReader, Write as _};
use std::net::{TcpListener, TcpStream};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

fn bash(command: &str) -> Value {
    json!({"hook_event_name": "PreToolUse", "tool_name": "Bash", "tool_input": {"command": command}, "session_id": "otlp-session", "cwd": "/tmp"})
}

/// One request the receiver got.
struct Received {
    path: String,
    content_type: String,
    body: Vec<u8>,
}

impl Received {
    fn holds(&self, text: &str) -> bool {
        self.body
            .windows(text.len())
            .any(|window| window == text.as_bytes())
    }
}

/// A minimal OTLP/HTTP endpoint: answers every POST with an empty 200 protobuf response.
struct Receiver {
    base: String,
    received: Arc<Mutex<Vec<Received>>>,
}

impl Receiver {
    fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        let received = Arc::new(Mutex::new(Vec::new()));
        let log = Arc::clone(&received);
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let log = Arc::clone(&log);
                std::thread::spawn(move || serve(&stream, &log));
            }
        });
        Self { base, received }
    }

    /// Waits until a request to `path` holds every one of `texts`.
    fn wait_for(&self, path: &str, texts: &[&str]) {
        let started = Instant::now();
        loop {
            let found = self
                .received
                .lock()
                .expect("lock")
                .iter()
                .any(|r| r.path == path && texts.iter().all(|text| r.holds(text)));
            if found {
                return;
            }
            if started.elapsed() > Duration::from_secs(30) {
                let seen: Vec<_> = self
                    .received
                    .lock()
                    .expect("lock")
                    .iter()
                    .map(|r| format!("{} {} {}B", r.path, r.content_type, r.body.len()))
                    .collect();
                panic!("no request to {path} holding {texts:?}; got {seen:?}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

fn serve(stream: &TcpStream, log: &Mutex<Vec<Received>>) {
    let mut reader = BufReader::new(stream.try_clone().expect("clone"));
    while let Some(request) = support::read_request(&mut reader) {
        let content_type = request
            .header("content-type")
            .unwrap_or_default()
            .to_string();
        let (path, body) = (request.path, request.body);
        log.lock().expect("lock").push(Received {
            path,
            content_type,
            body,
        });
        let mut writer = stream;
        let _ = writer.write_all(
            b"HTTP/1.1 200 OK\r\ncontent-type: application/x-protobuf\r\ncontent-length: 0\r\n\r\n",
        );
    }
}

struct Project {
    dir: tempfile::TempDir,
}

impl Project {
    fn new() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let claude = dir.path().join(".cupcake/policies/claude");
        std::fs::create_dir_all(&claude).expect("mkdir");
        std::fs::write(
            claude.join("shell.rego"),
            support::deny_bash_policy("RM-OTLP", "rm -rf", "no rm -rf"),
        )
        .expect("policy");
        std::fs::create_dir_all(dir.path().join("global")).expect("mkdir");
        Self { dir }
    }

    fn command(&self, subcommand: &str, receiver: &Receiver) -> Command {
        let mut command = support::cupcake_in(self.dir.path(), subcommand);
        command.arg("--otlp-endpoint").arg(&receiver.base);
        command
    }
}

/// Environment an agent could set to redirect, thin out or switch off the export.
fn hostile_otel_env(command: &mut Command) {
    command
        .env("OTEL_SDK_DISABLED", "true")
        .env("OTEL_TRACES_SAMPLER", "always_off")
        .env("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:1")
        .env(
            "OTEL_EXPORTER_OTLP_LOGS_ENDPOINT",
            "http://127.0.0.1:1/v1/logs",
        )
        .env("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc")
        .env("OTEL_EXPORTER_OTLP_COMPRESSION", "gzip")
        .env("OTEL_BLRP_MAX_QUEUE_SIZE", "0")
        .env("OTEL_BSP_MAX_QUEUE_SIZE", "0")
        .env("OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT", "0")
        .env("HTTP_PROXY", "http://127.0.0.1:1")
        .env("CUPCAKE_LOG", "off");
}

#[test]
fn hook_mode_exports_the_decision_and_its_spans() {
    let receiver = Receiver::start();
    let project = Project::new();
    let mut command = project.command("eval", &receiver);
    hostile_otel_env(&mut command);
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("eval starts");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(bash("rm -rf build").to_string().as_bytes())
        .expect("event");
    let output = child.wait_with_output().expect("output");
    let answer: Value = serde_json::from_slice(&output.stdout).unwrap_or_else(|_| {
        panic!(
            "{} {}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    });
    assert_eq!(answer["hookSpecificOutput"]["permissionDecision"], "deny");

    receiver.wait_for(
        "/v1/logs",
        &["RM-OTLP", "Deny", "otlp-session", "PreToolUse", "cupcake"],
    );
    receiver.wait_for(
        "/v1/traces",
        &[
            "cupcake.evaluate",
            "cupcake.route",
            "cupcake.wasm",
            "cupcake.synthesis",
            "cupcake.load",
        ],
    );
    let requests = receiver.received.lock().expect("lock");
    assert!(requests
        .iter()
        .all(|r| r.content_type == "application/x-protobuf"));
}

#[test]
fn the_server_exports_each_decision() {
    let receiver = Receiver::start();
    let project = Project::new();
    let mut command = project.command("serve", &receiver);
    hostile_otel_env(&mut command);
    command.args(["--listen", "127.0.0.1:0"]);
    let server = support::serve(command);
    let base = server.base.clone();
    let agent = support::http();
    let body = json!({"harness": "claude", "event": bash("rm -rf dist")}).to_string();
    let mut answer = agent
        .post(&format!("{base}/v1/evaluate"))
        .send(&body)
        .expect("answer");
    assert_eq!(answer.status(), 200);
    let _ = answer.body_mut().read_to_string();
    // Batches leave every half second while the server runs.
    receiver.wait_for("/v1/logs", &["RM-OTLP", "Deny", "otlp-session"]);
    receiver.wait_for("/v1/traces", &["cupcake.evaluate", "cupcake.wasm"]);
    drop(server);
}
