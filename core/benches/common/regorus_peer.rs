//! The regorus peer of the pipeline benchmark: the same policy files, interpreted by the
//! `regorus` crate, evaluating the verbs of the packages routed for each event (as cupcake's
//! route entrypoints do) and deciding by the same priority. Its decisions are compared with
//! cupcake's before any timing, so both do the same work.

use std::collections::BTreeSet;

use cupcake::Engine;
use serde_json::Value;

/// Verbs in priority order, each with the decision kind it gives.
const VERBS: [(&str, &str); 5] = [
    ("halt", "Halt"),
    ("deny", "Deny"),
    ("block", "Block"),
    ("ask", "Ask"),
    ("modify", "Modify"),
];

/// A regorus engine holding the policies of a cupcake engine, and their routing.
pub struct Regorus {
    engine: regorus::Engine,
    /// Each package with the events and tools it is routed for (empty tools: every tool).
    routes: Vec<(String, Vec<String>, Vec<String>)>,
}

impl Regorus {
    /// Loads the policy files `cupcake` loaded, unchanged.
    pub fn new(cupcake: &Engine) -> Self {
        let mut engine = regorus::Engine::new();
        let mut routes = Vec::new();
        for policy in cupcake.policies() {
            let source = std::fs::read_to_string(&policy.path).expect("readable policy");
            engine
                .add_policy(policy.path.display().to_string(), source)
                .expect("regorus parses the standard set");
            let routing = policy.metadata.routing.clone().unwrap_or_default();
            let tools = routing
                .required_tools
                .into_iter()
                .filter(|tool| tool != "*")
                .collect();
            routes.push((policy.package.clone(), routing.required_events, tools));
        }
        Self { engine, routes }
    }

    /// The rule paths (`data.<package>.<verb>`) this event runs, by verb: the routed packages'
    /// verbs that exist (regorus refuses a path naming no rule).
    pub fn plan(&mut self, event_text: &str) -> Plan {
        let event = event_text;
        let event: Value = serde_json::from_str(event).expect("an event is JSON");
        self.engine
            .set_input_json(event_text)
            .expect("regorus reads the event");
        let name = event["hook_event_name"].as_str().unwrap_or_default();
        let tool = event["tool_name"].as_str();
        let packages: BTreeSet<&str> = self
            .routes
            .iter()
            .filter(|(_, events, tools)| {
                events.iter().any(|e| e == name)
                    && (tools.is_empty() || tool.is_some_and(|t| tools.iter().any(|x| x == t)))
            })
            .map(|(package, ..)| package.as_str())
            .collect();
        Plan {
            rules: VERBS
                .iter()
                .map(|(verb, kind)| {
                    let paths = packages
                        .iter()
                        .map(|p| format!("data.{p}.{verb}"))
                        .filter(|path| self.engine.eval_rule(path.clone()).is_ok())
                        .collect();
                    (*kind, paths)
                })
                .collect(),
        }
    }

    /// Decides `event` along `plan`: the kind of the highest-priority verb with a decision, and
    /// that verb's rule ids, sorted.
    pub fn decide(&mut self, event: &str, plan: &Plan) -> (&'static str, Vec<String>) {
        self.engine
            .set_input_json(event)
            .expect("regorus reads the event");
        for (kind, paths) in &plan.rules {
            let mut ids = Vec::new();
            for path in paths {
                let value = self
                    .engine
                    .eval_rule(path.clone())
                    .expect("regorus evaluates");
                if let Ok(decisions) = value.as_set() {
                    for decision in decisions {
                        let id = decision["rule_id"].as_string().map(ToString::to_string);
                        ids.push(id.unwrap_or_default());
                    }
                }
            }
            if !ids.is_empty() {
                ids.sort();
                return (kind, ids);
            }
        }
        ("Allow", Vec::new())
    }
}

/// The rules one event runs, grouped by the decision kind they give.
pub struct Plan {
    rules: Vec<(&'static str, Vec<String>)>,
}

/// Cupcake's decision as the peer reports it: kind and sorted rule ids.
pub fn cupcake_outcome(cupcake: &Engine, event: &str) -> (String, Vec<String>) {
    let decision = cupcake.evaluate(event).expect("cupcake evaluates").decision;
    let mut ids = decision.rule_ids.clone();
    ids.sort();
    (format!("{:?}", decision.kind), ids)
}
