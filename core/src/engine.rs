//! The engine: load and compile a project's policies once, then evaluate any number of events,
//! from any number of threads.

use std::path::Path;
use std::time::Instant;

use crate::decision::{self, Decision};
use crate::decision_log::{DecisionLog, Entry};
use crate::error::Result;
use crate::event::Event;
use crate::guard::Guard;
use crate::harness::{self, Reply};
use crate::observe::DECISIONS;
use crate::options::{EngineOptions, Harness, Limits};
use crate::policy::{Policy, Scope};
use crate::tier::{Instances, Tier};
use crate::verdict::Buckets;

/// One evaluation's result: the merged decision and the harness's reply carrying it.
#[derive(Debug, Clone, PartialEq)]
pub struct Evaluation {
    /// What the policies decided.
    pub decision: Decision,
    /// The decision in the harness's words: stdout JSON, stderr text and exit code.
    pub reply: Reply,
}

/// A loaded policy set, ready to evaluate events. `Engine` is `Send + Sync`.
///
/// ```no_run
/// use cupcake::{Engine, EngineOptions};
///
/// let engine = Engine::new(".cupcake", EngineOptions::default())?;
/// let evaluation = engine.evaluate(r#"{"hook_event_name":"PreToolUse","tool_name":"Bash","tool_input":{"command":"ls"}}"#)?;
/// println!("{}", evaluation.reply.response);
/// # Ok::<(), cupcake::Error>(())
/// ```
pub struct Engine {
    harness: Harness,
    limits: Limits,
    /// Evaluated first; its Halt, Deny and Block are final.
    global: Option<Tier>,
    project: Tier,
    /// Self-protection; `None` only when the project's rulebook turned it off.
    guard: Option<Guard>,
    /// SHA-256 of the policy files (or the bundle's modules): which set decided.
    policy_set: String,
    /// Where each decision is recorded, when a rulebook asks for it.
    log: Option<DecisionLog>,
}

/// The default global tier, `~/.config/cupcake`: absent means none, a directory is loaded,
/// and anything else there is an error rather than a silently skipped global tier.
fn default_global(options: &EngineOptions) -> Result<Option<Tier>> {
    let dir = crate::dirs::global_config_dir()?;
    let kind = crate::regular_file::kind_at(&dir).map_err(|err| {
        crate::Error::config(
            &dir,
            format!("cannot check the global policy directory: {err}"),
        )
    })?;
    match kind {
        Some("directory") => Ok(Some(Tier::load(&dir, Scope::Global, options)?)),
        None if fs_err::symlink_metadata(&dir).is_err() => Ok(None),
        other => Err(crate::Error::config(
            &dir,
            format!(
                "the global policy directory is {}; make it a directory or remove it",
                other.map_or_else(
                    || "a symlink to nothing".to_string(),
                    |kind| format!("a {kind}")
                )
            ),
        )),
    }
}

