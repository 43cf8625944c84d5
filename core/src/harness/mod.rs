//! Puts a decision in the words of the agent that asked: Claude Code's hook output or Cursor's.

pub mod catalog;
mod claude;
mod cursor;

use serde_json::Value;

use crate::decision::{DecisionKind, Synthesis};
use crate::options::Harness;

/// The JSON the harness expects on stdout for `decision` on `event`.
pub fn response(harness: Harness, event: &str, decision: &Synthesis) -> Value {
    match harness {
        Harness::Claude => claude::response(event, decision),
        Harness::Cursor => cursor::response(event, decision),
    }
}

/// A response that blocks whatever the event was, for failures (SPEC §12). When the event is
/// known it is the harness's own blocking answer; otherwise one that stops the agent. The one
/// exception is a stop the agent is already repeating after a block ([`is_repeated_stop`]):
/// blocking it again would keep the agent running forever on a broken policy, so the stop goes
/// ahead and the failure is reported.
pub fn failure_response(harness: Harness, event: Option<&Value>, reason: &str) -> Value {
    if event.is_some_and(|event| is_repeated_stop(harness, event)) {
        return match harness {
            Harness::Claude => serde_json::json!({
                "systemMessage": format!("{reason} (the stop was allowed: this stop was already blocked once)"),
            }),
            Harness::Cursor => serde_json::json!({}),
        };
    }
    let decision = Synthesis {
        kind: DecisionKind::Deny,
        reason: reason.to_string(),
        context: Vec::new(),
        agent_messages: Vec::new(),
        rule_ids: Vec::new(),
        updated_input: None,
    };
    match event.and_then(event_name) {
        Some(event) => {
            let answer = response(harness, event, &decision);
            if is_blocking(harness, event) {
                answer
            } else {
                stop_everything(harness, reason)
            }
        }
        None => stop_everything(harness, reason),
    }
}

/// The event name of a raw hook event (`hook_event_name`, or `hookEventName`).
pub fn event_name(event: &Value) -> Option<&str> {
    event
        .get("hook_event_name")
        .or_else(|| event.get("hookEventName"))
        .and_then(Value::as_str)
}

/// Whether `event` is a stop the agent makes again after a hook blocked its previous one:
/// Claude's `Stop`/`SubagentStop` with `stop_hook_active: true`, Cursor's `stop` with a
/// `loop_count` above zero.
pub fn is_repeated_stop(harness: Harness, event: &Value) -> bool {
    match (harness, event_name(event)) {
        (Harness::Claude, Some("Stop" | "SubagentStop")) => {
            event.get("stop_hook_active").and_then(Value::as_bool) == Some(true)
        }
        (Harness::Cursor, Some("stop")) => event
            .get("loop_count")
            .and_then(Value::as_f64)
            .is_some_and(|count| count > 0.0),
        _ => false,
    }
}

/// Whether a Deny on `event` actually stops something in this harness.
fn is_blocking(harness: Harness, event: &str) -> bool {
    match harness {
        Harness::Claude => true,
        Harness::Cursor => cursor::refuses(event),
    }
}

fn stop_everything(harness: Harness, reason: &str) -> Value {
    match harness {
        Harness::Claude => serde_json::json!({"continue": false, "stopReason": reason}),
        Harness::Cursor => serde_json::json!({
            "continue": false,
            "permission": "deny",
            "user_message": reason,
            "agent_message": reason,
        }),
    }
}
