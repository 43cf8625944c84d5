//! SPEC §16: no evaluation can observe another's memory. The shipped path reuses warm
//! WebAssembly instances (heap reset to its post-load state); this differential test runs
//! thousands of randomised events through it and through a brand-new instance per call, and
//! requires identical decisions, sequentially and from several threads at once. Two more
//! differentials cover the speed-ups: only the routed packages run (each through its own
//! entrypoint) versus the whole set filtered afterwards, and compiled patterns kept across
//! evaluations versus patterns that change with every event.

use std::sync::Arc;

use cupcake::Engine;
use libtest_mimic::{Failed, Trial};
use serde_json::{json, Value};

use crate::support::{check, engine};

pub fn trials() -> Vec<Trial> {
    vec![
        Trial::test("isolation::pooled_equals_fresh_sequential", sequential),
        Trial::test("isolation::pooled_equals_fresh_threads", threaded),
        Trial::test(
            "isolation::routed_packages_equal_whole_set",
            routed_equals_whole,
        ),
        Trial::test("isolation::patterns_that_vary_per_event", varying_patterns),
        Trial::test(
            "isolation::an_unrouted_package_cannot_break_a_routed_event",
            unrouted_package_fails_alone,
        ),
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
    match rng.below(7) {
        0 => json!({"hook_event_name": "UserPromptSubmit", "prompt": command, "junk": junk}),
        5 => {
            let path = [".env", "src/main.rs", "/etc/passwd", "notes.txt"][rng.below(4)];
            let tool = ["Write", "Edit"][rng.below(2)];
            json!({"hook_event_name": "PreToolUse", "tool_name": tool,
                "tool_input": {"file_path": path, "content": command, "new_string": command,
                "old_string": "x"}, "junk": junk})
        }
        6 => {
            let name = ["Stop", "SessionStart", "PostToolUse"][rng.below(3)];
            json!({"hook_event_name": name, "tool_name": "Bash", "tool_input": {"command": command}})
        }
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

/// Every event decided by the routed packages alone equals the whole set's decision filtered
/// to those packages, on the benchmarks' standard set and the verbs fixture.
fn routed_equals_whole() -> Result<(), Failed> {
    let standard = crate::support::repo_root().join("core/benches/standard");
    let standard =
        Engine::new(standard, cupcake::EngineOptions::default()).map_err(|err| err.to_string())?;
    for (engine, seed) in [
        (standard, 0x2077_0001),
        (engine("conformance/verbs")?, 0x2077_0002),
    ] {
        let mut rng = Rng(seed);
        for index in 0..1500 {
            let event = random_event(&mut rng).to_string();
            let routed = engine.evaluate(&event).map_err(|err| err.to_string());
            let whole = engine
                .evaluate_whole_set(&event)
                .map_err(|err| err.to_string());
            check(routed == whole, || {
                format!(
                    "seed {seed}, event {index}: {event}\nrouted: {routed:?}\nwhole:  {whole:?}"
                )
            })?;
        }
    }
    Ok(())
}

/// Words no cupcake rule (self-protection included) refuses, but that the patterns can match.
const HARMLESS_WORDS: &[&str] = &[
    "ls", "arm", "form", "git", "npm", "echo", "xx", "-rf", "go", "42",
];
/// Writes `policies` (file name, Rego) as a project's Claude policies and loads it.
fn project_engine(policies: &[(&str, &str)]) -> Result<(tempfile::TempDir, Engine), String> {
    let project = tempfile::tempdir().map_err(|err| err.to_string())?;
    let dir = project.path().join(".cupcake/policies/claude");
    std::fs::create_dir_all(&dir).map_err(|err| err.to_string())?;
    for (name, source) in policies {
        std::fs::write(dir.join(name), source).map_err(|err| err.to_string())?;
    }
    let engine = Engine::new(project.path(), cupcake::EngineOptions::default())
        .map_err(|err| err.to_string())?;
    Ok((project, engine))
}

/// A package routed to `Stop` whose rule fails at run time (a complete rule with two values)
/// cannot touch a `PreToolUse` event: only the routed package runs. The whole-set path, which
/// runs every package, fails on the same event, so this also shows the routes are in use.
fn unrouted_package_fails_alone() -> Result<(), Failed> {
    let routed = "# METADATA\n# scope: package\n# custom:\n#   routing:\n#     required_events: [\"PreToolUse\"]\n\
        package cupcake.policies.routed\n\nimport rego.v1\n\n\
        deny contains {\"rule_id\": \"ROUTED\", \"reason\": \"no\", \"severity\": \"HIGH\"} if input.tool_input.command == \"no\"\n";
    let broken = "# METADATA\n# scope: package\n# custom:\n#   routing:\n#     required_events: [\"Stop\"]\n\
        package cupcake.policies.broken\n\nimport rego.v1\n\n\
        value := 1 if input.tool_input\nvalue := 2 if input.tool_input\n\n\
        deny contains {\"rule_id\": \"BROKEN\", \"reason\": \"x\", \"severity\": \"HIGH\"} if value\n";
    let (_project, engine) = project_engine(&[("routed.rego", routed), ("broken.rego", broken)])?;
    let event = |command: &str| {
        json!({"hook_event_name": "PreToolUse", "tool_name": "Bash", "tool_input": {"command": command}})
            .to_string()
    };
    let allowed = engine
        .evaluate(&event("ls"))
        .map_err(|err| err.to_string())?
        .decision;
    check(allowed.rule_ids.is_empty(), || format!("{allowed:?}"))?;
    let denied = engine
        .evaluate(&event("no"))
        .map_err(|err| err.to_string())?
        .decision;
    check(denied.rule_ids == ["ROUTED"], || format!("{denied:?}"))?;
    let whole = engine.evaluate_whole_set(&event("ls"));
    check(whole.is_err(), || {
        format!("the whole set should fail: {whole:?}")
    })?;
    let stop = json!({"hook_event_name": "Stop", "tool_input": {}}).to_string();
    let stopped = engine.evaluate(&stop);
    check(stopped.is_err(), || {
        format!("the broken package decides Stop: {stopped:?}")
    })?;
    Ok(())
}

const PATTERN_PIECES: &[&str] = &[
    "rm",
    "^ls",
    "x+",
    "[a-z]{2}",
    "(git|npm)",
    "o$",
    "-r?f",
    ".",
];

/// A policy whose pattern comes from the event: every event brings another pattern, and the
/// decision must be the one that pattern gives (checked against the `regex` crate, which
/// agrees with Go on these pieces), on warm and fresh instances, from several threads.
fn varying_patterns() -> Result<(), Failed> {
    let (_project, engine) = project_engine(&[("dynamic.rego", "# METADATA\n# scope: package\n# custom:\n#   routing:\n#     required_events: [\"PreToolUse\"]\n\
         package cupcake.policies.dynamic\n\nimport rego.v1\n\n\
         deny contains {\"rule_id\": \"DYNAMIC\", \"reason\": input.tool_input.pattern, \"severity\": \"HIGH\"} if {\n\
         \tregex.match(input.tool_input.pattern, input.tool_input.command)\n}\n")])?;
    let engine = Arc::new(engine);
    let handles: Vec<_> = (0..3u64)
        .map(|thread| {
            let engine = Arc::clone(&engine);
            std::thread::spawn(move || -> Result<(), String> {
                let mut rng = Rng(0x9A77_0000 + thread);
                for index in 0..700 {
                    let pattern = format!(
                        "{}{}",
                        rng.pick(PATTERN_PIECES),
                        ["", "s", "\\s+-", "[0-9]*"][rng.below(4)]
                    );
                    let command = (0..=rng.below(4))
                        .map(|_| rng.pick(HARMLESS_WORDS))
                        .collect::<Vec<_>>()
                        .join(" ");
                    let event = json!({"hook_event_name": "PreToolUse", "tool_name": "Bash",
                        "tool_input": {"command": command, "pattern": pattern}})
                    .to_string();
                    let expected = regex::Regex::new(&pattern)
                        .map_err(|err| err.to_string())?
                        .is_match(&command);
                    let pooled = engine.evaluate(&event).map_err(|err| err.to_string())?.decision;
                    let fresh = engine
                        .evaluate_on_fresh_instance(&event)
                        .map_err(|err| err.to_string())?
                        .decision;
                    let denied = pooled.rule_ids == ["DYNAMIC"] && pooled.reason == pattern;
                    if denied != expected || pooled.kind != fresh.kind || pooled.reason != fresh.reason {
                        return Err(format!(
                            "thread {thread}, event {index}: {event}\nexpected a match: {expected}\npooled: {pooled:?}\nfresh: {fresh:?}"
                        ));
                    }
                }
                Ok(())
            })
        })
        .collect();
    for handle in handles {
        let outcome = handle.join().map_err(|_| "a thread panicked")?;
        check(outcome.is_ok(), || outcome.err().unwrap_or_default())?;
    }
    Ok(())
}