impl Engine {
    /// Discovers, compiles (with OPA, or from the compile cache) and loads the global and
    /// project policies.
    #[expect(
        clippy::needless_pass_by_value,
        reason = "callers build options inline and move them in"
    )]
    pub fn new(path: impl AsRef<Path>, options: EngineOptions) -> Result<Self> {
        let _span =
            tracing::info_span!("cupcake.load", harness = options.harness.dir_name()).entered();
        // A directory the caller named must exist: a typo must not drop global policies.
        let global = if let Some(dir) = &options.global_dir {
            Some(Tier::load(dir, Scope::Global, &options)?)
        } else {
            default_global(&options)?
        };
        let project = Tier::load(path.as_ref(), Scope::Project, &options)?;
        let guard = Guard::new(
            &project.set,
            &project.set.root,
            global.as_ref().map(|g| g.set.root.as_path()),
            &options,
        );
        tracing::debug!(
            policies = project.set.policies.len(),
            global = global.as_ref().map_or(0, |g| g.set.policies.len()),
            "engine loaded"
        );
        let mut digest = PolicySetDigest::default();
        for tier in global.iter().chain(std::iter::once(&project)) {
            digest.sources(&tier.set);
        }
        Ok(Self::assemble(
            &options,
            global,
            project,
            guard,
            digest.finish(),
        ))
    }

    /// Loads a bundle written by [`Engine::export_bundle`]: no OPA needed.
    #[expect(clippy::needless_pass_by_value, reason = "mirrors Engine::new")]
    pub fn from_bundle(bundle: impl AsRef<Path>, options: EngineOptions) -> Result<Self> {
        let tiers = crate::bundle::read(bundle.as_ref())?;
        Self::from_bundled(bundle.as_ref(), tiers, &options)
    }

    /// Loads a bundle from its bytes, for a caller that checked them (a signature) and must
    /// not read them again from a file that could have changed since. `origin` is where the
    /// bundle came from, for messages and self-protection.
    #[expect(clippy::needless_pass_by_value, reason = "mirrors Engine::new")]
    pub fn from_bundle_bytes(
        bytes: &[u8],
        origin: impl AsRef<Path>,
        options: EngineOptions,
    ) -> Result<Self> {
        let tiers = crate::bundle::read_from(bytes, origin.as_ref())?;
        Self::from_bundled(origin.as_ref(), tiers, &options)
    }

    fn from_bundled(
        bundle: &Path,
        tiers: Vec<crate::bundle::BundledTier>,
        options: &EngineOptions,
    ) -> Result<Self> {
        let _span = tracing::info_span!(
            "cupcake.load",
            harness = options.harness.dir_name(),
            bundle = true
        )
        .entered();
        let mut global = None;
        let mut project = None;
        let mut digest = PolicySetDigest::default();
        for tier in tiers {
            let scope = tier.set.scope;
            let wasm = tier.wasm;
            digest.module(scope, &wasm);
            let loaded = Tier::assemble(tier.set, |set| {
                let source = crate::loader::Source::Compiled {
                    wasm: &wasm,
                    scope: set.scope,
                };
                crate::loader::load(&source, options).map_err(|err| damaged_module(err, bundle))
            })?;
            match scope {
                Scope::Global => global = Some(loaded),
                Scope::Project => project = Some(loaded),
            }
        }
        let project = project.ok_or_else(|| {
            crate::Error::config(
                bundle,
                "bundle has no project policies; re-create it with `cupcake compile`",
            )
        })?;
        let guard = Guard::new(
            &project.set,
            &crate::preprocess::paths::resolve(
                &std::path::absolute(bundle).map_err(crate::Error::internal)?,
            ),
            options.global_dir.as_deref(),
            options,
        );
        Ok(Self::assemble(
            options,
            global,
            project,
            guard,
            digest.finish(),
        ))
    }

    fn assemble(
        options: &EngineOptions,
        global: Option<Tier>,
        project: Tier,
        guard: Option<Guard>,
        policy_set: String,
    ) -> Self {
        // The caller's log first (an operator's flag), then the global rulebook's (the machine
        // owner's), then the project's: a project cannot replace either.
        let log = options
            .decision_log
            .clone()
            .or_else(|| {
                global
                    .iter()
                    .chain(std::iter::once(&project))
                    .find_map(|tier| tier.set.rulebook.decision_log.clone())
            })
            .map(DecisionLog::new);
        Self {
            harness: options.harness,
            limits: options.limits,
            global,
            project,
            guard,
            policy_set,
            log,
        }
    }

    /// Compiles the policies found from `path` (and `options.global_dir`) into a bundle file
    /// that [`Engine::from_bundle`] loads without OPA.
    pub fn export_bundle(
        path: impl AsRef<Path>,
        options: &EngineOptions,
        output: impl AsRef<Path>,
    ) -> Result<()> {
        crate::bundle::export(path.as_ref(), options, output.as_ref())
    }

    /// Evaluates one hook event given as JSON text.
    pub fn evaluate(&self, event_json: &str) -> Result<Evaluation> {
        let started = Instant::now();
        let event = Event::parse(event_json, &self.limits, self.harness);
        self.decide_logged(started, event, Instances::Pooled)
    }

    /// Evaluates like [`Engine::evaluate`] but on a brand-new WebAssembly instance that is
    /// dropped afterwards. Slow; it exists so tests can check that the pooled instances used by
    /// `evaluate` give exactly the same decisions (no evaluation sees another's memory).
    #[doc(hidden)]
    pub fn evaluate_on_fresh_instance(&self, event_json: &str) -> Result<Evaluation> {
        let started = Instant::now();
        let event = Event::parse(event_json, &self.limits, self.harness);
        self.decide_logged(started, event, Instances::Fresh)
    }

    /// Evaluates like [`Engine::evaluate`] but runs each policy set's whole aggregation and
    /// filters its decisions to the routed packages, instead of running only the routed
    /// packages. Tests check that the two always decide alike.
    #[doc(hidden)]
    pub fn evaluate_whole_set(&self, event_json: &str) -> Result<Evaluation> {
        let started = Instant::now();
        let event = Event::parse(event_json, &self.limits, self.harness);
        self.decide_logged(started, event, Instances::WholeSet)
    }

    /// The SHA-256 naming the loaded policy set: of the policy files and rulebooks as read,
    /// or of a bundle's modules. Decision log lines carry it.
    pub fn policy_set(&self) -> &str {
        &self.policy_set
    }

    /// Decides, and records the outcome (decision or error) when the rulebook keeps a log.
    /// A line that cannot be written turns the outcome into an error.
    fn decide_logged(
        &self,
        started: Instant,
        event: Result<Event>,
        instances: Instances,
    ) -> Result<Evaluation> {
        let span = tracing::info_span!(
            "cupcake.evaluate",
            harness = self.harness.dir_name(),
            event = tracing::field::Empty,
            decision = tracing::field::Empty,
        );
        let _entered = span.enter();
        let traced = tracing::enabled!(target: DECISIONS, tracing::Level::INFO);
        if self.log.is_none() && !traced {
            return self.decide(event?, instances);
        }
        let summary = event
            .as_ref()
            .ok()
            .map(|event| crate::decision_log::Summary::of(event, self.log.as_ref()));
        let outcome = event.and_then(|event| self.decide(event, instances));
        let took = started.elapsed();
        if traced {
            trace_decision(
                self.harness,
                summary.as_ref(),
                &self.policy_set,
                took,
                outcome.as_ref().map(|evaluation| &evaluation.decision),
                &span,
            );
        }
        let Some(log) = &self.log else {
            return outcome;
        };
        log.record(&Entry {
            harness: self.harness,
            event: summary.as_ref(),
            policy_set: &self.policy_set,
            took,
            outcome: outcome.as_ref().map(|evaluation| &evaluation.decision),
        })?;
        outcome
    }

    /// Runs the project's policy module alone on `input_json` — no preprocessing, routing or
    /// synthesis — and returns its result-set JSON text. It exists to benchmark the raw wasm
    /// call against the full pipeline.
    #[doc(hidden)]
    pub fn evaluate_raw(&self, input_json: &str) -> Result<String> {
        match &self.project.pool {
            Some(pool) => pool.evaluate(input_json.as_bytes()),
            None => Ok("[]".to_string()),
        }
    }

    fn decide(&self, mut event: Event, instances: Instances) -> Result<Evaluation> {
        let decision = self.synthesize(&mut event, instances)?;
        let reply = harness::reply(self.harness, &event.name, &decision);
        Ok(Evaluation { decision, reply })
    }

    /// Global tier first: its blocking verdicts are final. Otherwise its asks, modifications
    /// and context join the project's verdicts, and the usual priority order decides.
    fn synthesize(&self, event: &mut Event, instances: Instances) -> Result<Decision> {
        let routing = tracing::info_span!("cupcake.route").entered();
        let guarded = self
            .guard
            .as_ref()
            .and_then(|guard| guard.check(event.action.as_ref(), &event.body));
        let global_routed = self
            .global
            .as_ref()
            .map(|g| g.routed(event))
            .unwrap_or_default();
        let project_routed = self.project.routed(event);
        drop(routing);
        if global_routed.is_empty() && project_routed.is_empty() {
            return Ok(match guarded {
                Some(denial) => decision::synthesize(Buckets {
                    denials: vec![denial],
                    ..Buckets::default()
                }),
                None => Decision::allow(Vec::new()),
            });
        }
        // Preprocessing runs inside every evaluation, so no caller can skip it.
        crate::preprocess::preprocess(&mut event.body, self.harness);
        event.describe(self.harness);
        let body = &event.body;
        let mut buckets = match &self.global {
            Some(global) if !global_routed.is_empty() => {
                global.evaluate(body, &global_routed, instances)?
            }
            _ => Buckets::default(),
        };
        buckets.denials.extend(guarded);
        if buckets.has_blocking() {
            return Ok(decision::synthesize(buckets));
        }
        buckets.extend(self.project.evaluate(body, &project_routed, instances)?);
        let _span = tracing::info_span!("cupcake.synthesis").entered();
        Ok(decision::synthesize(buckets))
    }

    /// The loaded policy trees, global first.
    pub(crate) fn policy_sets(&self) -> impl Iterator<Item = &crate::policy::PolicySet> {
        self.global
            .iter()
            .chain(std::iter::once(&self.project))
            .map(|tier| &tier.set)
    }

    /// Whether self-protection is on (it is unless the project's rulebook turned it off).
    pub fn self_protection(&self) -> bool {
        self.guard.is_some()
    }

    /// The harness this engine answers for.
    pub fn harness(&self) -> Harness {
        self.harness
    }

    /// The loaded project policies, sorted by path.
    pub fn policies(&self) -> &[Policy] {
        &self.project.set.policies
    }

    /// The loaded global policies, sorted by path.
    pub fn global_policies(&self) -> &[Policy] {
        self.global.as_ref().map_or(&[], |g| &g.set.policies)
    }

    /// Every project routing key (`Event` or `Event:Tool`).
    pub fn route_keys(&self) -> Vec<&str> {
        self.project.routes.keys()
    }

    /// Every signal the project defines.
    pub fn signal_names(&self) -> Vec<&str> {
        self.project.signals.names().collect()
    }

    /// Host builtins the project module calls.
    pub fn host_builtins(&self) -> Vec<String> {
        self.project
            .pool
            .as_ref()
            .map(crate::wasm::InstancePool::builtin_names)
            .unwrap_or_default()
    }
}

