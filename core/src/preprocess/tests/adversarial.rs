//! Each bypass an agent could try against a policy protecting `protected/secret.txt` (by
//! path) or `protected/` (by directory), and the field that now catches it.

use serde_json::{json, Value};

use super::Sandbox;

fn symlink(sandbox: &Sandbox, target: &str, link: &str) {
    fs_err::os::unix::fs::symlink(sandbox.text(target), sandbox.text(link)).expect("symlink");
}

fn command(event: &serde_json::Map<String, Value>) -> &str {
    event["tool_input"]["command"]
        .as_str()
        .expect("the command stays a string")
}

fn affected(event: &serde_json::Map<String, Value>) -> Vec<String> {
    event["affected_parent_directories"]
        .as_array()
        .expect("shell events carry the list")
        .iter()
        .filter_map(|dir| dir.as_str().map(str::to_string))
        .collect()
}

#[test]
fn spaced_tabbed_and_continued_commands_match_a_plain_pattern() {
    let sandbox = Sandbox::with_project();
    for spelling in [
        "rm   -rf /tmp/x",
        "rm\t-rf /tmp/x",
        "  rm \t  -rf\t/tmp/x  ",
        "rm \\\n  -rf /tmp/x",
        "echo \"$(rm    -rf /tmp/x)\"",
        "ls # don't look\nrm  -rf /tmp/x",
        "cat <<'E'\nit's\nE\nrm  -rf /tmp/x",
    ] {
        let event = sandbox.bash(spelling);
        assert!(command(&event).contains("rm -rf /tmp/x"), "{spelling:?}");
    }
}

#[test]
fn symlinks_to_a_protected_file_resolve_to_it() {
    let sandbox = Sandbox::with_project();
    let secret = sandbox.text("protected/secret.txt");
    symlink(&sandbox, "protected/secret.txt", "project/one");
    symlink(&sandbox, "project/one", "project/two");
    symlink(&sandbox, "protected", "project/door");
    for (given, is_link) in [("one", true), ("two", true), ("door/secret.txt", false)] {
        for tool in ["Edit", "Write", "Read"] {
            let event = sandbox.claude(tool, json!({"file_path": given}));
            assert_eq!(
                event["resolved_file_path"],
                secret.as_str(),
                "{tool} {given}"
            );
            assert_eq!(event["is_symlink"], is_link, "{tool} {given}");
        }
    }
}

#[test]
fn dangling_symlink_and_new_file_under_a_linked_directory() {
    let sandbox = Sandbox::with_project();
    symlink(&sandbox, "protected/planted.txt", "project/dangling");
    symlink(&sandbox, "protected", "project/door");
    let event = sandbox.claude("Write", json!({"file_path": "dangling", "content": "x"}));
    assert_eq!(
        event["resolved_file_path"],
        sandbox.text("protected/planted.txt")
    );
    let event = sandbox.claude(
        "Write",
        json!({"file_path": "door/sub/new.txt", "content": "x"}),
    );
    assert_eq!(
        event["resolved_file_path"],
        sandbox.text("protected/sub/new.txt")
    );
}

#[test]
fn traversal_out_of_the_project_is_resolved() {
    let sandbox = Sandbox::with_project();
    let secret = sandbox.text("protected/secret.txt");
    for given in [
        "../protected/secret.txt",
        "./../protected/./secret.txt",
        "ghost/../../protected/secret.txt",
        secret.as_str(),
    ] {
        let event = sandbox.claude("Edit", json!({"file_path": given}));
        assert_eq!(event["resolved_file_path"], secret.as_str(), "{given}");
        assert_eq!(event["original_file_path"], given);
    }
}

#[test]
fn every_tool_names_the_same_file_the_same_way() {
    let sandbox = Sandbox::with_project();
    symlink(&sandbox, "protected/secret.txt", "project/alias");
    let secret = sandbox.text("protected/secret.txt");
    let protected = sandbox.text("protected");
    for given in ["../protected/secret.txt", "alias", secret.as_str()] {
        for (tool, input) in [
            (
                "Edit",
                json!({"file_path": given, "old_string": "s", "new_string": "t"}),
            ),
            ("Write", json!({"file_path": given, "content": "t"})),
            (
                "MultiEdit",
                json!({"file_path": given, "edits": [{"old_string": "s", "new_string": "t"}]}),
            ),
        ] {
            let event = sandbox.claude(tool, input);
            assert_eq!(
                event["resolved_file_path"],
                secret.as_str(),
                "{tool} {given}"
            );
            if tool == "MultiEdit" {
                let edit = &event["tool_input"]["edits"][0];
                assert_eq!(edit["resolved_file_path"], secret.as_str());
            }
        }
        for shell in [
            format!("rm -f {given}"),
            format!("echo t > {given}"),
            format!("chmod 000 {given}"),
            format!("truncate -s0 {given}"),
            format!("cd .. && cd project && mv {given} /tmp/x"),
        ] {
            let dirs = affected(&sandbox.bash(&shell));
            assert!(dirs.contains(&protected), "{shell}: {dirs:?}");
        }
    }
}

#[test]
fn directory_protection_sees_through_spelling() {
    let sandbox = Sandbox::with_project();
    let protected = sandbox.text("protected");
    symlink(&sandbox, "protected", "project/door");
    for shell in [
        "rm -rf ../protected/*",
        "rm -rf door/*",
        "rm   -rf\t../protected",
        "cd ../protected && rm -rf *",
        "sudo /bin/rm -r ../pro\"tected\"/keys",
        "find ../protected -delete",
        "x=$(rm -rf ../protected/secret.txt)",
        "true\nrm ../protected/secret.txt",
    ] {
        let dirs = affected(&sandbox.bash(shell));
        assert!(dirs.contains(&protected), "{shell}: {dirs:?}");
    }
}
