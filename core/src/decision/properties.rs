//! Properties of synthesis (SPEC §6), checked on generated buckets rather than hand-picked
//! ones: the highest non-empty bucket wins and nothing below it matters, the decision does not
//! depend on the order Rego's sets hand decisions over, reasons follow the severity groups,
//! and modifications merge so that the higher priority wins every conflicting key.
//!
//! The merge is deliberately not checked for associativity in general: a key that is an object
//! in one input and a scalar in another makes the grouping matter (see
//! `mixed_shapes_make_grouping_matter`). It is checked where it holds, on inputs whose keys
//! keep one shape, and for the order of whole modifications wherever priorities tell them
//! apart.

use proptest::collection::{btree_map, vec};
use proptest::prelude::*;
use serde_json::{json, Map, Value};

use super::{deep_merge, synthesize, Decision, DecisionKind};
use crate::options::Harness;
use crate::verdict::{Buckets, Modification, Verdict};

// ---- generators ------------------------------------------------------------------------------

fn severity() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => prop::sample::select(vec![
            "HIGH", "CRITICAL", "critical", "MEDIUM", "MODERATE", "medium", "LOW", "INFO",
        ])
        .prop_map(str::to_string),
        1 => "[A-Za-z]{0,8}",
    ]
}

/// A bucket of verdicts whose ids and reasons are unique (`<tag><index>`), so the tests can
/// tell from the reason text which verdicts it came from.
fn verdicts(tag: &'static str) -> impl Strategy<Value = Vec<Verdict>> {
    vec((severity(), proptest::option::of("[a-z ]{0,8}")), 0..4).prop_map(move |items| {
        items
            .into_iter()
            .enumerate()
            .map(|(index, (severity, agent_context))| Verdict {
                rule_id: format!("{tag}{index}"),
                reason: format!("why {tag}{index}"),
                severity,
                agent_context,
            })
            .collect()
    })
}

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        (-3i64..4).prop_map(Value::from),
        "[xyz]{0,2}".prop_map(Value::String),
        vec(0i64..3, 0..3).prop_map(|items| json!(items)),
    ]
}

fn object_of(
    keys: &'static str,
    values: impl Strategy<Value = Value>,
) -> impl Strategy<Value = Value> {
    btree_map(keys, values, 0..4).prop_map(|map| Value::Object(map.into_iter().collect()))
}

/// A JSON value up to three objects deep, over a few keys so that inputs collide.
fn value() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(3, 24, 4, |inner| object_of("[abc]", inner))
}

/// An `updated_input`: always an object.
fn updated_input() -> impl Strategy<Value = Value> {
    object_of("[abc]|command", value())
}

fn priority() -> impl Strategy<Value = i64> {
    prop_oneof![Just(50), 0i64..4, any::<i64>()]
}

fn modifications() -> impl Strategy<Value = Vec<Modification>> {
    vec((updated_input(), priority(), severity()), 0..5).prop_map(|items| {
        items
            .into_iter()
            .enumerate()
            .map(
                |(index, (updated_input, priority, severity))| Modification {
                    rule_id: format!("M{index}"),
                    reason: format!("why M{index}"),
                    updated_input,
                    priority,
                    severity,
                },
            )
            .collect()
    })
}

fn buckets() -> impl Strategy<Value = Buckets> {
    (
        verdicts("H"),
        verdicts("D"),
        verdicts("B"),
        verdicts("Q"),
        modifications(),
        vec("[a-z ]{0,6}", 0..4),
    )
        .prop_map(
            |(halts, denials, blocks, asks, modifications, add_context)| Buckets {
                halts,
                denials,
                blocks,
                asks,
                modifications,
                add_context,
            },
        )
}

// ---- oracles written from SPEC §6 ------------------------------------------------------------

/// The kind of the first non-empty bucket in priority order.
fn spec_kind(buckets: &Buckets) -> DecisionKind {
    [
        (DecisionKind::Halt, buckets.halts.is_empty()),
        (DecisionKind::Deny, buckets.denials.is_empty()),
        (DecisionKind::Block, buckets.blocks.is_empty()),
        (DecisionKind::Ask, buckets.asks.is_empty()),
        (DecisionKind::Modify, buckets.modifications.is_empty()),
    ]
    .into_iter()
    .find_map(|(kind, empty)| (!empty).then_some(kind))
    .unwrap_or(DecisionKind::Allow)
}

