//! The adversarial suite: bypass attempts from `tests/adversarial/cases.json` against the
//! shipped example policies and against a hardened set that adds rules on preprocessed fields,
//! each evaluated in a real scratch workspace with symlinks and a hard link. Every case runs
//! against every set and must give the decision kind the file names. An Allow the file lists
//! under `known_limit` is a bypass that stays open; its test is named `known_limit_<case>` and
//! asserts that allow, so whoever closes the gap has to update the case (and SECURITY.md).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use cupcake::{DecisionKind, Engine, EngineOptions};
use libtest_mimic::{Failed, Trial};
use serde_json::{Map, Value};

use crate::support::{check, repo_root};

const CASES: &str = "tests/adversarial/cases.json";

pub fn trials() -> Vec<Trial> {
    let spec: Value = serde_json::from_str(
        &std::fs::read_to_string(repo_root().join(CASES)).expect("the adversarial cases exist"),
    )
    .expect("cases.json is JSON");
    let fixture = Arc::new(Fixture::new(spec.clone()));
    let sets: Vec<String> = spec["sets"]
        .as_object()
        .expect("sets maps a name to policy directories")
        .keys()
        .cloned()
        .collect();
    let mut trials = vec![
        Trial::test("adversarial::cases_are_well_formed", {
            let spec = spec.clone();
            move || well_formed(&spec)
        }),
        Trial::test("adversarial::hardlink_is_the_protected_file", {
            let fixture = Arc::clone(&fixture);
            move || hardlink_is_the_protected_file(&fixture)
        }),
    ];
    for case in spec["cases"].as_array().cloned().unwrap_or_default() {
        let note = case["note"].as_str().expect("every case has a note");
        let what = note.strip_prefix("adversarial/").unwrap_or(note);
        for set in &sets {
            let limited = case["known_limit"].get(set).is_some();
            let name = if limited {
                format!("adversarial::{set}/known_limit_{what}")
            } else {
                format!("adversarial::{set}/{what}")
            };
            let fixture = Arc::clone(&fixture);
            let case = case.clone();
            let set = set.clone();
            trials.push(Trial::test(name, move || run_case(&fixture, &set, &case)));
        }
    }
    trials
}

/// The scratch workspace and one engine per policy set, built on first use.
struct Fixture {
    spec: Value,
    built: OnceLock<Result<Built, String>>,
}

struct Built {
    _dir: tempfile::TempDir,
    /// The workspace's canonical path: what `$WORK` stands for.
    work: PathBuf,
    engines: BTreeMap<String, Result<Engine, String>>,
}

impl Fixture {
    fn new(spec: Value) -> Self {
        Self {
            spec,
            built: OnceLock::new(),
        }
    }

    fn get(&self) -> Result<&Built, Failed> {
        self.built
            .get_or_init(|| {
                build(&self.spec).map_err(|err| err.message().unwrap_or("failed").to_string())
            })
            .as_ref()
            .map_err(|err| format!("adversarial fixture: {err}").into())
    }
}

fn build(spec: &Value) -> Result<Built, Failed> {
    let dir = tempfile::tempdir()?;
    let root = std::fs::canonicalize(dir.path())?;
    let work = root.join("work");
    lay_out(&work, &spec["workspace"])?;
    let global = root.join("global");
    std::fs::create_dir_all(&global)?;
    let mut engines = BTreeMap::new();
    for (set, sources) in spec["sets"].as_object().into_iter().flatten() {
        let project = root.join("sets").join(set);
        let policies = project.join(".cupcake/policies/claude");
        std::fs::create_dir_all(&policies)?;
        for source in sources.as_array().into_iter().flatten() {
            let source = repo_root().join(source.as_str().unwrap_or_default());
            for entry in std::fs::read_dir(&source)? {
                let path = entry?.path();
                if path.extension().is_some_and(|ext| ext == "rego") {
                    let name = path.file_name().ok_or("a policy file has a name")?;
                    std::fs::copy(&path, policies.join(name))?;
                }
            }
        }
        let options = EngineOptions {
            cache_dir: Some(root.join("cache")),
            global_dir: Some(global.clone()),
            ..EngineOptions::default()
        };
        let engine = Engine::new(&project, options).map_err(|err| format!("{set}: {err}"));
        engines.insert(set.clone(), engine);
    }
    Ok(Built {
        _dir: dir,
        work,
        engines,
    })
}

