//! Self-protection: cupcake's own configuration is out of the agent's reach by default. One
//! write to `.cupcake/system/evaluate.rego` would otherwise switch every policy off, and one
//! edit of `.claude/settings.json` would unhook cupcake altogether.
//!
//! The guard runs inside every evaluation, before and beside the policies, and denies an
//! agent's file writes, edits, shell commands and MCP calls that would change: the project's
//! `.cupcake/`, the global policy directory, cupcake's cache directory, the agents' hook
//! configuration files (`.claude/settings*.json`, `.cursor/hooks.json`, in the project, in the
//! home directory, and wherever else such a file sits), the pinned OPA and the cupcake binary
//! in use, and any `self_protection.extra_paths` the project adds. It is native code rather
//! than a Rego policy, so neither a custom `system/evaluate.rego` nor a compile problem can
//! drop it. Only `self_protection: {enabled: false}` in the project's `rulebook.yml` turns it
//! off, and `cupcake inspect` and `validate` say so.

mod protected;
mod shell;

use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use crate::harness::{Action, ActionKind};
use crate::options::EngineOptions;
use crate::policy::PolicySet;
use crate::verdict::Verdict;
pub use protected::Mode;
use protected::Protected;

/// The rule id of the guard's denials.
pub const RULE_ID: &str = "CUPCAKE-SELF-PROTECTION";

/// What one evaluation's analysis needs.
pub(crate) struct Context<'a> {
    protected: &'a Protected,
    /// The event's working directory (the project directory when the event has none).
    cwd: &'a Path,
    home: Option<&'a Path>,
}

/// The protected paths of one engine.
#[derive(Debug, Clone)]
pub struct Guard {
    protected: Protected,
    project_dir: PathBuf,
    home: Option<PathBuf>,
}

impl Guard {
    /// The guard for a project's policy set, or `None` when its rulebook turned
    /// self-protection off. For a set read from a bundle, `root` is the bundle file.
    pub fn new(
        project: &PolicySet,
        root: &Path,
        global_dir: Option<&Path>,
        options: &EngineOptions,
    ) -> Option<Self> {
        let rulebook = &project.rulebook;
        if !rulebook.self_protection.enabled {
            tracing::warn!(rulebook = %project.root.join("rulebook.yml").display(), "self-protection is off");
            return None;
        }
        // The policy root is the `.cupcake` directory (whatever its name) or a bundle file;
        // either way the project is the directory holding it.
        let project_dir = root.parent().unwrap_or(root).to_path_buf();
        let home = crate::dirs::home().ok();
        let mut protected = Protected::default();
        protected.add(root, "the project's cupcake policies (.cupcake)");
        protected.add(
            &project_dir.join(".cupcake"),
            "the project's cupcake policies (.cupcake)",
        );
        // The audit record, wherever the rulebook put it, and the files it rotates into.
        if let Some(log) = options
            .decision_log
            .as_ref()
            .or(rulebook.decision_log.as_ref())
        {
            protected.add(&log.path, "cupcake's decision log");
            for n in 1..=log.keep.min(16) {
                let mut rotated = log.path.clone().into_os_string();
                rotated.push(format!(".{n}"));
                protected.add(Path::new(&rotated), "cupcake's decision log");
            }
        }
        let global = global_dir
            .map(Path::to_path_buf)
            .or_else(|| crate::dirs::global_config_dir().ok());
        if let Some(global) = global {
            protected.add(
                &absolute(&project_dir, &global),
                "cupcake's global policy directory",
            );
        }
        let cache = options
            .cache_dir
            .clone()
            .or_else(|| crate::dirs::cache_dir().ok());
        if let Some(cache) = cache {
            protected.add(&absolute(&project_dir, &cache), "cupcake's cache directory");
        }
        for base in std::iter::once(project_dir.as_path()).chain(home.as_deref()) {
            for file in [
                ".claude/settings.json",
                ".claude/settings.local.json",
                ".cursor/hooks.json",
            ] {
                protected.add(&base.join(file), "an agent's hook configuration");
            }
        }
        let pinned = rulebook.opa.as_ref().and_then(|pin| pin.path.as_ref());
        for opa in pinned.into_iter().chain(options.opa_path.as_ref()) {
            protected.add(
                &absolute(&project_dir, opa),
                "the OPA binary cupcake compiles with",
            );
        }
        for path in &options.protected_paths {
            protected.add(&absolute(&project_dir, path), "the cupcake binary");
        }
        for extra in &rulebook.self_protection.extra_paths {
            protected.add(
                &absolute(&project_dir, Path::new(extra)),
                &format!("a path rulebook.yml protects ({extra})"),
            );
        }
        Some(Self {
            protected,
            project_dir,
            home,
        })
    }

    /// The denial for an event that would change a protected path, if it would. `action` is
    /// what the harness's protocol says the event is about to do; actions already done, reads
    /// and other tools are not checked.
    pub fn check(&self, action: Option<&Action>, event: &Map<String, Value>) -> Option<Verdict> {
        let action = action.filter(|action| action.before)?;
        let cwd = event
            .get("cwd")
            .and_then(Value::as_str)
            .map(PathBuf::from)
            .filter(|cwd| cwd.is_absolute())
            .unwrap_or_else(|| self.project_dir.clone());
        let context = Context {
            protected: &self.protected,
            cwd: &cwd,
            home: self.home.as_deref(),
        };
        let reached = match action.kind {
            ActionKind::Shell => Action::text(event, action.command)
                .and_then(|command| shell::reached(command, &context)),
            ActionKind::Write | ActionKind::Edit => action
                .all_paths(event)
                .into_iter()
                .find_map(|path| file_path(&context, path, Mode::Write)),
            ActionKind::Mcp => action
                .arguments_in(event)
                .and_then(|arguments| mcp_arguments(&context, &arguments)),
            _ => None,
        }?;
        Some(Verdict {
            rule_id: RULE_ID.to_string(),
            reason: format!(
                "cupcake protects its own configuration: this would change {reached}; make such changes yourself, outside the agent"
            ),
            severity: "CRITICAL".to_string(),
            agent_context: None,
        })
    }
}

/// A file path as an agent's file tool takes it (`paths::as_agent_resolves`), and also
/// exactly as written, in case a tool takes it literally.
fn file_path(context: &Context<'_>, given: &str, mode: Mode) -> Option<String> {
    let literal = context.cwd.join(given);
    let agent = crate::preprocess::paths::as_agent_resolves(given, Some(context.cwd), context.home);
    [agent, literal].iter().find_map(|path| {
        if let Some(entry) = context.protected.reached(path, mode) {
            return Some(format!("{} ({})", entry.what, path.display()));
        }
        Protected::is_hook_config(path)
            .then(|| format!("an agent's hook configuration ({})", path.display()))
    })
}

/// An MCP call's path-like arguments (top level, and string lists).
fn mcp_arguments(context: &Context<'_>, arguments: &Map<String, Value>) -> Option<String> {
    arguments
        .iter()
        .filter(|(key, _)| {
            crate::preprocess::MCP_PATH_FIELDS.contains(&key.to_ascii_lowercase().as_str())
        })
        .flat_map(|(_, value)| match value {
            Value::String(path) => vec![path.as_str()],
            Value::Array(items) => items.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        })
        .find_map(|path| file_path(context, path, Mode::Write))
}

fn absolute(base: &Path, path: &Path) -> PathBuf {
    if path.is_absolute() {
        path.to_path_buf()
    } else {
        base.join(path)
    }
}

#[cfg(all(test, unix))]
mod tests;