/// SPEC's severity groups: HIGH/CRITICAL, then MEDIUM/MODERATE, then the rest.
fn spec_group(severity: &str) -> u8 {
    let is = |name: &str| severity.eq_ignore_ascii_case(name);
    if is("HIGH") || is("CRITICAL") {
        0
    } else if is("MEDIUM") || is("MODERATE") {
        1
    } else {
        2
    }
}

/// The reason of a bucket of `(rule_id, reason, severity)` as SPEC §6 words it.
fn spec_reason(items: &[(&str, &str, &str)]) -> String {
    if let [(_, reason, _)] = items {
        return (*reason).to_string();
    }
    let Some(top) = items.iter().map(|item| spec_group(item.2)).min() else {
        return String::new();
    };
    let group: Vec<_> = items
        .iter()
        .filter(|item| spec_group(item.2) == top)
        .collect();
    match group.as_slice() {
        [(_, reason, _)] => (*reason).to_string(),
        _ => group
            .iter()
            .map(|(id, reason, _)| format!("[{id}] {reason}"))
            .collect::<Vec<_>>()
            .join("; "),
    }
}

/// Modifications in merge precedence: priority high to low, ties in list order.
fn by_precedence(modifications: &[Modification]) -> Vec<&Modification> {
    let mut ordered: Vec<&Modification> = modifications.iter().collect();
    ordered.sort_by_key(|m| std::cmp::Reverse(m.priority));
    ordered
}

/// Every path to a non-object value, with that value.
fn leaves(value: &Value) -> Vec<(Vec<String>, Value)> {
    fn walk(value: &Value, path: &mut Vec<String>, out: &mut Vec<(Vec<String>, Value)>) {
        match value {
            Value::Object(map) => {
                for (key, item) in map {
                    path.push(key.clone());
                    walk(item, path, out);
                    path.pop();
                }
            }
            other => out.push((path.clone(), other.clone())),
        }
    }
    let mut out = Vec::new();
    walk(value, &mut Vec::new(), &mut out);
    out
}

fn at<'v>(value: &'v Value, path: &[String]) -> Option<&'v Value> {
    path.iter().try_fold(value, |value, key| value.get(key))
}

/// Whether `overlay` takes `path` away from a lower-precedence input: it sets `path` itself,
/// or puts a non-object on the way to it.
fn overrides(overlay: &Value, path: &[String]) -> bool {
    at(overlay, path).is_some()
        || (1..path.len()).any(|len| {
            path.get(..len)
                .and_then(|prefix| at(overlay, prefix))
                .is_some_and(|value| !value.is_object())
        })
}

fn merged(modifications: &[Modification]) -> Value {
    synthesize(Buckets {
        modifications: modifications.to_vec(),
        ..Buckets::default()
    })
    .updated_input
    .unwrap_or(Value::Null)
}

fn config() -> ProptestConfig {
    ProptestConfig::with_cases(256)
}