/// Creates the files, then the symlinks (targets as written, so relative ones stay
/// relative), then the hard links.
fn lay_out(work: &Path, layout: &Value) -> Result<(), Failed> {
    let entries = |key: &str| {
        layout[key]
            .as_object()
            .cloned()
            .unwrap_or_default()
            .into_iter()
            .map(|(path, value)| {
                (
                    work.join(path),
                    value.as_str().unwrap_or_default().to_string(),
                )
            })
            .collect::<Vec<_>>()
    };
    for (path, content) in entries("files") {
        std::fs::create_dir_all(path.parent().ok_or("a file has a parent")?)?;
        std::fs::write(&path, content)?;
    }
    for (link, target) in entries("symlinks") {
        std::fs::create_dir_all(link.parent().ok_or("a link has a parent")?)?;
        std::os::unix::fs::symlink(&target, &link)?;
    }
    for (link, target) in entries("hardlinks") {
        std::fs::hard_link(work.join(target), &link)?;
    }
    Ok(())
}

/// The event of `case`: `$WORK` replaced, and `hook_event_name` and `cwd` defaulted.
fn event(case: &Value, work: &Path) -> Result<Value, Failed> {
    let text = case["input"]
        .to_string()
        .replace("$WORK", &work.display().to_string());
    let mut event: Map<String, Value> = serde_json::from_str(&text)?;
    event
        .entry("hook_event_name")
        .or_insert_with(|| "PreToolUse".into());
    event
        .entry("cwd")
        .or_insert_with(|| work.display().to_string().into());
    Ok(Value::Object(event))
}

fn run_case(fixture: &Fixture, set: &str, case: &Value) -> Result<(), Failed> {
    let built = fixture.get()?;
    let engine = built
        .engines
        .get(set)
        .ok_or_else(|| format!("no policy set {set}"))?
        .as_ref()
        .map_err(|err| format!("engine failed to load: {err}"))?;
    let event = event(case, &built.work)?;
    let want = case["want"][set].as_str().unwrap_or_default();
    let decision = engine.evaluate(&event.to_string())?.decision;
    check(decision.kind.as_str() == want, || {
        let limit = &case["known_limit"][set];
        let hint = if limit.is_null() {
            String::new()
        } else {
            format!(" (a known limit no longer holds: update cases.json and SECURITY.md: {limit})")
        };
        format!(
            "{set}: expected {want}, got {} {:?}: {}{hint}\nevent: {event}",
            decision.kind.as_str(),
            decision.rule_ids,
            decision.reason
        )
    })?;
    check(
        decision.kind == DecisionKind::Allow || !decision.rule_ids.is_empty(),
        || format!("{set}: a {want} that names no rule"),
    )
}

/// Each case names a decision for every set; only an Allow can be a known limit, and each
/// limit says why it holds and what would close it.
fn well_formed(spec: &Value) -> Result<(), Failed> {
    let sets: Vec<&String> = spec["sets"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(k, _)| k)
        .collect();
    let mut notes = std::collections::BTreeSet::new();
    for case in spec["cases"].as_array().into_iter().flatten() {
        let note = case["note"].as_str().unwrap_or_default();
        check(note.starts_with("adversarial/"), || {
            format!("note {note:?}")
        })?;
        check(notes.insert(note.to_string()), || {
            format!("duplicate note {note}")
        })?;
        for set in &sets {
            let want = case["want"][set.as_str()].as_str().unwrap_or_default();
            check(
                ["Allow", "Modify", "Ask", "Block", "Deny", "Halt"].contains(&want),
                || format!("{note}: no decision for {set}"),
            )?;
        }
        for (set, limit) in case["known_limit"].as_object().into_iter().flatten() {
            check(case["want"][set.as_str()] == "Allow", || {
                format!("{note}: a known limit of {set} must be an Allow")
            })?;
            check(limit["why"].is_string() && limit["fix"].is_string(), || {
                format!("{note}: the {set} limit needs why and fix")
            })?;
        }
    }
    Ok(())
}

/// The hard-link cases are real: `notes.txt` is the very inode of `.env`.
fn hardlink_is_the_protected_file(fixture: &Fixture) -> Result<(), Failed> {
    use std::os::unix::fs::MetadataExt as _;
    let work = &fixture.get()?.work;
    let env = std::fs::metadata(work.join(".env"))?;
    let link = std::fs::metadata(work.join("notes.txt"))?;
    check(
        (env.dev(), env.ino()) == (link.dev(), link.ino()) && env.nlink() == 2,
        || "notes.txt is not a hard link to .env".into(),
    )
}
