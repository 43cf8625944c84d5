//! `cupcake validate`'s checks beyond loading: mistakes that compile but make a policy mean
//! something else than it says. Each finding names a file and, where it can, a line.
//!
//! Errors: routes that can never match (an event or tool name in the wrong case, `Edit|Write`
//! or globs where names are exact, tools on an event that carries none) and rules that test
//! for an event or tool their policy is not routed to (they never fire). Warnings: names the
//! harness is not known to send, unknown rulebook keys, self-protection switched off, a policy
//! routed to several events whose rules never check the event, and `opa check --strict`.

use std::path::{Path, PathBuf};

use crate::engine::Engine;
use crate::options::{EngineOptions, Harness};
use crate::policy::{Policy, PolicySet};

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// The policy set does not do what it says; `validate` fails.
    Error,
    /// Probably a mistake; `validate --strict` fails.
    Warning,
}

impl Severity {
    /// `error` or `warning`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Error => "error",
            Self::Warning => "warning",
        }
    }
}

/// One problem `validate` reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// Error or warning.
    pub severity: Severity,
    /// The file concerned.
    pub file: PathBuf,
    /// Its line, when known.
    pub line: Option<u32>,
    /// What is wrong and what to do.
    pub message: String,
}

/// Every finding for a loaded engine, errors first. `options` locate OPA for
/// `opa check --strict` (skipped, with a warning, when there is none).
pub fn lint(engine: &Engine, options: &EngineOptions) -> Vec<Finding> {
    let harness = engine.harness();
    let mut findings = Vec::new();
    for set in engine.policy_sets() {
        for policy in &set.policies {
            let source = set.sources.get(&policy.path).map_or("", String::as_str);
            routes(harness, policy, source, &mut findings);
            rules(policy, source, &mut findings);
        }
        rulebook(set, &mut findings);
        opa_check(set, options, &mut findings);
    }
    findings.sort_by(|a, b| (a.severity, &a.file, a.line).cmp(&(b.severity, &b.file, b.line)));
    findings
}

/// The first 1-based line of `source` containing `needle`.
fn line_of(source: &str, needle: &str) -> Option<u32> {
    source
        .lines()
        .position(|line| line.contains(needle))
        .and_then(|index| u32::try_from(index + 1).ok())
}

fn routes(harness: Harness, policy: &Policy, source: &str, out: &mut Vec<Finding>) {
    let Some(routing) = &policy.metadata.routing else {
        return;
    };
    let protocol = crate::harness::protocol(harness);
    let known = protocol.events();
    let mut finding = |severity, needle: &str, message: String| {
        out.push(Finding {
            severity,
            file: policy.path.clone(),
            line: line_of(source, needle),
            message,
        });
    };
    for event in &routing.required_events {
        if known.contains(&event.as_str()) {
            continue;
        }
        match known.iter().find(|k| k.eq_ignore_ascii_case(event)) {
            Some(right) => finding(
                Severity::Error,
                event,
                format!("required_events `{event}` never matches: the event is `{right}`"),
            ),
            None => finding(
                Severity::Warning,
                event,
                format!(
                    "required_events `{event}` is not an event {} is known to send",
                    name(harness)
                ),
            ),
        }
    }
    let tools: Vec<&String> = routing
        .required_tools
        .iter()
        .filter(|t| *t != "*")
        .collect();
    if !tools.is_empty() {
        for event in &routing.required_events {
            if !protocol.carries_tool(event) && known.contains(&event.as_str()) {
                finding(
                    Severity::Error,
                    "required_tools",
                    format!("`{event}` events carry no tool_name, so required_tools never match them; route `{event}` in a policy without required_tools"),
                );
            }
        }
    }
    for tool in tools {
        if tool.contains(['|', '^', '$', '(', ')', '[', ']', '+', '?', '\\']) {
            let parts: Vec<&str> = tool.split('|').map(str::trim).collect();
            finding(
                Severity::Error,
                tool,
                format!("required_tools `{tool}` never matches: tool names are exact, not patterns; list them: [{}]", parts.join(", ")),
            );
        } else if tool.contains('*') {
            finding(
                Severity::Error,
                tool,
                format!("required_tools `{tool}` never matches: only a lone \"*\" is a wildcard; list the tools"),
            );
        } else if let Some(builtin) = protocol.tools().filter(|builtin| {
            !builtin.contains(&tool.as_str()) && crate::harness::mcp_parts(protocol, tool).is_none()
        }) {
            match builtin.iter().find(|known| known.eq_ignore_ascii_case(tool)) {
                Some(right) => finding(
                    Severity::Error,
                    tool,
                    format!("required_tools `{tool}` never matches: {} sends `{right}`", name(harness)),
                ),
                None => finding(
                    Severity::Warning,
                    tool,
                    format!(
                        "required_tools `{tool}` is not a tool {} is known to send (MCP tools are {})",
                        name(harness),
                        protocol.mcp_naming().map_or("named by their server", |naming| naming.spelling)
                    ),
                ),
            }
        }
    }
}