proptest! {
    #![proptest_config(config())]

    /// The winner is the highest non-empty bucket, and the decision carries that bucket's
    /// rule ids and agent messages, nothing from below it.
    #[test]
    fn highest_non_empty_bucket_wins(buckets in buckets()) {
        let decision = synthesize(buckets.clone());
        let kind = spec_kind(&buckets);
        prop_assert_eq!(decision.kind, kind);
        let winners = match kind {
            DecisionKind::Halt => Some(&buckets.halts),
            DecisionKind::Deny => Some(&buckets.denials),
            DecisionKind::Block => Some(&buckets.blocks),
            DecisionKind::Ask => Some(&buckets.asks),
            DecisionKind::Modify | DecisionKind::Allow => None,
        };
        if let Some(winners) = winners {
            let ids: Vec<&str> = winners.iter().map(|v| v.rule_id.as_str()).collect();
            prop_assert_eq!(&decision.rule_ids, &ids);
            let messages: Vec<String> =
                winners.iter().filter_map(|v| v.agent_context.clone()).collect();
            prop_assert_eq!(&decision.agent_messages, &messages);
            let items: Vec<_> = winners
                .iter()
                .map(|v| (v.rule_id.as_str(), v.reason.as_str(), v.severity.as_str()))
                .collect();
            prop_assert_eq!(&decision.reason, &spec_reason(&items));
        }
        prop_assert_eq!(decision.updated_input.is_some(), kind == DecisionKind::Modify);
        if kind == DecisionKind::Modify {
            let ordered = by_precedence(&buckets.modifications);
            let ids: Vec<&str> = ordered.iter().map(|m| m.rule_id.as_str()).collect();
            prop_assert_eq!(&decision.rule_ids, &ids);
            let items: Vec<_> = ordered
                .iter()
                .map(|m| (m.rule_id.as_str(), m.reason.as_str(), m.severity.as_str()))
                .collect();
            prop_assert_eq!(&decision.reason, &spec_reason(&items));
        }
        // Allow carries every context string, in order, and only Allow carries any.
        if kind == DecisionKind::Allow {
            prop_assert_eq!(&decision, &Decision::allow(buckets.add_context.clone()));
        } else {
            prop_assert!(decision.context.is_empty());
            prop_assert!(!decision.reason.is_empty());
        }
    }

    /// Whatever sits below the winning bucket cannot change the decision.
    #[test]
    fn lower_buckets_do_not_matter(buckets in buckets(), other in buckets()) {
        let kind = spec_kind(&buckets);
        prop_assume!(kind != DecisionKind::Allow);
        // Every bucket from the winner's level up comes from `buckets`, the rest from `other`.
        let mut mixed = other;
        if DecisionKind::Halt >= kind { mixed.halts.clone_from(&buckets.halts); }
        if DecisionKind::Deny >= kind { mixed.denials.clone_from(&buckets.denials); }
        if DecisionKind::Block >= kind { mixed.blocks.clone_from(&buckets.blocks); }
        if DecisionKind::Ask >= kind { mixed.asks.clone_from(&buckets.asks); }
        if DecisionKind::Modify >= kind {
            mixed.modifications.clone_from(&buckets.modifications);
        }
        prop_assert_eq!(synthesize(mixed), synthesize(buckets));
    }

    /// Adding any verdict never makes the decision weaker, and joining two evaluations (the
    /// global tier's and the project's) decides the stronger of the two kinds.
    #[test]
    fn joining_buckets_takes_the_stronger_kind(first in buckets(), second in buckets()) {
        let first_kind = synthesize(first.clone()).kind;
        let second_kind = synthesize(second.clone()).kind;
        let mut joined = first.clone();
        joined.extend(second.clone());
        let decision = synthesize(joined.clone());
        prop_assert_eq!(decision.kind, first_kind.max(second_kind));
        prop_assert_eq!(joined.has_blocking(), first.has_blocking() || second.has_blocking());
        if decision.kind == DecisionKind::Allow {
            let context: Vec<String> =
                first.add_context.iter().chain(&second.add_context).cloned().collect();
            prop_assert_eq!(decision.context, context);
        }
    }

    /// `Buckets::extend` is associative, so global-then-project joins group either way.
    #[test]
    fn extending_is_associative(a in buckets(), b in buckets(), c in buckets()) {
        let mut left = a.clone();
        left.extend(b.clone());
        left.extend(c.clone());
        let mut tail = b;
        tail.extend(c);
        let mut right = a;
        right.extend(tail);
        prop_assert_eq!(left, right);
    }

    /// The top-precedence modification's values all survive the merge.
    #[test]
    fn highest_priority_wins_every_conflict(modifications in modifications()) {
        prop_assume!(!modifications.is_empty());
        let merged = merged(&modifications);
        let ordered = by_precedence(&modifications);
        for (rank, modification) in ordered.iter().enumerate() {
            let above = ordered.get(..rank).unwrap_or_default();
            for (path, value) in leaves(&modification.updated_input) {
                // A leaf survives when nothing of higher precedence overrides it (when something
                // does, the value may still be equal by chance).
                if !above.iter().any(|m| overrides(&m.updated_input, &path)) {
                    prop_assert_eq!(
                        at(&merged, &path),
                        Some(&value),
                        "{} at {:?} in {}", modification.rule_id, path, merged
                    );
                }
            }
        }
        // And nothing is invented: every merged value comes from some modification.
        for (path, value) in leaves(&merged) {
            prop_assert!(
                modifications.iter().any(|m| at(&m.updated_input, &path) == Some(&value)),
                "{:?} = {} appears in no input", path, value
            );
        }
    }

    /// With distinct priorities, the order modifications arrive in does not matter, down to
    /// the key order of the merged object.
    #[test]
    fn distinct_priorities_merge_in_any_order(
        mut modifications in modifications(),
        spread in 1i64..1000,
        seed in any::<u64>(),
    ) {
        for (rank, modification) in (0i64..).zip(modifications.iter_mut()) {
            modification.priority = rank * spread - 500;
        }
        let mut shuffled = modifications.clone();
        shuffle(&mut shuffled, seed);
        let (a, b) = (merged(&modifications), merged(&shuffled));
        prop_assert_eq!(a.to_string(), b.to_string());
    }

    /// A single modification is applied as written.
    #[test]
    fn one_modification_is_its_own_input(input in updated_input(), priority in priority()) {
        let modification = Modification {
            rule_id: "M".into(),
            reason: "why".into(),
            updated_input: input.clone(),
            priority,
            severity: "LOW".into(),
        };
        prop_assert_eq!(merged(&[modification]), input);
    }

    /// The deep merge: an empty object is neutral on both sides, merging a value into itself
    /// changes nothing, and where no key changes shape it is associative.
    #[test]
    fn deep_merge_identity_and_idempotence(value in updated_input()) {
        let mut left = json!({});
        deep_merge(&mut left, &value);
        prop_assert_eq!(&left, &value);
        let mut right = value.clone();
        deep_merge(&mut right, &json!({}));
        prop_assert_eq!(&right, &value);
        let mut twice = value.clone();
        deep_merge(&mut twice, &value);
        prop_assert_eq!(&twice, &value);
    }

    #[test]
    fn deep_merge_is_associative_when_shapes_agree(
        a in shaped_object(),
        b in shaped_object(),
        c in shaped_object(),
    ) {
        let mut left = a.clone();
        deep_merge(&mut left, &b);
        deep_merge(&mut left, &c);
        let mut tail = b;
        deep_merge(&mut tail, &c);
        let mut right = a;
        deep_merge(&mut right, &tail);
        prop_assert_eq!(left, right);
    }

    /// Claude: a Halt, Deny or Block is never answered with `{}` (which lets the action
    /// through), whatever the event is called. Cursor: the `before*` permission events answer
    /// a blocking decision with `deny`.
    #[test]
    fn blocking_decisions_never_render_as_allow(
        buckets in buckets(),
        event in prop_oneof![
            prop::sample::select(vec![
                "PreToolUse", "PostToolUse", "PermissionRequest", "UserPromptSubmit", "Stop",
                "SubagentStop", "SessionStart", "SessionEnd", "PreCompact", "Notification",
                "beforeShellExecution", "beforeMCPExecution", "beforeReadFile",
                "beforeSubmitPrompt", "stop",
            ])
            .prop_map(str::to_string),
            "[A-Za-z]{0,12}",
        ],
    ) {
        let decision = synthesize(buckets);
        prop_assume!(decision.kind.is_blocking());
        let claude = crate::harness::reply(Harness::Claude, &event, &decision).response;
        prop_assert!(claude.as_object().is_some_and(|o| !o.is_empty()), "{} -> {}", event, claude);
        let cursor = crate::harness::reply(Harness::Cursor, &event, &decision).response;
        if matches!(
            event.as_str(),
            "beforeShellExecution" | "beforeMCPExecution" | "beforeReadFile"
        ) {
            prop_assert_eq!(&cursor["permission"], "deny");
        }
    }
}

