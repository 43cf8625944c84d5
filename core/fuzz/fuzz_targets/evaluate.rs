//! A whole evaluation: event parsing, routing, preprocessing, the compiled policies in
//! wasmtime with their host builtins, synthesis and the harness response. The engines are
//! loaded once from the bundles `ci/fuzz.sh` compiles out of `fixtures/` into
//! `target/bundles/`, so no OPA runs while fuzzing.
//!
//! Checked on every input, besides "no panic": the same event decides the same way twice (a
//! pooled instance must not remember the last evaluation), a blocking decision never reaches
//! the agent as an allow, and a failure still yields a blocking response (SPEC §12).
#![no_main]

use std::path::Path;
use std::sync::OnceLock;

use cupcake::{DecisionKind, Engine, EngineOptions, Evaluation, Harness};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

struct Engines {
    claude: Engine,
    cursor: Engine,
}

fn engines() -> &'static Engines {
    static ENGINES: OnceLock<Engines> = OnceLock::new();
    ENGINES.get_or_init(|| {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bundles");
        let load = |harness: Harness, name: &str| {
            let options = EngineOptions {
                harness,
                cache_dir: Some(dir.join("cache")),
                ..EngineOptions::default()
            };
            let path = dir.join(name);
            Engine::from_bundle(&path, options).unwrap_or_else(|err| {
                panic!(
                    "cannot load {}: {err}; run ci/fuzz.sh, which compiles the fixture bundles",
                    path.display()
                )
            })
        };
        Engines {
            claude: load(Harness::Claude, "claude.bundle"),
            cursor: load(Harness::Cursor, "cursor.bundle"),
        }
    })
}

/// The event's name, when the text is a JSON object that has one.
fn event_name(value: Option<&Value>) -> Option<&str> {
    let object = value?.as_object()?;
    object
        .get("hook_event_name")
        .or_else(|| object.get("hookEventName"))
        .and_then(Value::as_str)
}

fn check_decision(harness: Harness, event: &str, evaluation: &Evaluation) {
    let decision = &evaluation.decision;
    let response = evaluation
        .reply
        .response
        .as_object()
        .expect("a response is always a JSON object");
    let kind = decision.kind;
    assert_eq!(
        decision.updated_input.is_some(),
        kind == DecisionKind::Modify,
        "only Modify carries an updated input: {decision:?}"
    );
    if kind == DecisionKind::Allow {
        assert!(
            decision.rule_ids.is_empty() && decision.reason.is_empty(),
            "{decision:?}"
        );
    } else {
        assert!(
            !decision.rule_ids.is_empty() && !decision.reason.is_empty(),
            "{decision:?}"
        );
        assert!(
            decision.context.is_empty(),
            "only Allow carries context: {decision:?}"
        );
    }
    if !kind.is_blocking() {
        return;
    }
    match harness {
        Harness::Claude => assert!(!response.is_empty(), "{event}: blocking answered with {{}}"),
        Harness::Cursor => {
            if matches!(
                event,
                "beforeShellExecution" | "beforeMCPExecution" | "beforeReadFile"
            ) {
                assert_eq!(
                    response.get("permission"),
                    Some(&Value::from("deny")),
                    "{event}"
                );
            }
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let parsed: Option<Value> = serde_json::from_str(text).ok();
    let name = event_name(parsed.as_ref());
    // Cursor's event names start in lower case, Claude's in upper case.
    let cursor = name.is_some_and(|n| n.starts_with(|c: char| c.is_ascii_lowercase()));
    let (engine, harness) = if cursor {
        (&engines().cursor, Harness::Cursor)
    } else {
        (&engines().claude, Harness::Claude)
    };
    let first = engine.evaluate(text);
    let second = engine.evaluate(text);
    match (&first, &second) {
        (Ok(a), Ok(b)) => {
            assert_eq!(a, b, "the same event decided differently");
            check_decision(harness, name.unwrap_or_default(), a);
        }
        (Err(a), Err(b)) => {
            assert_eq!(
                a.to_string(),
                b.to_string(),
                "the same event failed differently"
            );
            let response = cupcake::failure_response(harness, parsed.as_ref(), &a.to_string());
            // A repeated stop is let through on failure, so it cannot trap the agent.
            let repeated = parsed
                .as_ref()
                .is_some_and(|event| cupcake::is_repeated_stop(harness, event));
            assert!(
                repeated || response.as_object().is_some_and(|o| !o.is_empty()),
                "a failure must still block: {response}"
            );
        }
        _ => panic!("the same event succeeded once and failed once: {first:?} / {second:?}"),
    }
});
