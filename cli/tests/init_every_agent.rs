//! `cupcake init --harness all` in a project that uses every agent: each agent's hook
//! configuration is written once (twice running init changes nothing), keeps what was there,
//! and the hook command each agent would run, run here the way that agent runs it, refuses a
//! recursive force-delete with the example policy.
#![expect(clippy::panic, reason = "a test fails by panicking")]

use std::path::Path;
use std::process::{Command, Output, Stdio};

use serde_json::Value;

fn cupcake(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cupcake"))
        .args(args)
        .arg("--dir")
        .arg(dir)
        .output()
        .expect("cupcake runs")
}

fn json(path: &Path) -> Value {
    let text =
        std::fs::read_to_string(path).unwrap_or_else(|err| panic!("{}: {err}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|err| panic!("{}: {err}", path.display()))
}

/// Init pins the absolute path of the cupcake binary that ran it.
fn assert_pinned(command: &str, binary: &str) {
    assert!(
        command.starts_with(binary),
        "not pinned to {binary}: {command}"
    );
}

/// Runs `command` as the agent does (`sh -c` in the project, with `env`), `event` on stdin.
fn run_hook(command: &str, project: &Path, env: &[(&str, &Path)], event: &str) -> Output {
    use std::io::Write as _;
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(command)
        .current_dir(project)
        .envs(env.iter().map(|(key, value)| (*key, *value)))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("sh runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(event.as_bytes())
        .expect("write event");
    child.wait_with_output().expect("hook finishes")
}

fn stdout(output: &Output) -> Value {
    serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|err| panic!("{err}: {}", String::from_utf8_lossy(&output.stdout)))
}

/// The commands of `event` in a Claude-style nested list, or a flat one (`key`).
fn commands(hooks: &Value, event: &str, key: &str) -> Vec<String> {
    let entries = hooks[event].as_array().cloned().unwrap_or_default();
    entries
        .iter()
        .flat_map(|entry| match entry["hooks"].as_array() {
            Some(inner) => inner.clone(),
            None => vec![entry.clone()],
        })
        .filter_map(|hook| hook[key].as_str().map(str::to_string))
        .filter(|command| command.contains("cupcake"))
        .collect()
}

fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path();
    for marker in [
        ".claude",
        ".cursor",
        ".gemini",
        ".github/hooks",
        ".windsurf",
        ".factory",
        ".opencode",
        ".clinerules",
        ".devin",
    ] {
        std::fs::create_dir_all(root.join(marker)).expect("mkdir");
    }
    // A hook of the user's own, which init must keep.
    std::fs::write(
        root.join(".gemini/settings.json"),
        r#"{"ui": {"theme": "dark"}, "hooks": {"BeforeTool": [{"matcher": "write_file", "hooks": [{"type": "command", "command": "./lint.sh"}]}]}}"#,
    )
    .expect("write settings");
    std::fs::write(root.join(".devin/hooks.json"), r#"{"hooks": {}}"#).expect("write devin");
    dir
}

#[test]
fn init_all_wires_every_agent_once_and_each_hook_refuses() {
    let dir = project();
    let root = std::fs::canonicalize(dir.path()).expect("canonical");
    for _ in 0..2 {
        let output = cupcake(&["init", "--harness", "all"], &root);
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let binary = std::fs::canonicalize(env!("CARGO_BIN_EXE_cupcake")).expect("binary");
    let binary = binary.display().to_string();
    claude(&root, &binary);
    cursor(&root, &binary);
    gemini(&root, &binary);
    copilot(&root, &binary);
    windsurf(&root, &binary);
    factory(&root, &binary);
    opencode(&root, &binary);
    cline(&root, &binary);
}

/// Claude Code: every hook blocks when cupcake cannot answer.
fn claude(root: &Path, binary: &str) {
    let claude = json(&root.join(".claude/settings.json"));
    let pre = commands(&claude["hooks"], "PreToolUse", "command");
    assert_eq!(pre.len(), 1, "{claude}");
    assert_pinned(&pre[0], binary);
    assert_eq!(
        claude["hooks"]["PreToolUse"][0]["hooks"][0]["onFailure"],
        "block"
    );
    let rm = r#"{"hook_event_name":"PreToolUse","tool_name":"Bash","tool_input":{"command":"rm -rf build"}}"#;
    let answer = stdout(&run_hook(
        &pre[0],
        root,
        &[("CLAUDE_PROJECT_DIR", root)],
        rm,
    ));
    assert_eq!(
        answer["hookSpecificOutput"]["permissionDecision"], "deny",
        "{answer}"
    );
}

/// Cursor: failClosed on each hook; commands run in the project.
fn cursor(root: &Path, binary: &str) {
    let cursor = json(&root.join(".cursor/hooks.json"));
    assert_eq!(cursor["version"], 1);
    let shell = commands(&cursor["hooks"], "beforeShellExecution", "command");
    assert_eq!(shell.len(), 1);
    assert_pinned(&shell[0], binary);
    assert_eq!(
        cursor["hooks"]["beforeShellExecution"][0]["failClosed"],
        true
    );
    let event = r#"{"hook_event_name":"beforeShellExecution","command":"rm -rf build"}"#;
    assert_eq!(
        stdout(&run_hook(&shell[0], root, &[], event))["permission"],
        "deny"
    );
}

/// Gemini CLI: the user's own hook and settings stay; cupcake is added beside them.
fn gemini(root: &Path, binary: &str) {
    let gemini = json(&root.join(".gemini/settings.json"));
    assert_eq!(gemini["ui"]["theme"], "dark");
    assert_eq!(
        gemini["hooks"]["BeforeTool"].as_array().map(Vec::len),
        Some(2),
        "{gemini}"
    );
    let tool = commands(&gemini["hooks"], "BeforeTool", "command");
    assert_eq!(tool.len(), 1);
    assert_pinned(&tool[0], binary);
    let event = r#"{"hook_event_name":"BeforeTool","tool_name":"run_shell_command","tool_input":{"command":"rm -rf build"}}"#;
    let answer = stdout(&run_hook(
        &tool[0],
        root,
        &[("GEMINI_PROJECT_DIR", root)],
        event,
    ));
    assert_eq!(answer["decision"], "deny", "{answer}");
}

/// GitHub Copilot: one file of its own; each command names its event.
fn copilot(root: &Path, binary: &str) {
    let copilot = json(&root.join(".github/hooks/cupcake.json"));
    assert_eq!(copilot["version"], 1);
    let pre = commands(&copilot["hooks"], "preToolUse", "bash");
    assert_eq!(pre.len(), 1);
    assert_pinned(&pre[0], binary);
    assert!(pre[0].ends_with("--event preToolUse"), "{}", pre[0]);
    let event = r#"{"toolName":"bash","toolArgs":{"command":"rm -rf build"},"cwd":"."}"#;
    let answer = stdout(&run_hook(
        &pre[0],
        root,
        &[("COPILOT_PROJECT_DIR", root)],
        event,
    ));
    assert_eq!(answer["permissionDecision"], "deny", "{answer}");
}

/// Windsurf (and Devin Desktop's file, which shadows it when present): exit 2 refuses.
fn windsurf(root: &Path, binary: &str) {
    for file in [".windsurf/hooks.json", ".devin/hooks.json"] {
        let windsurf = json(&root.join(file));
        let run = commands(&windsurf["hooks"], "pre_run_command", "command");
        assert_eq!(run.len(), 1, "{file}: {windsurf}");
        assert_pinned(&run[0], binary);
        let event = r#"{"agent_action_name":"pre_run_command","tool_info":{"command_line":"rm -rf build","cwd":"."}}"#;
        let output = run_hook(&run[0], root, &[], event);
        assert_eq!(output.status.code(), Some(2), "{file}");
        assert!(String::from_utf8_lossy(&output.stderr).contains("Recursive force-deletes"));
    }
}

/// Factory Droid: events at the top level of .factory/hooks.json.
fn factory(root: &Path, binary: &str) {
    let factory = json(&root.join(".factory/hooks.json"));
    let pre = commands(&factory, "PreToolUse", "command");
    assert_eq!(pre.len(), 1, "{factory}");
    assert_pinned(&pre[0], binary);
    let event = r#"{"hook_event_name":"PreToolUse","tool_name":"Execute","tool_input":{"command":"rm -rf build"}}"#;
    let answer = stdout(&run_hook(
        &pre[0],
        root,
        &[("FACTORY_PROJECT_DIR", root)],
        event,
    ));
    assert_eq!(
        answer["hookSpecificOutput"]["permissionDecision"], "deny",
        "{answer}"
    );
}

/// OpenCode: the plugin with both paths pinned (it runs them with execFile, no shell).
fn opencode(root: &Path, binary: &str) {
    let plugin =
        std::fs::read_to_string(root.join(".opencode/plugins/cupcake.ts")).expect("plugin");
    assert!(
        !plugin.contains("__CUPCAKE_"),
        "placeholders left in the plugin"
    );
    assert!(plugin.contains(&format!(
        "const CUPCAKE = {};",
        serde_json::to_string(&binary).expect("json")
    )));
    let policy_dir = root.join(".cupcake").display().to_string();
    assert!(plugin.contains(&format!(
        "const POLICY_DIR = {};",
        serde_json::to_string(&policy_dir).expect("json")
    )));
    let plugin_command = format!("'{binary}' eval --harness opencode --policy-dir '{policy_dir}'");
    let event = r#"{"hook_event_name":"tool.execute.before","tool_name":"bash","tool_input":{"command":"rm -rf build"}}"#;
    assert_eq!(
        stdout(&run_hook(&plugin_command, root, &[], event))["decision"],
        "deny"
    );
}

/// Cline: executable scripts named after the events.
fn cline(root: &Path, binary: &str) {
    let script = root.join(".clinerules/hooks/PreToolUse");
    let text = std::fs::read_to_string(&script).expect("script");
    assert!(
        text.contains(&format!("exec {binary} eval --harness cline")),
        "{text}"
    );
    let event = r#"{"hookName":"tool_call","workspaceRoots":["."],"tool_call":{"id":"1","name":"run_commands","input":{"commands":["rm -rf build"]}}}"#;
    let answer = stdout(&run_hook(&script.display().to_string(), root, &[], event));
    assert_eq!(answer["cancel"], true, "{answer}");
}

#[test]
fn init_never_overwrites_a_file_it_did_not_write() {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path();
    std::fs::create_dir_all(root.join(".opencode/plugins")).expect("mkdir");
    std::fs::write(
        root.join(".opencode/plugins/cupcake.ts"),
        "export const Mine = async () => ({});\n",
    )
    .expect("write");
    let output = cupcake(&["init", "--harness", "opencode"], root);
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("was not written by cupcake"));
    std::fs::create_dir_all(root.join(".clinerules/hooks")).expect("mkdir");
    std::fs::write(
        root.join(".clinerules/hooks/PreToolUse"),
        "#!/bin/sh\necho '{}'\n",
    )
    .expect("write");
    let output = cupcake(&["init", "--harness", "cline"], root);
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("was not written by cupcake"));
}

#[test]
fn init_all_without_any_agent_says_what_it_looked_for() {
    let dir = tempfile::tempdir().expect("temp dir");
    let output = cupcake(&["init", "--harness", "all"], dir.path());
    assert!(!output.status.success());
    let message = String::from_utf8_lossy(&output.stderr);
    assert!(
        message.contains("no agent configuration found"),
        "{message}"
    );
    assert!(
        message.contains(".gemini") && message.contains(".clinerules"),
        "{message}"
    );
}
