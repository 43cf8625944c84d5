//! Preprocessing: what the engine does to every event before policies see it, so that one
//! rule catches every spelling of the same action. Shell commands get their whitespace
//! normalised and the directories they change listed; file paths get a canonical form with
//! symlinks followed; a Claude `Write`'s content is also offered as `new_string`, so one rule
//! can inspect what `Edit` and `Write` put into a file.
//!
//! Fields added (everything else passes through untouched):
//! - `original_command` (top level): the shell command as the harness sent it, before
//!   normalisation. It sits at the top level, not in `tool_input`, because policies hand
//!   `tool_input` back as `updated_input` and the tool must not receive a field it does not
//!   know. It is never overwritten, so a second pass keeps the true original.
//! - `affected_parent_directories` (top level): see the `destructive` module; an empty list
//!   for a shell command that changes nothing. `affected_directories_unknown` (top level) is
//!   true when the command may change something that list cannot name (a `cd` to an unknown
//!   place, `$VAR` operands, interpreters, programs computed at run time): deny on it to
//!   refuse what cannot be checked. Claude's `Bash` carries the command in
//!   `tool_input.command`; for Cursor any event's top-level string `command` counts.
//! - `resolved_file_path`, `original_file_path`, `is_symlink` (top level, and in each
//!   `MultiEdit` edit): the file the agent's tool will actually touch, resolved as the agent
//!   resolves it (whitespace trimmed, `~/` expanded, `..` lexically, then symlinks); see
//!   `paths::as_agent_resolves`.
//! - `resolved_tool_paths` (top level, MCP calls): each path-carrying argument, resolved alike.
//! - `tool_input.new_string` for a Claude `Write` that has none.
//!
//! Running it twice gives the same event: the normalised command is a fixed point, the
//! derived fields are recomputed from fields preprocessing does not change, and the two
//! copies (`original_command`, `new_string`) are never overwritten.

pub(crate) mod braces;
pub(crate) mod destructive;
pub(crate) mod lexer;
pub(crate) mod paths;
#[cfg(all(test, unix))]
mod sandbox;
mod shell;

use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use crate::harness::Action;
use crate::options::Harness;

/// The whitespace normaliser, for the `shell` fuzz target in `core/fuzz`. Not part of the API.
#[doc(hidden)]
pub fn normalize_shell_whitespace(command: &str) -> String {
    shell::normalize_whitespace(command)
}

/// Each simple command the lexer reads in `script` (its words, then its write targets, with
/// where each word's expansion starts), for the `shell` fuzz target. Not part of the API.
#[doc(hidden)]
pub fn lexed_shell_commands(script: &str) -> Vec<String> {
    lexer::simple_commands(script)
        .into_iter()
        .map(|simple| format!("{:?} > {:?}", simple.words, simple.writes))
        .collect()
}

/// Fields read by preprocessing, in priority order, for the file a tool acts on.
const PATH_FIELDS: [&str; 3] = ["file_path", "path", "notebook_path"];

/// Enriches the canonical `event` in place, as described in the module documentation. The
/// harness's protocol says where the event keeps its shell command and file path. Never
/// fails: a field of an unexpected type is left alone and nothing is derived from it.
pub fn preprocess(event: &mut Map<String, Value>, harness: Harness) {
    let action = crate::harness::event_name(event)
        .and_then(|name| crate::harness::protocol(harness).action(name, event));
    let action = action.as_ref();
    let cwd = event
        .get("cwd")
        .and_then(Value::as_str)
        .filter(|cwd| !cwd.is_empty())
        .map(PathBuf::from);
    shell_command(event, action, cwd.as_deref());
    file_paths(event, action, cwd.as_deref());
    if harness == Harness::Claude && tool_name(event) == Some("Write") {
        expose_write_content(event);
    }
}

fn tool_name(event: &Map<String, Value>) -> Option<&str> {
    event.get("tool_name").and_then(Value::as_str)
}

fn shell_command(event: &mut Map<String, Value>, action: Option<&Action>, cwd: Option<&Path>) {
    let Some(command) = Action::text_mut(event, action.and_then(|action| action.command)) else {
        return;
    };
    let normalized = shell::normalize_whitespace(command);
    let original = std::mem::replace(command, normalized.clone());
    let analysis = destructive::analyse(&normalized, cwd);
    event
        .entry("original_command")
        .or_insert(Value::String(original));
    event.insert(
        "affected_parent_directories".to_string(),
        Value::Array(
            analysis
                .directories
                .into_iter()
                .map(Value::String)
                .collect(),
        ),
    );
    event.insert(
        "affected_directories_unknown".to_string(),
        Value::Bool(analysis.unknown),
    );
}

