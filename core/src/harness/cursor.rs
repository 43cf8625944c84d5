//! Cursor hook responses (SPEC §11), one row per documented event (Cursor's hooks
//! documentation, snapshot of 2026-08-25, checked against the validators bundled in
//! `@cursor/sdk` 1.0.32). Only the permission events, `beforeSubmitPrompt` and the follow-up
//! events can refuse anything; the rest observe.

use serde_json::{json, Map, Value};

use super::{Action, ActionKind, Catalog, Protocol, Reply};
use crate::decision::{Decision, DecisionKind};

const EVENTS: &[&str] = &[
    "beforeShellExecution",
    "afterShellExecution",
    "beforeMCPExecution",
    "afterMCPExecution",
    "beforeReadFile",
    "afterFileEdit",
    "beforeSubmitPrompt",
    "stop",
    "afterAgentResponse",
    "afterAgentThought",
    "beforeTabFileRead",
    "afterTabFileEdit",
    "preToolUse",
    "postToolUse",
    "postToolUseFailure",
    "sessionStart",
    "sessionEnd",
    "subagentStart",
    "subagentStop",
    "preCompact",
    "workspaceOpen",
];

const CATALOG: Catalog = Catalog {
    title: "Cursor",
    events: EVENTS,
    tool_events: &[
        "beforeMCPExecution",
        "afterMCPExecution",
        "preToolUse",
        "postToolUse",
        "postToolUseFailure",
    ],
    tools: None,
    mcp: None,
};

/// Cursor's agent.
pub(super) struct Cursor;

impl Protocol for Cursor {
    fn catalog(&self) -> &'static Catalog {
        &CATALOG
    }

    fn action(&self, name: &str, event: &Map<String, Value>) -> Option<Action> {
        Some(match name {
            "beforeShellExecution" => Action::shell("/command"),
            "afterShellExecution" => Action::shell("/command").after(),
            "beforeMCPExecution" | "afterMCPExecution" => {
                let tool = event.get("tool_name").and_then(Value::as_str).unwrap_or("");
                let action = Action::mcp(mcp_server(event), tool, "/tool_input");
                if name == "beforeMCPExecution" {
                    action
                } else {
                    action.after()
                }
            }
            "beforeReadFile" | "beforeTabFileRead" => Action::file(ActionKind::Read, "/file_path"),
            "afterFileEdit" | "afterTabFileEdit" => {
                Action::file(ActionKind::Edit, "/file_path").after()
            }
            "beforeSubmitPrompt" => Action::prompt("/prompt"),
            "stop" | "subagentStop" => Action::stop(),
            "preToolUse" => tool_action(event.get("tool_name").and_then(Value::as_str)?),
            "postToolUse" | "postToolUseFailure" => {
                tool_action(event.get("tool_name").and_then(Value::as_str)?).after()
            }
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
        Reply::json(json!({
            "continue": false,
            "permission": "deny",
            "user_message": reason,
            "agent_message": reason,
        }))
    }

    fn is_repeated_stop(&self, event: &Map<String, Value>) -> bool {
        super::event_name(event) == Some("stop")
            && event
                .get("loop_count")
                .and_then(Value::as_f64)
                .is_some_and(|count| count > 0.0)
    }
}

/// The MCP server of a call: its name in `mcp.json`, else its URL or launch command.
fn mcp_server(event: &Map<String, Value>) -> &str {
    ["mcp_server_name", "url", "command"]
        .iter()
        .find_map(|field| event.get(*field).and_then(Value::as_str))
        .unwrap_or("")
}

/// What a `preToolUse` tool does, and where its `tool_input` keeps the details (tool names
/// and inputs as `@cursor/sdk` 1.0.32 builds them; MCP tools are `MCP:<tool>`, without the
/// server). Cursor has no separate edit tool: an edit is a `Write` of the whole file.
fn tool_action(tool: &str) -> Action {
    match tool {
        "Shell" => Action::shell("/tool_input/command"),
        "Read" | "Grep" | "List" | "ReadLints" => {
            Action::file(ActionKind::Read, "/tool_input/file_path")
        }
        "Write" | "Delete" => Action::file(ActionKind::Write, "/tool_input/file_path"),
        "Fetch" => Action::fetch("/tool_input/url"),
        _ => match tool.strip_prefix("MCP:") {
            Some(name) => Action::mcp("", name, "/tool_input"),
            None => Action::other(),
        },
    }
}

/// How an event answers.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Form {
    /// `permission: allow | deny | ask` with messages (ask is enforced).
    PermissionWithAsk,
    /// `permission: allow | deny`: Cursor does not enforce `ask` here, so an ask refuses.
    Permission,
    /// `continue: true | false` with a `user_message`.
    Continue,
    /// `followup_message` sends the agent back to work; nothing else is read.
    Followup,
    /// `additional_context` for the model; cannot refuse.
    Context,
    /// Observation only.
    Observe,
}

fn form(event: &str) -> Form {
    match event {
        "beforeShellExecution" | "beforeMCPExecution" => Form::PermissionWithAsk,
        "preToolUse" | "beforeReadFile" | "beforeTabFileRead" | "subagentStart" => Form::Permission,
        "beforeSubmitPrompt" | "sessionStart" => Form::Continue,
        "stop" | "subagentStop" => Form::Followup,
        "postToolUse" => Form::Context,
        _ => Form::Observe,
    }
}

fn response(event: &str, decision: &Decision) -> Value {
    let reason = decision.reason.as_str();
    let agent_message = if decision.agent_messages.is_empty() {
        reason.to_string()
    } else {
        decision.agent_messages.join("; ")
    };
    let refuses = decision.kind.is_blocking();
    let deny =
        json!({"permission": "deny", "user_message": reason, "agent_message": agent_message});
    let mut out = match form(event) {
        Form::PermissionWithAsk => match decision.kind {
            _ if refuses => deny,
            DecisionKind::Ask => json!({
                "permission": "ask",
                "question": reason,
                "user_message": reason,
                "agent_message": agent_message,
            }),
            _ => json!({"permission": "allow"}),
        },
        // An ask Cursor would not enforce must not let the action through.
        Form::Permission if refuses || decision.kind == DecisionKind::Ask => deny,
        Form::Permission => match (event, &decision.updated_input) {
            ("preToolUse", Some(updated)) if decision.kind == DecisionKind::Modify => {
                json!({"permission": "allow", "updated_input": updated})
            }
            _ => json!({"permission": "allow"}),
        },
        Form::Continue if refuses || decision.kind == DecisionKind::Ask => {
            json!({"continue": false, "user_message": reason})
        }
        Form::Continue => json!({"continue": true}),
        // Halt ends the agent's run: no follow-up that would send it back to work.
        Form::Followup if refuses && decision.kind != DecisionKind::Halt => {
            json!({"followup_message": reason})
        }
        Form::Followup | Form::Context | Form::Observe => json!({}),
    };
    let takes_context = matches!(event, "sessionStart" | "postToolUse");
    if takes_context && !decision.context.is_empty() {
        out["additional_context"] = json!(decision.context.join("\n"));
    }
    out
}
