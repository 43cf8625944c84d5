//! `cupcake serve` and `cupcake eval --server`, end to end: the real binary listens on a random
//! loopback port with real OPA-compiled policies, and the tests talk HTTP to it, edit its policy
//! files under it, signal it, and point hooks at it, at a dead port and at impostor servers.
#![cfg(unix)]
#![expect(clippy::panic, reason = "a test fails by panicking")]

mod support;

use std::io::{Read as _, Write as _};
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

/// Longest the tests wait for anything before they call it a hang.
const HANG: Duration = Duration::from_mins(1);

/// Takes a second, through a signal, for requests that must still be running.
const SLOW: &str = r#"# METADATA
# custom:
#   routing:
#     required_events: ["PreToolUse"]
#     required_tools: ["Read"]
#     required_signals: ["slow"]
package cupcake.policies.slow

import rego.v1

deny contains {"rule_id": "SLOW", "reason": sprintf("slow said %v", [input.signals.slow]), "severity": "HIGH"} if {
	input.signals.slow != "ok"
}
"#;

const RULEBOOK: &str =
    "signals:\n  slow:\n    command: 'sleep 1.5; echo ok'\n    timeout_seconds: 30\n";

fn bash(command: &str) -> Value {
    json!({"hook_event_name": "PreToolUse", "tool_name": "Bash", "tool_input": {"command": command}, "session_id": "s", "cwd": "/tmp"})
}

fn read_file_event() -> Value {
    json!({"hook_event_name": "PreToolUse", "tool_name": "Read", "tool_input": {"file_path": "a.txt"}, "session_id": "s", "cwd": "/tmp"})
}

/// A project with the shell and slow policies, an empty global directory and its own cache.
struct Project {
    dir: tempfile::TempDir,
}

impl Project {
    fn new() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let project = Self { dir };
        let claude = project.path(".cupcake/policies/claude");
        std::fs::create_dir_all(&claude).expect("mkdir");
        std::fs::write(
            claude.join("shell.rego"),
            support::deny_bash_policy("RM", "rm -rf", "no rm -rf"),
        )
        .expect("policy");
        std::fs::write(claude.join("slow.rego"), SLOW).expect("policy");
        std::fs::write(project.path(".cupcake/rulebook.yml"), RULEBOOK).expect("rulebook");
        std::fs::create_dir_all(project.path("global")).expect("mkdir");
        project
    }

    fn path(&self, rest: &str) -> PathBuf {
        self.dir.path().join(rest)
    }

    fn policy(&self, name: &str) -> PathBuf {
        self.path(".cupcake/policies/claude").join(name)
    }

    /// `cupcake <subcommand>` loading this project.
    fn command(&self, subcommand: &str) -> Command {
        support::cupcake_in(self.dir.path(), subcommand)
    }

    /// Starts `cupcake serve` on a random loopback port.
    fn serve(&self, extra: &[&str]) -> Server {
        let mut command = self.command("serve");
        command.args(["--listen", "127.0.0.1:0"]).args(extra);
        Server::start(command)
    }
}

/// A running server; killed when dropped.
struct Server(support::Served);

impl std::ops::Deref for Server {
    type Target = support::Served;
    fn deref(&self) -> &support::Served {
        &self.0
    }
}

impl std::ops::DerefMut for Server {
    fn deref_mut(&mut self) -> &mut support::Served {
        &mut self.0
    }
}

