//! SPEC §16: no evaluation can observe another's memory. The shipped path reuses warm
//! WebAssembly instances (heap reset to its post-load state); this differential test runs
//! thousands of randomised events through it and through a brand-new instance per call, and
//! requires identical decisions, sequentially and from several threads at once.

use std::sync::Arc;

use cupcake::Engine;
use libtest_mimic::{Failed, Trial};
use serde_json::{json, Value};

use crate::support::{check, engine};

pub fn trials() -> Vec<Trial> {
    vec![
        Trial::test("isolation::pooled_equals_fresh_sequential", sequential),
        Trial::test("isolation::pooled_equals_fresh_threads", threaded),
    ]
}

/// xorshift64*: a seeded generator, so a failing event can be reproduced from its seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % (n as u64)).expect("below n fits usize")
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

const WORDS: &[&str] = &[
    "rm",
    "-rf",
    "build",
    "git",
    "push",
    "origin",
    "npm",
    "install",
    "ls",
    "shutdown",
    "now",
    "curl",
    "x",
    "|",
    "sh",
    "echo",
    "'quoted  text'",
    "&&",
    ";",
    "-la",
];
const GAPS: &[&str] = &[" ", "  ", "\t", " \t "];

/// A random hook event: mostly Bash commands built from policy-relevant words, plus prompts,
/// other tools, and junk of random size so reused heaps see inputs of every length.
fn random_event(rng: &mut Rng) -> Value {
    let mut command = String::new();
    for i in 0..=rng.below(6) {
        if i > 0 {
            command.push_str(rng.pick(GAPS));
        }
        command.push_str(rng.pick(WORDS));
    }
    if rng.below(3) == 0 {
        command =
            ["npm install", "git push origin main", "rm -rf /", "ls"][rng.below(4)].to_string();
    }
    let junk: Vec<Value> = (0..rng.below(200))
        .map(|i| json!({"k": i, "v": "x".repeat(rng.below(64))}))
        .collect();
    match rng.below(5) {
        0 => json!({"hook_event_name": "UserPromptSubmit", "prompt": command, "junk": junk}),
        1 => {
            json!({"hook_event_name": "PostToolUse", "tool_name": "Read", "tool_input": {"file_path": command}})
        }
        _ => {
            json!({"hook_event_name": "PreToolUse", "tool_name": "Bash", "tool_input": {"command": command}, "junk": junk})
        }
    }
}

fn compare(engine: &Engine, seed: u64, count: usize) -> Result<(), String> {
    let mut rng = Rng(seed);
    for index in 0..count {
        let event = random_event(&mut rng).to_string();
        let pooled = engine.evaluate(&event).map_err(|err| err.to_string());
        let fresh = engine
            .evaluate_on_fresh_instance(&event)
            .map_err(|err| err.to_string());
        if pooled != fresh {
            return Err(format!(
                "seed {seed}, event {index}: {event}\npooled: {pooled:?}\nfresh:  {fresh:?}"
            ));
        }
    }
    Ok(())
}

fn sequential() -> Result<(), Failed> {
    let engine = engine("conformance/verbs")?;
    compare(&engine, 0x5EED_0001, 2000).map_err(Failed::from)
}

fn threaded() -> Result<(), Failed> {
    let engine = Arc::new(engine("conformance/verbs")?);
    let handles: Vec<_> = (0..4u64)
        .map(|thread| {
            let engine = Arc::clone(&engine);
            std::thread::spawn(move || compare(&engine, 0x7EAD_0000 + thread, 500))
        })
        .collect();
    for handle in handles {
        let outcome = handle.join().map_err(|_| "a thread panicked")?;
        check(outcome.is_ok(), || outcome.err().unwrap_or_default())?;
    }
    Ok(())
}
