//! `cupcake serve --bundle-url`: signed bundles from a publisher the test runs on loopback.
//! The server loads a bundle only when its signature verifies, polls with `If-None-Match`,
//! swaps in a newly published bundle, and keeps serving the old one when a new bundle is
//! signed with another key or its signature is missing.
#![cfg(unix)]

mod support;

use std::io::{BufReader, Write as _};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use support::real_opa;

fn policy(rule: &str, needle: &str) -> String {
    support::deny_bash_policy(rule, needle, "blocked")
}

fn bash(command: &str) -> Value {
    json!({"hook_event_name": "PreToolUse", "tool_name": "Bash", "tool_input": {"command": command}, "session_id": "s", "cwd": "/tmp"})
}

/// What the publisher serves: the bundle, its signature (if any) and the bundle's `ETag`.
#[derive(Default)]
struct Published {
    bundle: Vec<u8>,
    signature: Option<Vec<u8>>,
    etag: String,
    version: usize,
    not_modified: usize,
}

struct Publisher {
    url: String,
    state: Arc<Mutex<Published>>,
}

impl Publisher {
    fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let url = format!(
            "http://{}/policies.bundle",
            listener.local_addr().expect("addr")
        );
        let state = Arc::new(Mutex::new(Published::default()));
        let shared = Arc::clone(&state);
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let shared = Arc::clone(&shared);
                std::thread::spawn(move || answer(&stream, &shared));
            }
        });
        Self { url, state }
    }

    fn publish(&self, bundle: &Path, signature: Option<&Path>) {
        let mut state = self.state.lock().expect("lock");
        state.bundle = std::fs::read(bundle).expect("bundle");
        state.signature = signature.map(|path| std::fs::read(path).expect("signature"));
        state.version += 1;
        state.etag = format!("\"v{}\"", state.version);
    }
}

fn answer(stream: &TcpStream, state: &Mutex<Published>) {
    let mut reader = BufReader::new(stream.try_clone().expect("clone"));
    while let Some(request) = support::read_request(&mut reader) {
        let path = request.path.clone();
        let if_none_match = request.header("if-none-match").map(str::to_string);
        let (status, etag, body) = {
            let mut state = state.lock().expect("lock");
            if path == "/policies.bundle.sig" {
                match &state.signature {
                    Some(signature) => ("200 OK", None, signature.clone()),
                    None => ("404 Not Found", None, Vec::new()),
                }
            } else if if_none_match.as_deref() == Some(state.etag.as_str()) {
                state.not_modified += 1;
                ("304 Not Modified", Some(state.etag.clone()), Vec::new())
            } else {
                ("200 OK", Some(state.etag.clone()), state.bundle.clone())
            }
        };
        let etag = etag
            .map(|etag| format!("etag: {etag}\r\n"))
            .unwrap_or_default();
        let mut writer = stream;
        let head = format!(
            "HTTP/1.1 {status}\r\n{etag}content-length: {}\r\n\r\n",
            if status.starts_with("304") {
                0
            } else {
                body.len()
            }
        );
        let _ = writer.write_all(head.as_bytes());
        if !status.starts_with("304") {
            let _ = writer.write_all(&body);
        }
    }
}

struct Scratch {
    dir: tempfile::TempDir,
}

impl Scratch {
    fn new() -> Self {
        let scratch = Self {
            dir: tempfile::tempdir().expect("temp dir"),
        };
        std::fs::create_dir_all(scratch.path("global")).expect("mkdir");
        for name in ["key-a", "key-b"] {
            let status = Command::new(env!("CARGO_BIN_EXE_cupcake"))
                .args(["keygen", "--out-dir"])
                .arg(scratch.path(name))
                .stdout(Stdio::null())
                .status()
                .expect("keygen");
            assert!(status.success());
        }
        scratch
    }

    fn path(&self, rest: &str) -> PathBuf {
        self.dir.path().join(rest)
    }

    /// A bundle of one policy, signed with `key` (`key-a`, `key-b`) when given.
    fn bundle(&self, name: &str, rule: &str, needle: &str, key: Option<&str>) -> PathBuf {
        let project = self.path(&format!("project-{name}"));
        let claude = project.join(".cupcake/policies/claude");
        std::fs::create_dir_all(&claude).expect("mkdir");
        std::fs::write(claude.join("shell.rego"), policy(rule, needle)).expect("policy");
        let output = self.path(&format!("{name}.bundle"));
        let mut command = Command::new(env!("CARGO_BIN_EXE_cupcake"));
        command
            .arg("compile")
            .arg("--policy-dir")
            .arg(project.join(".cupcake"))
            .arg("--opa-path")
            .arg(real_opa())
            .arg("--cache-dir")
            .arg(self.path("cache"))
            .arg("--global-dir")
            .arg(self.path("global"))
            .arg("--output")
            .arg(&output);
        if let Some(key) = key {
            command
                .arg("--sign-key")
                .arg(self.path(&format!("{key}/bundle-signing.key")));
        }
        let done = command.output().expect("compile runs");
        assert!(
            done.status.success(),
            "{}",
            String::from_utf8_lossy(&done.stderr)
        );
        output
    }