/// Emits the decision event and fills in the evaluation span's fields.
fn trace_decision(
    harness: Harness,
    summary: Option<&crate::decision_log::Summary>,
    policy_set: &str,
    took: std::time::Duration,
    outcome: std::result::Result<&Decision, &crate::Error>,
    span: &tracing::Span,
) {
    let (kind, rule_ids, reason) = match outcome {
        Ok(decision) => (
            decision.kind.as_str(),
            decision.rule_ids.join(","),
            decision.reason.clone(),
        ),
        Err(err) => ("Error", String::new(), err.to_string()),
    };
    let event_name = summary.map(crate::decision_log::Summary::name);
    span.record("event", event_name.unwrap_or_default());
    span.record("decision", kind);
    tracing::info!(
        target: DECISIONS,
        harness = harness.dir_name(),
        event_name,
        tool = summary.and_then(crate::decision_log::Summary::tool),
        session_id = summary.and_then(crate::decision_log::Summary::session),
        decision = kind,
        rule_ids,
        reason,
        policy_set,
        duration_us = u64::try_from(took.as_micros()).unwrap_or(u64::MAX),
        "decision"
    );
}

/// Accumulates [`Engine::policy_set`]: each tier's scope, then its files by relative path (or,
/// from a bundle, its module), with lengths so no two sets hash the same bytes.
#[derive(Default)]
struct PolicySetDigest(sha2::Sha256);

