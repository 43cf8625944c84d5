//! How cost grows with the policy set: the standard set (ten policies) against the same files
//! ten times over (a hundred policies, each copy its own package), in one process. For each:
//! the first (cold) compile, the median evaluation over the standard events, and resident
//! memory per loaded engine (see `size.md`). Under `cargo test --benches` it runs once, small.
#![allow(
    clippy::print_stdout,
    clippy::cast_precision_loss,
    reason = "a benchmark reports on stdout"
)]

use std::path::{Path, PathBuf};
use std::time::Instant;

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

/// Copies of the standard policies in the large set.
const COPIES: usize = 10;

/// A project holding the standard policies `copies` times, copy `n` in package `<name>_<n>`.
fn project(root: &Path, copies: usize) -> PathBuf {
    let from = standard::dir().join(".cupcake/policies/claude");
    let to = root.join(".cupcake/policies/claude");
    std::fs::create_dir_all(&to).expect("mkdir");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&from)
        .expect("readable policies")
        .map(|entry| entry.expect("entry").path())
        .collect();
    files.sort();
    for copy in 0..copies {
        for file in &files {
            let source = std::fs::read_to_string(file).expect("readable policy");
            let stem = file.file_stem().and_then(|s| s.to_str()).expect("name");
            let renamed = source.replace(
                &format!("package cupcake.policies.{stem}\n"),
                &format!("package cupcake.policies.{stem}_{copy}\n"),
            );
            assert_ne!(
                renamed, source,
                "{stem} declares package cupcake.policies.{stem}"
            );
            std::fs::write(to.join(format!("{stem}_{copy}.rego")), renamed).expect("write");
        }
    }
    root.to_path_buf()
}

fn options(cache: &Path) -> EngineOptions {
    EngineOptions {
        cache_dir: Some(cache.to_path_buf()),
        ..EngineOptions::default()
    }
}

fn median(mut samples: Vec<f64>) -> f64 {
    samples.sort_by(f64::total_cmp);
    samples[samples.len() / 2]
}

struct Sizes {
    cold_runs: usize,
    passes: usize,
    engines: usize,
}

fn measure(label: &str, dir: &Path, scratch: &Path, sizes: &Sizes) -> serde_json::Value {
    let events = standard::events();
    // Cold: a cache directory of its own each time, so OPA and Cranelift both run.
    let cold: Vec<f64> = (0..sizes.cold_runs)
        .map(|run| {
            let cache = scratch.join(format!("{label}-cold-{run}"));
            let started = Instant::now();
            Engine::new(dir, options(&cache)).expect("the set compiles");
            started.elapsed().as_secs_f64() * 1e6
        })
        .collect();
    let cache = scratch.join(format!("{label}-warm"));
    let engine = Engine::new(dir, options(&cache)).expect("the set compiles");
    let policies = engine.policies().len();
    for event in &events {
        engine.evaluate(event).expect("evaluates");
    }
    // One sample is a pass over every event; the time per evaluation is its mean.
    let per_eval: Vec<f64> = (0..sizes.passes)
        .map(|_| {
            let started = Instant::now();
            for event in &events {
                std::hint::black_box(engine.evaluate(event).expect("evaluates"));
            }
            started.elapsed().as_secs_f64() * 1e6 / events.len() as f64
        })
        .collect();
    // Memory: engines loaded from the warm cache, each with one evaluated instance.
    let before = rss_kib();
    let loaded: Vec<Engine> = (0..sizes.engines)
        .map(|_| {
            let engine = Engine::new(dir, options(&cache)).expect("loads");
            engine.evaluate(&events[0]).expect("evaluates");
            engine
        })
        .collect();
    let per_engine_kib = (rss_kib().saturating_sub(before)) as f64 / loaded.len() as f64;
    drop(loaded);
    let row = json!({
        "id": label,
        "policies": policies,
        "cold_compile_us": median(cold),
        "evaluate_us": median(per_eval),
        "engine_kib": per_engine_kib,
    });
    println!("{row}");
    row
}

fn main() {
    let BenchArgs { full, out } = BenchArgs::from_env();
    let sizes = if full {
        Sizes {
            cold_runs: 5,
            passes: 3000,
            engines: 10,
        }
    } else {
        Sizes {
            cold_runs: 1,
            passes: 3,
            engines: 1,
        }
    };
    let scratch = tempfile::tempdir().expect("temp dir");
    let small = project(&scratch.path().join("ten"), 1);
    let large = project(&scratch.path().join("hundred"), COPIES);
    let rows = vec![
        measure("policies.10", &small, scratch.path(), &sizes),
        measure("policies.100", &large, scratch.path(), &sizes),
    ];
    let report = json!({"suite": "rust-size", "rows": rows});
    if let Some(out) = out {
        std::fs::write(&out, report.to_string()).expect("writes the report");
    }
}
