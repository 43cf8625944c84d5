//! Runs `tests/builtins/cases.json` — host builtin calls whose expected results were captured
//! from the real `opa eval` by `ci/capture-builtins.sh` — through cupcake's real engine path:
//! one policy compiled by OPA to WebAssembly and run in wasmtime.
//!
//! Every case becomes its own rule, `add_context contains json.marshal(<call>) if
//! input.builtin_case == <i>`, in one policy, so OPA compiles once while each evaluation runs
//! exactly one call. A failing or erroring call therefore shows up as its own trial and never
//! hides another. OPA (non-strict) makes an erroring call undefined; cupcake fails closed with
//! an evaluation error naming the builtin, and a `want_error` case accepts either.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::sync::{Arc, OnceLock};

use cupcake::{DecisionKind, Engine, EngineOptions};
use libtest_mimic::{Failed, Trial};
use serde_json::{json, Value};

use crate::support::{check, tests_dir};

/// One trial per case, plus one checking which builtins the module leaves to the host.
pub fn trials() -> Vec<Trial> {
    let cases: Vec<Value> = serde_json::from_str(
        &std::fs::read_to_string(tests_dir("builtins/cases.json")).expect("cases.json exists"),
    )
    .expect("cases.json is a JSON list");
    let skips: BTreeMap<String, String> = serde_json::from_str(
        &std::fs::read_to_string(tests_dir("builtins/skips.json")).expect("skips.json exists"),
    )
    .expect("skips.json maps note to reason");
    let engine = Arc::new(CaseEngine {
        cases: cases.clone(),
        loaded: OnceLock::new(),
    });
    let mut trials = Vec::new();
    let mut notes = BTreeSet::new();
    for (index, case) in cases.into_iter().enumerate() {
        let note = case["note"]
            .as_str()
            .expect("every case has a note")
            .to_string();
        assert!(notes.insert(note.clone()), "duplicate note {note}");
        let engine = Arc::clone(&engine);
        let trial = Trial::test(note.clone(), move || run_case(&engine, index, &case));
        trials.push(match skips.get(&note) {
            Some(reason) if !reason.trim().is_empty() => trial.with_ignored_flag(true),
            Some(_) => Trial::test(note, || Err("skip entry has no reason".into())),
            None => trial,
        });
    }
    for stale in skips.keys().filter(|note| !notes.contains(*note)) {
        let message = format!("skips.json names {stale}, which is not a case");
        trials.push(Trial::test(format!("{stale}/skip-entry"), move || {
            Err(message.into())
        }));
    }
    let host = Arc::clone(&engine);
    trials.push(Trial::test("builtins/host-builtins", move || {
        host_builtins(&host)
    }));
    trials
}

/// The engine built from every case, loaded on first use and shared by all trials.
struct CaseEngine {
    cases: Vec<Value>,
    loaded: OnceLock<Result<(tempfile::TempDir, Engine), String>>,
}

impl CaseEngine {
    fn get(&self) -> Result<&Engine, Failed> {
        self.loaded
            .get_or_init(|| load(&self.cases))
            .as_ref()
            .map(|(_, engine)| engine)
            .map_err(|err| format!("engine failed to load: {err}").into())
    }
}

fn load(cases: &[Value]) -> Result<(tempfile::TempDir, Engine), String> {
    let mut policy = String::from(
        "# METADATA\n# scope: package\n# title: Host builtin cases\n# custom:\n#   routing:\n\
         #     required_events: [\"UserPromptSubmit\"]\npackage cupcake.policies.builtin_cases\n\n\
         import rego.v1\n",
    );
    for (index, case) in cases.iter().enumerate() {
        let call = case["call"].as_str().expect("every case has a call");
        let _ = write!(
            policy,
            "\nadd_context contains json.marshal({call}) if input.builtin_case == {index}\n"
        );
    }
    let dir = tempfile::tempdir().map_err(|err| err.to_string())?;
    let policies = dir.path().join(".cupcake/policies/claude");
    std::fs::create_dir_all(&policies).map_err(|err| err.to_string())?;
    std::fs::write(policies.join("builtin_cases.rego"), policy).map_err(|err| err.to_string())?;
    let engine =
        Engine::new(dir.path(), EngineOptions::default()).map_err(|err| err.to_string())?;
    Ok((dir, engine))
}

/// The builtin a call names: the text before its first parenthesis.
fn builtin_of(case: &Value) -> &str {
    let call = case["call"].as_str().unwrap_or_default();
    call.split('(').next().unwrap_or_default().trim()
}

fn run_case(engine: &CaseEngine, index: usize, case: &Value) -> Result<(), Failed> {
    let engine = engine.get()?;
    let event = json!({
        "hook_event_name": "UserPromptSubmit",
        "prompt": "builtin case",
        "builtin_case": index,
    });
    let builtin = builtin_of(case);
    let outcome = engine.evaluate(&event.to_string());
    if case.get("want_error").is_some() {
        return match outcome {
            Err(err) => {
                let message = err.to_string();
                check(message.contains(builtin), || {
                    format!("error does not name `{builtin}`: {message}")
                })
            }
            Ok(evaluation) if evaluation.decision.context.is_empty() => Ok(()),
            Ok(evaluation) => Err(format!(
                "OPA reports an error, cupcake returned {:?}",
                evaluation.decision.context
            )
            .into()),
        };
    }
    let want = case
        .get("want")
        .ok_or("case has neither want nor want_error")?;
    let decision = outcome
        .map_err(|err| format!("OPA returns {want}, cupcake failed: {err}"))?
        .decision;
    check(decision.kind == DecisionKind::Allow, || {
        format!("expected Allow with context, got {decision:?}")
    })?;
    let [text] = decision.context.as_slice() else {
        return Err(format!("expected one result, got context {:?}", decision.context).into());
    };
    let got: Value = serde_json::from_str(text)?;
    check(&got == want, || format!("expected {want}, got {got}"))
}

/// OPA 1.22.2's wasm target implements `json.marshal` itself but leaves every builtin these
/// cases exercise to the host.
fn host_builtins(engine: &CaseEngine) -> Result<(), Failed> {
    let host: BTreeSet<String> = engine.get()?.host_builtins().into_iter().collect();
    let called: BTreeSet<String> = engine
        .cases
        .iter()
        .map(|case| builtin_of(case).to_string())
        .collect();
    check(host == called, || {
        format!("host builtins {host:?}, but the cases call {called:?}")
    })
}
