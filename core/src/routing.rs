//! Maps `Event` and `Event:Tool` keys to the policies that asked for them, so an event no
//! policy cares about is answered without running WebAssembly.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::policy::Policy;

/// The routing table of one policy set.
#[derive(Debug, Default, Clone)]
pub struct RouteTable {
    routes: HashMap<String, Vec<usize>>,
}

impl RouteTable {
    /// Builds the table from each policy's `custom.routing`.
    pub fn build(policies: &[Policy]) -> Self {
        let mut routes: HashMap<String, Vec<usize>> = HashMap::new();
        for (index, policy) in policies.iter().enumerate() {
            let Some(routing) = &policy.metadata.routing else {
                continue;
            };
            let every_tool = routing.required_tools.is_empty()
                || routing.required_tools.iter().any(|t| t == "*");
            for event in &routing.required_events {
                if every_tool {
                    routes.entry(event.clone()).or_default().push(index);
                } else {
                    for tool in &routing.required_tools {
                        routes
                            .entry(format!("{event}:{tool}"))
                            .or_default()
                            .push(index);
                    }
                }
            }
            for kind in &routing.required_actions {
                routes
                    .entry(format!("action:{kind}"))
                    .or_default()
                    .push(index);
            }
        }
        Self { routes }
    }

    /// Indices of the policies routed for this event, tool and action key (`action:<kind>`),
    /// in policy order.
    pub fn matching(&self, event: &str, tool: Option<&str>, action: Option<&str>) -> Vec<usize> {
        let mut hits: Vec<usize> = self.routes.get(event).cloned().unwrap_or_default();
        if let Some(more) = action.and_then(|key| self.routes.get(key)) {
            hits.extend(more);
        }
        if let Some(tool) = tool {
            if let Some(more) = self.routes.get(&format!("{event}:{tool}")) {
                hits.extend(more);
            }
        }
        hits.sort_unstable();
        hits.dedup();
        hits
    }

    /// Every distinct, non-empty result [`RouteTable::matching`] can give, in a stable order:
    /// each event named by a key (and one named by none) with each of its tools (and none)
    /// and each action key (and none).
    pub fn reachable_sets(&self) -> Vec<Vec<usize>> {
        let mut tools: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
        let mut actions: Vec<Option<&str>> = vec![None];
        for key in self.routes.keys() {
            if key.starts_with("action:") {
                actions.push(Some(key));
                continue;
            }
            match key.split_once(':') {
                Some((event, tool)) => {
                    tools.entry(event).or_default().insert(tool);
                }
                None => {
                    tools.entry(key).or_default();
                }
            }
        }
        actions.sort_unstable();
        let mut sets = BTreeSet::new();
        for action in &actions {
            // An event no key names still reaches the action routes.
            sets.insert(self.matching("", None, *action));
            for (event, event_tools) in &tools {
                for tool in event_tools.iter().copied().map(Some).chain([None]) {
                    sets.insert(self.matching(event, tool, *action));
                }
            }
        }
        sets.into_iter().filter(|set| !set.is_empty()).collect()
    }

    /// Every routing key, sorted, for `inspect`.
    pub fn keys(&self) -> Vec<&str> {
        let mut keys: Vec<&str> = self.routes.keys().map(String::as_str).collect();
        keys.sort_unstable();
        keys
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;
    use crate::metadata::{PolicyMetadata, Routing};

    fn policy(events: &[&str], tools: &[&str]) -> Policy {
        Policy {
            path: PathBuf::from("p.rego"),
            package: "cupcake.policies.p".into(),
            metadata: PolicyMetadata {
                routing: Some(Routing {
                    required_events: events.iter().map(ToString::to_string).collect(),
                    required_tools: tools.iter().map(ToString::to_string).collect(),
                    required_actions: vec![],
                    required_signals: vec![],
                }),
                ..PolicyMetadata::default()
            },
        }
    }

    #[test]
    fn tool_specific_and_wildcard_routes() {
        let table = RouteTable::build(&[
            policy(&["PreToolUse"], &["Bash"]),
            policy(&["PreToolUse"], &["*"]),
            policy(&["PreToolUse"], &[]),
            policy(&["Stop"], &[]),
        ]);
        assert_eq!(table.matching("PreToolUse", Some("Bash"), None), [0, 1, 2]);
        assert_eq!(table.matching("PreToolUse", Some("Edit"), None), [1, 2]);
        assert_eq!(table.matching("Stop", None, None), [3]);
        assert!(table.matching("PostToolUse", Some("Bash"), None).is_empty());
    }

    #[test]
    fn reachable_sets_cover_every_event_tool_and_action() {
        let mut shell = policy(&[], &[]);
        if let Some(routing) = shell.metadata.routing.as_mut() {
            routing.required_actions = vec!["shell".into()];
        }
        let table = RouteTable::build(&[
            policy(&["PreToolUse"], &["Bash"]),
            policy(&["PreToolUse"], &[]),
            policy(&["Stop"], &[]),
            shell,
        ]);
        let sets = table.reachable_sets();
        let expected: Vec<Vec<usize>> = vec![
            vec![0, 1],
            vec![0, 1, 3],
            vec![1],
            vec![1, 3],
            vec![2],
            vec![2, 3],
            vec![3],
        ];
        assert_eq!(sets, expected);
        // Whatever the event, what it matches is one of them.
        for (event, tool) in [
            ("PreToolUse", Some("Bash")),
            ("Stop", Some("Bash")),
            ("X", None),
        ] {
            for action in [None, Some("action:shell"), Some("action:other")] {
                let hits = table.matching(event, tool, action);
                assert!(
                    hits.is_empty() || sets.contains(&hits),
                    "{event} {tool:?} {action:?}"
                );
            }
        }
    }

    #[test]
    fn action_routes_match_any_event_doing_that_action() {
        let mut shell = policy(&[], &[]);
        if let Some(routing) = shell.metadata.routing.as_mut() {
            routing.required_actions = vec!["shell".into(), "write".into()];
        }
        let table = RouteTable::build(&[policy(&["Stop"], &[]), shell]);
        assert_eq!(
            table.matching("BeforeTool", None, Some("action:shell")),
            [1]
        );
        assert_eq!(
            table.matching("preToolUse", Some("x"), Some("action:write")),
            [1]
        );
        assert!(table
            .matching("BeforeTool", None, Some("action:read"))
            .is_empty());
        assert_eq!(table.matching("Stop", None, Some("action:stop")), [0]);
    }
}
