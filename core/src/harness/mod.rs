//! Puts a decision in the words of the agent that asked: Claude Code's hook output or Cursor's.

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
/// known it is the harness's own blocking answer; otherwise one that stops the agent.
pub fn failure_response(harness: Harness, event: Option<&str>, reason: &str) -> Value {
    let decision = Synthesis {
        kind: DecisionKind::Deny,
        reason: reason.to_string(),
        context: Vec::new(),
        agent_messages: Vec::new(),
        rule_ids: Vec::new(),
        updated_input: None,
    };
    match (harness, event) {
        (_, Some(event)) => {
            let answer = response(harness, event, &decision);
            if is_blocking(harness, event) {
                answer
            } else {
                stop_everything(harness, reason)
            }
        }
        (_, None) => stop_everything(harness, reason),
    }
}

/// Whether a Deny on `event` actually stops something in this harness.
fn is_blocking(harness: Harness, event: &str) -> bool {
    match harness {
        Harness::Claude => true,
        Harness::Cursor => !event.starts_with("after"),
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
