//! GitHub Copilot hook responses: the Copilot CLI (`@github/copilot` 1.0.102) and the cloud
//! coding agent, both configured in `.github/hooks/*.json` with camelCase event keys. Output
//! fields are those of `@github/copilot-sdk` 1.0.14's `*HookOutput` types, checked by running
//! the CLI against a fake model API. With camelCase keys the input carries no event name, so
//! the hook command names it (`cupcake eval --event preToolUse`).
//!
//! Two rules shape this table: `permissionDecision: allow` is a grant that skips Copilot's own
//! permission flow, so an allow is `{}`; and empty or invalid output lets the tool run, so a
//! failure on an unknown event answers with every blocking field at once and exit 2 (which
//! `preToolUse` and `permissionRequest` read as deny).

use serde_json::{json, Map, Value};

use super::{Action, ActionKind, Catalog, McpNaming, Protocol, Reply};
use crate::decision::{Decision, DecisionKind};

const EVENTS: &[&str] = &[
    "sessionStart",
    "sessionEnd",
    "userPromptSubmitted",
    "userPromptTransformed",
    "preToolUse",
    "permissionRequest",
    "preMcpToolCall",
    "postToolUse",
    "postToolUseFailure",
    "agentStop",
    "subagentStart",
    "subagentStop",
    "errorOccurred",
    "preCompact",
    "notification",
];

/// Built-in tools of Copilot CLI 1.0.102 and its documentation; MCP tools are
/// `<server>-<tool>`.
const TOOLS: &[&str] = &[
    "bash",
    "powershell",
    "read_bash",
    "write_bash",
    "stop_bash",
    "list_bash",
    "view",
    "create",
    "edit",
    "str_replace_editor",
    "apply_patch",
    "grep",
    "rg",
    "glob",
    "task",
    "skill",
    "sql",
    "session_store_sql",
    "read_agent",
    "list_agents",
    "write_agent",
    "fetch_copilot_cli_documentation",
    "web_fetch",
    "web_search",
    "semantic_code_search",
    "ask_user",
    "update_todo",
    "report_intent",
];

const CATALOG: Catalog = Catalog {
    title: "GitHub Copilot",
    events: EVENTS,
    tool_events: &[
        "preToolUse",
        "permissionRequest",
        "postToolUse",
        "postToolUseFailure",
        "preMcpToolCall",
    ],
    tools: Some(TOOLS),
    mcp: Some(McpNaming {
        prefix: "",
        separators: &["/", "-"],
        spelling: "`<server>-<tool>`",
    }),
};

/// GitHub Copilot (CLI and cloud agent).
pub(super) struct Copilot;

/// How an event answers.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Form {
    /// `preToolUse`: `permissionDecision`, `modifiedArgs`, `additionalContext`.
    Tool,
    /// `permissionRequest`: `behavior`, `message`, `interrupt`.
    Permission,
    /// `postToolUse`: `decision: block` replaces the result; `additionalContext`.
    ToolResult,
    /// `userPromptSubmitted`: `decision: block` drops the prompt; `additionalContext`.
    Prompt,
    /// `agentStop`, `subagentStop`: `decision: block` sends the agent back to work.
    Stop,
    /// `sessionStart`, `subagentStart`, `postToolUseFailure`, `notification`: context only.
    Context,
    /// Every other event: the answer is not read.
    Observe,
}

fn form(event: &str) -> Form {
    match event {
        "preToolUse" => Form::Tool,
        "permissionRequest" => Form::Permission,
        "postToolUse" => Form::ToolResult,
        "userPromptSubmitted" => Form::Prompt,
        "agentStop" | "subagentStop" => Form::Stop,
        "sessionStart" | "subagentStart" | "postToolUseFailure" | "notification" => Form::Context,
        _ => Form::Observe,
    }
}

