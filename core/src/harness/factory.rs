//! Factory Droid hook responses, from the shipped CLI (`@factory/cli-linux-x64` 0.225.2,
//! its bundled hook runner) checked by running `droid exec` against a fake model API. Droid's
//! hooks look like Claude Code's but read less: `decision: block` only counts on `Stop`,
//! `permissionDecision: ask` does not force a prompt, and `additionalContext` is ignored on
//! `PreToolUse`. Exit 2 blocks with stderr as the message and exit 3 aborts the agent; JSON
//! on stdout is read whatever the exit code. Factory publishes no hook types.

use serde_json::{json, Map, Value};

use super::{Action, ActionKind, Catalog, McpNaming, Protocol, Reply};
use crate::decision::{Decision, DecisionKind};

const EVENTS: &[&str] = &[
    "PreToolUse",
    "PostToolUse",
    "Notification",
    "UserPromptSubmit",
    "Stop",
    "SubagentStop",
    "PreCompact",
    "SessionStart",
    "SessionEnd",
];

/// Built-in tools of Droid 0.225.2 (the model-facing names); MCP tools are
/// `<server>___<tool>`.
const TOOLS: &[&str] = &[
    "Execute",
    "Read",
    "Create",
    "Edit",
    "ApplyPatch",
    "LS",
    "Glob",
    "Grep",
    "FetchUrl",
    "WebSearch",
    "Task",
    "TaskOutput",
    "TaskStop",
    "ToolSearch",
    "Skill",
    "TodoWrite",
    "AskUser",
    "Script",
    "WaitForScript",
    "GenerateDroid",
    "GenerateImage",
    "Loop",
    "ConnectorSearch",
    "ExitSpecMode",
];

const CATALOG: Catalog = Catalog {
    title: "Factory Droid",
    events: EVENTS,
    tool_events: &["PreToolUse", "PostToolUse"],
    tools: Some(TOOLS),
    mcp: Some(McpNaming {
        prefix: "",
        separators: &["___"],
        spelling: "`<server>___<tool>`",
    }),
};

/// Factory's Droid.
pub(super) struct Factory;

impl Protocol for Factory {
    fn catalog(&self) -> &'static Catalog {
        &CATALOG
    }

    /// `ApplyPatch` names its files only inside the patch text (`tool_input.input`).
    fn canonicalize(&self, event: &mut Map<String, Value>) {
        if event.get("tool_name").and_then(Value::as_str) != Some("ApplyPatch") {
            return;
        }
        if let Some(patch) = Action::text(event, Some("/tool_input/input")) {
            let files = super::patch::files(patch);
            event.insert("patch_files".into(), json!(files));
        }
    }

    fn action(&self, name: &str, event: &Map<String, Value>) -> Option<Action> {
        let tool = || event.get("tool_name").and_then(Value::as_str);
        Some(match name {
            "PreToolUse" => tool_action(tool()?),
            "PostToolUse" => tool_action(tool()?).after(),
            "UserPromptSubmit" => Action::prompt("/prompt"),
            "Stop" => Action::stop(),
            "SubagentStop" => Action::stop().after(),
            _ => return None,
        })
    }

    fn reply(&self, event: &str, decision: &Decision) -> Reply {
        response(event, decision)
    }

    fn refuses(&self, event: &str) -> bool {
        matches!(
            event,
            "PreToolUse" | "PostToolUse" | "UserPromptSubmit" | "Stop" | "PreCompact"
        )
    }

    fn stop_everything(&self, reason: &str) -> Reply {
        Reply {
            response: json!({"continue": false, "stopReason": reason}),
            stderr: reason.to_string(),
            exit_code: 3,
        }
    }

    fn is_repeated_stop(&self, event: &Map<String, Value>) -> bool {
        super::event_name(event) == Some("Stop")
            && event.get("stop_hook_active").and_then(Value::as_bool) == Some(true)
    }

    fn allow_stop(&self, reason: &str) -> Reply {
        Reply::json(json!({"systemMessage": reason}))
    }
}

/// What a Droid tool does, and where its input keeps the details.
fn tool_action(tool: &str) -> Action {
    match tool {
        "Execute" => Action::shell("/tool_input/command"),
        "Read" => Action::file(ActionKind::Read, "/tool_input/file_path"),
        "LS" => Action::file(ActionKind::Read, "/tool_input/directory_path"),
        "Glob" => Action::file(ActionKind::Read, "/tool_input/folder"),
        "Grep" => Action::file(ActionKind::Read, "/tool_input/path"),
        "Create" => Action::file(ActionKind::Write, "/tool_input/file_path"),
        "Edit" => Action::file(ActionKind::Edit, "/tool_input/file_path"),
        "ApplyPatch" => Action::files(ActionKind::Edit, "/patch_files"),
        "FetchUrl" => Action::fetch("/tool_input/url"),
        "WebSearch" => Action::fetch("/tool_input/query"),
        _ => super::mcp_or_other(&Factory, tool),
    }
}

fn response(event: &str, decision: &Decision) -> Reply {
    let reason = decision.reason.as_str();
    let kind = decision.kind;
    let mut out = Map::new();
    let mut specific = Map::new();
    // Exit 2 with the reason on stderr: the one refusal Droid reads on some events.
    let mut exit_two = false;
    let halt = |out: &mut Map<String, Value>| {
        out.insert("continue".into(), json!(false));
        out.insert("stopReason".into(), json!(reason));
    };
    match (event, kind) {
        ("PreToolUse", _) if kind.is_blocking() || kind == DecisionKind::Ask => {
            let reason = if kind == DecisionKind::Ask {
                format!("{reason} (this needs the user's approval, and Droid does not ask when a hook says ask)")
            } else {
                reason.to_string()
            };
            specific.insert("permissionDecision".into(), json!("deny"));
            specific.insert("permissionDecisionReason".into(), json!(reason));
            if kind == DecisionKind::Halt {
                halt(&mut out);
            }
        }
        // The rewrite is merged into the input and Droid's own permission check still runs.
        ("PreToolUse", DecisionKind::Modify) => {
            let updated = decision.updated_input.clone().unwrap_or_else(|| json!({}));
            specific.insert("updatedInput".into(), updated);
        }
        ("Stop", DecisionKind::Halt) => halt(&mut out),
        ("Stop", _) if kind.is_blocking() => {
            out.insert("decision".into(), json!("block"));
            out.insert("reason".into(), json!(reason));
        }
        // UserPromptSubmit: the prompt is dropped; PostToolUse: the reason reaches the model
        // as feedback; PreCompact: the compaction is skipped. A halt also ends the turn.
        ("UserPromptSubmit", _) if kind.is_blocking() => {
            halt(&mut out);
            exit_two = true;
        }
        ("PostToolUse" | "PreCompact", _) if kind.is_blocking() => {
            if kind == DecisionKind::Halt {
                halt(&mut out);
            }
            exit_two = true;
        }
        ("UserPromptSubmit" | "SessionStart", DecisionKind::Ask | DecisionKind::Modify) => {
            specific.insert("additionalContext".into(), json!(reason));
        }
        _ => {}
    }
    if !exit_two && matches!(event, "PostToolUse" | "UserPromptSubmit" | "SessionStart") {
        super::add_context(&mut specific, &decision.context);
    }
    super::hook_specific_output(&mut out, event, specific);
    Reply {
        response: Value::Object(out),
        stderr: if exit_two {
            reason.to_string()
        } else {
            String::new()
        },
        exit_code: if exit_two { 2 } else { 0 },
    }
}
