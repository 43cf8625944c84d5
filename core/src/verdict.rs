//! Reads the aggregation entrypoint's result into typed buckets, checking every decision
//! object. A malformed decision is an error naming its policy and rule, never an allow.

use std::collections::BTreeSet;

use serde_json::{Map, Value};

use crate::error::{Error, Result};

/// One halt, deny, block or ask.
#[derive(Debug, Clone, PartialEq)]
pub struct Verdict {
    /// The rule's stable id.
    pub rule_id: String,
    /// Why, for the user.
    pub reason: String,
    /// The rule's severity as written (HIGH, MEDIUM, …).
    pub severity: String,
    /// Extra text meant for the agent.
    pub agent_context: Option<String>,
}

/// One modify decision.
#[derive(Debug, Clone, PartialEq)]
pub struct Modification {
    /// The rule's stable id.
    pub rule_id: String,
    /// Why the input was changed.
    pub reason: String,
    /// Fields to merge into the tool input.
    pub updated_input: Value,
    /// Higher wins conflicting keys; default 50.
    pub priority: i64,
    /// Severity; default MEDIUM.
    pub severity: String,
}

/// Every decision one evaluation produced, bucket by bucket.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Buckets {
    /// `halt` decisions.
    pub halts: Vec<Verdict>,
    /// `deny` decisions.
    pub denials: Vec<Verdict>,
    /// `block` decisions.
    pub blocks: Vec<Verdict>,
    /// `ask` decisions.
    pub asks: Vec<Verdict>,
    /// `modify` decisions.
    pub modifications: Vec<Modification>,
    /// `add_context` strings, in order.
    pub add_context: Vec<String>,
}

impl Buckets {
    /// Whether a Halt, Deny or Block is present.
    pub fn has_blocking(&self) -> bool {
        !(self.halts.is_empty() && self.denials.is_empty() && self.blocks.is_empty())
    }

    /// Appends `later`'s verdicts after this one's, bucket by bucket.
    pub fn extend(&mut self, later: Self) {
        self.halts.extend(later.halts);
        self.denials.extend(later.denials);
        self.blocks.extend(later.blocks);
        self.asks.extend(later.asks);
        self.modifications.extend(later.modifications);
        self.add_context.extend(later.add_context);
    }
}

/// One entry of a bucket with the package that produced it, when the aggregation says.
struct Entry<'a> {
    policy: Option<&'a str>,
    value: &'a Value,
}

impl Buckets {
    /// Parses the result set `opa_eval` returned (`[{"result": {...}}]`), keeping only
    /// decisions made by the `routed` packages. An undefined result (empty set) is an error:
    /// the entrypoint always defines its object. Only the routed packages decide: a
    /// policy routed to `PreToolUse:Bash` never decides a `Stop`, although every policy of the
    /// set shares one module (SPEC §5). Only cupcake's own (tagged) aggregation names the
    /// package of each decision; a user-supplied `system/evaluate.rego` decides for itself.
    pub fn from_routed_result_set(text: &str, routed: &BTreeSet<&str>) -> Result<Self> {
        let mut result = aggregation_result(text)?;
        if let Some(object) = result.as_object_mut() {
            if object.get("cupcake_aggregation").and_then(Value::as_i64) == Some(2) {
                for (_, key) in crate::aggregation::VERBS {
                    if let Some(Value::Array(items)) = object.get_mut(key) {
                        items.retain(|item| {
                            item.get("policy")
                                .and_then(Value::as_str)
                                .is_some_and(|package| routed.contains(package))
                        });
                    }
                }
            }
        }
        Self::from_aggregation(&result)
    }

