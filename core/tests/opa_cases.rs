//! OPA's own conformance cases (`v1/test/cases/testdata/v1` of the OPA module the tools
//! install) for every topic whose builtins cupcake implements on the host or claims to match,
//! run through cupcake's WebAssembly path: `opa build -t wasm` with cupcake's capabilities and
//! redirects, evaluated in wasmtime with cupcake's host builtins.
//!
//! A case is skipped only with a reason: it calls a builtin cupcake does not provide (such a
//! policy is refused at load), its query is not a rule (cupcake evaluates rules), it needs
//! environment variables, OPA's own WebAssembly exceptions list names it, or
//! `tests/opa_cases/skips.json` gives one. Everything is compiled and evaluated while the
//! trials are made, so the results table in `docs/opa-conformance.md` can be checked against
//! the outcome of this run.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;

use cupcake::{EngineOptions, Error, QueryModule};
use libtest_mimic::{Arguments, Failed, Trial};
use serde::Deserialize;
use serde_json::Value;

/// Topic directories and the builtins they exercise.
const TOPICS: &[(&str, &str)] = &[
    ("cryptosha256", "crypto.sha256"),
    ("globmatch", "glob.match (in OPA's wasm)"),
    ("netcidrcontains", "net.cidr_contains (in OPA's wasm)"),
    ("regexfind", "regex.find_n"),
    (
        "regexfindallstringsubmatch",
        "regex.find_all_string_submatch_n",
    ),
    ("regexisvalid", "regex.is_valid"),
    ("regexmatch", "regex.match"),
    ("regexreplace", "regex.replace"),
    ("regexsplit", "regex.split"),
    ("semvercompare", "semver.compare"),
    ("semverisvalid", "semver.is_valid"),
    ("sprintf", "sprintf"),
    (
        "strings",
        "strings.any_prefix_match, strings.any_suffix_match, strings.count, indexof_n, strings.split_n, and OPA's wasm string builtins",
    ),
    (
        "time",
        "time.now_ns, time.parse_rfc3339_ns, time.date, time.clock, time.weekday, time.add_date",
    ),
    ("units", "units.parse_bytes, units.parse"),
];

const DOC: &str = "docs/opa-conformance.md";
const TABLE_START: &str = "<!-- opa-cases table: start -->";
const TABLE_END: &str = "<!-- opa-cases table: end -->";

fn main() {
    let args = Arguments::from_args();
    let outcomes = run_all();
    let mut trials = Vec::new();
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    for outcome in &outcomes {
        // OPA reuses a few notes within a topic; number the repeats so each trial is named.
        let count = seen.entry(&outcome.note).or_default();
        *count += 1;
        let name = match *count {
            1 => format!("opa-cases/{}", outcome.note),
            n => format!("opa-cases/{} #{n}", outcome.note),
        };
        trials.push(match &outcome.result {
            Outcome::Skipped(_) => Trial::test(name, || Ok(())).with_ignored_flag(true),
            Outcome::Passed | Outcome::FailClosed | Outcome::Refused(_) => {
                Trial::test(name, || Ok(()))
            }
            Outcome::Failed(message) => {
                let message = message.clone();
                Trial::test(name, move || Err(message.into()))
            }
        });
    }
    let table = results_table(&outcomes);
    trials.push(Trial::test("opa-cases/results-table", move || {
        check_table(&table)
    }));
    trials.push(Trial::test("opa-cases/skip-file-names-cases", {
        let notes: BTreeSet<String> = outcomes.iter().map(|o| o.note.clone()).collect();
        move || check_skip_file(&notes)
    }));
    libtest_mimic::run(&args, trials).exit();
}

#[derive(Debug)]
enum Outcome {
    Passed,
    /// OPA's default (non-strict) mode makes a builtin error undefined; cupcake reports the
    /// error, which blocks in hook mode.
    FailClosed,
    /// The case calls a builtin cupcake does not provide, and loading it fails with
    /// `UnsupportedBuiltin` naming that builtin (so such a policy can never run half-checked).
    Refused(String),
    Failed(String),
    Skipped(String),
}

