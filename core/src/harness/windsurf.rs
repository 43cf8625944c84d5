//! Windsurf Cascade hook responses, from Windsurf's Cascade Hooks documentation (the
//! 12-event revision of `docs.windsurf.com/windsurf/cascade/hooks`; no types are published
//! and the editor is not on any registry). The protocol is exit codes only: exit 2 blocks a
//! `pre_*` hook and the agent sees stderr; any other exit lets the action through; stdout is
//! never read. So every refusal here is exit 2 with the reason on stderr, an ask or a rewrite
//! Cascade cannot carry out refuses too, and context for the model cannot be sent.

use serde_json::{json, Map, Value};

use super::{Action, ActionKind, Catalog, Protocol, Reply};
use crate::decision::{Decision, DecisionKind};

const EVENTS: &[&str] = &[
    "pre_user_prompt",
    "pre_read_code",
    "post_read_code",
    "pre_write_code",
    "post_write_code",
    "pre_run_command",
    "post_run_command",
    "pre_mcp_tool_use",
    "post_mcp_tool_use",
    "post_cascade_response",
    "post_cascade_response_with_transcript",
    "post_setup_worktree",
];

const CATALOG: Catalog = Catalog {
    title: "Windsurf",
    events: EVENTS,
    // Each event is one kind of tool; none names it.
    tool_events: &[],
    tools: None,
    mcp: None,
};

/// Windsurf's Cascade agent.
pub(super) struct Windsurf;

impl Protocol for Windsurf {
    fn catalog(&self) -> &'static Catalog {
        &CATALOG
    }

    /// The event name is `agent_action_name`; a shell command's directory is
    /// `tool_info.cwd`, copied to `cwd` so relative paths resolve as the agent's do.
    fn canonicalize(&self, event: &mut Map<String, Value>) {
        if !event.contains_key("hook_event_name") {
            if let Some(name) = event.get("agent_action_name").cloned() {
                event.insert("hook_event_name".into(), name);
            }
        }
        if !event.contains_key("cwd") {
            if let Some(cwd) = event
                .get("tool_info")
                .and_then(|info| info.get("cwd"))
                .cloned()
            {
                event.insert("cwd".into(), cwd);
            }
        }
    }

    fn action(&self, name: &str, event: &Map<String, Value>) -> Option<Action> {
        let mcp = || {
            let field = |key: &str| {
                event
                    .get("tool_info")
                    .and_then(|info| info.get(key))
                    .and_then(Value::as_str)
                    .unwrap_or("")
            };
            Action::mcp(
                field("mcp_server_name"),
                field("mcp_tool_name"),
                "/tool_info/mcp_tool_arguments",
            )
        };
        Some(match name {
            "pre_user_prompt" => Action::prompt("/tool_info/user_prompt"),
            "pre_read_code" => Action::file(ActionKind::Read, "/tool_info/file_path"),
            "post_read_code" => Action::file(ActionKind::Read, "/tool_info/file_path").after(),
            // One event for creating and changing files.
            "pre_write_code" => Action::file(ActionKind::Write, "/tool_info/file_path"),
            "post_write_code" => Action::file(ActionKind::Write, "/tool_info/file_path").after(),
            "pre_run_command" => Action::shell("/tool_info/command_line"),
            "post_run_command" => Action::shell("/tool_info/command_line").after(),
            "pre_mcp_tool_use" => mcp(),
            "post_mcp_tool_use" => mcp().after(),
            "post_cascade_response" | "post_cascade_response_with_transcript" => {
                Action::stop().after()
            }
            _ => return None,
        })
    }

    fn reply(&self, event: &str, decision: &Decision) -> Reply {
        let refused = match decision.kind {
            _ if !self.refuses(event) => None,
            DecisionKind::Halt | DecisionKind::Deny | DecisionKind::Block => {
                Some(decision.reason.clone())
            }
            DecisionKind::Ask => Some(format!(
                "{} (cupcake would ask first, and Windsurf cannot ask, so the action is refused)",
                decision.reason
            )),
            DecisionKind::Modify => Some(format!(
                "{} (cupcake would rewrite this action, and Windsurf cannot apply rewrites, so the action is refused)",
                decision.reason
            )),
            DecisionKind::Allow => None,
        };
        match refused {
            Some(reason) => self.stop_everything(&reason),
            None => Reply::json(json!({})),
        }
    }

    fn refuses(&self, event: &str) -> bool {
        event.starts_with("pre_")
    }

    fn stop_everything(&self, reason: &str) -> Reply {
        Reply {
            response: json!({}),
            stderr: reason.to_string(),
            exit_code: 2,
        }
    }
}
