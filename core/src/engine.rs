//! The engine: load and compile a project's policies once, then evaluate any number of events,
//! from any number of threads.

use std::path::Path;

use serde_json::Value;

use crate::decision::{self, DecisionKind, Synthesis};
use crate::error::{Error, Result};
use crate::event::Event;
use crate::harness;
use crate::loader;
use crate::options::{EngineOptions, Harness, Limits};
use crate::policy::{self, Policy, PolicySet};
use crate::routing::RouteTable;
use crate::verdict::Buckets;
use crate::wasm::InstancePool;

/// The outcome of one evaluation, including the harness-formatted response.
#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    /// The winning kind.
    pub kind: DecisionKind,
    /// The reason shown to the user.
    pub reason: String,
    /// `add_context` strings (on Allow).
    pub context: Vec<String>,
    /// Messages meant for the agent.
    pub agent_messages: Vec<String>,
    /// The rule ids that produced the decision.
    pub rule_ids: Vec<String>,
    /// The merged tool input, on Modify.
    pub updated_input: Option<Value>,
    /// The JSON to print for the harness.
    pub response: Value,
}

/// A loaded policy set, ready to evaluate events. `Engine` is `Send + Sync`.
///
/// ```no_run
/// use cupcake::{Engine, EngineOptions};
///
/// let engine = Engine::new(".cupcake", EngineOptions::default())?;
/// let decision = engine.evaluate(r#"{"hook_event_name":"PreToolUse","tool_name":"Bash","tool_input":{"command":"ls"}}"#)?;
/// println!("{}", decision.response);
/// # Ok::<(), cupcake::Error>(())
/// ```
pub struct Engine {
    harness: Harness,
    limits: Limits,
    policies: PolicySet,
    routes: RouteTable,
    /// Absent when the project has no policies for this harness: everything is allowed
    /// without compiling anything.
    pool: Option<InstancePool>,
}

impl Engine {
    /// Discovers, compiles (with OPA) and loads the policies found from `path`.
    #[expect(
        clippy::needless_pass_by_value,
        reason = "callers build options inline and move them in"
    )]
    pub fn new(path: impl AsRef<Path>, options: EngineOptions) -> Result<Self> {
        let policies = policy::discover(path.as_ref(), options.harness)?;
        let routes = RouteTable::build(&policies.policies);
        let pool = if policies.policies.is_empty() {
            None
        } else {
            Some(loader::load(&policies, &options)?)
        };
        tracing::debug!(
            policies = policies.policies.len(),
            routes = routes.keys().len(),
            "engine loaded"
        );
        Ok(Self {
            harness: options.harness,
            limits: options.limits,
            policies,
            routes,
            pool,
        })
    }

    /// Evaluates one hook event given as JSON text.
    pub fn evaluate(&self, event_json: &str) -> Result<Decision> {
        let event = Event::parse(event_json, &self.limits)?;
        self.evaluate_event(&event)
    }

    /// Evaluates one hook event given as a parsed JSON value.
    pub fn evaluate_value(&self, event: Value) -> Result<Decision> {
        self.evaluate_event(&Event::from_value(event)?)
    }

    fn evaluate_event(&self, event: &Event) -> Result<Decision> {
        let routed = self.routes.matching(&event.name, event.tool.as_deref());
        let synthesis = match (&self.pool, routed.is_empty()) {
            (Some(pool), false) => {
                let input = serde_json::to_vec(&event.body).map_err(Error::internal)?;
                let result = pool.evaluate(&input)?;
                decision::synthesize(Buckets::from_result_set(&result)?)
            }
            _ => Synthesis::allow(Vec::new()),
        };
        let response = harness::response(self.harness, &event.name, &synthesis);
        Ok(Decision {
            kind: synthesis.kind,
            reason: synthesis.reason,
            context: synthesis.context,
            agent_messages: synthesis.agent_messages,
            rule_ids: synthesis.rule_ids,
            updated_input: synthesis.updated_input,
            response,
        })
    }

    /// The harness this engine answers for.
    pub fn harness(&self) -> Harness {
        self.harness
    }

    /// The loaded policies, sorted by path.
    pub fn policies(&self) -> &[Policy] {
        &self.policies.policies
    }

    /// Every routing key (`Event` or `Event:Tool`).
    pub fn route_keys(&self) -> Vec<&str> {
        self.routes.keys()
    }

    /// Host builtins the compiled module calls.
    pub fn host_builtins(&self) -> Vec<String> {
        self.pool
            .as_ref()
            .map(InstancePool::builtin_names)
            .unwrap_or_default()
    }
}
