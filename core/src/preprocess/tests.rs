//! Whole-event tests: field placement per harness and tool, odd input, idempotence, and the
//! list of bypasses preprocessing closes.

use serde_json::{json, Map, Value};

use super::preprocess;
use crate::options::Harness;

fn object(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        other => unreachable!("test events are objects, got {other}"),
    }
}

fn run(value: Value, harness: Harness) -> Map<String, Value> {
    let mut event = object(value);
    preprocess(&mut event, harness);
    event
}

use super::sandbox::Sandbox;

impl Sandbox {
    fn claude(&self, tool: &str, input: Value) -> Map<String, Value> {
        let mut event = object(
            json!({"hook_event_name": "PreToolUse", "cwd": self.text("project"),
                                      "tool_name": tool}),
        );
        event.insert("tool_input".to_string(), input);
        preprocess(&mut event, Harness::Claude);
        event
    }

    fn bash(&self, command: &str) -> Map<String, Value> {
        self.claude("Bash", json!({"command": command}))
    }
}

#[test]
fn claude_bash_is_normalised_and_analysed() {
    let event = run(
        json!({"hook_event_name": "PreToolUse", "cwd": "/project", "tool_name": "Bash",
               "tool_input": {"command": "  rm \t -rf  'a  b'  ", "description": "x  y"}}),
        Harness::Claude,
    );
    assert_eq!(event["tool_input"]["command"], "rm -rf 'a  b'");
    assert_eq!(event["tool_input"]["description"], "x  y");
    assert_eq!(event["original_command"], "  rm \t -rf  'a  b'  ");
    assert_eq!(event["affected_parent_directories"], json!(["/project"]));
    assert!(event["tool_input"].get("original_command").is_none());
}

#[test]
fn cursor_shell_command_is_top_level() {
    let event = run(
        json!({"hook_event_name": "beforeShellExecution", "command": "rm\t\t-rf /tmp/x",
               "cwd": "/work"}),
        Harness::Cursor,
    );
    assert_eq!(event["command"], "rm -rf /tmp/x");
    assert_eq!(event["original_command"], "rm\t\t-rf /tmp/x");
    assert_eq!(event["affected_parent_directories"], json!(["/tmp"]));
}

#[test]
fn other_tools_keep_their_command_fields() {
    let event = run(
        json!({"hook_event_name": "PreToolUse", "tool_name": "mcp__x__run",
               "tool_input": {"command": "a   b"}}),
        Harness::Claude,
    );
    assert_eq!(event["tool_input"]["command"], "a   b");
    assert!(event.get("original_command").is_none());
    assert!(event.get("affected_parent_directories").is_none());
}

#[test]
fn non_destructive_commands_get_an_empty_list() {
    let event = run(
        json!({"hook_event_name": "PreToolUse", "tool_name": "Bash", "tool_input": {"command": "ls"}}),
        Harness::Claude,
    );
    assert_eq!(event["affected_parent_directories"], json!([]));
}

#[test]
fn file_tools_get_resolved_paths() {
    let sandbox = Sandbox::with_project();
    let secret = sandbox.text("protected/secret.txt");
    for (tool, field) in [
        ("Edit", "file_path"),
        ("Read", "file_path"),
        ("NotebookEdit", "notebook_path"),
        ("Grep", "path"),
    ] {
        let event = sandbox.claude(tool, json!({field: "../protected/secret.txt"}));
        assert_eq!(event["resolved_file_path"], secret.as_str(), "{tool}");
        assert_eq!(event["original_file_path"], "../protected/secret.txt");
        assert_eq!(event["is_symlink"], false);
    }
}

#[test]
fn cursor_read_file_uses_the_top_level_path() {
    let sandbox = Sandbox::with_project();
    let event = run(
        json!({"hook_event_name": "beforeReadFile", "file_path": sandbox.text("project/../protected/secret.txt"),
               "content": "s"}),
        Harness::Cursor,
    );
    assert_eq!(
        event["resolved_file_path"],
        sandbox.text("protected/secret.txt")
    );
    assert_eq!(event["content"], "s");
}

#[test]
fn multi_edit_edits_carry_the_fields() {
    let event = run(
        json!({"tool_name": "MultiEdit", "cwd": "/nonexistent-cupcake-root",
               "tool_input": {"file_path": "a/../b.txt",
                              "edits": [{"old_string": "x", "new_string": "y"}, "odd", {"old_string": "z"}]}}),
        Harness::Claude,
    );
    let edits = event["tool_input"]["edits"]
        .as_array()
        .expect("edits stay an array");
    assert_eq!(
        edits[0]["resolved_file_path"],
        "/nonexistent-cupcake-root/b.txt"
    );
    assert_eq!(edits[0]["original_file_path"], "a/../b.txt");
    assert_eq!(edits[0]["is_symlink"], false);
    assert_eq!(edits[0]["new_string"], "y");
    assert_eq!(edits[1], "odd");
    assert_eq!(
        edits[2]["resolved_file_path"],
        "/nonexistent-cupcake-root/b.txt"
    );
    assert_eq!(
        event["resolved_file_path"],
        "/nonexistent-cupcake-root/b.txt"
    );
}

