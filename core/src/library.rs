//! The shipped policy library: builtins a project enables from `rulebook.yml` without writing
//! Rego (`builtins: {git_block_no_verify: {}}`). Each is one harness-neutral policy in
//! `core/library/`, routed on the shared action view, so it works for every agent. The
//! earlier Cupcake engine's names and options are accepted as it documented them: a builtin
//! configured without `enabled` is on, the harness-prefixed names
//! (`claude_code_always_inject_on_prompt`, `factory_enforce_full_file_read`, …) are the same
//! policies, and options are translated into `input.builtin_config.<name>` and signals here.
//! A project that keeps its own copy (`policies/<harness>/builtins/<name>.rego`, as the earlier
//! engine's `init` wrote) is evaluated with that copy instead.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use serde_json::{json, Map, Value};

use crate::rulebook::DeclaredSignal;

/// Every shipped policy, by its own name.
const SHIPPED: &[(&str, &str)] = &[
    (
        "always_inject_on_prompt",
        include_str!("../library/always_inject_on_prompt.rego"),
    ),
    (
        "cupcake_exec_protection",
        include_str!("../library/cupcake_exec_protection.rego"),
    ),
    (
        "enforce_full_file_read",
        include_str!("../library/enforce_full_file_read.rego"),
    ),
    (
        "git_block_no_verify",
        include_str!("../library/git_block_no_verify.rego"),
    ),
    (
        "git_pre_check",
        include_str!("../library/git_pre_check.rego"),
    ),
    (
        "post_edit_check",
        include_str!("../library/post_edit_check.rego"),
    ),
    (
        "protected_paths",
        include_str!("../library/protected_paths.rego"),
    ),
    (
        "rulebook_security_guardrails",
        include_str!("../library/rulebook_security_guardrails.rego"),
    ),
    (
        "sensitive_data_protection",
        include_str!("../library/sensitive_data_protection.rego"),
    ),
    (
        "system_protection",
        include_str!("../library/system_protection.rego"),
    ),
];

/// The earlier engine's harness prefixes for the builtins it limited to some agents.
const AGENT_PREFIXES: [&str; 3] = ["claude_code_", "factory_", "opencode_"];

/// The shipped policy `name` is, and the name it goes by (an earlier-engine alias such as
/// `claude_code_always_inject_on_prompt` is the shipped `always_inject_on_prompt`).
fn resolve(name: &str) -> Option<(&'static str, &'static str)> {
    let base = AGENT_PREFIXES
        .iter()
        .find_map(|prefix| name.strip_prefix(prefix))
        .filter(|base| matches!(*base, "always_inject_on_prompt" | "enforce_full_file_read"))
        .unwrap_or(name);
    SHIPPED
        .iter()
        .find(|(shipped, _)| *shipped == base)
        .map(|(shipped, source)| (*shipped, *source))
}

/// The names a rulebook may enable, for messages.
pub fn names() -> String {
    SHIPPED
        .iter()
        .map(|(name, _)| *name)
        .collect::<Vec<_>>()
        .join(", ")
}

/// The Rego source of builtin `name`, with its package (and the configuration key it reads)
/// spelled as `name`; `None` when cupcake ships no such builtin.
pub fn source(name: &str) -> Option<String> {
    let (base, source) = resolve(name)?;
    Some(if base == name {
        source.to_string()
    } else {
        source.replace(base, name)
    })
}

/// `input.builtin_config.<name>`: the options as written, with the earlier engine's defaults
/// and what policies need ready-made: protected paths resolved (relative ones from the project,
/// `~/` from `home`) with their spellings, the static strings of a `context` list, and the
/// git operations a pre-check guards.
pub fn config(name: &str, options: &Value, project: &Path, home: Option<&Path>) -> Value {
    let mut config = options.as_object().cloned().unwrap_or_default();
    let base = resolve(name).map_or(name, |(base, _)| base);
    match base {
        "protected_paths" | "system_protection" => {
            let key = if base == "protected_paths" {
                "paths"
            } else {
                "additional_paths"
            };
            resolve_paths(&mut config, key, project, home);
        }
        "rulebook_security_guardrails" => {
            config
                .entry("protected_paths")
                .or_insert_with(|| json!([".cupcake/"]));
            resolve_paths(&mut config, "protected_paths", project, home);
        }
        "always_inject_on_prompt" => {
            let statics: Vec<Value> = list(&config, "context")
                .iter()
                .filter(|entry| entry.is_string())
                .cloned()
                .collect();
            config.insert("static_contexts".into(), Value::Array(statics));
        }
        "git_pre_check" => {
            config
                .entry("operations")
                .or_insert_with(|| json!(["commit", "push", "merge"]));
            let checks: Vec<Value> = list(&config, "checks")
                .iter()
                .map(|check| {
                    let message = check
                        .get("message")
                        .and_then(Value::as_str)
                        .or_else(|| check.get("command").and_then(Value::as_str))
                        .unwrap_or("a check");
                    json!({"command": check.get("command"), "message": message})
                })
                .collect();
            config.insert("checks".into(), Value::Array(checks));
        }
        "enforce_full_file_read" => {
            config.entry("max_lines").or_insert_with(|| json!(2000));
        }
        _ => {}
    }
    Value::Object(config)
}

