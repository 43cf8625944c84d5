//! Cline hook responses. A Cline hook is an executable named after its event in
//! `.clinerules/hooks/`; the CLI (`cline` 3.0.65, read from its bundle and run against a fake
//! model API) names events in `hookName` with its own words (`tool_call`, `tool_result`, …),
//! the VS Code extension (4.1.13, from its source) with the file names (`PreToolUse`, …).
//! Both spellings are events here, each answered as its client reads it.
//!
//! Cline reads one JSON object on stdout and ignores the exit code and stderr. `cancel: true`
//! aborts the whole run (Cline has no per-tool refusal; the model is not told why), so every
//! refusal is a halt. The CLI also takes `overrideInput` (the VS Code extension does not, so a
//! rewrite there refuses) and both take `contextModification` on tool events. Only the tool
//! events (and, in VS Code, `TaskStart` and `UserPromptSubmit`) are awaited; the rest run in
//! the background and cannot refuse anything.

use serde_json::{json, Map, Value};

use super::{Action, ActionKind, Catalog, McpNaming, Protocol, Reply};
use crate::decision::{Decision, DecisionKind};

const EVENTS: &[&str] = &[
    // The CLI's `hookName`s.
    "tool_call",
    "tool_result",
    "agent_start",
    "agent_resume",
    "prompt_submit",
    "agent_end",
    "agent_error",
    "agent_abort",
    "session_shutdown",
    // The VS Code extension's.
    "PreToolUse",
    "PostToolUse",
    "UserPromptSubmit",
    "TaskStart",
    "TaskResume",
    "TaskCancel",
    "TaskComplete",
    "PreCompact",
];

/// Built-in tools of Cline 3.0.65; MCP tools are `<server>__<tool>`.
const TOOLS: &[&str] = &[
    "run_commands",
    "read_files",
    "editor",
    "apply_patch",
    "search_codebase",
    "fetch_web_content",
    "skills",
    "ask_question",
    "submit_and_exit",
    "spawn_agent",
    "tasks",
    "web_search",
];

const CATALOG: Catalog = Catalog {
    title: "Cline",
    events: EVENTS,
    tool_events: &["tool_call", "tool_result", "PreToolUse", "PostToolUse"],
    tools: Some(TOOLS),
    mcp: Some(McpNaming {
        prefix: "",
        separators: &["__"],
        spelling: "`<server>__<tool>`",
    }),
};

/// Cline: the CLI and the VS Code extension.
pub(super) struct Cline;

impl Protocol for Cline {
    fn catalog(&self) -> &'static Catalog {
        &CATALOG
    }

    /// `hookName` is the event; the tool and its input are in `tool_call` / `tool_result`
    /// (the CLI) or `preToolUse` / `postToolUse` (both; parameters as strings). The working
    /// directory is the workspace root. Tool inputs come in several accepted shapes, so the
    /// commands, files and patch files are also gathered into `cline_commands`,
    /// `cline_files` and `patch_files`.
    fn canonicalize(&self, event: &mut Map<String, Value>) {
        let hook_name = event.get("hookName").cloned();
        copy_if_absent(event, "hook_event_name", hook_name);
        let call = ["tool_call", "tool_result"]
            .iter()
            .find_map(|field| event.get(*field).and_then(Value::as_object))
            .cloned();
        let data = ["preToolUse", "postToolUse"]
            .iter()
            .find_map(|field| event.get(*field).and_then(Value::as_object))
            .cloned();
        let name = call
            .as_ref()
            .and_then(|call| call.get("name"))
            .or_else(|| data.as_ref().and_then(|data| data.get("toolName")))
            .cloned();
        copy_if_absent(event, "tool_name", name);
        let input = call
            .as_ref()
            .and_then(|call| call.get("input"))
            .cloned()
            .or_else(|| {
                data.as_ref()
                    .and_then(|data| data.get("parameters"))
                    .map(decode_parameters)
            });
        copy_if_absent(event, "tool_input", input);
        let root = event
            .get("workspaceInfo")
            .and_then(|info| info.get("rootPath"))
            .or_else(|| event.get("workspaceRoots").and_then(|roots| roots.get(0)))
            .cloned();
        copy_if_absent(event, "cwd", root);
        gather_inputs(event);
    }

    fn action(&self, name: &str, event: &Map<String, Value>) -> Option<Action> {
        let tool = || event.get("tool_name").and_then(Value::as_str);
        Some(match name {
            "tool_call" | "PreToolUse" => tool_action(tool()?, event),
            "tool_result" | "PostToolUse" => tool_action(tool()?, event).after(),
            "prompt_submit" => Action::prompt("/userPromptSubmit/prompt").after(),
            "UserPromptSubmit" => Action::prompt("/userPromptSubmit/prompt"),
            _ => return None,
        })
    }

    fn reply(&self, event: &str, decision: &Decision) -> Reply {
        let reason = decision.reason.as_str();
        let refuse = |reason: String| Reply::json(json!({"cancel": true, "errorMessage": reason}));
        if !self.refuses(event) {
            return Reply::json(json!({}));
        }
        let tool_event = self.carries_tool(event);
        match decision.kind {
            kind if kind.is_blocking() => refuse(reason.to_string()),
            DecisionKind::Ask => refuse(format!(
                "{reason} (this needs the user's approval, and Cline hooks cannot ask)"
            )),
            DecisionKind::Modify if event == "tool_call" => {
                let updated = decision.updated_input.clone().unwrap_or_else(|| json!({}));
                Reply::json(json!({"overrideInput": updated}))
            }
            DecisionKind::Modify if event == "PreToolUse" => refuse(format!(
                "{reason} (cupcake would rewrite this tool call, and Cline's VS Code extension cannot apply rewrites)"
            )),
            _ if tool_event && !decision.context.is_empty() => {
                Reply::json(json!({"contextModification": decision.context.join("\n")}))
            }
            _ => Reply::json(json!({})),
        }
    }

    fn refuses(&self, event: &str) -> bool {
        matches!(
            event,
            "tool_call"
                | "tool_result"
                | "PreToolUse"
                | "PostToolUse"
                | "TaskStart"
                | "UserPromptSubmit"
        )
    }

    fn stop_everything(&self, reason: &str) -> Reply {
        Reply::json(json!({"cancel": true, "errorMessage": reason}))
    }
}