impl PolicySetDigest {
    fn add(&mut self, bytes: &[u8]) {
        use sha2::Digest as _;
        self.0.update((bytes.len() as u64).to_le_bytes());
        self.0.update(bytes);
    }

    fn sources(&mut self, set: &crate::policy::PolicySet) {
        self.add(set.scope.entrypoint().as_bytes());
        for (path, text) in &set.sources {
            let name = path.strip_prefix(&set.root).unwrap_or(path);
            self.add(name.to_string_lossy().as_bytes());
            self.add(text.as_bytes());
        }
    }

    fn module(&mut self, scope: Scope, wasm: &[u8]) {
        self.add(scope.entrypoint().as_bytes());
        self.add(wasm);
    }

    fn finish(self) -> String {
        use sha2::Digest as _;
        self.0
            .finalize()
            .iter()
            .fold(String::new(), |mut text, byte| {
                use std::fmt::Write as _;
                let _ = write!(text, "{byte:02x}");
                text
            })
    }
}

/// Finds OPA the way [`Engine::new`] does when it has to compile, downloading it if
/// `options.download_opa` allows, and returns the path of the binary that would compile.
///
/// ```no_run
/// let options = cupcake::EngineOptions {
///     download_opa: true,
///     ..cupcake::EngineOptions::default()
/// };
/// let opa = cupcake::ensure_opa(&options)?;
/// println!("compiling with {}", opa.display());
/// # Ok::<(), cupcake::Error>(())
/// ```
pub fn ensure_opa(options: &EngineOptions) -> Result<std::path::PathBuf> {
    crate::opa::locate(&options.opa_search(), None).map(|opa| opa.origin)
}

/// A bundle whose module wasmtime cannot compile or instantiate is a damaged file to replace,
/// not a policy that failed: the module is what `cupcake compile` wrote.
fn damaged_module(err: crate::Error, bundle: &Path) -> crate::Error {
    match err {
        crate::Error::Evaluation { reason } => crate::Error::config(
            bundle,
            format!(
                "the bundle's module is damaged ({reason}); re-create it with `cupcake compile`"
            ),
        ),
        other => other,
    }
}
