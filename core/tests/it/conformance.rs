//! Runs `tests/conformance/<area>/cases.json` against the Rust API. Python and Node run the
//! same files; a case that passes here must pass there.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Arc, OnceLock};

use cupcake::ffi::CupcakeError;
use cupcake::{Engine, EngineOptions, Harness};
use libtest_mimic::{Failed, Trial};
use serde_json::Value;

use crate::support::{check, tests_dir};

/// One trial per case, plus one per area whose engine must fail to load.
pub fn trials() -> Vec<Trial> {
    let skips: BTreeMap<String, String> =
        serde_json::from_str(include_str!("conformance_skips.json"))
            .expect("conformance_skips.json maps note to reason");
    let mut trials = Vec::new();
    let root = tests_dir("conformance");
    let mut areas: Vec<_> = std::fs::read_dir(&root)
        .expect("tests/conformance exists")
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.join("cases.json").is_file())
        .collect();
    areas.sort();
    for area in areas {
        // `$AREA` stands for the area's canonical path, so cases can name real files.
        let text = std::fs::read_to_string(area.join("cases.json")).expect("readable");
        let canonical = std::fs::canonicalize(&area).expect("area exists");
        let spec: Value =
            serde_json::from_str(&text.replace("$AREA", &canonical.display().to_string()))
                .expect("cases.json is JSON");
        let name = area
            .file_name()
            .expect("area has a name")
            .to_string_lossy()
            .into_owned();
        let engine = Arc::new(LazyEngine::new(&area, &spec));
        if let Some(want) = spec.get("load_error").cloned() {
            let engine = Arc::clone(&engine);
            trials.push(Trial::test(
                format!("conformance::{name}/load-error"),
                move || match engine.get() {
                    Ok(_) => Err("engine loaded but the case expects a load error".into()),
                    Err(err) => expect_error(err, &want),
                },
            ));
        }
        for case in spec["cases"].as_array().cloned().unwrap_or_default() {
            let note = case["note"]
                .as_str()
                .expect("every case has a note")
                .to_string();
            let engine = Arc::clone(&engine);
            let skip = skips.get(&note).cloned();
            let trial = Trial::test(format!("conformance::{note}"), move || {
                run_case(&engine, &case)
            });
            trials.push(match skip {
                Some(reason) if !reason.trim().is_empty() => trial.with_ignored_flag(true),
                Some(_) => Trial::test(format!("conformance::{note}"), || {
                    Err("skip entry has no reason".into())
                }),
                None => trial,
            });
        }
    }
    trials
}

/// An area's engine, loaded on first use and shared by its cases.
struct LazyEngine {
    path: std::path::PathBuf,
    harness: Harness,
    global_dir: Option<std::path::PathBuf>,
    engine: OnceLock<Result<Engine, CupcakeError>>,
}

impl LazyEngine {
    fn new(path: &Path, spec: &Value) -> Self {
        let harness =
            Harness::parse(spec["harness"].as_str().unwrap_or("claude")).expect("known harness");
        Self {
            path: path.to_path_buf(),
            harness,
            global_dir: spec["global_dir"].as_str().map(|dir| path.join(dir)),
            engine: OnceLock::new(),
        }
    }

    fn get(&self) -> &Result<Engine, CupcakeError> {
        self.engine.get_or_init(|| {
            let options = EngineOptions {
                harness: self.harness,
                global_dir: self.global_dir.clone(),
                ..EngineOptions::default()
            };
            Engine::new(&self.path, options).map_err(CupcakeError::from)
        })
    }
}

fn run_case(engine: &LazyEngine, case: &Value) -> Result<(), Failed> {
    let engine = engine
        .get()
        .as_ref()
        .map_err(|err| format!("engine failed to load: {err}"))?;
    let text = match case.get("input_text") {
        Some(raw) => raw.as_str().expect("input_text is a string").to_string(),
        None => case["input"].to_string(),
    };
    match (
        engine.evaluate(&text),
        case.get("want_error"),
        case.get("want_result"),
    ) {
        (Err(err), Some(want), _) => expect_error(&CupcakeError::from(err), want),
        (Err(err), None, _) => Err(format!("unexpected error: {err}").into()),
        (Ok(decision), Some(_), _) => {
            Err(format!("expected an error, got {:?}", decision.kind).into())
        }
        (Ok(decision), None, Some(want)) => compare(&decision, want),
        (Ok(_), None, None) => Err("case has neither want_result nor want_error".into()),
    }
}

fn expect_error(err: &CupcakeError, want: &Value) -> Result<(), Failed> {
    let kind = want["kind"].as_str().unwrap_or_default();
    check(err.kind() == kind, || {
        format!("expected a {kind} error, got {}: {err}", err.kind())
    })?;
    let needle = want["contains"].as_str().unwrap_or_default();
    check(err.to_string().contains(needle), || {
        format!("error message lacks {needle:?}: {err}")
    })
}

fn compare(decision: &cupcake::Decision, want: &Value) -> Result<(), Failed> {
    let strings = |items: &[String]| Value::from(items.to_vec());
    let actual = serde_json::json!({
        "kind": decision.kind.as_str(),
        "reason": decision.reason,
        "context": strings(&decision.context),
        "agent_messages": strings(&decision.agent_messages),
        "rule_ids": strings(&decision.rule_ids),
        "updated_input": decision.updated_input.clone().unwrap_or(Value::Null),
        "response": decision.response,
    });
    for (key, expected) in want.as_object().expect("want_result is an object") {
        let got = &actual[key.as_str()];
        check(got == expected, || {
            format!("{key}: expected {expected}, got {got}")
        })?;
    }
    Ok(())
}
