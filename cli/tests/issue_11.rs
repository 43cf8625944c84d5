//! Regression tests for issue 11 through the `cupcake` binary: `validate` reports policies that
//! compile but cannot mean what they say, with file and line, and fails on them.
#![cfg(unix)]

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;
use support::real_opa;

fn fixture() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/validate_mistakes")
}

fn validate(policy_dir: &Path, extra: &[&str]) -> (i32, String, String) {
    let scratch = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir_all(scratch.path().join("global")).expect("mkdir");
    let output = Command::new(env!("CARGO_BIN_EXE_cupcake"))
        .arg("validate")
        .arg("--policy-dir")
        .arg(policy_dir)
        .arg("--opa-path")
        .arg(real_opa())
        .arg("--cache-dir")
        .arg(scratch.path().join("cache"))
        .arg("--global-dir")
        .arg(scratch.path().join("global"))
        .args(extra)
        .output()
        .expect("validate runs");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn issue_11_validate_reports_routes_and_rules_that_never_match() {
    let (code, stdout, stderr) = validate(&fixture(), &[]);
    assert_eq!(code, 1, "{stdout}{stderr}");
    for (file_line, words) in [
        (
            "bad_routes.rego:5",
            "`preToolUse` never matches: the event is `PreToolUse`",
        ),
        (
            "bad_routes.rego:6",
            "`bash` never matches: Claude Code sends `Bash`",
        ),
        ("bad_routes.rego:6", "`Edit|Write` never matches"),
        ("bad_routes.rego:6", "`mcp__*` never matches"),
        ("stop_tools.rego:6", "`Stop` events carry no tool_name"),
        (
            "unrouted_rule.rego:12",
            "decides on hook_event_name `PostToolUse`",
        ),
        ("unrouted_rule.rego:13", "opa check --strict"),
        ("rulebook.yml:1", "unknown rulebook key `signal`"),
    ] {
        assert!(
            stderr
                .lines()
                .any(|line| line.contains(file_line) && line.contains(words)),
            "missing {file_line}: {words} in\n{stderr}"
        );
    }
    assert!(stdout.contains("7 errors, 2 warnings"), "{stdout}");

    let (code, stdout, _) = validate(&fixture(), &["--json"]);
    assert_eq!(code, 1);
    let report: Value = serde_json::from_str(&stdout).expect("JSON report");
    assert_eq!(report["ok"], false);
    assert_eq!(report["errors"], 7);
    let first = &report["findings"][0];
    assert_eq!(first["severity"], "error");
    assert!(first["file"]
        .as_str()
        .is_some_and(|f| Path::new(f).extension().is_some_and(|ext| ext == "rego")));
    assert!(first["line"].as_u64().is_some());
}

#[test]
fn issue_11_validate_strict_fails_on_warnings_only() {
    let dir = tempfile::tempdir().expect("temp dir");
    let policies = dir.path().join(".cupcake/policies/claude");
    std::fs::create_dir_all(&policies).expect("mkdir");
    std::fs::write(
        policies.join("ok.rego"),
        "# METADATA\n# custom:\n#   routing:\n#     required_events: [\"PreToolUse\"]\n#     required_tools: [\"Bash\"]\npackage cupcake.policies.ok\n\nimport rego.v1\n\ndeny contains {\"rule_id\": \"X\", \"reason\": \"x\", \"severity\": \"HIGH\"} if {\n\tinput.tool_name == \"Bash\"\n}\n",
    )
    .expect("policy");
    std::fs::write(
        dir.path().join(".cupcake/rulebook.yml"),
        "self_protection:\n  enabled: false\n",
    )
    .expect("rulebook");
    let (code, stdout, stderr) = validate(dir.path(), &[]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(
        stderr.contains("rulebook.yml:1: self-protection is off"),
        "{stderr}"
    );
    let (code, _, _) = validate(dir.path(), &["--strict"]);
    assert_eq!(code, 1, "--strict fails on the warning");
}

#[test]
fn issue_11_a_load_failure_is_an_error_with_its_line() {
    let (code, _, stderr) = validate(
        &PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/conformance/compile_error"),
        &[],
    );
    assert_eq!(code, 1);
    assert!(stderr.contains("broken.rego:13"), "{stderr}");
}