    /// Parses an aggregation object `{halts, denials, blocks, asks, modifications, add_context}`.
    pub fn from_aggregation(result: &Value) -> Result<Self> {
        let object = result
            .as_object()
            .ok_or_else(|| Error::evaluation("cupcake.system.evaluate must be an object"))?;
        // Cupcake's own aggregation tags each entry with its package; a user-supplied one (as
        // written for the earlier engine) lists the bare decisions.
        let tagged = object.get("cupcake_aggregation").and_then(Value::as_i64) == Some(2);
        Ok(Self {
            halts: verdicts(object, "halts", "halt", tagged)?,
            denials: verdicts(object, "denials", "deny", tagged)?,
            blocks: verdicts(object, "blocks", "block", tagged)?,
            asks: verdicts(object, "asks", "ask", tagged)?,
            modifications: ordered_decisions(entries(object, "modifications", tagged)?)
                .iter()
                .map(|entry| modification(entry))
                .collect::<Result<_>>()?,
            add_context: ordered_context(entries(object, "add_context", tagged)?)
                .iter()
                .map(|entry| {
                    entry.value.as_str().map(str::to_string).ok_or_else(|| {
                        policy_error(entry.policy, "add_context", None, "entries must be strings")
                    })
                })
                .collect::<Result<_>>()?,
        })
    }
}

/// The `result` of the first entry of an `opa_eval` result set.
fn aggregation_result(text: &str) -> Result<Value> {
    let mut set: Value = serde_json::from_str(text)
        .map_err(|err| Error::evaluation(format!("policy module returned invalid JSON: {err}")))?;
    set.get_mut(0)
        .and_then(|first| first.get_mut("result"))
        .map(Value::take)
        .ok_or_else(|| {
            Error::evaluation(
                "cupcake.system.evaluate is undefined; it must always produce an object",
            )
        })
}

/// Rego sets have no order, so context strings are ordered by package, then by text: the same
/// policies always give the same context, whatever OPA's internal set layout.
fn ordered_context(mut entries: Vec<Entry<'_>>) -> Vec<Entry<'_>> {
    entries.sort_by(|a, b| (a.policy, a.value.as_str()).cmp(&(b.policy, b.value.as_str())));
    entries
}

/// Decisions within a bucket come from Rego sets, whose order depends on the values (a reason
/// that names a path sorts differently in another checkout). They are ordered by package, then
/// `rule_id`, then content, so the same policies always give the same reason text, rule ids and
/// equal-priority merge order.
fn ordered_decisions(mut entries: Vec<Entry<'_>>) -> Vec<Entry<'_>> {
    let rule_id = |entry: &Entry<'_>| {
        entry
            .value
            .get("rule_id")
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    entries.sort_by_cached_key(|entry| {
        (
            entry.policy.map(str::to_owned),
            rule_id(entry),
            entry.value.to_string(),
        )
    });
    entries
}

fn entries<'a>(object: &'a Map<String, Value>, key: &str, tagged: bool) -> Result<Vec<Entry<'a>>> {
    let Some(list) = object.get(key) else {
        return Ok(Vec::new());
    };
    let list = list.as_array().ok_or_else(|| {
        Error::evaluation(format!("cupcake.system.evaluate.{key} must be an array"))
    })?;
    Ok(list
        .iter()
        .map(|item| match (tagged, item.get("decision")) {
            (true, Some(value)) => Entry {
                policy: item.get("policy").and_then(Value::as_str),
                value,
            },
            _ => Entry {
                policy: None,
                value: item,
            },
        })
        .collect())
}

fn verdicts(
    object: &Map<String, Value>,
    key: &str,
    verb: &str,
    tagged: bool,
) -> Result<Vec<Verdict>> {
    ordered_decisions(entries(object, key, tagged)?)
        .iter()
        .map(|entry| {
            let fields = Fields::new(entry, verb)?;
            Ok(Verdict {
                rule_id: fields.required_string("rule_id")?,
                reason: fields.required_string("reason")?,
                severity: fields.required_string("severity")?,
                agent_context: fields.optional_string("agent_context")?,
            })
        })
        .collect()
}

fn modification(entry: &Entry<'_>) -> Result<Modification> {
    let fields = Fields::new(entry, "modify")?;
    let updated_input = fields
        .object
        .get("updated_input")
        .filter(|v| v.is_object())
        .cloned()
        .ok_or_else(|| fields.error("`updated_input` must be an object"))?;
    let priority = match fields.object.get("priority") {
        None => 50,
        Some(value) => value
            .as_i64()
            .ok_or_else(|| fields.error("`priority` must be an integer"))?,
    };
    Ok(Modification {
        rule_id: fields.required_string("rule_id")?,
        reason: fields.required_string("reason")?,
        updated_input,
        priority,
        severity: fields
            .optional_string("severity")?
            .unwrap_or_else(|| "MEDIUM".into()),
    })
}

