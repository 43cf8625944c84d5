//! Engine behaviour beyond the shared cases: load errors, reuse after failures, and
//! concurrent evaluation on one engine.

use std::sync::Arc;

use cupcake::{DecisionKind, Engine, EngineOptions};
use libtest_mimic::{Failed, Trial};

use crate::support::{check, engine, repo_root, tests_dir};

pub fn trials() -> Vec<Trial> {
    vec![
        Trial::test(
            "engine::missing_directory_is_config_error",
            missing_directory,
        ),
        Trial::test("engine::explicit_missing_opa_is_opa_not_found", missing_opa),
        Trial::test(
            "engine::empty_policy_dir_allows_without_opa",
            empty_policy_dir,
        ),
        Trial::test(
            "engine::concurrent_evaluations_agree",
            concurrent_evaluations,
        ),
        Trial::test("engine::project_dir_or_cupcake_dir", project_or_cupcake_dir),
        Trial::test("engine::deadline_stops_a_loop", deadline_stops_a_loop),
        Trial::test("engine::memory_cap_stops_a_bomb", memory_cap_stops_a_bomb),
        Trial::test(
            "engine::unsupported_builtin_is_refused_at_load",
            unsupported_builtin_is_refused_at_load,
        ),
        Trial::test("engine::input_caps_are_enforced", input_caps_are_enforced),
        Trial::test(
            "engine::invalid_constant_pattern_is_refused_at_load",
            invalid_constant_pattern_is_refused_at_load,
        ),
    ]
}

fn kind_of(result: Result<Engine, cupcake::Error>) -> Result<(&'static str, String), Failed> {
    match result {
        Ok(_) => Err("engine loaded but should have failed".into()),
        Err(err) => Ok((err.kind(), err.to_string())),
    }
}

fn missing_directory() -> Result<(), Failed> {
    let (kind, message) = kind_of(Engine::new(
        tests_dir("no/such/dir"),
        EngineOptions::default(),
    ))?;
    check(kind == "Config", || format!("got {kind}: {message}"))?;
    check(
        message.contains("does not exist") && message.contains("cupcake init"),
        || message.clone(),
    )
}

fn missing_opa() -> Result<(), Failed> {
    let options = EngineOptions {
        opa_path: Some(repo_root().join("no-such-opa")),
        ..EngineOptions::default()
    };
    let (kind, message) = kind_of(Engine::new(tests_dir("conformance/verbs"), options))?;
    check(kind == "OpaNotFound", || format!("got {kind}: {message}"))?;
    check(
        message.contains("go install github.com/open-policy-agent/opa"),
        || message.clone(),
    )
}

