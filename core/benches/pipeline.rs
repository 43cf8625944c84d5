//! Criterion benchmarks of one evaluation on the standard policy set (see `pipeline.md`).
#![allow(
    missing_docs,
    reason = "criterion_main! generates an undocumented main"
)]

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use cupcake::{Engine, EngineOptions};

#[path = "common/regorus_peer.rs"]
mod regorus_peer;
#[path = "common/standard.rs"]
mod standard;

fn engine() -> Engine {
    Engine::new(standard::dir(), EngineOptions::default())
        .expect("the standard set compiles (is OPA installed? run `bash ci/tools.sh`)")
}

fn pipeline(c: &mut Criterion) {
    let engine = engine();
    let events = standard::events();
    let mut group = c.benchmark_group("pipeline");
    group.throughput(Throughput::Elements(events.len() as u64));
    // One iteration is one pass over every event: parse, preprocess, route, wasm, synthesis
    // and the harness response serialized to the text a hook prints.
    group.bench_function("pooled", |b| {
        b.iter(|| {
            for event in &events {
                let evaluation = engine.evaluate(black_box(event)).expect("evaluates");
                black_box(evaluation.reply.response.to_string());
            }
        });
    });
    // The whole set's aggregation, filtered to the routed packages afterwards: what ran
    // before each package had its own entrypoint.
    group.bench_function("whole_set", |b| {
        b.iter(|| {
            for event in &events {
                let evaluation = engine
                    .evaluate_whole_set(black_box(event))
                    .expect("evaluates");
                black_box(evaluation.reply.response.to_string());
            }
        });
    });
    group.bench_function("fresh_store", |b| {
        b.iter(|| {
            for event in &events {
                let evaluation = engine
                    .evaluate_on_fresh_instance(black_box(event))
                    .expect("evaluates");
                black_box(evaluation.reply.response.to_string());
            }
        });
    });
    group.finish();
}

fn raw_wasm(c: &mut Criterion) {
    let engine = engine();
    let events = standard::events();
    let mut group = c.benchmark_group("wasm");
    group.throughput(Throughput::Elements(events.len() as u64));
    // The policy module alone: input written, entrypoint run, result read back; no routing,
    // preprocessing or synthesis.
    group.bench_function("raw_call", |b| {
        b.iter(|| {
            for event in &events {
                black_box(engine.evaluate_raw(black_box(event)).expect("evaluates"));
            }
        });
    });
    group.finish();
}

/// regorus interpreting the same policy files for the packages routed per event, after a check
/// that it decides every standard event as cupcake does.
fn regorus_peer(c: &mut Criterion) {
    let engine = engine();
    let events = standard::events();
    let mut peer = regorus_peer::Regorus::new(&engine);
    let plans: Vec<_> = events.iter().map(|event| peer.plan(event)).collect();
    for (event, plan) in events.iter().zip(&plans) {
        let (kind, ids) = peer.decide(event, plan);
        let expected = regorus_peer::cupcake_outcome(&engine, event);
        assert_eq!(
            (kind.to_string(), ids),
            expected,
            "regorus and cupcake disagree on {event}"
        );
    }
    let mut group = c.benchmark_group("peers");
    group.throughput(Throughput::Elements(events.len() as u64));
    // Input set, the routed packages' verb rules evaluated, rule ids read back.
    group.bench_function("regorus", |b| {
        b.iter(|| {
            for (event, plan) in events.iter().zip(&plans) {
                black_box(peer.decide(black_box(event), plan));
            }
        });
    });
    group.finish();
}

criterion_group!(benches, pipeline, raw_wasm, regorus_peer);
criterion_main!(benches);