struct CaseOutcome {
    topic: &'static str,
    note: String,
    result: Outcome,
}

#[derive(Debug, Deserialize)]
struct CaseFile {
    #[serde(default)]
    cases: Vec<Case>,
}

#[derive(Debug, Clone, Deserialize)]
struct Case {
    note: String,
    query: String,
    #[serde(default)]
    modules: Vec<String>,
    data: Option<Value>,
    input: Option<Value>,
    input_term: Option<String>,
    want_defined: Option<bool>,
    want_result: Option<Vec<BTreeMap<String, Value>>>,
    want_error_code: Option<String>,
    want_error: Option<String>,
    #[serde(default)]
    sort_bindings: bool,
    #[serde(default)]
    strict_error: bool,
    #[serde(default)]
    env: BTreeMap<String, String>,
}

/// Where `go install` put the OPA module's sources.
fn cases_root() -> Result<PathBuf, String> {
    let output = Command::new("go")
        .args(["env", "GOMODCACHE"])
        .output()
        .map_err(|err| format!("cannot run `go env GOMODCACHE`: {err}"))?;
    let cache = String::from_utf8_lossy(&output.stdout).trim().to_string();
    let module = Path::new(&cache).join(format!(
        "github.com/open-policy-agent/opa@v{}",
        cupcake::OPA_VERSION
    ));
    if module.is_dir() {
        Ok(module)
    } else {
        Err(format!(
            "OPA's module sources are not at {}; run `bash ci/tools.sh`, which installs OPA \
             with `go install`",
            module.display()
        ))
    }
}

fn run_all() -> Vec<CaseOutcome> {
    let module = match cases_root() {
        Ok(module) => module,
        Err(message) => {
            return vec![CaseOutcome {
                topic: "setup",
                note: "setup/opa-module".into(),
                result: Outcome::Failed(message),
            }]
        }
    };
    let opa = match cupcake::ensure_opa(&EngineOptions::default()) {
        Ok(opa) => opa,
        Err(err) => {
            return vec![CaseOutcome {
                topic: "setup",
                note: "setup/opa-binary".into(),
                result: Outcome::Failed(err.to_string()),
            }]
        }
    };
    let exceptions = wasm_exceptions(&module);
    let skips: BTreeMap<String, String> = serde_json::from_str(
        &std::fs::read_to_string(repo_root().join("tests/opa_cases/skips.json"))
            .expect("tests/opa_cases/skips.json exists"),
    )
    .expect("skips.json maps note to reason");
    let mut work = Vec::new();
    for &(topic, _) in TOPICS {
        let dir = module.join("v1/test/cases/testdata/v1").join(topic);
        let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
            .map(|entries| entries.filter_map(Result::ok).map(|e| e.path()).collect())
            .unwrap_or_default();
        files.sort();
        if files.is_empty() {
            work.push((topic, Err(format!("no case files in {}", dir.display()))));
        }
        for file in files {
            match read_cases(&file) {
                Ok(cases) => work.extend(cases.into_iter().map(|case| (topic, Ok(case)))),
                Err(message) => work.push((topic, Err(message))),
            }
        }
    }
    let queue = Mutex::new(work.into_iter().enumerate().collect::<Vec<_>>());
    let results = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..std::thread::available_parallelism().map_or(2, usize::from) {
            scope.spawn(|| loop {
                let Some((index, (topic, case))) = queue.lock().expect("queue").pop() else {
                    break;
                };
                let outcome = match case {
                    Err(message) => CaseOutcome {
                        topic,
                        note: format!("{topic}/unreadable-file-{index}"),
                        result: Outcome::Failed(message),
                    },
                    Ok(case) => CaseOutcome {
                        topic,
                        note: case.note.clone(),
                        result: decide(&case, &opa, &exceptions, &skips),
                    },
                };
                results.lock().expect("results").push((index, outcome));
            });
        }
    });
    let mut results = results.into_inner().expect("results");
    results.sort_by_key(|(index, _)| *index);
    results.into_iter().map(|(_, outcome)| outcome).collect()
}

