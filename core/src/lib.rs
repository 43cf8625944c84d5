//! Cupcake is a policy engine for AI coding agents' hooks. It compiles a project's Rego
//! policies to WebAssembly with OPA, evaluates each hook event against them in wasmtime,
//! merges the verdicts (Halt > Deny > Block > Ask > Modify > Allow) and answers in the agent's
//! own response format.
//!
//! [`Engine`] is the entry point: load once, evaluate many times. The `cupcake-ffi` crate
//! exposes the same engine to Python and Node through UniFFI.

mod aggregation;
mod builtins;
mod bundle;
mod cache;
mod children;
mod decision;
mod decision_log;
mod dirs;
mod engine;
mod error;
mod event;
mod guard;
mod harness;
mod library;
mod lint;
mod loader;
mod metadata;
mod observe;
mod opa;
mod options;
mod policy;
mod preprocess;
mod query;
mod redirect;
mod regular_file;
mod routing;
mod rulebook;
mod signals;
mod tier;
mod verdict;
mod wasm;

pub use builtins::BuiltinTable;
pub use children::kill_child_processes;
pub use decision::{Decision, DecisionKind};
pub use decision_log::LogConfig;
pub use dirs::global_config_dir;
pub use engine::{ensure_opa, Engine, Evaluation};
pub use error::{DownloadProblem, Error, Result};
pub use harness::{event_name, failure_response, is_repeated_stop, Action, ActionKind, Reply};
pub use lint::{lint, Finding, Severity};
/// Parses a Rego source's first METADATA block. Not part of the API: it exists for the fuzz
/// targets in `core/fuzz`, which reach the YAML parser without compiling anything.
#[doc(hidden)]
pub use metadata::parse as parse_policy_metadata;
pub use metadata::{PolicyMetadata, Routing};
pub use observe::{COMPILE_CACHE, DECISIONS, SIGNAL_RUNS};
pub use opa::pin::sha256_of as opa_sha256;
#[doc(hidden)]
pub use opa::OpaRelease;
pub use opa::{OPA_DOWNLOAD_VERSION, OPA_VERSION};
pub use options::{EngineOptions, Harness, Limits};
pub use policy::Policy;
#[doc(hidden)]
pub use preprocess::{lexed_shell_commands, normalize_shell_whitespace};
#[doc(hidden)]
pub use query::QueryModule;

/// The aggregation entrypoint cupcake generates for the project policies at `path`. Not part of
/// the API: the start-up benchmark gives `opa eval` exactly what cupcake compiles.
#[doc(hidden)]
pub fn generated_aggregation(path: &std::path::Path, harness: Harness) -> Result<String> {
    let set = policy::discover(path, harness, policy::Scope::Project)?;
    Ok(aggregation::for_set(&set))
}
