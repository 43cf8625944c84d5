//! Claude Code hook responses, one function per row family of the table in SPEC §11.

use serde_json::{json, Value};

use crate::decision::{DecisionKind, Synthesis};

pub(super) fn response(event: &str, decision: &Synthesis) -> Value {
    use DecisionKind::{Allow, Ask, Modify};
    let blocking = decision.kind.is_blocking();
    let reason = decision.reason.as_str();
    match event {
        "PreToolUse" => match decision.kind {
            // An explicit allow would override Claude's own permission prompts.
            Allow => json!({}),
            Ask => specific(
                event,
                json!({"permissionDecision": "ask", "permissionDecisionReason": reason}),
            ),
            Modify => specific(
                event,
                json!({
                    "permissionDecision": "allow",
                    "permissionDecisionReason": reason,
                    "updatedInput": decision.updated_input.clone().unwrap_or_else(|| json!({})),
                }),
            ),
            _ => specific(
                event,
                json!({"permissionDecision": "deny", "permissionDecisionReason": reason}),
            ),
        },
        "PermissionRequest" => match decision.kind {
            _ if blocking => specific(
                event,
                json!({"decision": {"behavior": "deny", "message": reason}}),
            ),
            Modify => specific(
                event,
                json!({"decision": {"behavior": "allow", "updatedInput": decision.updated_input.clone().unwrap_or_else(|| json!({}))}}),
            ),
            _ => json!({}),
        },
        "PostToolUse" => match decision.kind {
            _ if blocking => json!({"decision": "block", "reason": reason}),
            Allow => context_only(event, &decision.context),
            _ => json!({}),
        },
        "UserPromptSubmit" | "SessionStart" => match decision.kind {
            _ if blocking && event == "UserPromptSubmit" => {
                json!({"decision": "block", "reason": reason})
            }
            _ if blocking => json!({"continue": false, "stopReason": reason}),
            Allow => context_only(event, &decision.context),
            _ => specific(event, json!({"additionalContext": reason})),
        },
        "Stop" | "SubagentStop" => {
            if blocking {
                json!({"decision": "block", "reason": reason})
            } else {
                json!({})
            }
        }
        // PreCompact, Notification, SessionEnd, and events newer than this table.
        _ => {
            if blocking {
                json!({"continue": false, "stopReason": reason})
            } else {
                json!({})
            }
        }
    }
}

/// `{hookSpecificOutput: {hookEventName, ...fields}}`.
fn specific(event: &str, fields: Value) -> Value {
    let mut output = json!({"hookEventName": event});
    if let (Some(target), Value::Object(fields)) = (output.as_object_mut(), fields) {
        target.extend(fields);
    }
    json!({"hookSpecificOutput": output})
}

/// Allow with context: `additionalContext` joined by newlines, or `{}` when there is none.
fn context_only(event: &str, context: &[String]) -> Value {
    if context.is_empty() {
        json!({})
    } else {
        specific(event, json!({"additionalContext": context.join("\n")}))
    }
}