fn read_cases(file: &Path) -> Result<Vec<Case>, String> {
    let text = std::fs::read_to_string(file).map_err(|err| format!("{}: {err}", file.display()))?;
    let mut cases = Vec::new();
    for document in serde_norway::Deserializer::from_str(&text) {
        let parsed =
            CaseFile::deserialize(document).map_err(|err| format!("{}: {err}", file.display()))?;
        cases.extend(parsed.cases);
    }
    Ok(cases)
}

/// OPA's list of cases its own WebAssembly target does not pass, with its reasons.
fn wasm_exceptions(module: &Path) -> Vec<(String, String)> {
    let path = module.join("internal/wasm/sdk/test/e2e/exceptions.yaml");
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let map: BTreeMap<String, String> = serde_norway::from_str(&text).unwrap_or_default();
    map.into_iter().collect()
}

/// `*` in an exception pattern matches any run of characters other than `/`.
fn glob_matches(pattern: &str, note: &str) -> bool {
    let Some((head, tail)) = pattern.split_once('*') else {
        return pattern == note;
    };
    let Some(rest) = note.strip_prefix(head) else {
        return false;
    };
    (0..=rest.len())
        .filter(|&i| rest.is_char_boundary(i) && !rest[..i].contains('/'))
        .any(|i| glob_matches(tail, &rest[i..]))
}

fn decide(
    case: &Case,
    opa: &Path,
    exceptions: &[(String, String)],
    skips: &BTreeMap<String, String>,
) -> Outcome {
    if let Some(reason) = skips.get(&case.note) {
        return Outcome::Skipped(reason.clone());
    }
    if let Some((_, reason)) = exceptions
        .iter()
        .find(|(pattern, _)| glob_matches(pattern, &case.note))
    {
        return Outcome::Skipped(format!(
            "on OPA's own WebAssembly exceptions list: {reason}"
        ));
    }
    if !case.env.is_empty() {
        return Outcome::Skipped("sets environment variables for the evaluation".into());
    }
    let data = case
        .data
        .clone()
        .unwrap_or_else(|| Value::Object(serde_json::Map::default()))
        .to_string();
    let rules: Option<Vec<(String, String)>> = case.query.split(';').map(rule_query).collect();
    let Some(rules) = rules else {
        return Outcome::Skipped(
            "the query is not `data.<rule> = <var>`: cupcake evaluates rules, not ad-hoc queries"
                .into(),
        );
    };
    let [(entrypoint, var)] = rules.as_slice() else {
        // Several rules bound at once: each must at least load, or be refused as a whole.
        for (entrypoint, _) in &rules {
            if let Err(err) = QueryModule::compile(opa, &case.modules, entrypoint, &data) {
                return refused_or(case, err);
            }
        }
        return Outcome::Skipped(
            "the query binds several rules at once; each loads, but the runner compares one".into(),
        );
    };
    let module = match QueryModule::compile(opa, &case.modules, entrypoint, &data) {
        Ok(module) => module,
        Err(err) => return refused_or(case, err),
    };
    let input = match (&case.input_term, &case.input) {
        (Some(term), _) => term.clone(),
        (None, Some(input)) => input.to_string(),
        (None, None) => String::new(),
    };
    match module.evaluate(&input) {
        Err(err) if wants_undefined(case) && err.to_string().contains("builtin `") => {
            Outcome::FailClosed
        }
        Err(err) => expect_error(case, &format!("evaluation error: {err}")),
        Ok(text) => {
            let results: Vec<Value> = match serde_json::from_str(&text) {
                Ok(results) => results,
                Err(err) => return Outcome::Failed(format!("result set is not JSON: {err}")),
            };
            expect_results(case, var, &results)
        }
    }
}

/// A load failure: the typed refusal of a builtin cupcake lacks, or what the case expects of
/// a compile error.
fn refused_or(case: &Case, err: Error) -> Outcome {
    match err {
        Error::UnsupportedBuiltin { builtin, .. } if !builtin.is_empty() => {
            Outcome::Refused(builtin)
        }
        err => expect_error(case, &format!("compile error: {err}")),
    }
}

