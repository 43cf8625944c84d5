//! One loaded policy tree — the global directory or the project — with its routes, signals and
//! compiled module. The engine evaluates the global tier first, then the project tier.

use std::collections::{BTreeSet, HashMap};
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
    /// A warm instance running the whole set's aggregation, its decisions filtered to the
    /// routed packages afterwards: the reference the per-package routes are tested against.
    WholeSet,
}

/// A policy tree ready to evaluate.
pub struct Tier {
    pub set: PolicySet,
    pub routes: RouteTable,
    pub signals: SignalSet,
    /// Absent when the tree has no policies: nothing is compiled and nothing fires.
    pub pool: Option<InstancePool>,
    /// `input.builtin_config`: each enabled builtin's options, translated once at load.
    builtin_config: Map<String, Value>,
    /// The route entrypoint for each routing outcome (sorted policy indices) the module has
    /// one for: it runs only those policies' packages.
    route_entrypoints: HashMap<Vec<usize>, i32>,
}

impl Tier {
    /// Discovers, checks and compiles the tree at `path`.
    pub fn load(path: &Path, scope: Scope, options: &EngineOptions) -> Result<Self> {
        let set = {
            let _span = tracing::info_span!("cupcake.load.discover").entered();
            policy::discover(path, options.harness, scope)?
        };
        Self::assemble(set, |set| {
            loader::load(&loader::Source::Policies(set), options)
        })
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
        let project = set
            .root
            .parent()
            .filter(|_| set.root.ends_with(".cupcake"))
            .unwrap_or(&set.root)
            .to_path_buf();
        let home = crate::dirs::home().ok();
        let builtin_config = set
            .rulebook
            .builtins
            .iter()
            .map(|(name, options)| {
                let config = crate::library::config(name, options, &project, home.as_deref());
                (name.clone(), config)
            })
            .collect();
        let pool = if set.policies.is_empty() {
            None
        } else {
            Some(make_pool(&set)?)
        };
        let route_entrypoints = pool
            .as_ref()
            .map(|pool| {
                routes
                    .reachable_sets()
                    .into_iter()
                    .filter_map(|indices| {
                        let packages = crate::aggregation::packages_of(&set, &indices);
                        let rule = crate::aggregation::route_rule(&packages);
                        let path = crate::aggregation::entrypoint_path(set.scope, &rule);
                        Some((indices, pool.entrypoint_id(&path)?))
                    })
                    .collect()
            })
            .unwrap_or_default();
        Ok(Self {
            set,
            routes,
            signals,
            pool,
            builtin_config,
            route_entrypoints,
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

    /// Evaluates the preprocessed event `body` for the `routed` policies: runs their signals,
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
        let routed_policies = || {
            routed
                .iter()
                .filter_map(|&index| self.set.policies.get(index))
        };
        let mut wanted: BTreeSet<String> = routed_policies()
            .filter_map(|policy| policy.metadata.routing.as_ref())
            .flat_map(|routing| routing.required_signals.iter().cloned())
            .collect();
        // A routed builtin runs the signals its options generated, when this event needs them.
        let builtin_prefix = format!("{}.builtins.", self.set.scope.policy_prefix());
        for policy in routed_policies() {
            let Some(name) = policy.package.strip_prefix(&builtin_prefix) else {
                continue;
            };
            if let Some(options) = self.set.rulebook.builtins.get(name) {
                wanted.extend(crate::library::wanted(name, options, body));
            }
        }
        let builtins = &self.builtin_config;
        // Copy the event only when there is something to add to it.
        let bytes = if wanted.is_empty() && builtins.is_empty() {
            serde_json::to_vec(body)
        } else {
            let mut input = body.clone();
            if !wanted.is_empty() {
                let stdin = serde_json::to_vec(body).map_err(Error::internal)?;
                let results = {
                    let _span =
                        tracing::info_span!("cupcake.signals", count = wanted.len()).entered();
                    self.signals.run(&wanted, &stdin)
                };
                input.insert("signals".into(), Value::Object(results));
            }
            if !builtins.is_empty() {
                input.insert("builtin_config".into(), Value::Object(builtins.clone()));
            }
            serde_json::to_vec(&input)
        }
        .map_err(Error::internal)?;
        let _span =
            tracing::info_span!("cupcake.wasm", scope = self.set.scope.entrypoint()).entered();
        let packages: BTreeSet<&str> = routed
            .iter()
            .filter_map(|&index| self.set.policies.get(index))
            .map(|policy| policy.package.as_str())
            .collect();
        // Only the routed packages run, through the route entrypoint made for exactly them.
        // Without one (a user-written aggregation, more routes than compiled) the whole set
        // runs and its decisions are filtered instead.
        let entrypoint = match instances {
            Instances::WholeSet => None,
            Instances::Pooled | Instances::Fresh => self.route_entrypoints.get(routed).copied(),
        };
        let result = match (instances, entrypoint) {
            (Instances::Fresh, Some(id)) => pool.evaluate_fresh_at(id, &bytes)?,
            (Instances::Fresh, None) => pool.evaluate_fresh(&bytes)?,
            (Instances::Pooled | Instances::WholeSet, Some(id)) => pool.evaluate_at(id, &bytes)?,
            (Instances::Pooled | Instances::WholeSet, None) => pool.evaluate(&bytes)?,
        };
        Buckets::from_routed_result_set(&result, &packages)
    }
}
