//! Merges every policy's verdicts into one decision: strict priority
//! Halt > Deny > Block > Ask > Modify > Allow, severity-grouped reasons, and a priority-ordered
//! deep merge of modifications.

use serde_json::{Map, Value};

use crate::verdict::{Buckets, Modification, Verdict};

/// What the engine decided, from most to least severe.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DecisionKind {
    /// Let the action through (possibly with context).
    Allow,
    /// Let it through with a changed input.
    Modify,
    /// Ask the user.
    Ask,
    /// Block this step.
    Block,
    /// Refuse the action.
    Deny,
    /// Stop the agent.
    Halt,
}

impl DecisionKind {
    /// The name as it appears in JSON and test data.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Allow => "Allow",
            Self::Modify => "Modify",
            Self::Ask => "Ask",
            Self::Block => "Block",
            Self::Deny => "Deny",
            Self::Halt => "Halt",
        }
    }

    /// Halt, Deny and Block stop the action.
    pub fn is_blocking(self) -> bool {
        matches!(self, Self::Halt | Self::Deny | Self::Block)
    }
}

/// The merged decision for one event, before it is put in a harness's words.
#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    /// The winning kind.
    pub kind: DecisionKind,
    /// The reason shown to the user (empty for a plain allow).
    pub reason: String,
    /// `add_context` strings (only on Allow).
    pub context: Vec<String>,
    /// The winning bucket's `agent_context` strings.
    pub agent_messages: Vec<String>,
    /// The rule ids that produced the decision.
    pub rule_ids: Vec<String>,
    /// The merged tool input, for Modify.
    pub updated_input: Option<Value>,
}

impl Decision {
    /// A plain allow carrying `context`.
    pub fn allow(context: Vec<String>) -> Self {
        Self {
            kind: DecisionKind::Allow,
            reason: String::new(),
            context,
            agent_messages: Vec::new(),
            rule_ids: Vec::new(),
            updated_input: None,
        }
    }
}

/// Applies the priority order to `buckets`.
pub fn synthesize(buckets: Buckets) -> Decision {
    let verdict_buckets = [
        (DecisionKind::Halt, &buckets.halts),
        (DecisionKind::Deny, &buckets.denials),
        (DecisionKind::Block, &buckets.blocks),
        (DecisionKind::Ask, &buckets.asks),
    ];
    for (kind, verdicts) in verdict_buckets {
        if !verdicts.is_empty() {
            return from_verdicts(kind, verdicts);
        }
    }
    if !buckets.modifications.is_empty() {
        return from_modifications(&buckets.modifications);
    }
    Decision::allow(buckets.add_context)
}

fn from_verdicts(kind: DecisionKind, verdicts: &[Verdict]) -> Decision {
    let items: Vec<(&str, &str, &str)> = verdicts
        .iter()
        .map(|v| (v.rule_id.as_str(), v.reason.as_str(), v.severity.as_str()))
        .collect();
    Decision {
        kind,
        reason: combined_reason(&items),
        context: Vec::new(),
        agent_messages: verdicts
            .iter()
            .filter_map(|v| v.agent_context.clone())
            .collect(),
        rule_ids: verdicts.iter().map(|v| v.rule_id.clone()).collect(),
        updated_input: None,
    }
}

fn from_modifications(modifications: &[Modification]) -> Decision {
    let mut ordered: Vec<&Modification> = modifications.iter().collect();
    // Stable: among equal priorities the earlier one keeps precedence.
    ordered.sort_by_key(|m| std::cmp::Reverse(m.priority));
    let mut merged = Value::Object(Map::new());
    for modification in ordered.iter().rev() {
        deep_merge(&mut merged, &modification.updated_input);
    }
    let items: Vec<(&str, &str, &str)> = ordered
        .iter()
        .map(|m| (m.rule_id.as_str(), m.reason.as_str(), m.severity.as_str()))
        .collect();
    Decision {
        kind: DecisionKind::Modify,
        reason: combined_reason(&items),
        context: Vec::new(),
        agent_messages: Vec::new(),
        rule_ids: ordered.iter().map(|m| m.rule_id.clone()).collect(),
        updated_input: Some(merged),
    }
}