/// The path a tool acts on: where the harness's action keeps it, else the first of
/// [`PATH_FIELDS`] in `tool_input` that is a non-empty string.
fn given_path(event: &Map<String, Value>, action: Option<&Action>) -> Option<String> {
    if let Some(path) = Action::text(event, action.and_then(|action| action.path)) {
        return Some(path.to_string());
    }
    let input = event.get("tool_input").and_then(Value::as_object)?;
    PATH_FIELDS.iter().find_map(|field| {
        input
            .get(*field)
            .and_then(Value::as_str)
            .filter(|path| !path.is_empty())
            .map(str::to_string)
    })
}

/// The user's home directory, for a leading `~/` in a file path; looked up once.
pub(crate) fn home() -> Option<&'static Path> {
    static HOME: std::sync::OnceLock<Option<PathBuf>> = std::sync::OnceLock::new();
    HOME.get_or_init(|| crate::dirs::home().ok()).as_deref()
}

fn file_paths(event: &mut Map<String, Value>, action: Option<&Action>, cwd: Option<&Path>) {
    mcp_paths(event, action, cwd);
    let Some(given) = given_path(event, action) else {
        return;
    };
    let resolved = paths::as_agent_resolves(&given, cwd, home());
    // Whether the name the agent wrote (before symlinks are followed) is itself a link.
    let trimmed = given.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
    let written = paths::lexical(&paths::join(cwd, Path::new(trimmed)));
    let fields = [
        (
            "resolved_file_path",
            Value::String(resolved.to_string_lossy().into_owned()),
        ),
        ("original_file_path", Value::String(given)),
        ("is_symlink", Value::Bool(paths::is_symlink(&written))),
    ];
    let multi_edit = tool_name(event) == Some("MultiEdit");
    for (key, value) in &fields {
        event.insert((*key).to_string(), value.clone());
    }
    if !multi_edit {
        return;
    }
    let edits = event
        .get_mut("tool_input")
        .and_then(Value::as_object_mut)
        .and_then(|input| input.get_mut("edits"))
        .and_then(Value::as_array_mut);
    // Each edit applies to the tool's one file, so each carries the same answer.
    for edit in edits.into_iter().flatten().filter_map(Value::as_object_mut) {
        for (key, value) in &fields {
            edit.insert((*key).to_string(), value.clone());
        }
    }
}

/// Fields of an MCP tool's input that carry paths (`read_file {path}`, `move_file {source,
/// destination}`, …).
pub(crate) const MCP_PATH_FIELDS: [&str; 14] = [
    "path",
    "file_path",
    "filepath",
    "file",
    "filename",
    "source",
    "destination",
    "dest",
    "target",
    "from",
    "to",
    "directory",
    "dir",
    "paths",
];

/// For an MCP call (a Claude `mcp__…` tool, or a Cursor `beforeMCPExecution` whose input is an
/// object), `resolved_tool_paths` maps each path-carrying field to the path resolved the way
/// [`paths::as_agent_resolves`] does (a list field to a list).
fn mcp_paths(event: &mut Map<String, Value>, action: Option<&Action>, cwd: Option<&Path>) {
    let Some(input) = action.and_then(|action| action.arguments_in(event)) else {
        return;
    };
    let resolve = |path: &str| {
        Value::String(
            paths::as_agent_resolves(path, cwd, home())
                .to_string_lossy()
                .into_owned(),
        )
    };
    let resolved: Map<String, Value> = input
        .iter()
        .filter(|(key, _)| MCP_PATH_FIELDS.contains(&key.as_str()))
        .filter_map(|(key, value)| match value {
            Value::String(path) if !path.is_empty() => Some((key.clone(), resolve(path))),
            Value::Array(items) => Some((
                key.clone(),
                Value::Array(
                    items
                        .iter()
                        .filter_map(Value::as_str)
                        .map(resolve)
                        .collect(),
                ),
            )),
            _ => None,
        })
        .collect();
    if !resolved.is_empty() {
        event.insert("resolved_tool_paths".to_string(), Value::Object(resolved));
    }
}

fn expose_write_content(event: &mut Map<String, Value>) {
    let Some(input) = event.get_mut("tool_input").and_then(Value::as_object_mut) else {
        return;
    };
    if input.contains_key("new_string") {
        return;
    }
    if let Some(content @ Value::String(_)) = input.get("content") {
        let content = content.clone();
        input.insert("new_string".to_string(), content);
    }
}

// The cases build symlinks and compare Unix paths.
#[cfg(all(test, unix))]
mod tests;

// Generated events; the paths they use are Unix paths.
#[cfg(all(test, unix))]
mod properties;
