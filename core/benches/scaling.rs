//! Throughput with 1, 2 and 4 threads sharing one engine, and resident memory before and after
//! a million evaluations (see `scaling.md`). Under `cargo test --benches` (no `--bench` flag)
//! it runs a tiny version so the test command proves the code still works.
#![allow(
    clippy::print_stdout,
    clippy::cast_precision_loss,
    reason = "a benchmark reports rates on stdout"
)]

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use cupcake::{Engine, EngineOptions};
use serde_json::json;

#[path = "common/args.rs"]
mod args;
#[path = "common/rss.rs"]
mod rss;
#[path = "common/standard.rs"]
mod standard;

use args::BenchArgs;
use rss::rss_kib;

struct Plan {
    window: Duration,
    rss_evaluations: u64,
    out: Option<PathBuf>,
}

impl Plan {
    fn from_args() -> Self {
        let BenchArgs { full, out } = BenchArgs::from_env();
        if full {
            Self {
                window: Duration::from_secs(3),
                rss_evaluations: 1_000_000,
                out,
            }
        } else {
            Self {
                window: Duration::from_millis(100),
                rss_evaluations: 1_000,
                out,
            }
        }
    }
}

/// Evaluations per second with `threads` threads evaluating on `engine` for `window`.
fn throughput(engine: &Engine, events: &[String], threads: usize, window: Duration) -> f64 {
    let done = AtomicU64::new(0);
    let stop = AtomicBool::new(false);
    let started = Instant::now();
    std::thread::scope(|scope| {
        for offset in 0..threads {
            let (done, stop) = (&done, &stop);
            scope.spawn(move || {
                let mut count = 0_u64;
                let mut index = offset;
                while !stop.load(Ordering::Relaxed) {
                    engine
                        .evaluate(&events[index % events.len()])
                        .expect("evaluates");
                    index += 1;
                    count += 1;
                }
                done.fetch_add(count, Ordering::Relaxed);
            });
        }
        std::thread::sleep(window);
        stop.store(true, Ordering::Relaxed);
    });
    done.load(Ordering::Relaxed) as f64 / started.elapsed().as_secs_f64()
}

fn main() {
    let plan = Plan::from_args();
    let engine = Engine::new(standard::dir(), EngineOptions::default())
        .expect("the standard set compiles (is OPA installed? run `bash ci/tools.sh`)");
    let events = standard::events();
    // Warm every thread's instance first, so the first window does not pay instantiation.
    throughput(&engine, &events, 4, plan.window / 4);

    let mut rows = Vec::new();
    for threads in [1, 2, 4] {
        let rate = throughput(&engine, &events, threads, plan.window);
        println!("threads {threads}: {rate:.0} evaluations/s");
        rows.push(
            json!({"id": format!("threads.{threads}"), "threads": threads, "evals_per_sec": rate}),
        );
    }

    let before = rss_kib();
    for index in 0..plan.rss_evaluations {
        let event = &events[usize::try_from(index).unwrap_or(0) % events.len()];
        engine.evaluate(event).expect("evaluates");
    }
    let after = rss_kib();
    println!(
        "RSS: {before} KiB before, {after} KiB after {} evaluations",
        plan.rss_evaluations
    );

    let report = json!({
        "suite": "rust-scaling",
        "cores": std::thread::available_parallelism().map_or(1, usize::from),
        "throughput": rows,
        "rss": {"evaluations": plan.rss_evaluations, "before_kib": before, "after_kib": after},
    });
    if let Some(out) = plan.out {
        std::fs::write(&out, report.to_string()).expect("writes the report");
    }
}
