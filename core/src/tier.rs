//! One loaded policy tree — the global directory or the project — with its routes, signals and
//! compiled module. The engine evaluates the global tier first, then the project tier.

use std::collections::BTreeSet;
use std::path::Path;

use serde_json::{Map, Value};

use crate::error::{Error, Result};
use crate::event::Event;
use crate::loader;
use crate::options::EngineOptions;
use crate::policy::{self, PolicySet, Scope};
use crate::routing::RouteTable;
use crate::signals::SignalSet;
use crate::verdict::Buckets;
use crate::wasm::InstancePool;

/// Which WebAssembly instances an evaluation runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Instances {
    /// A warm instance from the pool, heap reset to its post-load state (what ships).
    Pooled,
    /// A new instance, dropped afterwards: the isolation reference for tests.
    Fresh,
}

/// A policy tree ready to evaluate.
pub struct Tier {
    pub set: PolicySet,
    pub routes: RouteTable,
    pub signals: SignalSet,
    /// Absent when the tree has no policies: nothing is compiled and nothing fires.
    pub pool: Option<InstancePool>,
}

impl Tier {
    /// Discovers, checks and compiles the tree at `path`.
    pub fn load(path: &Path, scope: Scope, options: &EngineOptions) -> Result<Self> {
        let set = policy::discover(path, options.harness, scope)?;
        Self::assemble(set, |set| loader::load(set, options))
    }

    /// Checks signal requirements, builds routes, and makes the pool with `make_pool` (only
    /// when there are policies).
    pub fn assemble(
        set: PolicySet,
        make_pool: impl FnOnce(&PolicySet) -> Result<InstancePool>,
    ) -> Result<Self> {
        let signals = SignalSet::discover(&set.root, &set.rulebook)?;
        for policy in &set.policies {
            let required = policy
                .metadata
                .routing
                .iter()
                .flat_map(|r| &r.required_signals);
            if let Some(missing) = required.into_iter().find(|name| !signals.contains(name)) {
                return Err(Error::config(
                    &policy.path,
                    format!(
                        "requires signal `{missing}`, which is neither in rulebook.yml nor in {}",
                        set.root.join("signals").display()
                    ),
                ));
            }
        }
        let routes = RouteTable::build(&set.policies);
        let pool = if set.policies.is_empty() {
            None
        } else {
            Some(make_pool(&set)?)
        };
        Ok(Self {
            set,
            routes,
            signals,
            pool,
        })
    }

    /// Indices of the policies routed for `event`.
    pub fn routed(&self, event: &Event) -> Vec<usize> {
        self.routes.matching(
            &event.name,
            event.tool.as_deref(),
            event.action_key().as_deref(),
        )
    }

    /// Evaluates `event` (already preprocessed) for the `routed` policies: runs their signals,
    /// adds `signals` and `builtin_config` to the input, and returns the verdict buckets.
    pub fn evaluate(
        &self,
        body: &Map<String, Value>,
        routed: &[usize],
        instances: Instances,
    ) -> Result<Buckets> {
        let Some(pool) = &self.pool else {
            return Ok(Buckets::default());
        };
        if routed.is_empty() {
            return Ok(Buckets::default());
        }
        let wanted: BTreeSet<String> = routed
            .iter()
            .filter_map(|&index| self.set.policies.get(index))
            .filter_map(|policy| policy.metadata.routing.as_ref())
            .flat_map(|routing| routing.required_signals.iter().cloned())
            .collect();
        let builtins = &self.set.rulebook.builtins;
        // Copy the event only when there is something to add to it.
        let bytes = if wanted.is_empty() && builtins.is_empty() {
            serde_json::to_vec(body)
        } else {
            let mut input = body.clone();
            if !wanted.is_empty() {
                let stdin = serde_json::to_vec(body).map_err(Error::internal)?;
                let results = self.signals.run(&wanted, &stdin);
                input.insert("signals".into(), Value::Object(results));
            }
            if !builtins.is_empty() {
                let config: Map<String, Value> = builtins
                    .iter()
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect();
                input.insert("builtin_config".into(), Value::Object(config));
            }
            serde_json::to_vec(&input)
        }
        .map_err(Error::internal)?;
        let result = match instances {
            Instances::Pooled => pool.evaluate(&bytes)?,
            Instances::Fresh => pool.evaluate_fresh(&bytes)?,
        };
        let packages: BTreeSet<&str> = routed
            .iter()
            .filter_map(|&index| self.set.policies.get(index))
            .map(|policy| policy.package.as_str())
            .collect();
        Buckets::from_routed_result_set(&result, &packages)
    }
}
