//! `cupcake init`: creates `.cupcake/` with a working example policy and wires the hook into the
//! agent's settings, merging with what is there and never adding a hook twice.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use cupcake::Harness;
use serde_json::{json, Map, Value};

#[derive(clap::Args)]
pub(crate) struct InitArgs {
    /// The agent to wire: claude or cursor.
    #[arg(long, default_value = "claude")]
    harness: String,
    /// The project directory.
    #[arg(long, default_value = ".")]
    dir: PathBuf,
    /// The OPA to pin (default: the one cupcake finds now, on PATH or in its cache).
    #[arg(long)]
    opa_path: Option<PathBuf>,
}

const EXAMPLE_POLICY: &str = r#"# METADATA
# scope: package
# title: Block recursive force-deletes
# custom:
#   severity: HIGH
#   id: EXAMPLE-RM
#   routing:
#     required_events: ["PreToolUse"]
#     required_tools: ["Bash"]
package cupcake.policies.example

import rego.v1

deny contains decision if {
	input.hook_event_name == "PreToolUse"
	input.tool_name == "Bash"
	contains(input.tool_input.command, "rm -rf")
	decision := {
		"rule_id": "EXAMPLE-RM",
		"reason": "Recursive force-deletes are blocked by .cupcake/policies",
		"severity": "HIGH",
	}
}
"#;

const CURSOR_EXAMPLE_POLICY: &str = r#"# METADATA
# scope: package
# title: Block recursive force-deletes
# custom:
#   routing:
#     required_events: ["beforeShellExecution"]
package cupcake.policies.example

import rego.v1

deny contains decision if {
	input.hook_event_name == "beforeShellExecution"
	contains(input.command, "rm -rf")
	decision := {"rule_id": "EXAMPLE-RM", "reason": "Recursive force-deletes are blocked", "severity": "HIGH"}
}
"#;

const RULEBOOK: &str = "# Signals, builtin policies and settings for cupcake.\n# signals:\n#   git_branch:\n#     command: git rev-parse --abbrev-ref HEAD\n#     timeout_seconds: 5\n";

pub(crate) fn run(args: &InitArgs) -> Result<()> {
    let Some(harness) = Harness::parse(&args.harness) else {
        bail!("{}", Harness::unknown(&args.harness));
    };
    let root = args.dir.join(".cupcake");
    let policies = root.join("policies").join(harness.dir_name());
    std::fs::create_dir_all(&policies)
        .with_context(|| format!("creating {}", policies.display()))?;
    let example = policies.join("example.rego");
    let template = match harness {
        Harness::Claude => EXAMPLE_POLICY,
        Harness::Cursor => CURSOR_EXAMPLE_POLICY,
    };
    write_new(&example, template)?;
    write_new(&root.join("rulebook.yml"), RULEBOOK)?;
    pin_opa(&root.join("rulebook.yml"), args.opa_path.as_deref())?;
    let cupcake = std::env::current_exe()
        .and_then(std::fs::canonicalize)
        .context("finding the cupcake binary to pin in the hook command")?;
    let settings = match harness {
        Harness::Claude => wire_claude(&args.dir, &cupcake)?,
        Harness::Cursor => wire_cursor(&args.dir, &cupcake)?,
    };
    println!(
        "cupcake: policies in {}, hooks in {}",
        root.display(),
        settings.display()
    );
    Ok(())
}

/// Records the OPA found now (absolute path and SHA-256) in the rulebook, so a compile never
/// runs another binary (one dropped earlier on `PATH`, or written over this one). An existing
/// `opa:` entry is kept: the user chose it.
fn pin_opa(rulebook: &Path, opa_path: Option<&Path>) -> Result<()> {
    let text = std::fs::read_to_string(rulebook)
        .with_context(|| format!("reading {}", rulebook.display()))?;
    if text.lines().any(|line| line.starts_with("opa:")) {
        return Ok(());
    }
    let options = cupcake::EngineOptions {
        opa_path: opa_path.map(Path::to_path_buf),
        ..cupcake::EngineOptions::default()
    };
    let opa = match cupcake::ensure_opa(&options) {
        Ok(opa) => {
            std::fs::canonicalize(&opa).with_context(|| format!("resolving {}", opa.display()))?
        }
        Err(err) => {
            eprintln!(
                "cupcake: no OPA pinned ({err}); install OPA and run `cupcake init` again to pin it"
            );
            return Ok(());
        }
    };
    let sha256 = cupcake::opa_sha256(&opa)?;
    let path = serde_json::to_string(&opa.display().to_string())?;
    let pin = format!(
        "\n# Pinned by `cupcake init`: compiles use only this OPA, and only while its SHA-256 matches.\nopa:\n  path: {path}\n  sha256: {sha256}\n"
    );
    let mut updated = text;
    if !updated.ends_with('\n') && !updated.is_empty() {
        updated.push('\n');
    }
    updated.push_str(&pin);
    std::fs::write(rulebook, updated).with_context(|| format!("writing {}", rulebook.display()))
}