// ---- order independence through the real aggregation parser --------------------------------

/// One aggregation entry as cupcake's own entrypoint tags it. Now and then a decision lacks a
/// field, so the error path is order-checked too.
fn entry(verb: &'static str) -> impl Strategy<Value = Value> {
    (
        "cupcake\\.policies\\.[ab]",
        "[A-C]",
        "[a-z]{1,3}",
        severity(),
        proptest::option::of("[a-z]{1,3}"),
        updated_input(),
        proptest::option::of(prop_oneof![Just(50i64), 0i64..3]),
        prop::bool::weighted(0.05),
    )
        .prop_map(
            move |(policy, rule_id, reason, severity, agent, input, priority, broken)| {
                let mut decision = Map::new();
                decision.insert("rule_id".into(), json!(rule_id));
                decision.insert("reason".into(), json!(reason));
                if !broken {
                    decision.insert("severity".into(), json!(severity));
                }
                if let Some(agent) = agent {
                    decision.insert("agent_context".into(), json!(agent));
                }
                if verb == "modify" {
                    decision.insert("updated_input".into(), input);
                    if let Some(priority) = priority {
                        decision.insert("priority".into(), json!(priority));
                    }
                    if broken {
                        decision.remove("reason");
                    }
                }
                json!({"policy": policy, "decision": decision})
            },
        )
}