/// Whether OPA's answer is "undefined".
fn wants_undefined(case: &Case) -> bool {
    case.want_result.as_ref().is_some_and(Vec::is_empty) || case.want_defined == Some(false)
}

/// `data.a.b = x` → (`a/b`, `x`).
fn rule_query(query: &str) -> Option<(String, String)> {
    let (left, right) = query.trim().split_once(" = ")?;
    let path = left.trim().strip_prefix("data.")?;
    let var = right.trim();
    let simple = |s: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
    };
    (simple(path) && simple(var) && !var.contains('.'))
        .then(|| (path.replace('.', "/"), var.to_string()))
}

fn expect_error(case: &Case, error: &str) -> Outcome {
    if case.want_error_code.is_some() || case.want_error.is_some() {
        // cupcake fails closed on every builtin error (a strict-mode error in OPA), which is
        // what OPA's strict mode reports too.
        Outcome::Passed
    } else {
        Outcome::Failed(format!("OPA expects a result, cupcake gave {error}"))
    }
}

fn expect_results(case: &Case, var: &str, results: &[Value]) -> Outcome {
    let got: Vec<Value> = results
        .iter()
        .filter_map(|r| r.get("result").cloned())
        .collect();
    if case.want_error_code.is_some() || case.want_error.is_some() {
        // Only the strict mode turns these into errors; OPA's default leaves them undefined,
        // which a native wasm builtin also does.
        if case.strict_error && got.is_empty() {
            return Outcome::Passed;
        }
        return Outcome::Failed(format!(
            "OPA expects an error ({}), cupcake gave {got:?}",
            case.want_error_code
                .as_deref()
                .or(case.want_error.as_deref())
                .unwrap_or_default()
        ));
    }
    if let Some(want) = &case.want_result {
        let want: Vec<Value> = want
            .iter()
            .filter_map(|bindings| bindings.get(var).cloned())
            .collect();
        let normal = |values: &[Value]| -> Vec<Value> {
            values
                .iter()
                .map(|v| normalise(v, case.sort_bindings))
                .collect()
        };
        return if normal(&want) == normal(&got) {
            Outcome::Passed
        } else {
            Outcome::Failed(format!("OPA gives {want:?}, cupcake gave {got:?}"))
        };
    }
    if let Some(defined) = case.want_defined {
        let matches = got.is_empty() != defined;
        return if matches {
            Outcome::Passed
        } else {
            Outcome::Failed(format!("OPA gives defined={defined}, cupcake gave {got:?}"))
        };
    }
    Outcome::Failed("the case states no expectation".into())
}

/// A value with numbers in one canonical decimal form (OPA compares numbers by value) and,
/// when `sort` (the case's `sort_bindings`), top-level arrays sorted.
fn normalise(value: &Value, sort: bool) -> Value {
    fn go(value: &Value) -> Value {
        match value {
            Value::Number(n) => Value::String(format!("#{}", canonical_number(&n.to_string()))),
            Value::Array(items) => Value::Array(items.iter().map(go).collect()),
            Value::Object(map) => {
                let sorted: BTreeMap<&String, Value> =
                    map.iter().map(|(k, v)| (k, go(v))).collect();
                Value::Object(sorted.into_iter().map(|(k, v)| (k.clone(), v)).collect())
            }
            other => other.clone(),
        }
    }
    let mut normal = go(value);
    if sort {
        if let Value::Array(items) = &mut normal {
            items.sort_by_key(ToString::to_string);
        }
    }
    normal
}

/// `1`, `1.0` and `10e-1` all become `1e0`.
fn canonical_number(text: &str) -> String {
    let (negative, rest) = text
        .strip_prefix('-')
        .map_or((false, text), |rest| (true, rest));
    let (mantissa, exponent) = match rest.split_once(['e', 'E']) {
        Some((m, e)) => (m, e.parse::<i64>().unwrap_or(0)),
        None => (rest, 0),
    };
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits = format!("{whole}{fraction}");
    let trimmed = digits.trim_start_matches('0');
    let significant = trimmed.trim_end_matches('0');
    if significant.is_empty() {
        return "0".into();
    }
    let scale = exponent - i64::try_from(fraction.len()).unwrap_or(0)
        + i64::try_from(trimmed.len() - significant.len()).unwrap_or(0);
    format!("{}{significant}e{scale}", if negative { "-" } else { "" })
}

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("core has a parent")
        .to_path_buf()
}

