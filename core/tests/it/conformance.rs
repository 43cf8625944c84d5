//! Runs `tests/conformance/<area>/cases.json` against the Rust API. Python and Node run the
//! same files; a case that passes here must pass there.
//!
//! Besides `input` / `input_text`, a case may build its event from `input_parts` (`[text, n]`
//! pairs, each text repeated n times, for inputs too large to store), or carry `load` instead of
//! an event: it then loads another engine (`policy_dir`, or with `unreadable` a fresh directory
//! made unreadable) and expects `want_error`. An area's `follow_up` event is evaluated on the
//! area's engine after every case, so each failure is shown to leave the engine answering.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Arc, OnceLock};

use cupcake::{Engine, EngineOptions, Harness};
use libtest_mimic::{Failed, Trial};
use serde_json::Value;

use crate::support::{check, tests_dir};

/// Why the `unreadable` cases cannot run here, or `None` when this user is subject to
/// permission bits. Root (and any user with `CAP_DAC_OVERRIDE`) reads a mode-000 directory, so
/// there the case proves nothing; `cli/tests/bad_input.rs` runs it as an unprivileged user.
fn unreadable_unsupported() -> Option<&'static str> {
    static PROBE: OnceLock<Option<&'static str>> = OnceLock::new();
    *PROBE.get_or_init(|| {
        let Ok(dir) = tempfile::tempdir() else {
            return Some("no temporary directory");
        };
        if !set_mode(dir.path(), 0o000) {
            return Some("this platform has no permission bits");
        }
        let readable = std::fs::read_dir(dir.path()).is_ok();
        set_mode(dir.path(), 0o700);
        readable.then_some("permission bits are not enforced for this user (root ignores them)")
    })
}

/// Sets a Unix mode; false where there are no modes.
fn set_mode(path: &Path, mode: u32) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).is_ok()
    }
    #[cfg(not(unix))]
    {
        let _ = (path, mode);
        false
    }
}

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
        let follow_up = Arc::new(spec.get("follow_up").cloned());
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
            let follow_up = Arc::clone(&follow_up);
            let skip = skips.get(&note).cloned();
            let unsupported = case["load"]["unreadable"]
                .as_bool()
                .unwrap_or(false)
                .then(unreadable_unsupported)
                .flatten();
            let trial = Trial::test(format!("conformance::{note}"), move || {
                run_case(&engine, &case)?;
                match follow_up.as_ref() {
                    Some(follow_up) => run_case(&engine, follow_up).map_err(|failed| {
                        let why = failed.message().unwrap_or_default();
                        format!("the follow-up event after this case failed: {why}").into()
                    }),
                    None => Ok(()),
                }
            });
            let skip = skip.or_else(|| unsupported.map(str::to_string));
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
    engine: OnceLock<Result<Engine, cupcake::Error>>,
}

impl LazyEngine {
    fn new(path: &Path, spec: &Value) -> Self {
        let harness =
            Harness::parse(spec["harness"].as_str().unwrap_or("claude")).expect("known harness");
        // `policy_dir_relative`: load from that directory, spelled relative to the working
        // directory, as a hook started in the project would.
        let from = match spec["policy_dir_relative"].as_str() {
            Some(dir) => relative_to_cwd(&path.join(dir)),
            None => path.to_path_buf(),
        };
        Self {
            path: from,
            harness,
            global_dir: spec["global_dir"].as_str().map(|dir| path.join(dir)),
            engine: OnceLock::new(),
        }
    }

    fn get(&self) -> &Result<Engine, cupcake::Error> {
        self.engine.get_or_init(|| self.load(&self.path))
    }

    /// Another engine with this area's options, from `path`.
    fn load(&self, path: &Path) -> Result<Engine, cupcake::Error> {
        let options = EngineOptions {
            harness: self.harness,
            global_dir: self.global_dir.clone(),
            ..EngineOptions::default()
        };
        Engine::new(path, options)
    }
}

/// `path` spelled relative to the working directory (`../../tests/...`).
fn relative_to_cwd(path: &Path) -> std::path::PathBuf {
    let target = std::fs::canonicalize(path).expect("the area exists");
    let cwd = std::env::current_dir()
        .and_then(std::fs::canonicalize)
        .expect("a working directory");
    let common = target
        .components()
        .zip(cwd.components())
        .take_while(|(a, b)| a == b)
        .count();
    let mut relative = std::path::PathBuf::new();
    for _ in cwd.components().skip(common) {
        relative.push("..");
    }
    for component in target.components().skip(common) {
        relative.push(component);
    }
    assert!(relative.is_relative(), "{} is relative", relative.display());
    relative
}