fn empty_policy_dir() -> Result<(), Failed> {
    let dir = tempfile::tempdir()?;
    std::fs::create_dir_all(dir.path().join(".cupcake"))?;
    // A bogus OPA path proves nothing was compiled: there is nothing to compile.
    let options = EngineOptions {
        opa_path: Some(dir.path().join("absent-opa")),
        ..EngineOptions::default()
    };
    let engine = Engine::new(dir.path(), options)?;
    let evaluation = engine.evaluate(r#"{"hook_event_name":"PreToolUse","tool_name":"Bash","tool_input":{"command":"rm -rf build"}}"#)?;
    check(evaluation.decision.kind == DecisionKind::Allow, || {
        format!("{evaluation:?}")
    })?;
    check(evaluation.reply.response == serde_json::json!({}), || {
        evaluation.reply.response.to_string()
    })
}

fn project_or_cupcake_dir() -> Result<(), Failed> {
    let dir = tempfile::tempdir()?;
    let policies = dir.path().join(".cupcake/policies/claude");
    std::fs::create_dir_all(&policies)?;
    std::fs::copy(
        tests_dir("conformance/input_errors/policies/claude/any.rego"),
        policies.join("any.rego"),
    )?;
    let event = r#"{"hook_event_name":"PreToolUse","tool_name":"Forbidden"}"#;
    for root in [dir.path().to_path_buf(), dir.path().join(".cupcake")] {
        let decision = Engine::new(&root, EngineOptions::default())?
            .evaluate(event)?
            .decision;
        check(decision.kind == DecisionKind::Deny, || {
            format!("{}: {decision:?}", root.display())
        })?;
    }
    Ok(())
}

fn concurrent_evaluations() -> Result<(), Failed> {
    let engine = Arc::new(engine("conformance/verbs")?);
    let commands = [
        "rm -rf a",
        "git push",
        "npm install",
        "ls",
        "shutdown -h now",
    ];
    let expected = [
        DecisionKind::Deny,
        DecisionKind::Ask,
        DecisionKind::Modify,
        DecisionKind::Allow,
        DecisionKind::Halt,
    ];
    let handles: Vec<_> = (0..4)
        .map(|thread| {
            let engine = Arc::clone(&engine);
            std::thread::spawn(move || -> Result<(), String> {
                for round in 0..200 {
                    let index = (thread + round) % commands.len();
                    let event = serde_json::json!({
                        "hook_event_name": "PreToolUse",
                        "tool_name": "Bash",
                        "tool_input": {"command": commands[index]},
                    });
                    let decision = engine
                        .evaluate(&event.to_string())
                        .map_err(|err| err.to_string())?
                        .decision;
                    if decision.kind != expected[index] {
                        return Err(format!(
                            "{}: expected {:?}, got {:?}",
                            commands[index], expected[index], decision.kind
                        ));
                    }
                }
                Ok(())
            })
        })
        .collect();
    for handle in handles {
        handle.join().map_err(|_| "a thread panicked")??;
    }
    Ok(())
}

/// The limits fixture with the given deadline and memory cap.
fn limits_engine(timeout_ms: u64, memory_bytes: usize) -> Result<Engine, Failed> {
    let options = EngineOptions {
        limits: cupcake::Limits {
            timeout: std::time::Duration::from_millis(timeout_ms),
            memory_bytes,
            ..cupcake::Limits::default()
        },
        ..EngineOptions::default()
    };
    Ok(Engine::new(tests_dir("fixtures/limits"), options)?)
}

fn tool_event(tool: &str) -> String {
    serde_json::json!({"hook_event_name": "PreToolUse", "tool_name": tool}).to_string()
}

/// Expects `tool` to stop at a limit whose message mentions `limit`, then the engine to
/// answer an ordinary event correctly.
fn stops_then_recovers(engine: &Engine, tool: &str, limit: &str) -> Result<(), Failed> {
    match engine.evaluate(&tool_event(tool)) {
        Ok(decision) => return Err(format!("{tool} finished: {decision:?}").into()),
        Err(err) => {
            check(err.kind() == "LimitExceeded", || {
                format!("{tool}: {} {err}", err.kind())
            })?;
            check(err.to_string().contains(limit), || format!("{tool}: {err}"))?;
        }
    }
    let decision = engine.evaluate(&tool_event("Fine"))?.decision;
    check(decision.reason == "ordinary decision", || {
        format!("after {tool}: {decision:?}")
    })
}

fn deadline_stops_a_loop() -> Result<(), Failed> {
    let engine = limits_engine(300, 3 * 1024 * 1024 * 1024)?;
    stops_then_recovers(&engine, "Loop", "deadline of 300 ms")
}

fn memory_cap_stops_a_bomb() -> Result<(), Failed> {
    // A generous deadline, so only the memory cap can stop it even on a loaded machine.
    let engine = limits_engine(20_000, 64 * 1024 * 1024)?;
    stops_then_recovers(&engine, "Bomb", "memory limit of 64 MiB")
}

fn unsupported_builtin_is_refused_at_load() -> Result<(), Failed> {
    let (kind, message) = kind_of(Engine::new(
        tests_dir("fixtures/unsupported_builtin"),
        EngineOptions::default(),
    ))?;
    check(kind == "UnsupportedBuiltin", || {
        format!("got {kind}: {message}")
    })?;
    check(
        message.contains("http.send") && message.contains("net.rego"),
        || message.clone(),
    )
}

/// The pattern check runs before OPA builds the set (and so on every cache miss): with an
/// empty cache of its own, the load fails naming the file, the line and the pattern.
fn invalid_constant_pattern_is_refused_at_load() -> Result<(), Failed> {
    let cache = tempfile::tempdir()?;
    let options = EngineOptions {
        cache_dir: Some(cache.path().to_path_buf()),
        ..EngineOptions::default()
    };
    let (kind, message) = kind_of(Engine::new(tests_dir("fixtures/invalid_pattern"), options))?;
    check(kind == "PolicyCompile", || format!("got {kind}: {message}"))?;
    check(
        message.contains("lookahead.rego:13") && message.contains("rm (?!-i)"),
        || message.clone(),
    )
}

fn input_caps_are_enforced() -> Result<(), Failed> {
    let engine = engine("conformance/input_errors")?;
    let deep = format!(
        r#"{{"hook_event_name":"Stop","x":{}1{}}}"#,
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    let big = format!(
        r#"{{"hook_event_name":"Stop","x":"{}"}}"#,
        "a".repeat(16 * 1024 * 1024)
    );
    for (name, event) in [("deep", deep), ("big", big)] {
        match engine.evaluate(&event) {
            Ok(evaluation) => {
                return Err(format!("{name} event accepted: {:?}", evaluation.decision.kind).into())
            }
            Err(err) => {
                check(err.kind() == "InvalidInput", || format!("{name}: {err}"))?;
            }
        }
    }
    let decision = engine.evaluate(&tool_event("Forbidden"))?.decision;
    check(decision.kind == DecisionKind::Deny, || {
        format!("{decision:?}")
    })
}