impl Protocol for Copilot {
    fn catalog(&self) -> &'static Catalog {
        &CATALOG
    }

    /// `hookName` (permissionRequest) is the event name; `toolName` the tool; `toolArgs`
    /// (an object, or JSON text in older releases) or `toolInput` the tool input.
    fn canonicalize(&self, event: &mut Map<String, Value>) {
        if !event.contains_key("hook_event_name") {
            if let Some(name) = event.get("hookName").cloned() {
                event.insert("hook_event_name".into(), name);
            }
        }
        if !event.contains_key("tool_name") {
            if let Some(tool) = event.get("toolName").cloned() {
                event.insert("tool_name".into(), tool);
            }
        }
        if !event.contains_key("tool_input") {
            let input = ["toolArgs", "toolInput", "arguments"]
                .iter()
                .find_map(|field| event.get(*field))
                .map(|input| match input {
                    Value::String(text) => {
                        serde_json::from_str(text).unwrap_or_else(|_| input.clone())
                    }
                    other => other.clone(),
                });
            if let Some(input) = input {
                event.insert("tool_input".into(), input);
            }
        }
    }

    fn action(&self, name: &str, event: &Map<String, Value>) -> Option<Action> {
        let tool = || event.get("tool_name").and_then(Value::as_str);
        Some(match name {
            "preToolUse" | "permissionRequest" => tool_action(tool()?, event),
            "postToolUse" | "postToolUseFailure" => tool_action(tool()?, event).after(),
            "userPromptSubmitted" => Action::prompt("/prompt"),
            "agentStop" | "subagentStop" => Action::stop(),
            _ => return None,
        })
    }

    fn reply(&self, event: &str, decision: &Decision) -> Reply {
        Reply::json(response(event, decision))
    }

    fn refuses(&self, event: &str) -> bool {
        !matches!(form(event), Form::Context | Form::Observe)
    }

    fn stop_everything(&self, reason: &str) -> Reply {
        Reply {
            response: json!({
                "permissionDecision": "deny",
                "permissionDecisionReason": reason,
                "behavior": "deny",
                "message": reason,
                "interrupt": true,
                "decision": "block",
                "reason": reason,
            }),
            stderr: reason.to_string(),
            exit_code: 2,
        }
    }

    fn is_repeated_stop(&self, event: &Map<String, Value>) -> bool {
        matches!(super::event_name(event), Some("agentStop" | "subagentStop"))
            && event.get("stop_hook_active").and_then(Value::as_bool) == Some(true)
    }
}

/// What a Copilot tool does. `permissionRequest` describes an edit as `{file_path, diff}`
/// while `preToolUse` passes the tool's own `{path, …}`, so the path is looked up in both.
fn tool_action(tool: &str, event: &Map<String, Value>) -> Action {
    let path = if Action::text(event, Some("/tool_input/path")).is_some() {
        "/tool_input/path"
    } else {
        "/tool_input/file_path"
    };
    match tool {
        "bash" | "powershell" => Action::shell("/tool_input/command"),
        "view" => Action::file(ActionKind::Read, path),
        "create" => Action::file(ActionKind::Write, path),
        "edit" | "str_replace_editor" | "apply_patch" => Action::file(ActionKind::Edit, path),
        "grep" | "rg" | "glob" => Action::files(ActionKind::Read, "/tool_input/paths"),
        "web_fetch" => Action::fetch("/tool_input/url"),
        "web_search" => Action::fetch("/tool_input/query"),
        _ => super::mcp_or_other(&Copilot, tool),
    }
}

fn response(event: &str, decision: &Decision) -> Value {
    let form = form(event);
    let reason = decision.reason.as_str();
    let mut out = Map::new();
    let mut context: Vec<String> = Vec::new();
    let kind = decision.kind;
    match form {
        Form::Tool => match kind {
            // preToolUse has no halt field: a halt refuses the call.
            _ if kind.is_blocking() => {
                out.insert("permissionDecision".into(), json!("deny"));
                out.insert("permissionDecisionReason".into(), json!(reason));
            }
            DecisionKind::Ask => {
                out.insert("permissionDecision".into(), json!("ask"));
                out.insert("permissionDecisionReason".into(), json!(reason));
            }
            // The rewrite applies and Copilot's own permission flow still runs.
            DecisionKind::Modify => {
                let updated = decision.updated_input.clone().unwrap_or_else(|| json!({}));
                out.insert("modifiedArgs".into(), updated);
            }
            _ => {}
        },
        Form::Permission if kind.is_blocking() => {
            out.insert("behavior".into(), json!("deny"));
            out.insert("message".into(), json!(reason));
            if kind == DecisionKind::Halt {
                out.insert("interrupt".into(), json!(true));
            }
        }
        Form::ToolResult | Form::Prompt if kind.is_blocking() => {
            out.insert("decision".into(), json!("block"));
            out.insert("reason".into(), json!(reason));
        }
        Form::Prompt if matches!(kind, DecisionKind::Ask | DecisionKind::Modify) => {
            context.push(reason.to_string());
        }
        // A halt lets the stop happen; a block sends the agent back to work.
        Form::Stop if kind.is_blocking() && kind != DecisionKind::Halt => {
            out.insert("decision".into(), json!("block"));
            out.insert("reason".into(), json!(reason));
        }
        _ => {}
    }
    let takes_context = matches!(
        form,
        Form::Tool | Form::ToolResult | Form::Prompt | Form::Context
    );
    if takes_context {
        context.extend(decision.context.iter().cloned());
        if !context.is_empty() {
            out.insert("additionalContext".into(), json!(context.join("\n")));
        }
    }
    Value::Object(out)
}