/// `preToolUse.parameters` holds every value as text, nested ones JSON-encoded: decoded
/// here, so a list of commands or requests reads as the list it is.
fn decode_parameters(parameters: &Value) -> Value {
    let Value::Object(fields) = parameters else {
        return parameters.clone();
    };
    let decoded = fields.iter().map(|(key, value)| {
        let value = match value.as_str().map(serde_json::from_str::<Value>) {
            Some(Ok(nested @ (Value::Array(_) | Value::Object(_)))) => nested,
            _ => value.clone(),
        };
        (key.clone(), value)
    });
    Value::Object(decoded.collect())
}

/// Sets `event[key]` to `value`, unless the key is there already.
fn copy_if_absent(event: &mut Map<String, Value>, key: &str, value: Option<Value>) {
    if let Some(value) = value {
        event.entry(key).or_insert(value);
    }
}

/// Gathers the shell commands of `run_commands` (`commands: [string | {command, args}]`,
/// `command`, `cmd`, a string or a list) into `cline_commands` (one per line), the files of
/// `read_files` (`files: [{path}]`, `file_path`, `filePath`, `paths`, `file_paths`, strings)
/// into `cline_files`, and the files an `apply_patch` names into `patch_files`.
fn gather_inputs(event: &mut Map<String, Value>) {
    let tool = event.get("tool_name").and_then(Value::as_str).unwrap_or("");
    let input = event.get("tool_input").cloned().unwrap_or(Value::Null);
    match tool {
        "run_commands" => {
            let mut commands = Vec::new();
            strings(
                &input,
                &["commands", "command", "cmd"],
                &["command"],
                &mut commands,
            );
            event.insert("cline_commands".into(), json!(commands.join("\n")));
        }
        "read_files" => {
            let mut files = Vec::new();
            strings(
                &input,
                &[
                    "files",
                    "paths",
                    "file_paths",
                    "file_path",
                    "filePath",
                    "path",
                ],
                &["path", "file_path", "filePath"],
                &mut files,
            );
            event.insert("cline_files".into(), json!(files));
        }
        "apply_patch" => {
            let patch = input
                .get("input")
                .and_then(Value::as_str)
                .or_else(|| input.as_str())
                .unwrap_or("");
            event.insert("patch_files".into(), json!(super::patch::files(patch)));
        }
        _ => {}
    }
}

/// Collects strings from `value`: the value itself, list items, the fields `fields` of an
/// object, and the field `item_fields` of objects in lists. A `{command, args}` item
/// contributes its command followed by its arguments.
fn strings(value: &Value, fields: &[&str], item_fields: &[&str], out: &mut Vec<String>) {
    match value {
        Value::String(text) => {
            // Nested values arrive JSON-encoded in `preToolUse.parameters`.
            match serde_json::from_str::<Value>(text) {
                Ok(parsed @ (Value::Array(_) | Value::Object(_))) => {
                    strings(&parsed, fields, item_fields, out);
                }
                _ => out.push(text.clone()),
            }
        }
        Value::Array(items) => {
            for item in items {
                match item {
                    Value::Object(object) => out.extend(item_string(object, item_fields)),
                    other => strings(other, fields, item_fields, out),
                }
            }
        }
        Value::Object(object) if object.contains_key("args") => {
            out.extend(item_string(object, item_fields));
        }
        Value::Object(object) => {
            for field in fields {
                if let Some(inner) = object.get(*field) {
                    strings(inner, fields, item_fields, out);
                }
            }
        }
        _ => {}
    }
}

/// An item's string: the first of `fields` it has, followed by its `args`.
fn item_string(object: &Map<String, Value>, fields: &[&str]) -> Option<String> {
    let head = fields
        .iter()
        .find_map(|field| object.get(*field).and_then(Value::as_str))?;
    let args = object
        .get("args")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str);
    Some(
        std::iter::once(head)
            .chain(args)
            .collect::<Vec<_>>()
            .join(" "),
    )
}

/// What a Cline tool does, and where the gathered details are.
fn tool_action(tool: &str, event: &Map<String, Value>) -> Action {
    match tool {
        "run_commands" => Action::shell("/cline_commands"),
        "read_files" => Action::files(ActionKind::Read, "/cline_files"),
        "search_codebase" => Action::other(),
        // `editor` creates a file without `old_text` and changes one with it.
        "editor" if Action::text(event, Some("/tool_input/old_text")).is_some() => {
            Action::file(ActionKind::Edit, "/tool_input/path")
        }
        "editor" => Action::file(ActionKind::Write, "/tool_input/path"),
        "apply_patch" => Action::files(ActionKind::Edit, "/patch_files"),
        "fetch_web_content" => Action::fetch("/tool_input/requests/0/url"),
        "web_search" => Action::fetch("/tool_input/query"),
        _ => super::mcp_or_other(&Cline, tool),
    }
}