/// The signals builtin `name` needs, named as the earlier engine named them:
/// `__builtin_prompt_context_<n>` (each `command:` or `file:` context entry),
/// `__builtin_git_check_<n>` (each pre-commit check) and `__builtin_post_edit_<ext>`.
pub fn signals(name: &str, options: &Value) -> BTreeMap<String, DeclaredSignal> {
    let config = options.as_object().cloned().unwrap_or_default();
    let shell = |command: &str, seconds: u64| DeclaredSignal {
        command: command.to_string(),
        timeout: Duration::from_secs(seconds),
    };
    let mut signals = BTreeMap::new();
    match resolve(name).map_or(name, |(base, _)| base) {
        "always_inject_on_prompt" => {
            for (index, entry) in list(&config, "context").iter().enumerate() {
                let signal = if let Some(command) = entry.get("command").and_then(Value::as_str) {
                    shell(command, 5)
                } else if let Some(file) = entry.get("file").and_then(Value::as_str) {
                    shell(&format!("cat -- {}", quoted(file)), 2)
                } else {
                    continue;
                };
                signals.insert(format!("__builtin_prompt_context_{index}"), signal);
            }
        }
        "git_pre_check" => {
            for (index, check) in list(&config, "checks").iter().enumerate() {
                if let Some(command) = check.get("command").and_then(Value::as_str) {
                    signals.insert(format!("__builtin_git_check_{index}"), shell(command, 60));
                }
            }
        }
        "post_edit_check" => {
            let by_extension = config
                .get("by_extension")
                .and_then(Value::as_object)
                .cloned()
                .unwrap_or_default();
            for (extension, check) in by_extension {
                if let Some(command) = check.get("command").and_then(Value::as_str) {
                    signals.insert(
                        format!("__builtin_post_edit_{extension}"),
                        shell(command, 60),
                    );
                }
            }
        }
        _ => {}
    }
    signals
}

/// The generated signals builtin `name` wants for this (preprocessed) event: all of a
/// prompt-context builtin's; a pre-check's only for a git command running one of its
/// operations; a post-edit check's only for the edited file's extension.
pub fn wanted(name: &str, options: &Value, event: &Map<String, Value>) -> Vec<String> {
    let action = event.get("cupcake").and_then(|view| view.get("action"));
    let field = |key: &str| {
        action
            .and_then(|action| action.get(key))
            .and_then(Value::as_str)
    };
    let generated = signals(name, options).into_keys();
    match resolve(name).map_or(name, |(base, _)| base) {
        "always_inject_on_prompt" => generated.collect(),
        "git_pre_check" => {
            let command = field("command").unwrap_or("");
            let operations = config(name, options, Path::new("/"), None);
            let runs = list(operations.as_object().unwrap_or(&Map::new()), "operations")
                .iter()
                .filter_map(Value::as_str)
                .any(|operation| runs_git(command, operation));
            if runs {
                generated.collect()
            } else {
                Vec::new()
            }
        }
        "post_edit_check" => {
            let extension = field("path")
                .and_then(|path| Path::new(path).extension())
                .map(|ext| format!("__builtin_post_edit_{}", ext.to_string_lossy()));
            generated
                .filter(|signal| Some(signal) == extension.as_ref())
                .collect()
        }
        _ => Vec::new(),
    }
}

