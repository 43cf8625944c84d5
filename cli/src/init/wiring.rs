//! Where each agent keeps its hook configuration and how a cupcake hook entry looks there.
//! Each agent is one [`Wiring`] row; `wire` merges the entries into the file idempotently:
//! an entry an earlier `init` wrote (pinned or not) is updated in place, never duplicated,
//! and everything else in the file is kept.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use cupcake::Harness;
use serde_json::{json, Map, Value};

/// How the agent nests hook entries under `hooks.<event>`.
#[derive(Clone, Copy)]
enum Shape {
    /// `[{"matcher"?: "*", "hooks": [{"type": "command", "command": …, …}]}]`
    Nested,
    /// `[{"command": …, …}]`
    Flat,
}

/// One agent's hook configuration.
struct Wiring {
    /// The configuration file, relative to the project.
    file: &'static str,
    /// The events cupcake is wired to.
    events: &'static [&'static str],
    /// Events whose entries take a tool matcher (`"*"`: every tool).
    matched: &'static [&'static str],
    shape: Shape,
    /// The entry field holding the command line.
    command_key: &'static str,
    /// Whether the command names its event (`--event`): the agent's input does not.
    names_event: bool,
    /// Fields added to each hook entry (failure settings, timeouts).
    fields: fn() -> Value,
    /// Fields added at the top of the file, when absent.
    top: fn() -> Value,
    /// How the hook names the policy directory, given the absolute `.cupcake` path.
    policy_dir: fn(&Path) -> String,
    /// The key the events sit under; `None` when they are the file's top level.
    hooks_key: Option<&'static str>,
}

fn none() -> Value {
    json!({})
}

fn pinned(policy_dir: &Path) -> String {
    shell_quoted(policy_dir)
}

/// Paths whose presence says the project uses `harness` (for `--harness all`).
fn markers_of(harness: Harness) -> &'static [&'static str] {
    match harness {
        Harness::Claude => &[".claude", "CLAUDE.md"],
        Harness::Cursor => &[".cursor", ".cursorrules"],
        Harness::Gemini => &[".gemini", "GEMINI.md"],
        Harness::Windsurf => &[".windsurf", ".windsurfrules", ".devin"],
        Harness::Copilot => &[
            ".github/hooks",
            ".github/copilot-instructions.md",
            ".github/copilot",
        ],
        Harness::OpenCode => &[".opencode", "opencode.json", "opencode.jsonc"],
        Harness::Factory => &[".factory", ".droid"],
        Harness::Cline => &[".clinerules", ".cline"],
    }
}

/// The JSON hook configuration of `harness`; `None` for agents wired another way.
fn wiring(harness: Harness) -> Option<Wiring> {
    Some(match harness {
        Harness::Claude => claude(),
        Harness::Cursor => cursor(),
        Harness::Gemini => gemini(),
        Harness::Windsurf => windsurf(),
        Harness::Copilot => copilot(),
        Harness::Factory => factory(),
        Harness::OpenCode | Harness::Cline => return None,
    })
}

fn claude() -> Wiring {
    Wiring {
        file: ".claude/settings.json",
        events: &[
            "PreToolUse",
            "PostToolUse",
            "PermissionRequest",
            "UserPromptSubmit",
            "SessionStart",
            "Stop",
            "SubagentStop",
            "PreCompact",
        ],
        matched: &["PreToolUse", "PostToolUse", "PermissionRequest"],
        shape: Shape::Nested,
        command_key: "command",
        names_event: false,
        // A cupcake that cannot start, times out or prints nothing valid blocks the action
        // instead of letting it run (Claude's default).
        fields: || json!({"onFailure": "block"}),
        top: none,
        policy_dir: |_| "\"$CLAUDE_PROJECT_DIR/.cupcake\"".into(),
        hooks_key: Some("hooks"),
    }
}

fn cursor() -> Wiring {
    Wiring {
        file: ".cursor/hooks.json",
        events: &[
            "beforeShellExecution",
            "beforeMCPExecution",
            "beforeReadFile",
            "preToolUse",
            "beforeSubmitPrompt",
            "stop",
        ],
        matched: &[],
        shape: Shape::Flat,
        command_key: "command",
        names_event: false,
        // A crash, timeout or invalid output blocks (Cursor fails open by default).
        fields: || json!({"failClosed": true}),
        top: || json!({"version": 1}),
        policy_dir: |_| ".cupcake".into(),
        hooks_key: Some("hooks"),
    }
}