/// `binary` quoted for a POSIX shell command line.
fn shell_quoted(binary: &Path) -> String {
    let text = binary.display().to_string();
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

/// Writes `contents` unless the file exists: init never overwrites a user's work.
fn write_new(path: &Path, contents: &str) -> Result<()> {
    if !path.exists() {
        std::fs::write(path, contents).with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(())
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

/// Adds cupcake to each Claude hook event in `.claude/settings.json`.
fn wire_claude(dir: &Path, cupcake: &Path) -> Result<PathBuf> {
    let path = dir.join(".claude").join("settings.json");
    let mut settings = read_json(&path)?;
    let command = format!(
        "{} eval --harness claude --policy-dir \"$CLAUDE_PROJECT_DIR/.cupcake\"",
        shell_quoted(cupcake)
    );
    let command = command.as_str();
    let hooks = object_at(&mut settings, "hooks", &path)?;
    for event in [
        "PreToolUse",
        "PostToolUse",
        "PermissionRequest",
        "UserPromptSubmit",
        "SessionStart",
        "Stop",
        "SubagentStop",
    ] {
        let entries = array_at(hooks, event, &path)?;
        let mut present = false;
        for hook in entries
            .iter_mut()
            .filter_map(|entry| entry.get_mut("hooks").and_then(Value::as_array_mut))
            .flatten()
        {
            if hook["command"]
                .as_str()
                .is_some_and(|c| is_cupcake_hook(c, "claude"))
            {
                hook["command"] = json!(command);
                hook["onFailure"] = json!("block");
                present = true;
            }
        }
        if !present {
            // `onFailure: block`: a cupcake that cannot start, times out or prints nothing
            // valid blocks the action instead of letting it run (Claude's default).
            let mut entry =
                json!({"hooks": [{"type": "command", "command": command, "onFailure": "block"}]});
            if matches!(event, "PreToolUse" | "PostToolUse" | "PermissionRequest") {
                entry["matcher"] = json!("*");
            }
            entries.push(entry);
        }
    }
    write_json(&path, &settings)?;
    Ok(path)
}

/// Adds cupcake to each Cursor hook in `.cursor/hooks.json`.
fn wire_cursor(dir: &Path, cupcake: &Path) -> Result<PathBuf> {
    let path = dir.join(".cursor").join("hooks.json");
    let mut config = read_json(&path)?;
    config.entry("version").or_insert(json!(1));
    let command = format!(
        "{} eval --harness cursor --policy-dir .cupcake",
        shell_quoted(cupcake)
    );
    let command = command.as_str();
    let hooks = object_at(&mut config, "hooks", &path)?;
    for event in [
        "beforeShellExecution",
        "beforeMCPExecution",
        "beforeReadFile",
        "beforeSubmitPrompt",
        "stop",
    ] {
        let entries = array_at(hooks, event, &path)?;
        let mut present = false;
        for hook in entries.iter_mut() {
            if hook["command"]
                .as_str()
                .is_some_and(|c| is_cupcake_hook(c, "cursor"))
            {
                hook["command"] = json!(command);
                hook["failClosed"] = json!(true);
                present = true;
            }
        }
        if !present {
            // `failClosed`: a crash, timeout or invalid output blocks (Cursor fails open by
            // default).
            entries.push(json!({"command": command, "failClosed": true}));
        }
    }
    write_json(&path, &config)?;
    Ok(path)
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
