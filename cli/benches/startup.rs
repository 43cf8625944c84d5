//! Wall time of whole `cupcake eval` processes, warm (compile cache hit) and cold (a policy
//! changed, so OPA and Cranelift run), against `opa eval` on the same policies and input (see
//! `startup.md`). Under `cargo test --benches` (no `--bench` flag) it runs each case once.
#![allow(clippy::print_stdout, reason = "a benchmark reports on stdout")]

mod common;

use std::io::Write as _;
use std::process::{Command, Stdio};
use std::time::Instant;

use serde_json::json;

const CUPCAKE: &str = env!("CARGO_BIN_EXE_cupcake");
const EVENT: &str = "01-bash-status.json";

/// Runs `command` with `stdin` and returns its wall time in microseconds; panics on failure.
fn timed_run(command: &mut Command, stdin: &[u8]) -> f64 {
    timed_output(command, stdin).0
}

/// As [`timed_run`], with the process's stderr.
fn timed_output(command: &mut Command, stdin: &[u8]) -> (f64, String) {
    let started = Instant::now();
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawns");
    child
        .stdin
        .take()
        .expect("piped stdin")
        .write_all(stdin)
        .expect("writes stdin");
    let output = child.wait_with_output().expect("waits");
    let elapsed = started.elapsed().as_secs_f64() * 1e6;
    assert!(
        output.status.success() && !output.stdout.is_empty(),
        "{command:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    (
        elapsed,
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// The floor of a hook process: a compiled program that reads stdin and prints `{}`.
fn do_nothing_program(dir: &std::path::Path) -> std::path::PathBuf {
    let source = dir.join("do_nothing.rs");
    std::fs::write(
        &source,
        "use std::io::Read;\nfn main() {\n    let mut input = Vec::new();\n    std::io::stdin().read_to_end(&mut input).expect(\"stdin\");\n    println!(\"{{}}\");\n}\n",
    )
    .expect("writes the floor program");
    let program = dir.join("do_nothing");
    let status = Command::new("rustc")
        .args(["-O", "--edition", "2021", "-o"])
        .arg(&program)
        .arg(&source)
        .status()
        .expect("rustc runs");
    assert!(status.success(), "rustc could not build the floor program");
    program
}

/// The median of each phase over the `--timings` reports in `reports`.
fn phases(reports: &[String]) -> serde_json::Value {
    let parsed: Vec<serde_json::Value> = reports
        .iter()
        .map(|stderr| {
            let line = stderr.lines().last().unwrap_or_default();
            serde_json::from_str(line).expect("a --timings report")
        })
        .collect();
    let mut names: Vec<String> = vec!["process_us".into()];
    if let Some(spans) = parsed.first().and_then(|p| p["spans"].as_object()) {
        names.extend(spans.keys().cloned());
    }
    let median = |name: &str| {
        let mut values: Vec<f64> = parsed
            .iter()
            .map(|p| {
                if name == "process_us" {
                    p["process_us"].as_f64()
                } else {
                    p["spans"][name].as_f64()
                }
                .unwrap_or(0.0)
            })
            .collect();
        values.sort_by(f64::total_cmp);
        values[values.len() / 2]
    };
    names
        .iter()
        .map(|name| (name.clone(), json!(median(name))))
        .collect::<serde_json::Map<_, _>>()
        .into()
}

fn summary(id: &str, label: &str, mut samples: Vec<f64>) -> serde_json::Value {
    samples.sort_by(f64::total_cmp);
    let at = |percent: usize| samples[(samples.len() - 1) * percent / 100];
    println!(
        "{label}: median {:.2} ms over {} runs",
        at(50) / 1e3,
        samples.len()
    );
    json!({"id": id, "label": label, "median_us": at(50), "p10_us": at(10), "p90_us": at(90), "samples": samples.len()})
}

fn main() {
    let args = common::Args::from_env();
    let full = args.full();
    let out = args.path("out");
    let (warm_runs, cold_runs, opa_runs) = if full { (200, 10, 50) } else { (1, 1, 1) };

    let scratch = tempfile::tempdir().expect("temp dir");
    let project = scratch.path().join("project");
    common::copy_tree(
        &common::standard_dir().join(".cupcake"),
        &project.join(".cupcake"),
    );
    let cache = scratch.path().join("cache");
    let event = std::fs::read(common::standard_dir().join("events").join(EVENT)).expect("event");
    let cupcake = || {
        let mut command = Command::new(CUPCAKE);
        command
            .arg("eval")
            .arg("--policy-dir")
            .arg(project.join(".cupcake"))
            .arg("--cache-dir")
            .arg(&cache);
        command
    };

    // Cold: each run edits a policy, so the cache misses and OPA plus Cranelift run.
    let touched = project.join(".cupcake/policies/claude/prompts.rego");
    let original = std::fs::read_to_string(&touched).expect("policy");
    // Each also reports its phases (OPA's build, Cranelift); the report costs microseconds.
    let (cold, cold_reports): (Vec<f64>, Vec<String>) = (0..cold_runs)
        .map(|run| {
            std::fs::write(&touched, format!("{original}\n# cold run {run}\n")).expect("edit");
            timed_output(cupcake().arg("--timings"), &event)
        })
        .unzip();

    // Warm: the policies stay as they are; the first run fills the cache.
    timed_run(&mut cupcake(), &event);
    let warm: Vec<f64> = (0..warm_runs)
        .map(|_| timed_run(&mut cupcake(), &event))
        .collect();
    // Where a warm process's time goes: the same runs reporting their phases.
    let reports: Vec<String> = (0..warm_runs)
        .map(|_| timed_output(cupcake().arg("--timings"), &event).1)
        .collect();
    let breakdown = phases(&reports);

    // The floors: a process that only reads stdin and prints `{}`, and cupcake's own binary
    // starting and exiting (`--version`).
    let floor_program = do_nothing_program(scratch.path());
    let floor: Vec<f64> = (0..warm_runs)
        .map(|_| timed_run(&mut Command::new(&floor_program), &event))
        .collect();
    let version: Vec<f64> = (0..warm_runs)
        .map(|_| timed_run(Command::new(CUPCAKE).arg("--version"), b""))
        .collect();

    let aggregation = scratch.path().join("evaluate.rego");
    // The entrypoint cupcake generates for these policies, so both evaluate the same Rego.
    let source =
        cupcake::generated_aggregation(&project.join(".cupcake"), cupcake::Harness::Claude)
            .expect("the policies load");
    std::fs::write(&aggregation, source).expect("aggregation");
    let input = scratch.path().join("input.json");
    std::fs::write(&input, &event).expect("input");
    let opa = || {
        let mut command = Command::new("opa");
        command
            .args(["eval", "--format", "json", "--input"])
            .arg(&input)
            .arg("--data")
            .arg(project.join(".cupcake/policies"))
            .arg("--data")
            .arg(&aggregation)
            .arg("data.cupcake.system.evaluate");
        command
    };
    timed_run(&mut opa(), b"");
    let opa_eval: Vec<f64> = (0..opa_runs).map(|_| timed_run(&mut opa(), b"")).collect();

    let report = json!({
        "suite": "cli",
        "event": EVENT,
        "rows": [
            summary("cupcake.warm", "cupcake eval, warm compile cache", warm),
            summary("cupcake.cold", "cupcake eval, cold (a policy changed)", cold),
            summary("opa_eval", "opa eval, same policies and input", opa_eval),
            summary("floor", "do-nothing process (reads stdin, prints {})", floor),
            summary("cupcake.version", "cupcake --version (the binary starting and exiting)", version),
        ],
        "warm_breakdown_us": breakdown,
        "cold_breakdown_us": phases(&cold_reports),
    });
    if let Some(out) = out {
        std::fs::write(&out, report.to_string()).expect("writes the report");
    }
}