#[test]
fn write_content_becomes_new_string() {
    let event = run(
        json!({"tool_name": "Write", "tool_input": {"file_path": "/a", "content": "body"}}),
        Harness::Claude,
    );
    assert_eq!(event["tool_input"]["new_string"], "body");
    let kept = run(
        json!({"tool_name": "Write", "tool_input": {"content": "body", "new_string": "mine"}}),
        Harness::Claude,
    );
    assert_eq!(kept["tool_input"]["new_string"], "mine");
    let cursor = run(
        json!({"tool_name": "Write", "tool_input": {"content": "body"}}),
        Harness::Cursor,
    );
    assert!(cursor["tool_input"].get("new_string").is_none());
}

#[test]
fn odd_input_is_left_alone() {
    let cases = [
        json!({}),
        json!({"tool_name": "Bash", "tool_input": "rm -rf /"}),
        json!({"tool_name": "Bash", "tool_input": {"command": 42}}),
        json!({"tool_name": 7, "tool_input": {"file_path": ["x"]}}),
        json!({"tool_name": "Edit", "cwd": 3, "tool_input": {"file_path": ""}}),
        json!({"tool_name": "MultiEdit", "tool_input": {"file_path": "/x", "edits": {"a": 1}}}),
        json!({"tool_name": "Write", "tool_input": {"content": null}}),
    ];
    for case in cases {
        let event = run(case.clone(), Harness::Claude);
        let mut expected = object(case);
        if expected.get("tool_name") == Some(&json!("MultiEdit")) {
            expected.insert("resolved_file_path".into(), json!("/x"));
            expected.insert("original_file_path".into(), json!("/x"));
            expected.insert("is_symlink".into(), json!(false));
        }
        assert_eq!(event, expected);
    }
}

#[test]
fn relative_path_without_cwd_is_only_normalised() {
    let event = run(
        json!({"tool_name": "Edit", "tool_input": {"file_path": "./src/../lib.rs"}}),
        Harness::Claude,
    );
    assert_eq!(event["resolved_file_path"], "lib.rs");
    assert_eq!(event["is_symlink"], false);
}

#[test]
fn unknown_fields_pass_through() {
    let event = run(
        json!({"hook_event_name": "SomethingNew", "permission_mode": "weird", "nested": {"a": [1, {"b": null}]},
               "tool_input": {"file_path": "/x", "extra": true}}),
        Harness::Claude,
    );
    assert_eq!(event["hook_event_name"], "SomethingNew");
    assert_eq!(event["permission_mode"], "weird");
    assert_eq!(event["nested"], json!({"a": [1, {"b": null}]}));
    assert_eq!(
        event["tool_input"],
        json!({"file_path": "/x", "extra": true})
    );
}

#[test]
fn preprocessing_twice_changes_nothing() {
    let sandbox = Sandbox::with_project();
    let cwd = sandbox.text("project");
    let events = [
        (
            json!({"tool_name": "Bash", "cwd": cwd, "tool_input": {"command": " rm  -rf\t../protected/* \\\n x\n\n cat <<E\n a  b\nE"}}),
            Harness::Claude,
        ),
        (
            json!({"command": "chmod\t777  ../protected/secret.txt", "cwd": cwd}),
            Harness::Cursor,
        ),
        (
            json!({"tool_name": "MultiEdit", "cwd": cwd, "tool_input": {"file_path": "../protected/secret.txt", "edits": [{"old_string": "a"}]}}),
            Harness::Claude,
        ),
        (
            json!({"tool_name": "Write", "cwd": cwd, "tool_input": {"file_path": "new/file.txt", "content": "c"}}),
            Harness::Claude,
        ),
        (
            json!({"hook_event_name": "beforeReadFile", "file_path": "x"}),
            Harness::Cursor,
        ),
    ];
    for (event, harness) in events {
        let once = run(event, harness);
        let mut twice = once.clone();
        preprocess(&mut twice, harness);
        assert_eq!(twice, once);
    }
}

#[test]
fn generated_commands_never_panic_and_are_stable() {
    for command in super::shell::tests::generated_inputs() {
        let event = json!({"tool_name": "Bash", "cwd": "/", "tool_input": {"command": command}});
        let once = run(event, Harness::Claude);
        let mut twice = once.clone();
        preprocess(&mut twice, Harness::Claude);
        assert_eq!(twice, once, "{command:?}");
    }
}

mod adversarial;