    fn serve(&self, url: &str, key: &str) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_cupcake"));
        command
            .args([
                "serve",
                "--listen",
                "127.0.0.1:0",
                "--reload-interval-ms",
                "100",
            ])
            .args(["--bundle-url", url, "--bundle-public-key"])
            .arg(self.path(&format!("{key}/bundle-signing.pub")))
            .arg("--cache-dir")
            .arg(self.path("serve-cache"))
            .arg("--global-dir")
            .arg(self.path("global"));
        command
    }
}

type Server = support::Served;

fn start(command: Command) -> Server {
    support::serve(command)
}

fn get(url: &str) -> Value {
    let mut answer = client().get(url).call().expect("answer");
    serde_json::from_str(&answer.body_mut().read_to_string().expect("body")).expect("JSON")
}

fn client() -> ureq::Agent {
    support::http()
}

fn decide(server: &Server, command: &str) -> Value {
    let body = json!({"harness": "claude", "event": bash(command)}).to_string();
    let mut answer = client()
        .post(&format!("{}/v1/evaluate", server.base))
        .send(&body)
        .expect("answer");
    let text = answer.body_mut().read_to_string().expect("body");
    serde_json::from_str::<Value>(&text).expect("JSON")["decision"].clone()
}

fn wait_for(what: &str, mut check: impl FnMut() -> bool) {
    let started = Instant::now();
    while !check() {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "timed out waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn serve_loads_signed_bundles_from_a_url_and_refuses_the_rest() {
    let scratch = Scratch::new();
    let publisher = Publisher::start();
    let first = scratch.bundle("first", "FIRST", "rm -rf", Some("key-a"));
    publisher.publish(
        &first,
        Some(&PathBuf::from(format!("{}.sig", first.display()))),
    );

    // The wrong key: the server does not start on a bundle it cannot trust.
    let output = scratch
        .serve(&publisher.url, "key-b")
        .output()
        .expect("runs");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("signature does not match"), "{stderr}");

    // A bundle signed for Claude is not served for Cursor.
    let output = scratch
        .serve(&publisher.url, "key-a")
        .args(["--harness", "cursor"])
        .output()
        .expect("runs");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("signed for claude, not cursor"), "{stderr}");

    let server = start(scratch.serve(&publisher.url, "key-a"));
    assert_eq!(
        decide(&server, "rm -rf build")["rule_ids"],
        json!(["FIRST"])
    );
    let first_set = get(&format!("{}/health/ready", server.base))["policy_sets"]["claude"].clone();
    // Unchanged bundles are not downloaded again.
    wait_for("a 304", || {
        publisher.state.lock().expect("lock").not_modified > 2
    });

    // A new bundle, signed: swapped in. (Signing times are in seconds; the second must be
    // later than the first for the rollback check below.)
    std::thread::sleep(Duration::from_millis(1100));
    let second = scratch.bundle("second", "SECOND", "git push", Some("key-a"));
    publisher.publish(
        &second,
        Some(&PathBuf::from(format!("{}.sig", second.display()))),
    );
    wait_for("the second bundle", || {
        decide(&server, "git push --force")["rule_ids"] == json!(["SECOND"])
    });
    assert_eq!(decide(&server, "rm -rf build")["kind"], "Allow");
    let second_set = get(&format!("{}/health/ready", server.base))["policy_sets"]["claude"].clone();
    assert_ne!(first_set, second_set);

    // The first bundle again, validly signed but older: a rollback, refused.
    publisher.publish(
        &first,
        Some(&PathBuf::from(format!("{}.sig", first.display()))),
    );
    wait_for("the rollback refusal", || {
        get(&format!("{}/health/ready", server.base))["reload_failure"]["error"]
            .as_str()
            .is_some_and(|error| error.contains("not taken back"))
    });
    assert_eq!(decide(&server, "git push")["rule_ids"], json!(["SECOND"]));

    // Signed with another key, then not signed at all: refused, reported, old set kept.
    let forged = scratch.bundle("forged", "FORGED", "ls", Some("key-b"));
    publisher.publish(
        &forged,
        Some(&PathBuf::from(format!("{}.sig", forged.display()))),
    );
    wait_for("the refusal", || {
        get(&format!("{}/health/ready", server.base))["reload_failure"]["error"]
            .as_str()
            .is_some_and(|error| error.contains("signature does not match"))
    });
    let unsigned = scratch.bundle("unsigned", "UNSIGNED", "ls", None);
    publisher.publish(&unsigned, None);
    wait_for("the second refusal", || {
        get(&format!("{}/health/ready", server.base))["reload_failure"]["error"]
            .as_str()
            .is_some_and(|error| error.contains("404"))
    });
    assert_eq!(decide(&server, "ls")["kind"], "Allow");
    assert_eq!(decide(&server, "git push")["rule_ids"], json!(["SECOND"]));
    let health = get(&format!("{}/health/ready", server.base));
    assert_eq!(health["status"], "ready");
    assert_eq!(health["policy_sets"]["claude"], second_set);
}

#[test]
fn serve_refuses_a_bundle_for_several_harnesses() {
    let scratch = Scratch::new();
    let bundle = scratch.bundle("one", "ONE", "rm -rf", None);
    let output = Command::new(env!("CARGO_BIN_EXE_cupcake"))
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--harnesses",
            "claude,cursor",
            "--bundle",
        ])
        .arg(&bundle)
        .arg("--global-dir")
        .arg(scratch.path("global"))
        .output()
        .expect("runs");
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("one harness per bundle"));
}