fn context_entry() -> impl Strategy<Value = Value> {
    ("cupcake\\.policies\\.[ab]", "[a-z]{0,3}")
        .prop_map(|(policy, text)| json!({"policy": policy, "decision": text}))
}

fn aggregation() -> impl Strategy<Value = Map<String, Value>> {
    (
        vec(entry("halt"), 0..2),
        vec(entry("deny"), 0..4),
        vec(entry("block"), 0..3),
        vec(entry("ask"), 0..4),
        vec(entry("modify"), 0..5),
        vec(context_entry(), 0..5),
    )
        .prop_map(|(halts, denials, blocks, asks, modifications, context)| {
            let mut object = Map::new();
            object.insert("cupcake_aggregation".into(), json!(2));
            for (key, list) in [
                ("halts", halts),
                ("denials", denials),
                ("blocks", blocks),
                ("asks", asks),
                ("modifications", modifications),
                ("add_context", context),
            ] {
                object.insert(key.into(), Value::Array(list));
            }
            object
        })
}

/// A Fisher-Yates shuffle driven by a xorshift seed, so proptest can shrink the seed.
fn shuffle<T>(items: &mut [T], mut seed: u64) {
    seed |= 1;
    for index in (1..items.len()).rev() {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let other = usize::try_from(seed % (index as u64 + 1)).unwrap_or(0);
        items.swap(index, other);
    }
}

fn decide(aggregation: &Map<String, Value>) -> Result<(Decision, String), String> {
    let buckets = Buckets::from_aggregation(&Value::Object(aggregation.clone()))
        .map_err(|err| err.to_string())?;
    let decision = synthesize(buckets);
    // The merged input is compared as text too: key order reaches the harness response.
    let text = decision
        .updated_input
        .as_ref()
        .map(Value::to_string)
        .unwrap_or_default();
    Ok((decision, text))
}

proptest! {
    #![proptest_config(config())]

    /// Rego sets carry no order: any order of the same entries gives the same decision (or the
    /// same error), byte for byte.
    #[test]
    fn any_entry_order_gives_the_same_decision(aggregation in aggregation(), seed in any::<u64>()) {
        let mut shuffled = aggregation.clone();
        for (offset, list) in shuffled.values_mut().filter_map(Value::as_array_mut).enumerate() {
            shuffle(list, seed.wrapping_add(offset as u64));
        }
        prop_assert_eq!(decide(&shuffled), decide(&aggregation));
    }
}

/// Shape-consistent objects: keys `o*` always hold objects, keys `s*` never do.
fn shaped_object() -> impl Strategy<Value = Value> {
    let inner =
        btree_map("s[12]", leaf(), 0..3).prop_map(|map| Value::Object(map.into_iter().collect()));
    (
        btree_map("s[12]", leaf(), 0..3),
        btree_map("o[12]", inner, 0..3),
    )
        .prop_map(|(scalars, objects)| Value::Object(scalars.into_iter().chain(objects).collect()))
}

#[test]
fn mixed_shapes_make_grouping_matter() {
    // Why associativity is only claimed for consistent shapes: a scalar between two objects
    // erases the first object when merged left to right, but not when the last two go first.
    let (a, b, c) = (
        json!({"k": {"x": 1}}),
        json!({"k": 5}),
        json!({"k": {"y": 2}}),
    );
    let mut left = a.clone();
    deep_merge(&mut left, &b);
    deep_merge(&mut left, &c);
    let mut tail = b;
    deep_merge(&mut tail, &c);
    let mut right = a;
    deep_merge(&mut right, &tail);
    assert_eq!(left, json!({"k": {"y": 2}}));
    assert_eq!(right, json!({"k": {"x": 1, "y": 2}}));
}

#[test]
fn equal_priorities_keep_list_order() {
    // SPEC: the sort is stable, so among equal priorities the earlier one wins.
    let modification = |id: &str, command: &str| Modification {
        rule_id: id.into(),
        reason: id.into(),
        updated_input: json!({"command": command}),
        priority: 50,
        severity: "MEDIUM".into(),
    };
    let first = merged(&[modification("A", "first"), modification("B", "second")]);
    assert_eq!(first, json!({"command": "first"}));
}
