//! Claude Code hook responses (SPEC §11 with its corrections, checked against the real CLI).
//! Each event is one row of [`form`]: how it blocks and whether its output type carries
//! `additionalContext` (`*HookSpecificOutput` of `@anthropic-ai/claude-agent-sdk` 0.3.328).

use serde_json::{json, Map, Value};

use crate::decision::{DecisionKind, Synthesis};

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

pub(super) fn response(event: &str, decision: &Synthesis) -> Value {
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
    if form.context && !decision.context.is_empty() {
        let joined = decision.context.join("\n");
        let text = match specific.get("additionalContext").and_then(Value::as_str) {
            Some(first) => format!("{first}\n{joined}"),
            None => joined,
        };
        specific.insert("additionalContext".into(), json!(text));
    }
    if !specific.is_empty() {
        let mut body = Map::new();
        body.insert("hookEventName".into(), json!(event));
        body.extend(specific);
        out.insert("hookSpecificOutput".into(), Value::Object(body));
    }
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