/// The Markdown table of this run: per topic, cases, passed, failed and skipped.
fn results_table(outcomes: &[CaseOutcome]) -> String {
    let mut out = String::from(
        "| topic | builtins | cases | passed | fail-closed | refused at load | failed | skipped |\n\
         |---|---|---:|---:|---:|---:|---:|---:|\n",
    );
    let mut totals = [0_usize; 6];
    for &(topic, builtins) in TOPICS {
        let mine: Vec<&CaseOutcome> = outcomes.iter().filter(|o| o.topic == topic).collect();
        let count = |f: fn(&Outcome) -> bool| mine.iter().filter(|o| f(&o.result)).count();
        let row = [
            mine.len(),
            count(|r| matches!(r, Outcome::Passed)),
            count(|r| matches!(r, Outcome::FailClosed)),
            count(|r| matches!(r, Outcome::Refused(_))),
            count(|r| matches!(r, Outcome::Failed(_))),
            count(|r| matches!(r, Outcome::Skipped(_))),
        ];
        for (total, n) in totals.iter_mut().zip(row) {
            *total += n;
        }
        let _ = writeln!(
            out,
            "| {topic} | {builtins} | {} | {} | {} | {} | {} | {} |",
            row[0], row[1], row[2], row[3], row[4], row[5]
        );
    }
    let _ = writeln!(
        out,
        "| **all** | | {} | {} | {} | {} | {} | {} |",
        totals[0], totals[1], totals[2], totals[3], totals[4], totals[5]
    );
    let mut refused: BTreeMap<&str, usize> = BTreeMap::new();
    for outcome in outcomes {
        if let Outcome::Refused(builtin) = &outcome.result {
            *refused.entry(builtin).or_default() += 1;
        }
    }
    out.push_str("\nRefused at load (builtins cupcake does not provide):\n\n");
    for (builtin, count) in refused {
        let _ = writeln!(out, "- `{builtin}`: {count} case(s)");
    }
    out.push_str("\nSkipped cases and why:\n\n");
    let mut reasons: BTreeMap<String, Vec<&str>> = BTreeMap::new();
    for outcome in outcomes {
        if let Outcome::Skipped(reason) = &outcome.result {
            reasons
                .entry(reason.clone())
                .or_default()
                .push(&outcome.note);
        }
    }
    for (reason, notes) in reasons {
        let _ = writeln!(out, "- {} case(s): {reason}", notes.len());
        for note in notes {
            let _ = writeln!(out, "  - `{note}`");
        }
    }
    out
}

fn check_table(table: &str) -> Result<(), Failed> {
    let doc = std::fs::read_to_string(repo_root().join(DOC))
        .map_err(|err| format!("cannot read {DOC}: {err}"))?;
    let start = doc
        .find(TABLE_START)
        .ok_or("the table's start marker is missing")?;
    let end = doc
        .find(TABLE_END)
        .ok_or("the table's end marker is missing")?;
    let written = doc[start + TABLE_START.len()..end].trim();
    if written == table.trim() {
        Ok(())
    } else {
        Err(format!(
            "{DOC} does not show this run's results; replace the text between the markers \
             with:\n\n{table}"
        )
        .into())
    }
}

fn check_skip_file(notes: &BTreeSet<String>) -> Result<(), Failed> {
    let skips: BTreeMap<String, String> = serde_json::from_str(
        &std::fs::read_to_string(repo_root().join("tests/opa_cases/skips.json"))
            .map_err(|err| err.to_string())?,
    )
    .map_err(|err| err.to_string())?;
    for (note, reason) in &skips {
        if !notes.contains(note) {
            return Err(format!("skips.json names {note}, which is not a case").into());
        }
        if reason.trim().is_empty() {
            return Err(format!("the skip of {note} has no reason").into());
        }
    }
    Ok(())
}