/// A case with `load`: loading that engine must fail with `want_error`.
fn run_load_case(area: &LazyEngine, load: &Value, want: &Value) -> Result<(), Failed> {
    let loaded = if load["unreadable"].as_bool().unwrap_or(false) {
        let dir = tempfile::tempdir().map_err(|err| format!("temporary directory: {err}"))?;
        std::fs::create_dir_all(dir.path().join("policies").join("claude"))
            .map_err(|err| format!("policy layout: {err}"))?;
        check(set_mode(dir.path(), 0o000), || "chmod 000 failed".into())?;
        let loaded = area.load(dir.path());
        set_mode(dir.path(), 0o700);
        loaded
    } else {
        let dir = load["policy_dir"]
            .as_str()
            .expect("load has a policy_dir or unreadable");
        area.load(Path::new(dir))
    };
    match loaded {
        Ok(_) => Err("the engine loaded but the case expects a load error".into()),
        Err(err) => expect_error(&err, want),
    }
}

/// The event text of a case: `input_text`, `input_parts` concatenated, or `input` as JSON.
fn event_text(case: &Value) -> String {
    if let Some(raw) = case.get("input_text") {
        return raw.as_str().expect("input_text is a string").to_string();
    }
    if let Some(parts) = case.get("input_parts") {
        let parts = parts.as_array().expect("input_parts is a list");
        return parts
            .iter()
            .map(|part| {
                let text = part[0].as_str().expect("a part starts with its text");
                let times = part[1].as_u64().expect("a part ends with its count");
                text.repeat(usize::try_from(times).expect("count fits usize"))
            })
            .collect();
    }
    case["input"].to_string()
}

fn run_case(engine: &LazyEngine, case: &Value) -> Result<(), Failed> {
    if let Some(load) = case.get("load") {
        return run_load_case(engine, load, &case["want_error"]);
    }
    let engine = engine
        .get()
        .as_ref()
        .map_err(|err| format!("engine failed to load: {err}"))?;
    let text = event_text(case);
    match (
        engine.evaluate(&text),
        case.get("want_error"),
        case.get("want_result"),
    ) {
        (Err(err), Some(want), _) => expect_error(&err, want),
        (Err(err), None, _) => Err(format!("unexpected error: {err}").into()),
        (Ok(evaluation), Some(_), _) => {
            Err(format!("expected an error, got {:?}", evaluation.decision.kind).into())
        }
        (Ok(evaluation), None, Some(want)) => compare(&evaluation, want),
        (Ok(_), None, None) => Err("case has neither want_result nor want_error".into()),
    }
}

fn expect_error(err: &cupcake::Error, want: &Value) -> Result<(), Failed> {
    let kind = want["kind"].as_str().unwrap_or_default();
    check(err.kind() == kind, || {
        format!("expected a {kind} error, got {}: {err}", err.kind())
    })?;
    let needle = want["contains"].as_str().unwrap_or_default();
    check(err.to_string().contains(needle), || {
        format!("error message lacks {needle:?}: {err}")
    })
}

fn compare(evaluation: &cupcake::Evaluation, want: &Value) -> Result<(), Failed> {
    let (decision, reply) = (&evaluation.decision, &evaluation.reply);
    let strings = |items: &[String]| Value::from(items.to_vec());
    let actual = serde_json::json!({
        "kind": decision.kind.as_str(),
        "reason": decision.reason,
        "context": strings(&decision.context),
        "agent_messages": strings(&decision.agent_messages),
        "rule_ids": strings(&decision.rule_ids),
        "updated_input": decision.updated_input.clone().unwrap_or(Value::Null),
        "response": reply.response,
        "exit_code": reply.exit_code,
        "stderr": reply.stderr,
    });
    for (key, expected) in want.as_object().expect("want_result is an object") {
        let got = &actual[key.as_str()];
        check(got == expected, || {
            format!("{key}: expected {expected}, got {got}")
        })?;
    }
    Ok(())
}
