//! Cursor hook responses (SPEC §11), one row per documented event (Cursor's hooks
//! documentation, snapshot of 2026-08-25, checked against the validators bundled in
//! `@cursor/sdk` 1.0.32). Only the permission events, `beforeSubmitPrompt` and the follow-up
//! events can refuse anything; the rest observe.

use serde_json::{json, Value};

use crate::decision::{DecisionKind, Synthesis};

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

/// Whether the event's answer can refuse anything; a failure on any other event (including
/// one this table does not know) is answered with a response that stops the agent instead.
pub(super) fn refuses(event: &str) -> bool {
    !matches!(form(event), Form::Context | Form::Observe)
}

pub(super) fn response(event: &str, decision: &Synthesis) -> Value {
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
