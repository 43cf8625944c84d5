//! Cursor hook responses (SPEC §11).

use serde_json::{json, Value};

use crate::decision::{DecisionKind, Synthesis};

pub(super) fn response(event: &str, decision: &Synthesis) -> Value {
    let reason = decision.reason.as_str();
    let agent_message = if decision.agent_messages.is_empty() {
        reason.to_string()
    } else {
        decision.agent_messages.join("; ")
    };
    let blocking = decision.kind.is_blocking();
    match event {
        "beforeShellExecution" | "beforeMCPExecution" => match decision.kind {
            _ if blocking => {
                json!({"permission": "deny", "user_message": reason, "agent_message": agent_message})
            }
            DecisionKind::Ask => json!({
                "permission": "ask",
                "question": reason,
                "user_message": reason,
                "agent_message": agent_message,
            }),
            _ => json!({"permission": "allow"}),
        },
        // Reading a file cannot be asked about, so an ask refuses it.
        "beforeReadFile" => {
            if blocking || decision.kind == DecisionKind::Ask {
                json!({"permission": "deny", "user_message": reason, "agent_message": agent_message})
            } else {
                json!({"permission": "allow"})
            }
        }
        "beforeSubmitPrompt" => {
            if blocking || decision.kind == DecisionKind::Ask {
                json!({"continue": false, "user_message": reason})
            } else {
                json!({"continue": true})
            }
        }
        "stop" => {
            if blocking {
                json!({"followup_message": reason})
            } else {
                json!({})
            }
        }
        _ => json!({}),
    }
}