impl Server {
    fn start(command: Command) -> Self {
        Self(support::serve(command))
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    fn get(&self, path: &str, token: Option<&str>) -> (u16, String) {
        let mut request = client().get(&self.url(path));
        if let Some(token) = token {
            request = request.header("authorization", format!("Bearer {token}"));
        }
        finish(request.call())
    }

    fn post(&self, path: &str, body: &str, token: Option<&str>) -> (u16, String) {
        let mut request = client()
            .post(&self.url(path))
            .header("content-type", "application/json");
        if let Some(token) = token {
            request = request.header("authorization", format!("Bearer {token}"));
        }
        finish(request.send(body))
    }

    fn evaluate(&self, event: &Value) -> (u16, Value) {
        let (status, body) = self.post(
            "/v1/evaluate",
            &json!({"harness": "claude", "event": event}).to_string(),
            None,
        );
        (status, serde_json::from_str(&body).expect("a JSON answer"))
    }

    fn health(&self) -> Value {
        let (_, body) = self.get("/health/ready", None);
        serde_json::from_str(&body).expect("health is JSON")
    }

    /// Waits until `check` holds, failing the test after [`HANG`].
    fn wait_for(&self, what: &str, mut check: impl FnMut(&Self) -> bool) {
        let started = Instant::now();
        while !check(self) {
            assert!(started.elapsed() < HANG, "timed out waiting for {what}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

fn client() -> ureq::Agent {
    support::http()
}

fn finish(answer: Result<ureq::http::Response<ureq::Body>, ureq::Error>) -> (u16, String) {
    let mut answer = answer.expect("the server answers");
    let status = answer.status().as_u16();
    let body = answer.body_mut().read_to_string().expect("body");
    (status, body)
}

fn error_kind(body: &str) -> String {
    let body: Value = serde_json::from_str(body).unwrap_or_else(|_| panic!("not JSON: {body}"));
    body["error"]["kind"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

fn denial(response: &Value) -> Option<&str> {
    let output = &response["hookSpecificOutput"];
    (output["permissionDecision"] == "deny").then(|| {
        output["permissionDecisionReason"]
            .as_str()
            .unwrap_or_default()
    })
}

#[test]
fn serve_answers_every_endpoint() {
    let project = Project::new();
    let server = project.serve(&[]);

    let (status, body) = server.get("/health/live", None);
    assert_eq!(status, 200, "{body}");
    let health = server.health();
    assert_eq!(health["status"], "ready");
    assert_eq!(health["harnesses"], json!(["claude"]));
    let policy_set = health["policy_sets"]["claude"]
        .as_str()
        .expect("fingerprint")
        .to_string();
    assert_eq!(policy_set.len(), 64);

    let (status, denied) = server.evaluate(&bash("rm -rf build"));
    assert_eq!(status, 200, "{denied}");
    assert_eq!(denied["decision"]["kind"], "Deny");
    assert_eq!(denied["decision"]["rule_ids"], json!(["RM"]));
    assert_eq!(denial(&denied["response"]), Some("no rm -rf"));
    assert_eq!(denied["policy_set"], policy_set.as_str());
    assert_eq!(denied["exit_code"], 0);
    let (_, allowed) = server.evaluate(&bash("ls"));
    assert_eq!(allowed["decision"]["kind"], "Allow");
    // Runs the `slow` signal, which the metrics count.
    let (_, signalled) = server.evaluate(&read_file_event());
    assert_eq!(signalled["decision"]["kind"], "Allow", "{signalled}");

    // The server's answer is the one hook mode gives for the same event.
    let local = run_hook(project.command("eval"), &bash("rm -rf build"));
    assert_eq!(local.response, denied["response"]);

    let batch = json!({"events": [
        {"harness": "claude", "event": bash("rm -rf build")},
        {"harness": "cursor", "event": bash("ls")},
        {"harness": "claude", "event": bash("ls")},
    ]});
    let (status, body) = server.post("/v1/evaluate/batch", &batch.to_string(), None);
    assert_eq!(status, 200, "{body}");
    let results: Value = serde_json::from_str(&body).expect("JSON");
    assert_eq!(results["results"][0]["decision"]["kind"], "Deny");
    assert_eq!(results["results"][1]["error"]["kind"], "harness_not_served");
    assert_eq!(results["results"][2]["decision"]["kind"], "Allow");

    let (status, body) = server.get("/v1/policies", None);
    assert_eq!(status, 200, "{body}");
    let policies: Value = serde_json::from_str(&body).expect("JSON");
    assert_eq!(policies["harnesses"][0]["policy_set"], policy_set.as_str());
    assert_eq!(policies["harnesses"][0]["harness"], "claude");
    assert_eq!(
        policies["harnesses"][0]["signals"],
        json!(["slow"]),
        "{policies}"
    );

    let (status, text) = server.get("/metrics", None);
    assert_eq!(status, 200, "{text}");
    for line in [
        r#"cupcake_decisions_total{harness="claude",kind="Deny"} 2"#,
        r#"cupcake_decisions_total{harness="claude",kind="Allow"} 3"#,
        r#"cupcake_evaluation_duration_seconds_count{harness="claude"} 5"#,
        r#"cupcake_signal_runs_total{signal="slow",result="ok"} 1"#,
        r#"cupcake_signal_duration_seconds_count{signal="slow"} 1"#,
        r#"cupcake_compile_cache_lookups_total{outcome="miss"} 1"#,
        r#"cupcake_policy_reloads_total{result="ok"} 1"#,
        "cupcake_policy_reload_failing 0",
        "cupcake_http_requests_in_flight 1",
        r#"cupcake_http_requests_total{route="/v1/evaluate",status="2xx"} 3"#,
    ] {
        assert!(text.lines().any(|l| l == line), "no `{line}` in\n{text}");
    }

    let (status, body) = server.get("/openapi.json", None);
    assert_eq!(status, 200);
    let document: Value = serde_json::from_str(&body).expect("JSON");
    for path in [
        "/v1/evaluate",
        "/v1/evaluate/batch",
        "/v1/policies",
        "/metrics",
        "/health/live",
        "/health/ready",
    ] {
        assert!(document["paths"][path].is_object(), "{path} missing");
    }
    assert_eq!(
        document["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );
    assert!(document["components"]["schemas"]["EvaluateResponse"].is_object());

    let (status, body) = server.get("/v2/anything", None);
    assert_eq!((status, error_kind(&body).as_str()), (404, "not_found"));
}

#[test]
fn serve_refuses_bad_requests_with_typed_errors() {
    let project = Project::new();
    let server = project.serve(&["--max-body-bytes", "2048", "--max-batch", "2"]);

    let (status, body) = server.post("/v1/evaluate", "{not json", None);
    assert_eq!(
        (status, error_kind(&body).as_str()),
        (400, "invalid_request")
    );
    let (status, body) = server.post("/v1/evaluate", r#"{"harness":"claude"}"#, None);
    assert_eq!(
        (status, error_kind(&body).as_str()),
        (400, "invalid_request")
    );
    let extra = json!({"harness": "claude", "event": bash("ls"), "allow": true}).to_string();
    let (status, body) = server.post("/v1/evaluate", &extra, None);
    assert_eq!(
        (status, error_kind(&body).as_str()),
        (400, "invalid_request"),
        "{body}"
    );

    for harness in ["nonsense", "cursor"] {
        let body = json!({"harness": harness, "event": bash("ls")}).to_string();
        let (status, body) = server.post("/v1/evaluate", &body, None);
        assert_eq!(
            (status, error_kind(&body).as_str()),
            (422, "harness_not_served"),
            "{body}"
        );
    }

    // An event the engine cannot use: refused, with the blocking answer a hook would print.
    let body = json!({"harness": "claude", "event": ["PreToolUse"]}).to_string();
    let (status, body) = server.post("/v1/evaluate", &body, None);
    assert_eq!(
        (status, error_kind(&body).as_str()),
        (422, "invalid_event"),
        "{body}"
    );
    let refused: Value = serde_json::from_str(&body).expect("JSON");
    assert!(refused["response"].is_object(), "{refused}");

    // Nesting the engine's limit refuses in hook mode is refused here too, although the
    // server's own JSON parser would accept it.
    let mut deep = bash("ls");
    deep["tool_input"]["nested"] =
        serde_json::from_str(&format!("{}{}", "[".repeat(100), "]".repeat(100))).expect("JSON");
    let body = json!({"harness": "claude", "event": deep}).to_string();
    let (status, body) = server.post("/v1/evaluate", &body, None);
    assert_eq!(
        (status, error_kind(&body).as_str()),
        (422, "invalid_event"),
        "{body}"
    );
    assert!(body.contains("nests deeper"), "{body}");

    let big = json!({"harness": "claude", "event": bash(&"x".repeat(4096))}).to_string();
    let (status, body) = server.post("/v1/evaluate", &big, None);
    assert_eq!(
        (status, error_kind(&body).as_str()),
        (413, "too_large"),
        "{body}"
    );

    let three = json!({"events": [
        {"harness": "claude", "event": bash("ls")},
        {"harness": "claude", "event": bash("ls")},
        {"harness": "claude", "event": bash("ls")},
    ]});
    let (status, body) = server.post("/v1/evaluate/batch", &three.to_string(), None);
    assert_eq!(
        (status, error_kind(&body).as_str()),
        (413, "batch_too_large"),
        "{body}"
    );

    // Still serving after all of that.
    assert_eq!(
        server.evaluate(&bash("rm -rf build")).1["decision"]["kind"],
        "Deny"
    );
    let (_, text) = server.get("/metrics", None);
    assert!(
        text.contains(
            r#"cupcake_evaluation_errors_total{harness="claude",error="invalid_event"} 2"#
        ),
        "{text}"
    );
}

#[test]
fn serve_authenticates_and_rate_limits_each_token() {
    let project = Project::new();
    let tokens = project.path("tokens");
    std::fs::write(
        &tokens,
        "# ci\n0123456789abcdef0123\nfedcba9876543210fedc\n",
    )
    .expect("tokens");
    let tokens_arg = tokens.to_str().expect("utf-8 path");
    let server = project.serve(&[
        "--token-file",
        tokens_arg,
        "--rate-limit",
        "1",
        "--rate-burst",
        "3",
    ]);
    let event = json!({"harness": "claude", "event": bash("ls")}).to_string();

    let (status, body) = server.post("/v1/evaluate", &event, None);
    assert_eq!((status, error_kind(&body).as_str()), (401, "unauthorized"));
    for wrong in ["0123456789abcdef012", "0123456789abcdef01234", "Basic x"] {
        let (status, _) = server.post("/v1/evaluate", &event, Some(wrong));
        assert_eq!(status, 401, "{wrong}");
    }
    for path in ["/metrics", "/v1/policies"] {
        assert_eq!(server.get(path, None).0, 401, "{path}");
    }
    // Probes and the API description stay open for load balancers.
    assert_eq!(server.get("/health/ready", None).0, 200);
    assert_eq!(server.get("/openapi.json", None).0, 200);

    let first = Some("0123456789abcdef0123");
    for _ in 0..3 {
        let (status, body) = server.post("/v1/evaluate", &event, first);
        assert_eq!(status, 200, "{body}");
    }
    let (status, body) = server.post("/v1/evaluate", &event, first);
    assert_eq!((status, error_kind(&body).as_str()), (429, "rate_limited"));
    // The other token has its own allowance.
    let (status, _) = server.post("/v1/evaluate", &event, Some("fedcba9876543210fedc"));
    assert_eq!(status, 200);
}

#[test]
fn serve_refuses_to_listen_beyond_loopback_without_tokens() {
    let project = Project::new();
    let output = project
        .command("serve")
        .args(["--listen", "0.0.0.0:0"])
        .output()
        .expect("runs");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("--token-file"), "{stderr}");

    let tokens = project.path("short");
    std::fs::write(&tokens, "abc\n").expect("tokens");
    let output = project
        .command("serve")
        .arg("--token-file")
        .arg(&tokens)
        .output()
        .expect("runs");
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("at least 16"));
}

#[test]
fn serve_reloads_changed_policies_and_keeps_the_old_set_when_a_reload_fails() {
    let project = Project::new();
    let server = project.serve(&["--reload-interval-ms", "100"]);
    let first = server.health()["policy_sets"]["claude"].clone();
    assert_eq!(
        server.evaluate(&bash("git push")).1["decision"]["kind"],
        "Allow"
    );

    let stricter = support::deny_bash_policy("RM", "rm -rf", "no rm -rf").replace("\"rm -rf\")", "\"rm -rf\")\n}\n\ndeny contains {\"rule_id\": \"PUSH\", \"reason\": \"no push\", \"severity\": \"HIGH\"} if {\n\tstartswith(input.tool_input.command, \"git push\")");
    std::fs::write(project.policy("shell.rego"), &stricter).expect("edit");
    server.wait_for("the new policy", |server| {
        server.evaluate(&bash("git push")).1["decision"]["kind"] == "Deny"
    });
    let second = server.health()["policy_sets"]["claude"].clone();
    assert_ne!(second, first);

    // A broken edit: the set in use stays, and the failure is visible.
    std::fs::write(
        project.policy("broken.rego"),
        "package cupcake.policies.broken\n\ndeny contains {",
    )
    .expect("break");
    server.wait_for("the failed reload", |server| {
        server.health()["reload_failure"].is_object()
    });
    let health = server.health();
    assert_eq!(health["status"], "ready");
    assert_eq!(health["policy_sets"]["claude"], second);
    assert!(
        health["reload_failure"]["error"]
            .as_str()
            .is_some_and(|e| e.contains("broken.rego")),
        "{health}"
    );
    let (_, answer) = server.evaluate(&bash("git push"));
    assert_eq!(answer["decision"]["kind"], "Deny");
    assert_eq!(answer["policy_set"], second);
    let (_, text) = server.get("/metrics", None);
    assert!(
        text.contains(r#"cupcake_policy_reloads_total{result="failed"} 1"#),
        "{text}"
    );
    assert!(text.contains("cupcake_policy_reload_failing 1"), "{text}");

    // Fixed: loaded, and the failure is gone.
    std::fs::remove_file(project.policy("broken.rego")).expect("rm");
    server.wait_for("the failure to clear", |server| {
        server.health()["reload_failure"].is_null()
    });
    assert_eq!(server.health()["policy_sets"]["claude"], second);
}

#[test]
fn serve_drains_requests_in_flight_on_sigterm() {
    let project = Project::new();
    let mut server = project.serve(&[]);
    let url = server.url("/v1/evaluate");
    let slow = std::thread::spawn(move || {
        let body = json!({"harness": "claude", "event": read_file_event()}).to_string();
        finish(
            client()
                .post(&url)
                .header("content-type", "application/json")
                .send(&body),
        )
    });
    // Let the request reach the signal, then ask the server to stop.
    std::thread::sleep(Duration::from_millis(500));
    let pid = nix::unistd::Pid::from_raw(i32::try_from(server.child.id()).expect("pid"));
    nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM).expect("SIGTERM");

    let (status, body) = slow.join().expect("the request thread");
    assert_eq!(status, 200, "{body}");
    let answer: Value = serde_json::from_str(&body).expect("JSON");
    assert_eq!(
        answer["decision"]["kind"], "Allow",
        "the signal finished: {answer}"
    );

    let started = Instant::now();
    let code = loop {
        if let Some(status) = server.child.try_wait().expect("wait") {
            break status;
        }
        assert!(
            started.elapsed() < HANG,
            "the server did not exit after draining"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(code.success(), "{code:?}");
    let mut rest = String::new();
    server.stdout.read_to_string(&mut rest).expect("stdout");
    assert!(rest.contains("cupcake serve: stopped"), "{rest}");
}

/// One hook answer.
struct Hook {
    response: Value,
    code: i32,
    took: Duration,
}

fn run_hook(mut command: Command, event: &Value) -> Hook {
    let started = Instant::now();
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("cupcake eval starts");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(event.to_string().as_bytes())
        .expect("event");
    let output = child.wait_with_output().expect("output");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let response = serde_json::from_str(stdout.trim()).unwrap_or_else(|err| {
        panic!(
            "stdout is not one JSON answer ({err}): {stdout:?}; stderr: {}",
            String::from_utf8_lossy(&output.stderr)
        )
    });
    Hook {
        response,
        code: output.status.code().unwrap_or(-1),
        took: started.elapsed(),
    }
}

/// `cupcake eval --server <base>`, loading nothing locally.
fn remote_hook(base: &str, extra: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_cupcake"));
    command.args(["eval", "--server", base]).args(extra);
    command
}

#[test]
fn eval_with_server_prints_the_servers_answer() {
    let project = Project::new();
    let tokens = project.path("tokens");
    std::fs::write(&tokens, "0123456789abcdef0123\n").expect("tokens");
    let server = project.serve(&["--token-file", tokens.to_str().expect("utf-8")]);
    let token_arg = ["--token-file", tokens.to_str().expect("utf-8")];

    let hook = run_hook(remote_hook(&server.base, &token_arg), &bash("rm -rf build"));
    assert_eq!(denial(&hook.response), Some("no rm -rf"));
    assert_eq!(hook.code, 0);
    let hook = run_hook(remote_hook(&server.base, &token_arg), &bash("ls"));
    assert_eq!(denial(&hook.response), None, "{}", hook.response);

    // Without the token the server refuses, and the hook blocks.
    let hook = run_hook(remote_hook(&server.base, &[]), &bash("ls"));
    let reason = denial(&hook.response).expect("blocks");
    assert!(
        reason.contains("401") && reason.contains("Bearer"),
        "{reason}"
    );

    // A proxy the agent sets in the environment is not used: the answer still comes from
    // the real server (the proxy would have allowed everything).
    let proxy = Impostor::start(allow_everything());
    let mut command = remote_hook(&server.base, &token_arg);
    command
        .env("HTTP_PROXY", &proxy.base)
        .env("http_proxy", &proxy.base)
        .env("ALL_PROXY", &proxy.base);
    let hook = run_hook(command, &bash("rm -rf build"));
    assert_eq!(denial(&hook.response), Some("no rm -rf"));
    assert_eq!(proxy.requests(), 0);
}

#[test]
fn eval_with_server_blocks_when_the_server_is_down_slow_or_wrong() {
    // Down: nothing listens on the port.
    let closed = TcpListener::bind("127.0.0.1:0").expect("bind");
    let base = format!("http://{}", closed.local_addr().expect("addr"));
    drop(closed);
    let hook = run_hook(remote_hook(&base, &[]), &bash("ls"));
    let reason = denial(&hook.response).expect("blocks when down");
    assert!(reason.contains("did not answer"), "{reason}");

    // Slow: the server takes longer than the hook deadline.
    let project = Project::new();
    let server = project.serve(&[]);
    let hook = run_hook(
        remote_hook(&server.base, &["--deadline", "0.5"]),
        &read_file_event(),
    );
    assert!(denial(&hook.response).is_some(), "{}", hook.response);
    assert!(
        hook.took < Duration::from_millis(1400),
        "took {:?}",
        hook.took
    );

    // Wrong: something answers 200 with an allow-shaped body that is not a cupcake answer,
    // or a cupcake answer for another harness, or an error status.
    for (answer, words) in [
        (allow_everything(), "is not for claude"),
        (
            http(200, &json!({"harness": "claude", "response": "allow", "stderr": "", "exit_code": 0}).to_string()),
            "has no response object",
        ),
        (
            http(200, &json!({"harness": "cursor", "response": {}, "stderr": "", "exit_code": 0}).to_string()),
            "is not for claude",
        ),
        (http(500, "oops"), "answered 500"),
        (
            "HTTP/1.1 302 Found\r\nlocation: http://127.0.0.1:1/\r\ncontent-length: 0\r\nconnection: close\r\n\r\n".to_string(),
            "answered 302",
        ),
    ] {
        let impostor = Impostor::start(answer);
        let hook = run_hook(remote_hook(&impostor.base, &[]), &bash("ls"));
        let reason = denial(&hook.response).unwrap_or_else(|| panic!("allowed: {}", hook.response));
        assert!(reason.contains(words), "{reason}");
    }

    // A Stop the server cannot decide is blocked once, never trapped: the repeated stop passes.
    let stop = json!({"hook_event_name": "Stop", "stop_hook_active": true, "session_id": "s"});
    let hook = run_hook(remote_hook(&base, &[]), &stop);
    assert_ne!(hook.response["decision"], "block", "{}", hook.response);
}

fn http(status: u16, body: &str) -> String {
    format!(
        "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    )
}

fn allow_everything() -> String {
    http(200, r#"{"decision":"allow","continue":true}"#)
}

/// A loopback HTTP server that gives every request the same raw answer and counts them.
struct Impostor {
    base: String,
    served: std::sync::Arc<std::sync::atomic::AtomicUsize>,
}

impl Impostor {
    fn start(answer: String) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        let served = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let counter = std::sync::Arc::clone(&served);
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                let mut buffer = vec![0u8; 65536];
                let _ = stream.set_read_timeout(Some(Duration::from_millis(200)));
                let _ = stream.read(&mut buffer);
                let _ = stream.write_all(answer.as_bytes());
            }
        });
        Self { base, served }
    }

    fn requests(&self) -> usize {
        self.served.load(std::sync::atomic::Ordering::SeqCst)
    }
}