/// Merges `overlay` into `base`: objects key by key, anything else replaced by the overlay.
pub fn deep_merge(base: &mut Value, overlay: &Value) {
    match (base, overlay) {
        (Value::Object(base), Value::Object(overlay)) => {
            for (key, value) in overlay {
                match base.get_mut(key) {
                    Some(existing) => deep_merge(existing, value),
                    None => {
                        base.insert(key.clone(), value.clone());
                    }
                }
            }
        }
        (base, overlay) => *base = overlay.clone(),
    }
}

/// Severity rank for reason grouping: HIGH/CRITICAL, then MEDIUM/MODERATE, then the rest.
fn severity_group(severity: &str) -> u8 {
    match severity.to_ascii_uppercase().as_str() {
        "HIGH" | "CRITICAL" => 0,
        "MEDIUM" | "MODERATE" => 1,
        _ => 2,
    }
}

/// The reason of a bucket of `(rule_id, reason, severity)`: one item gives its reason; several
/// give the highest non-empty severity group, as `[rule_id] reason` entries when it has more
/// than one.
fn combined_reason(items: &[(&str, &str, &str)]) -> String {
    if let [(_, reason, _)] = items {
        return (*reason).to_string();
    }
    let Some(top) = items.iter().map(|(_, _, s)| severity_group(s)).min() else {
        return String::new();
    };
    let group: Vec<&(&str, &str, &str)> = items
        .iter()
        .filter(|(_, _, s)| severity_group(s) == top)
        .collect();
    if let [(_, reason, _)] = group.as_slice() {
        return (*reason).to_string();
    }
    group
        .iter()
        .map(|(id, reason, _)| format!("[{id}] {reason}"))
        .collect::<Vec<_>>()
        .join("; ")
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn verdict(id: &str, severity: &str) -> Verdict {
        Verdict {
            rule_id: id.into(),
            reason: format!("reason {id}"),
            severity: severity.into(),
            agent_context: Some(format!("agent {id}")),
        }
    }

    #[test]
    fn highest_bucket_wins() {
        let buckets = Buckets {
            asks: vec![verdict("Q", "HIGH")],
            blocks: vec![verdict("B", "LOW")],
            add_context: vec!["ctx".into()],
            ..Buckets::default()
        };
        let decision = synthesize(buckets);
        assert_eq!(decision.kind, DecisionKind::Block);
        assert_eq!(decision.reason, "reason B");
        assert_eq!(decision.rule_ids, ["B"]);
        assert!(decision.context.is_empty());
    }

    #[test]
    fn reasons_group_by_severity() {
        let one_high = [
            verdict("A", "LOW"),
            verdict("B", "CRITICAL"),
            verdict("C", "MEDIUM"),
        ];
        assert_eq!(
            from_verdicts(DecisionKind::Deny, &one_high).reason,
            "reason B"
        );
        let two_medium = [
            verdict("A", "LOW"),
            verdict("B", "MODERATE"),
            verdict("C", "MEDIUM"),
        ];
        assert_eq!(
            from_verdicts(DecisionKind::Deny, &two_medium).reason,
            "[B] reason B; [C] reason C"
        );
    }

    #[test]
    fn modifications_merge_by_priority() {
        let modification = |id: &str, priority, input| Modification {
            rule_id: id.into(),
            reason: id.into(),
            updated_input: input,
            priority,
            severity: "MEDIUM".into(),
        };
        let decision = synthesize(Buckets {
            modifications: vec![
                modification("low", 10, json!({"command": "low", "env": {"A": "1"}})),
                modification("high", 90, json!({"command": "high", "env": {"B": "2"}})),
            ],
            ..Buckets::default()
        });
        assert_eq!(decision.kind, DecisionKind::Modify);
        assert_eq!(
            decision.updated_input,
            Some(json!({"command": "high", "env": {"A": "1", "B": "2"}}))
        );
        assert_eq!(decision.rule_ids, ["high", "low"]);
    }
}

#[cfg(test)]
mod properties;
