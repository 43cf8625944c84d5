//! Requests per second and latency of `cupcake serve` against `opa run --server` on the same
//! policies and event, driven by the `oha` load generator, with the servers pinned to one core
//! and then given both (rows in BENCHMARKS.md). Under `cargo test --benches` (no `--bench` flag) it
//! only starts both servers and checks that each answers the event, so the test command never
//! needs `oha`.
#![allow(clippy::print_stdout, reason = "a benchmark reports on stdout")]
#![expect(
    clippy::panic,
    reason = "a benchmark that cannot run fails by panicking"
)]

mod common;

use std::io::{BufRead as _, BufReader};
use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

const CUPCAKE: &str = env!("CARGO_BIN_EXE_cupcake");
const EVENT: &str = "02-bash-rm.json";
/// Connections kept busy by the load generator.
const CONNECTIONS: &str = "64";

/// A server process, killed when dropped.
struct Server {
    child: Child,
    url: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `program` restricted to `cores` (a `taskset` list such as `0` or `0,1`).
fn pinned(cores: &str, program: &str) -> Command {
    let mut command = Command::new("taskset");
    command.args(["-c", cores, program]);
    command
}

fn start_cupcake(cores: &str, project: &Path, cache: &Path) -> Server {
    let mut child = pinned(cores, CUPCAKE)
        .arg("serve")
        .arg("--policy-dir")
        .arg(project.join(".cupcake"))
        .arg("--cache-dir")
        .arg(cache)
        .args(["--listen", "127.0.0.1:0", "--reload-interval-ms", "0"])
        // The load generator is one client; its rate is the measurement, not a limit.
        .args(["--rate-limit", "100000000", "--rate-burst", "100000000"])
        .args(["--max-concurrency", "4096"])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("cupcake serve starts");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("first line");
    let base = line
        .trim()
        .strip_prefix("cupcake serve: listening on ")
        .unwrap_or_else(|| panic!("cupcake serve did not start: {line:?}"))
        .to_string();
    Server {
        child,
        url: format!("{base}/v1/evaluate"),
    }
}

fn start_opa(cores: &str, project: &Path, aggregation: &Path) -> Server {
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port")
        .port();
    let child = pinned(cores, "opa")
        .args(["run", "--server", "--log-level", "error", "--addr"])
        .arg(format!("127.0.0.1:{port}"))
        .arg(project.join(".cupcake/policies"))
        .arg(aggregation)
        .stdout(Stdio::null())
        // OPA warns about running as root on every start; a failed start shows as no health.
        .stderr(Stdio::null())
        .spawn()
        .expect("opa run --server starts");
    let server = Server {
        child,
        url: format!("http://127.0.0.1:{port}/v1/data/cupcake/system/evaluate"),
    };
    let health = format!("http://127.0.0.1:{port}/health");
    let started = Instant::now();
    while ureq::get(&health).call().is_err() {
        assert!(
            started.elapsed() < Duration::from_mins(1),
            "opa run --server did not come up"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    server
}

fn post(url: &str, body: &str) -> Value {
    let mut answer = ureq::post(url)
        .header("content-type", "application/json")
        .send(body)
        .unwrap_or_else(|err| panic!("{url}: {err}"));
    let text = answer.body_mut().read_to_string().expect("body");
    serde_json::from_str(&text).expect("a JSON answer")
}

/// Drives `url` with `body` for `seconds` from the load generator on `cores`.
fn load(oha: &Path, url: &str, body: &str, cores: &str, seconds: u32) -> Value {
    let output = pinned(cores, &oha.to_string_lossy())
        .args([
            "--no-tui",
            "--output-format",
            "json",
            "-c",
            CONNECTIONS,
            "-z",
        ])
        .arg(format!("{seconds}s"))
        .args([
            "-m",
            "POST",
            "-H",
            "content-type: application/json",
            "-d",
            body,
        ])
        .arg(url)
        .output()
        .expect("oha runs");
    assert!(
        output.status.success(),
        "oha failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("oha's JSON report")
}

fn row(id: &str, label: &str, cores: u32, report: &Value) -> Value {
    let summary = &report["summary"];
    let percentile = |name: &str| {
        report["latencyPercentiles"][name]
            .as_f64()
            .unwrap_or(f64::NAN)
            * 1e6
    };
    let statuses = &report["statusCodeDistribution"];
    let ok = statuses["200"].as_u64().unwrap_or(0);
    let total: u64 = statuses
        .as_object()
        .map_or(0, |codes| codes.values().filter_map(Value::as_u64).sum());
    let rps = summary["requestsPerSec"].as_f64().unwrap_or(0.0);
    println!(
        "{label}, {cores} core(s): {rps:.0} requests/s, p50 {:.2} ms, p99 {:.2} ms ({ok} of {total} answered 200)",
        percentile("p50") / 1e3,
        percentile("p99") / 1e3
    );
    json!({
        "id": id, "label": label, "cores": cores, "requests_per_sec": rps,
        "p50_us": percentile("p50"), "p99_us": percentile("p99"),
        "ok": ok, "total": total,
    })
}

fn main() {
    let args = common::Args::from_env();
    let full = args.full();
    let out = args.path("out");
    // `oha`, as ci/tools-bench.sh installed it (only the full run needs it).
    let oha = args.path("oha");

    let scratch = tempfile::tempdir().expect("temp dir");
    let project = scratch.path().join("project");
    common::copy_tree(
        &common::standard_dir().join(".cupcake"),
        &project.join(".cupcake"),
    );
    let cache = scratch.path().join("cache");
    let aggregation = scratch.path().join("evaluate.rego");
    // The entrypoint cupcake generates for these policies, so both servers run the same Rego.
    let source =
        cupcake::generated_aggregation(&project.join(".cupcake"), cupcake::Harness::Claude)
            .expect("the policies load");
    std::fs::write(&aggregation, source).expect("aggregation");
    let event: Value = serde_json::from_slice(
        &std::fs::read(common::standard_dir().join("events").join(EVENT)).expect("event"),
    )
    .expect("event JSON");
    let cupcake_body = json!({"harness": "claude", "event": event}).to_string();
    let opa_body = json!({"input": event}).to_string();

    if !full {
        let cupcake = start_cupcake("0,1", &project, &cache);
        let answer = post(&cupcake.url, &cupcake_body);
        assert_eq!(answer["decision"]["kind"], "Deny", "{answer}");
        let opa = start_opa("0,1", &project, &aggregation);
        let answer = post(&opa.url, &opa_body);
        assert!(
            answer["result"]["denials"]
                .as_array()
                .is_some_and(|d| !d.is_empty()),
            "{answer}"
        );
        println!("server bench smoke run: both servers answer");
        return;
    }

    let oha = oha.expect("--oha <path to oha> (ci/bench.sh passes it)");
    let seconds = 10;
    let mut rows = Vec::new();
    // One core: the server on core 0, the load generator on core 1. Two cores: both share
    // both, so the generator's own work counts against the servers.
    for (cores, server_cores, generator_cores) in [(1, "0", "1"), (2, "0,1", "0,1")] {
        {
            let cupcake = start_cupcake(server_cores, &project, &cache);
            load(&oha, &cupcake.url, &cupcake_body, generator_cores, 2);
            let report = load(&oha, &cupcake.url, &cupcake_body, generator_cores, seconds);
            rows.push(row(
                "cupcake_serve",
                "cupcake serve, POST /v1/evaluate",
                cores,
                &report,
            ));
        }
        {
            let opa = start_opa(server_cores, &project, &aggregation);
            load(&oha, &opa.url, &opa_body, generator_cores, 2);
            let report = load(&oha, &opa.url, &opa_body, generator_cores, seconds);
            rows.push(row(
                "opa_server",
                "opa run --server, POST /v1/data/cupcake/system/evaluate",
                cores,
                &report,
            ));
        }
    }
    let report = json!({
        "suite": "server",
        "event": EVENT,
        "connections": CONNECTIONS.parse::<u32>().unwrap_or(0),
        "seconds": seconds,
        "rows": rows,
    });
    if let Some(out) = out {
        std::fs::write(out, serde_json::to_string_pretty(&report).expect("json")).expect("write");
    }
}