fn gemini() -> Wiring {
    Wiring {
        file: ".gemini/settings.json",
        events: &[
            "SessionStart",
            "BeforeAgent",
            "AfterAgent",
            "BeforeTool",
            "AfterTool",
        ],
        matched: &["BeforeTool", "AfterTool"],
        shape: Shape::Nested,
        command_key: "command",
        names_event: false,
        // Gemini has no fail-closed setting; cupcake's own deadline (5 s) answers long
        // before this timeout, after which Gemini would let the action run.
        fields: || json!({"name": "cupcake", "timeout": 30000}),
        top: none,
        // Gemini substitutes `$GEMINI_PROJECT_DIR` itself, shell-escaped.
        policy_dir: |_| "\"$GEMINI_PROJECT_DIR/.cupcake\"".into(),
        hooks_key: Some("hooks"),
    }
}

fn windsurf() -> Wiring {
    Wiring {
        file: ".windsurf/hooks.json",
        events: &[
            "pre_user_prompt",
            "pre_read_code",
            "pre_write_code",
            "pre_run_command",
            "pre_mcp_tool_use",
            "post_read_code",
            "post_write_code",
            "post_run_command",
            "post_mcp_tool_use",
            "post_cascade_response",
        ],
        matched: &[],
        shape: Shape::Flat,
        command_key: "command",
        names_event: false,
        // Shows the block reason to the user as well as to the agent.
        fields: || json!({"show_output": true}),
        top: none,
        // Cascade runs hooks in the workspace or repository root; pin the directory.
        policy_dir: pinned,
        hooks_key: Some("hooks"),
    }
}

fn copilot() -> Wiring {
    Wiring {
        file: ".github/hooks/cupcake.json",
        events: &[
            "sessionStart",
            "userPromptSubmitted",
            "preToolUse",
            "permissionRequest",
            "postToolUse",
            "postToolUseFailure",
            "agentStop",
            "subagentStop",
        ],
        matched: &[],
        shape: Shape::Flat,
        // The cloud agent runs only `bash` (or `command`) entries.
        command_key: "bash",
        names_event: true,
        // Copilot lets the tool run when a hook times out (default 30 s); cupcake answers
        // within its own 5 s deadline.
        fields: || json!({"type": "command", "timeoutSec": 30}),
        top: || json!({"version": 1}),
        // Copilot sets COPILOT_PROJECT_DIR for every hook.
        policy_dir: |_| "\"$COPILOT_PROJECT_DIR/.cupcake\"".into(),
        hooks_key: Some("hooks"),
    }
}

fn factory() -> Wiring {
    Wiring {
        // A `hooks.json` overrides the `hooks` of `settings.json` event by event, so cupcake
        // goes into `hooks.json`, where the events are the top level.
        file: ".factory/hooks.json",
        events: &[
            "PreToolUse",
            "PostToolUse",
            "UserPromptSubmit",
            "Stop",
            "SessionStart",
            "PreCompact",
        ],
        matched: &["PreToolUse", "PostToolUse"],
        shape: Shape::Nested,
        command_key: "command",
        names_event: false,
        // Droid has no fail-closed setting and lets the tool run on a timeout (default 60 s);
        // cupcake answers within its own 5 s deadline. One invalid entry disables the whole
        // file, so only documented fields are written.
        fields: || json!({"type": "command", "timeout": 30}),
        top: none,
        policy_dir: |_| "\"$FACTORY_PROJECT_DIR/.cupcake\"".into(),
        hooks_key: None,
    }
}

/// The harnesses whose configuration is found in `project`.
pub(super) fn found_in(project: &Path) -> Vec<Harness> {
    Harness::ALL
        .into_iter()
        .filter(|harness| {
            markers_of(*harness)
                .iter()
                .any(|marker| project.join(marker).exists())
        })
        .collect()
}

