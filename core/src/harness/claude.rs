//! Claude Code hook responses (SPEC §11 with its corrections, checked against the real CLI).
//! Each event is one row of [`form`]: how it blocks and whether its output type carries
//! `additionalContext` (`*HookSpecificOutput` of `@anthropic-ai/claude-agent-sdk` 0.3.328).
//! The events are that SDK's `HOOK_EVENTS`; the tools are that release's built-in tools plus
//! `mcp__<server>__<tool>`.

use serde_json::{json, Map, Value};

use super::{Action, ActionKind, Catalog, McpNaming, Protocol, Reply};
use crate::decision::{Decision, DecisionKind};

const EVENTS: &[&str] = &[
    "PreToolUse",
    "PostToolUse",
    "PostToolUseFailure",
    "PostToolBatch",
    "Notification",
    "UserPromptSubmit",
    "UserPromptExpansion",
    "SessionStart",
    "SessionEnd",
    "Stop",
    "StopFailure",
    "SubagentStart",
    "SubagentStop",
    "PreCompact",
    "PostCompact",
    "PreModelSwitch",
    "PostModelSwitch",
    "PermissionRequest",
    "PermissionDenied",
    "Setup",
    "TeammateIdle",
    "TaskCreated",
    "TaskCompleted",
    "Elicitation",
    "ElicitationResult",
    "ConfigChange",
    "WorktreeCreate",
    "WorktreeRemove",
    "InstructionsLoaded",
    "CwdChanged",
    "FileChanged",
    "DirectoryAdded",
    "MessageDisplay",
];

const TOOLS: &[&str] = &[
    "Agent",
    "Task",
    "Bash",
    "BashOutput",
    "KillShell",
    "TaskStop",
    "Edit",
    "MultiEdit",
    "Read",
    "Write",
    "Glob",
    "Grep",
    "NotebookEdit",
    "NotebookRead",
    "TodoWrite",
    "WebFetch",
    "WebSearch",
    "ExitPlanMode",
    "EnterPlanMode",
    "AskUserQuestion",
    "ListMcpResourcesTool",
    "ReadMcpResourceTool",
    "SlashCommand",
    "Skill",
    "TaskCreate",
    "TaskGet",
    "TaskUpdate",
    "TaskList",
    "Monitor",
    "EnterWorktree",
    "ExitWorktree",
    "CronCreate",
    "CronDelete",
    "CronList",
];

const CATALOG: Catalog = Catalog {
    title: "Claude Code",
    events: EVENTS,
    tool_events: &[
        "PreToolUse",
        "PostToolUse",
        "PostToolUseFailure",
        "PermissionRequest",
        "PermissionDenied",
    ],
    tools: Some(TOOLS),
    mcp: Some(McpNaming {
        prefix: "mcp__",
        separators: &["__"],
        spelling: "`mcp__<server>__<tool>`",
    }),
};

/// Claude Code, and the Claude Agent SDK's hooks.
pub(super) struct Claude;

impl Protocol for Claude {
    fn catalog(&self) -> &'static Catalog {
        &CATALOG
    }

    fn action(&self, name: &str, event: &Map<String, Value>) -> Option<Action> {
        let before = match name {
            "PreToolUse" | "PermissionRequest" => true,
            "PostToolUse" | "PostToolUseFailure" | "PermissionDenied" => false,
            "UserPromptSubmit" => return Some(Action::prompt("/prompt")),
            "Stop" | "SubagentStop" => return Some(Action::stop()),
            _ => return None,
        };
        let tool = event.get("tool_name").and_then(Value::as_str)?;
        let action = tool_action(tool);
        Some(if before { action } else { action.after() })
    }

    fn reply(&self, event: &str, decision: &Decision) -> Reply {
        Reply::json(response(event, decision))
    }

    fn refuses(&self, _event: &str) -> bool {
        // Every event can at least end the turn.
        true
    }

    fn stop_everything(&self, reason: &str) -> Reply {
        Reply::json(json!({"continue": false, "stopReason": reason}))
    }

    fn is_repeated_stop(&self, event: &Map<String, Value>) -> bool {
        matches!(super::event_name(event), Some("Stop" | "SubagentStop"))
            && event.get("stop_hook_active").and_then(Value::as_bool) == Some(true)
    }

    fn allow_stop(&self, reason: &str) -> Reply {
        Reply::json(json!({"systemMessage": reason}))
    }
}

/// What a Claude tool does, and where its input keeps the details.
fn tool_action(tool: &str) -> Action {
    match tool {
        "Bash" => Action::shell("/tool_input/command"),
        "Read" => Action::file(ActionKind::Read, "/tool_input/file_path"),
        "NotebookRead" => Action::file(ActionKind::Read, "/tool_input/notebook_path"),
        "Glob" | "Grep" => Action::file(ActionKind::Read, "/tool_input/path"),
        "Write" => Action::file(ActionKind::Write, "/tool_input/file_path"),
        "Edit" | "MultiEdit" => Action::file(ActionKind::Edit, "/tool_input/file_path"),
        "NotebookEdit" => Action::file(ActionKind::Edit, "/tool_input/notebook_path"),
        "WebFetch" => Action::fetch("/tool_input/url"),
        "WebSearch" => Action::fetch("/tool_input/query"),
        _ => super::mcp_or_other(&Claude, tool),
    }
}

