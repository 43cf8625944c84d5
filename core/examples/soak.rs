//! Soak run: one engine over the standard policy set evaluates a million events (or
//! `--evaluations N`), printing throughput and resident memory every 100,000, then a verdict on
//! memory growth after warm-up. The mix includes events that fail to parse, so error paths run
//! as often as decisions; every outcome is checked against the first round's.
//!
//! `cargo run --release -p cupcake-core --example soak`, or `just soak` (`ci/soak.sh`). It is not
//! part of the test command: a release build and about a minute of one core.
#![expect(
    clippy::print_stdout,
    clippy::cast_precision_loss,
    reason = "a soak run reports rates and memory on stdout"
)]

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use cupcake::{Engine, EngineOptions};

/// Evaluations between two report lines; the first interval is the warm-up.
const INTERVAL: u64 = 100_000;
/// Growth after warm-up, in KiB, below which resident memory counts as flat.
const FLAT_KIB: u64 = 5 * 1024;

fn main() -> ExitCode {
    let evaluations = evaluations_from_args();
    let standard = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/standard");
    let engine = match Engine::new(&standard, EngineOptions::default()) {
        Ok(engine) => engine,
        Err(err) => {
            println!("soak: the standard policies did not load: {err}");
            return ExitCode::FAILURE;
        }
    };
    let events = events(&standard);
    // The first round is the reference: every later outcome must be the same.
    let expected: Vec<String> = events.iter().map(|event| outcome(&engine, event)).collect();
    println!(
        "soak: {evaluations} evaluations on one engine, {} events round-robin (2 of them invalid)",
        events.len()
    );
    let count = u64::try_from(events.len()).expect("a handful of events");

    let start = Instant::now();
    let mut last = (start, 0_u64);
    let mut baseline = None;
    let mut peak_after_warmup = 0_u64;
    let mut mismatches = 0_u64;
    for done in 1..=evaluations {
        let index = usize::try_from(done % count).expect("below the number of events");
        if outcome(&engine, &events[index]) != expected[index] {
            mismatches += 1;
        }
        if done % INTERVAL == 0 || done == evaluations {
            let now = Instant::now();
            let rate = (done - last.1) as f64 / now.duration_since(last.0).as_secs_f64();
            let rss = rss_kib();
            println!(
                "{done:>9} evaluations  {rate:>9.0}/s  RSS {}  {:.1}s",
                rss.map_or_else(|| "n/a".to_string(), |kib| format!("{kib} KiB")),
                now.duration_since(start).as_secs_f64()
            );
            match (baseline, rss) {
                (None, Some(kib)) => baseline = Some(kib),
                (Some(_), Some(kib)) => peak_after_warmup = peak_after_warmup.max(kib),
                _ => {}
            }
            last = (now, done);
        }
    }

    let elapsed = start.elapsed().as_secs_f64();
    println!(
        "soak: {evaluations} evaluations in {elapsed:.1}s ({:.0}/s), {mismatches} outcomes differed from the first round",
        evaluations as f64 / elapsed
    );
    let flat = match baseline {
        Some(base) if peak_after_warmup > 0 => {
            let growth = peak_after_warmup.saturating_sub(base);
            let flat = growth < FLAT_KIB;
            println!(
                "verdict: RSS {} — {base} KiB after warm-up ({INTERVAL} evaluations), peak {peak_after_warmup} KiB afterwards, growth {growth} KiB (flat means under {FLAT_KIB} KiB)",
                if flat { "flat" } else { "GROWING" }
            );
            flat
        }
        _ => {
            println!(
                "verdict: RSS not measured (no /proc/self/status here, or too few evaluations)"
            );
            true
        }
    };
    if flat && mismatches == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn evaluations_from_args() -> u64 {
    let args: Vec<String> = std::env::args().skip(1).collect();
    args.iter()
        .position(|arg| arg == "--evaluations")
        .and_then(|at| args.get(at + 1))
        .and_then(|count| count.replace('_', "").parse().ok())
        .unwrap_or(1_000_000)
}

/// The standard events, in file order, then two that must fail: bad JSON and a missing name.
fn events(standard: &Path) -> Vec<String> {
    let mut paths: Vec<PathBuf> = fs_err::read_dir(standard.join("events"))
        .expect("benches/standard/events exists")
        .map(|entry| entry.expect("readable events dir").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .collect();
    paths.sort();
    let mut events: Vec<String> = paths
        .iter()
        .map(|path| fs_err::read_to_string(path).expect("readable event"))
        .collect();
    events.push(r#"{"hook_event_name": "PreToolUse", "tool_name": "#.to_string());
    events.push(r#"{"tool_name": "Bash", "tool_input": {"command": "ls"}}"#.to_string());
    events
}

/// One evaluation, summarised so that two runs of the same event compare equal.
fn outcome(engine: &Engine, event: &str) -> String {
    match engine.evaluate(event) {
        Ok(evaluation) => format!(
            "{} {} {}",
            evaluation.decision.kind.as_str(),
            evaluation.decision.reason,
            evaluation.reply.response
        ),
        Err(err) => format!("error {err}"),
    }
}

/// Resident set size in KiB, from /proc (Linux); `None` elsewhere.
fn rss_kib() -> Option<u64> {
    let status = fs_err::read_to_string("/proc/self/status").ok()?;
    let line = status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))?;
    line.trim().trim_end_matches("kB").trim().parse().ok()
}