/// A decision object with what is needed to report its faults.
struct Fields<'a> {
    object: &'a Map<String, Value>,
    policy: Option<&'a str>,
    verb: &'a str,
}

impl<'a> Fields<'a> {
    fn new(entry: &Entry<'a>, verb: &'a str) -> Result<Self> {
        let object = entry
            .value
            .as_object()
            .ok_or_else(|| policy_error(entry.policy, verb, None, "decisions must be objects"))?;
        Ok(Self {
            object,
            policy: entry.policy,
            verb,
        })
    }

    fn rule_id(&self) -> Option<&str> {
        self.object.get("rule_id").and_then(Value::as_str)
    }

    fn error(&self, problem: &str) -> Error {
        policy_error(self.policy, self.verb, self.rule_id(), problem)
    }

    fn required_string(&self, key: &str) -> Result<String> {
        match self.object.get(key) {
            Some(Value::String(s)) if !s.is_empty() => Ok(s.clone()),
            Some(_) => Err(self.error(&format!("`{key}` must be a non-empty string"))),
            None => Err(self.error(&format!("decision lacks `{key}`"))),
        }
    }

    fn optional_string(&self, key: &str) -> Result<Option<String>> {
        match self.object.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(self.error(&format!("`{key}` must be a string"))),
        }
    }
}

fn policy_error(policy: Option<&str>, verb: &str, rule_id: Option<&str>, problem: &str) -> Error {
    let policy = policy.unwrap_or("a policy");
    let rule = rule_id
        .map(|id| format!(" (rule_id {id})"))
        .unwrap_or_default();
    Error::evaluation(format!(
        "{policy}: `{verb}` rule{rule} produced a malformed decision: {problem}; fix the rule to return {{rule_id, reason, severity}}"
    ))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn tagged_entries_are_unwrapped() {
        let buckets = Buckets::from_aggregation(&json!({
            "cupcake_aggregation": 2,
            "denials": [{"policy": "cupcake.policies.a", "decision": {"rule_id": "A", "reason": "r", "severity": "HIGH"}}],
            "add_context": [{"policy": "cupcake.policies.b", "decision": "hello"}],
        }))
        .expect("valid aggregation");
        assert_eq!(buckets.denials[0].rule_id, "A");
        assert_eq!(buckets.add_context, ["hello"]);
    }

    #[test]
    fn missing_reason_names_policy_and_rule() {
        let err = Buckets::from_aggregation(&json!({
            "cupcake_aggregation": 2,
            "denials": [{"policy": "cupcake.policies.a", "decision": {"rule_id": "A-1", "severity": "HIGH"}}],
        }))
        .expect_err("missing reason is an error");
        let text = err.to_string();
        assert!(
            text.contains("cupcake.policies.a") && text.contains("A-1") && text.contains("reason"),
            "{text}"
        );
    }

    #[test]
    fn bucket_order_does_not_depend_on_set_order() {
        let deny = |id: &str| json!({"policy": "cupcake.policies.a", "decision": {"rule_id": id, "reason": id, "severity": "HIGH"}});
        let parse = |list: Value| {
            let buckets =
                Buckets::from_aggregation(&json!({"cupcake_aggregation": 2, "denials": list}))
                    .expect("valid aggregation");
            buckets
                .denials
                .into_iter()
                .map(|v| v.rule_id)
                .collect::<Vec<_>>()
        };
        assert_eq!(parse(json!([deny("B"), deny("A")])), ["A", "B"]);
        assert_eq!(parse(json!([deny("A"), deny("B")])), ["A", "B"]);
    }

    #[test]
    fn plain_entries_from_a_user_aggregation() {
        let buckets = Buckets::from_aggregation(&json!({
            "asks": [{"rule_id": "Q", "reason": "sure?", "severity": "LOW"}],
            "modifications": [{"rule_id": "M", "reason": "m", "updated_input": {"a": 1}}],
        }))
        .expect("valid aggregation");
        assert_eq!(buckets.asks[0].rule_id, "Q");
        assert_eq!(buckets.modifications[0].priority, 50);
        assert_eq!(buckets.modifications[0].severity, "MEDIUM");
    }
}