/// How an event refuses what it guards.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Refusal {
    /// `hookSpecificOutput.permissionDecision: deny` (and `ask`), e.g. `PreToolUse`.
    PermissionDecision,
    /// `hookSpecificOutput.decision.behavior: deny`, `PermissionRequest`.
    PermissionRequest,
    /// Top-level `decision: block` with a `reason`, e.g. `PostToolUse`, `Stop`, `PreCompact`.
    Decision,
    /// Nothing to refuse but the turn itself: `continue: false` with a `stopReason`.
    StopTurn,
}

/// One row of the table: the event's blocking form and whether it takes context.
struct Form {
    block: Refusal,
    context: bool,
}

fn form(event: &str) -> Form {
    let (block, context) = match event {
        "PreToolUse" => (Refusal::PermissionDecision, true),
        "PreModelSwitch" => (Refusal::PermissionDecision, false),
        "PermissionRequest" => (Refusal::PermissionRequest, false),
        "PostToolUse" | "PostToolUseFailure" | "UserPromptSubmit" | "Stop" | "SubagentStop" => {
            (Refusal::Decision, true)
        }
        "PreCompact" => (Refusal::Decision, false),
        "UserPromptExpansion"
        | "SessionStart"
        | "Setup"
        | "SubagentStart"
        | "Notification"
        | "PostToolBatch"
        | "PostModelSwitch" => (Refusal::StopTurn, true),
        _ => (Refusal::StopTurn, false),
    };
    Form { block, context }
}

fn response(event: &str, decision: &Decision) -> Value {
    let form = form(event);
    let reason = decision.reason.as_str();
    let mut out = Map::new();
    let mut specific = Map::new();
    match decision.kind {
        DecisionKind::Halt => {
            out.insert("continue".into(), json!(false));
            out.insert("stopReason".into(), json!(reason));
            // Stop and SubagentStop must not get `decision: block`: that keeps the agent going.
            if !matches!(event, "Stop" | "SubagentStop") {
                refuse(form.block, reason, true, &mut out, &mut specific);
            }
        }
        DecisionKind::Deny | DecisionKind::Block => {
            refuse(form.block, reason, false, &mut out, &mut specific);
        }
        DecisionKind::Ask => match form.block {
            Refusal::PermissionDecision => {
                specific.insert("permissionDecision".into(), json!("ask"));
                specific.insert("permissionDecisionReason".into(), json!(reason));
            }
            _ if prompt_like(event) => {
                specific.insert("additionalContext".into(), json!(reason));
            }
            _ => {}
        },
        DecisionKind::Modify => {
            let updated = decision.updated_input.clone().unwrap_or_else(|| json!({}));
            match event {
                // The rewrite applies and Claude's own permission check still runs: an
                // explicit allow here would grant the rewritten call without a prompt.
                "PreToolUse" => {
                    specific.insert("updatedInput".into(), updated);
                }
                "PermissionRequest" => {
                    specific.insert(
                        "decision".into(),
                        json!({"behavior": "allow", "updatedInput": updated}),
                    );
                }
                _ if prompt_like(event) => {
                    specific.insert("additionalContext".into(), json!(reason));
                }
                _ => {}
            }
        }
        DecisionKind::Allow => {}
    }
    if form.context {
        super::add_context(&mut specific, &decision.context);
    }
    super::hook_specific_output(&mut out, event, specific);
    Value::Object(out)
}

/// Events where an ask or a modify becomes context for the model (there is nothing to ask).
fn prompt_like(event: &str) -> bool {
    matches!(event, "UserPromptSubmit" | "SessionStart")
}

/// Writes the event's refusal; `halt` adds the parts that also end the turn.
fn refuse(
    block: Refusal,
    reason: &str,
    halt: bool,
    out: &mut Map<String, Value>,
    specific: &mut Map<String, Value>,
) {
    match block {
        Refusal::PermissionDecision => {
            specific.insert("permissionDecision".into(), json!("deny"));
            specific.insert("permissionDecisionReason".into(), json!(reason));
        }
        Refusal::PermissionRequest => {
            let mut deny = json!({"behavior": "deny", "message": reason});
            if halt {
                deny["interrupt"] = json!(true);
            }
            specific.insert("decision".into(), deny);
        }
        Refusal::Decision => {
            out.insert("decision".into(), json!("block"));
            out.insert("reason".into(), json!(reason));
        }
        Refusal::StopTurn => {
            out.insert("continue".into(), json!(false));
            out.insert("stopReason".into(), json!(reason));
        }
    }
}