/// Every marker path, for the message when none is found.
pub(super) fn markers() -> String {
    Harness::ALL
        .iter()
        .flat_map(|harness| markers_of(*harness).iter().copied())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Wires cupcake into `harness`'s configuration in `project`; returns the files written.
pub(super) fn wire(harness: Harness, project: &Path, cupcake: &Path) -> Result<Vec<PathBuf>> {
    let Some(wiring) = wiring(harness) else {
        return match harness {
            Harness::Cline => super::scripts::write_cline_hooks(project, cupcake),
            _ => Ok(vec![super::opencode::write_plugin(project, cupcake)?]),
        };
    };
    let mut written = vec![merge(&wiring, harness, project, cupcake, wiring.file)?];
    // Devin Desktop reads `.devin/hooks.json` instead of `.windsurf/hooks.json` when it
    // defines hooks, so a project with `.devin/` gets cupcake there too.
    if harness == Harness::Windsurf && project.join(".devin").is_dir() {
        written.push(merge(
            &wiring,
            harness,
            project,
            cupcake,
            ".devin/hooks.json",
        )?);
    }
    Ok(written)
}

fn merge(
    wiring: &Wiring,
    harness: Harness,
    project: &Path,
    cupcake: &Path,
    file: &str,
) -> Result<PathBuf> {
    let path = project.join(file);
    let mut config = read_json(&path)?;
    if let Value::Object(top) = (wiring.top)() {
        for (key, value) in top {
            config.entry(key).or_insert(value);
        }
    }
    let name = harness.dir_name();
    let base = format!(
        "{} eval --harness {name} --policy-dir {}",
        shell_quoted(cupcake),
        (wiring.policy_dir)(&project.join(".cupcake"))
    );
    let key = wiring.command_key;
    let hooks = match wiring.hooks_key {
        Some(key) => object_at(&mut config, key, &path)?,
        None => &mut config,
    };
    for event in wiring.events {
        let command = if wiring.names_event {
            format!("{base} --event {event}")
        } else {
            base.clone()
        };
        let mut hook = json!({key: command});
        if let (Value::Object(hook), Value::Object(fields)) = (&mut hook, (wiring.fields)()) {
            hook.extend(fields);
        }
        let entries = array_at(hooks, event, &path)?;
        let ours = |entry: &Value| {
            entry[key]
                .as_str()
                .is_some_and(|command| is_cupcake_hook(command, name))
        };
        let mut present = false;
        let existing: Vec<&mut Value> = match wiring.shape {
            Shape::Flat => entries.iter_mut().collect(),
            Shape::Nested => entries
                .iter_mut()
                .filter_map(|entry| entry.get_mut("hooks").and_then(Value::as_array_mut))
                .flatten()
                .collect(),
        };
        for entry in existing.into_iter().filter(|entry| ours(entry)) {
            if let (Value::Object(entry), Value::Object(fresh)) = (entry, &hook) {
                entry.extend(fresh.clone());
            }
            present = true;
        }
        if present {
            continue;
        }
        let entry = match wiring.shape {
            Shape::Flat => hook.clone(),
            Shape::Nested => {
                let mut inner = json!({"type": "command"});
                // The hook's own fields win over the default type.
                if let (Value::Object(inner), Value::Object(fresh)) = (&mut inner, &hook) {
                    inner.extend(fresh.clone());
                }
                let mut entry = json!({"hooks": [inner]});
                if wiring.matched.contains(event) {
                    entry["matcher"] = json!("*");
                }
                entry
            }
        };
        entries.push(entry);
    }
    write_json(&path, &config)?;
    Ok(path)
}

/// `path` quoted for a POSIX shell command line.
pub(super) fn shell_quoted(path: &Path) -> String {
    let text = path.display().to_string();
    if text
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "/._-+".contains(c))
    {
        text
    } else {
        format!("'{}'", text.replace('\'', "'\\''"))
    }
}

/// Whether `command` is a cupcake hook for `harness` written by an earlier `init` (pinned or
/// not), which this one replaces instead of adding a second hook.
fn is_cupcake_hook(command: &str, harness: &str) -> bool {
    command.contains("cupcake") && command.contains(&format!(" eval --harness {harness}"))
}

fn read_json(path: &Path) -> Result<Map<String, Value>> {
    if !path.exists() {
        return Ok(Map::new());
    }
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    match serde_json::from_str(&text)
        .with_context(|| format!("{} is not valid JSON", path.display()))?
    {
        Value::Object(map) => Ok(map),
        _ => bail!("{} must hold a JSON object", path.display()),
    }
}

fn write_json(path: &Path, value: &Map<String, Value>) -> Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let text = serde_json::to_string_pretty(value)?;
    std::fs::write(path, text + "\n").with_context(|| format!("writing {}", path.display()))
}

fn object_at<'a>(
    map: &'a mut Map<String, Value>,
    key: &str,
    file: &Path,
) -> Result<&'a mut Map<String, Value>> {
    match map.entry(key).or_insert_with(|| json!({})) {
        Value::Object(inner) => Ok(inner),
        _ => bail!("`{key}` in {} must be an object", file.display()),
    }
}

fn array_at<'a>(
    map: &'a mut Map<String, Value>,
    key: &str,
    file: &Path,
) -> Result<&'a mut Vec<Value>> {
    match map.entry(key).or_insert_with(|| json!([])) {
        Value::Array(inner) => Ok(inner),
        _ => bail!("`{key}` in {} must be an array", file.display()),
    }
}