/// Whether `command` runs `git … <operation>` (the same reading as the policy's).
fn runs_git(command: &str, operation: &str) -> bool {
    command.split(|c: char| ";&|\n()".contains(c)).any(|part| {
        let words: Vec<&str> = part.split_whitespace().collect();
        words
            .iter()
            .position(|word| *word == "git" || word.ends_with("/git"))
            .is_some_and(|at| words[at + 1..].contains(&operation))
    })
}

fn list<'a>(config: &'a Map<String, Value>, key: &str) -> &'a [Value] {
    config
        .get(key)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

/// Adds `resolved_paths` (absolute) and `given_paths` (resolved → as written) for `key`.
fn resolve_paths(config: &mut Map<String, Value>, key: &str, project: &Path, home: Option<&Path>) {
    let mut resolved = Vec::new();
    let mut given = Map::new();
    for written in list(config, key).iter().filter_map(Value::as_str) {
        let path = match (written.strip_prefix("~/"), home) {
            (Some(rest), Some(home)) => home.join(rest),
            _ if Path::new(written).is_absolute() => Path::new(written).to_path_buf(),
            _ => project.join(written.trim_start_matches("./")),
        };
        let text = path.to_string_lossy().trim_end_matches('/').to_string();
        given.insert(text.clone(), json!(written));
        resolved.push(json!(text));
    }
    config.insert("resolved_paths".into(), Value::Array(resolved));
    config.insert("given_paths".into(), Value::Object(given));
}

/// `text` quoted for `sh`.
fn quoted(text: &str) -> String {
    format!("'{}'", text.replace('\'', "'\\''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aliases_are_the_shipped_policy_under_their_own_name() {
        let text = source("claude_code_always_inject_on_prompt").expect("shipped");
        assert!(
            text.contains("package cupcake.policies.builtins.claude_code_always_inject_on_prompt")
        );
        assert!(text.contains(r#"name := "claude_code_always_inject_on_prompt""#));
        assert!(
            source("claude_code_git_block_no_verify").is_none(),
            "only the agent-limited ones have prefixes"
        );
        assert!(source("no_such_builtin").is_none());
    }

    #[test]
    fn options_are_translated() {
        let project = Path::new("/repo");
        let home = Path::new("/home/u");
        let paths = config(
            "protected_paths",
            &json!({"paths": ["secrets/", "~/.ssh/", "/etc/"]}),
            project,
            Some(home),
        );
        assert_eq!(
            paths["resolved_paths"],
            json!(["/repo/secrets", "/home/u/.ssh", "/etc"])
        );
        assert_eq!(paths["given_paths"]["/repo/secrets"], "secrets/");
        let guard = config("rulebook_security_guardrails", &json!({}), project, None);
        assert_eq!(guard["resolved_paths"], json!(["/repo/.cupcake"]));
        let inject =
            json!({"context": ["be careful", {"command": "git status"}, {"file": "it's.md"}]});
        assert_eq!(
            config(
                "claude_code_always_inject_on_prompt",
                &inject,
                project,
                None
            )["static_contexts"],
            json!(["be careful"])
        );
        let made = signals("claude_code_always_inject_on_prompt", &inject);
        assert_eq!(made["__builtin_prompt_context_1"].command, "git status");
        assert_eq!(
            made["__builtin_prompt_context_2"].command,
            r"cat -- 'it'\''s.md'"
        );
        assert!(
            !made.contains_key("__builtin_prompt_context_0"),
            "text needs no signal"
        );
    }

    #[test]
    fn signals_run_only_when_the_event_needs_them() {
        let checks = json!({"checks": [{"command": "npm test", "message": "tests"}]});
        let event = |command: &str| {
            let mut map = Map::new();
            map.insert(
                "cupcake".into(),
                json!({"action": {"kind": "shell", "command": command}}),
            );
            map
        };
        assert_eq!(
            wanted("git_pre_check", &checks, &event("git commit -m x")),
            ["__builtin_git_check_0"]
        );
        assert!(wanted("git_pre_check", &checks, &event("git status")).is_empty());
        assert!(wanted("git_pre_check", &checks, &event("echo commit")).is_empty());
        let edits =
            json!({"by_extension": {"rs": {"command": "cargo check"}, "py": {"command": "ruff"}}});
        let mut edited = Map::new();
        edited.insert(
            "cupcake".into(),
            json!({"action": {"kind": "edit", "path": "/r/src/a.rs"}}),
        );
        assert_eq!(
            wanted("post_edit_check", &edits, &edited),
            ["__builtin_post_edit_rs"]
        );
    }
}