/// Rules that compare the event or tool with a name their policy is not routed to.
fn rules(policy: &Policy, source: &str, out: &mut Vec<Finding>) {
    let Some(routing) = &policy.metadata.routing else {
        return;
    };
    let checks = [
        (
            "hook_event_name",
            &routing.required_events,
            "required_events",
        ),
        ("tool_name", &routing.required_tools, "required_tools"),
    ];
    for (field, routed, key) in checks {
        if routed.is_empty() || routed.iter().any(|r| r == "*") {
            continue;
        }
        let pattern = format!(r#"input\.{field}\s*==\s*"([^"]+)"|"([^"]+)"\s*==\s*input\.{field}"#);
        let Ok(pattern) = regex::Regex::new(&pattern) else {
            continue;
        };
        for (index, line) in source.lines().enumerate() {
            if line.trim_start().starts_with('#') {
                continue;
            }
            for capture in pattern.captures_iter(line) {
                let Some(name) = capture.get(1).or_else(|| capture.get(2)) else {
                    continue;
                };
                if !routed.iter().any(|r| r == name.as_str()) {
                    out.push(Finding {
                        severity: Severity::Error,
                        file: policy.path.clone(),
                        line: u32::try_from(index + 1).ok(),
                        message: format!(
                            "this rule decides on {field} `{}`, but the policy's {key} are [{}]: it never fires; route it or drop the rule",
                            name.as_str(),
                            routed.join(", ")
                        ),
                    });
                }
            }
        }
    }
    if routing.required_events.len() > 1 && !source.contains("hook_event_name") {
        out.push(Finding {
            severity: Severity::Warning,
            file: policy.path.clone(),
            line: None,
            message: "routed for several events but no rule checks input.hook_event_name, so every rule decides all of them".into(),
        });
    }
}

fn rulebook(set: &PolicySet, out: &mut Vec<Finding>) {
    let path = set.root.join("rulebook.yml");
    let text = crate::regular_file::read_to_string(&path, crate::regular_file::RULEBOOK_CAP)
        .unwrap_or_default();
    let line = |key: &str| line_of(&text, &format!("{key}:"));
    for key in &set.rulebook.unknown_keys {
        out.push(Finding {
            severity: Severity::Warning,
            file: path.clone(),
            line: line(key),
            message: format!("unknown rulebook key `{key}` is ignored (known: signals, builtins, settings, opa, self_protection)"),
        });
    }
    if !set.rulebook.self_protection.enabled {
        out.push(Finding {
            severity: Severity::Warning,
            file: path.clone(),
            line: line("self_protection"),
            message: "self-protection is off: the agent can change cupcake's own policies and hook configuration".into(),
        });
    }
    let no_verify = set.rulebook.builtins.get("git_block_no_verify");
    if no_verify.is_some_and(|options| options.get("exceptions").is_some()) {
        out.push(Finding {
            severity: Severity::Warning,
            file: path.clone(),
            line: line("exceptions"),
            message: "git_block_no_verify `exceptions` are not honoured: they name environment variables, which the agent can set".into(),
        });
    }
}

/// `opa check --strict` over copies of the sources: unused variables and imports, shadowed
/// names, deprecated builtins.
fn opa_check(set: &PolicySet, options: &EngineOptions, out: &mut Vec<Finding>) {
    if set.sources.is_empty() {
        return;
    }
    let Ok(opa) = crate::opa::locate(&options.opa_search(), set.rulebook.opa.as_ref()) else {
        out.push(Finding {
            severity: Severity::Warning,
            file: set.root.clone(),
            line: None,
            message: "opa check --strict was skipped: no OPA found".into(),
        });
        return;
    };
    let Ok(work) = tempfile::tempdir() else {
        return;
    };
    let Ok(copies) = crate::opa::build::snapshot_sources(set, work.path()) else {
        return;
    };
    // The copies call the redirected regex builtins; OPA knows them from these capabilities.
    let capabilities = work.path().join("capabilities.json");
    let deadline = options.limits.compile_timeout;
    if crate::opa::build::write_capabilities(&opa.path, &capabilities, deadline).is_err() {
        return;
    }
    let mut args: Vec<std::ffi::OsString> =
        ["check", "--strict", "--format", "json", "--capabilities"]
            .into_iter()
            .map(Into::into)
            .collect();
    args.push(capabilities.into_os_string());
    args.extend(copies.into_iter().map(PathBuf::into_os_string));
    let ran = match crate::opa::run::run(&opa.path, &args, deadline) {
        Ok(ran) => ran,
        Err(failure) => {
            out.push(Finding {
                severity: Severity::Warning,
                file: set.root.clone(),
                line: None,
                message: format!(
                    "opa check --strict was skipped: {} {failure}",
                    opa.origin.display()
                ),
            });
            return;
        }
    };
    let text = ran.text();
    let Ok(report) = serde_json::from_str::<serde_json::Value>(text.trim()) else {
        return;
    };
    let copy_root = work.path();
    for error in report["errors"].as_array().into_iter().flatten() {
        let file = error["location"]["file"].as_str().map(Path::new);
        let file = file
            .and_then(|file| file.strip_prefix(copy_root).ok())
            .map_or_else(|| set.root.clone(), |relative| set.root.join(relative));
        out.push(Finding {
            severity: Severity::Warning,
            file,
            line: error["location"]["row"]
                .as_u64()
                .and_then(|row| u32::try_from(row).ok()),
            message: format!(
                "opa check --strict: {}",
                crate::redirect::restore_names(error["message"].as_str().unwrap_or(""))
            ),
        });
    }
}

fn name(harness: Harness) -> &'static str {
    crate::harness::protocol(harness).title()
}
