//! The guard against real directories: a project with `.cupcake`, a symlink into it, and
//! hook configuration files, checked with the spellings an agent would try.

use serde_json::{json, Value};

use super::*;
use crate::event::Event;
use crate::policy::Scope;
use crate::rulebook::Rulebook;
use crate::Harness;

/// What `guard` says about `event` as `harness` sends it, the way the engine asks.
fn guarded(guard: &Guard, harness: Harness, event: Value) -> Option<Verdict> {
    let event = Event::from_value(event, harness).expect("a valid event");
    guard.check(event.action.as_ref(), &event.body)
}

struct Project {
    dir: tempfile::TempDir,
    guard: Guard,
}

impl Project {
    fn new() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let root = dir.path().canonicalize().expect("canonical");
        for sub in [
            ".cupcake/policies/claude",
            ".cupcake/system",
            "src",
            ".claude",
            "build",
        ] {
            std::fs::create_dir_all(root.join(sub)).expect("mkdir");
        }
        std::fs::write(
            root.join(".cupcake/system/evaluate.rego"),
            "package cupcake.system",
        )
        .expect("write");
        std::os::unix::fs::symlink(root.join(".cupcake"), root.join("config")).expect("symlink");
        let set = PolicySet {
            root: root.join(".cupcake"),
            policies: Vec::new(),
            system: None,
            scope: Scope::Project,
            rulebook: Rulebook::default(),
            sources: std::collections::BTreeMap::new(),
        };
        let options = EngineOptions {
            cache_dir: Some(root.join("cache")),
            global_dir: Some(root.join("global")),
            protected_paths: vec![root.join("bin/cupcake")],
            ..EngineOptions::default()
        };
        let guard = Guard::new(&set, &set.root, Some(&root.join("global")), &options)
            .expect("on by default");
        Self { dir, guard }
    }

    fn root(&self) -> std::path::PathBuf {
        self.dir.path().canonicalize().expect("canonical")
    }

    #[expect(clippy::needless_pass_by_value, reason = "tests build inputs inline")]
    fn check(&self, tool: &str, input: Value) -> Option<Verdict> {
        let event = json!({
            "hook_event_name": "PreToolUse",
            "tool_name": tool,
            "tool_input": input,
            "cwd": self.root().display().to_string(),
        });
        guarded(&self.guard, Harness::Claude, event)
    }

    fn bash(&self, command: &str) -> bool {
        self.check("Bash", json!({"command": command})).is_some()
    }
}

#[test]
fn shell_commands_that_reach_protected_paths_are_denied() {
    let project = Project::new();
    let denied = [
        "echo 'package x' > .cupcake/system/evaluate.rego",
        "printf x >> ./.cupcake/policies/claude/a.rego",
        "rm -rf .cupcake",
        "rm -r -f .cupcake/policies",
        "rm -rf .",
        "rm -rf ..",
        "rm -rf .[c]upcake",
        "rm -rf .c*",
        "shopt -s dotglob; rm -rf *",
        "mv .cupcake /tmp/away",
        "cd .cupcake && rm -rf policies",
        "cd src && rm -rf ../.cupcake",
        "cp /tmp/evil.rego .cupcake/policies/claude/",
        "tee .cupcake/rulebook.yml < /dev/null",
        "sed -i s/deny/allow/ .cupcake/policies/claude/a.rego",
        "ln -sf /tmp/x .cupcake/system/evaluate.rego",
        "dd if=/tmp/x of=.cupcake/system/evaluate.rego",
        "bash -c 'rm -rf .cupcake'",
        "sh -c \"echo > .claude/settings.json\"",
        "eval rm -rf .cupcake",
        "python3 -c \"open('.cupcake/system/evaluate.rego','w').write('')\"",
        "node -e \"require('fs').rmSync('.cupcake',{recursive:true})\"",
        "rm -rf .cup{c,}ake",
        "sudo -u root rm -rf .cupcake",
        "env X=1 rm -rf .cupcake",
        "timeout 5 rm -rf .cupcake",
        "echo {} > .claude/settings.local.json",
        "rm .claude/settings*.json",
        "echo x > config/system/evaluate.rego",
        "find . -delete",
        "find .cupcake -name '*.rego' -exec rm {} +",
        "chmod -R 000 .cupcake",
        "git checkout -- .cupcake",
        "rsync -a --delete /tmp/empty/ .cupcake/",
        "rm -rf cache",
        // Here the cache and global directories sit in the project, so `*` reaches them.
        "rm -rf *",
        "rm -rf global/policies",
        "cp /tmp/opa bin/cupcake",
        "awk 'BEGIN { print \"x\" > \".cupcake/rulebook.yml\" }'",
        "cd /tmp && cd - && rm -rf .cupcake",
    ];
    for command in denied {
        assert!(project.bash(command), "allowed: {command}");
    }
}

#[test]
fn ordinary_commands_pass() {
    let project = Project::new();
    let allowed = [
        "ls -la",
        "cat .cupcake/policies/claude/a.rego",
        "grep -r deny .cupcake",
        "rm -rf build",
        "rm -rf src/*",
        "rm -rf build/* src/*.o",
        "echo hello > notes.txt",
        "git status",
        "git add src && git commit -m 'touch .cupcake docs'",
        "cargo test",
        "find . -name '*.rs'",
        "cupcake inspect --policy-dir .cupcake",
        "cp src/a.rs src/b.rs",
        "mv build out",
    ];
    for command in allowed {
        assert!(!project.bash(command), "denied: {command}");
    }
}

#[test]
fn file_tools_are_checked_with_the_agent_s_spelling() {
    let project = Project::new();
    let root = project.root();
    let denied = [
        ".cupcake/system/evaluate.rego".to_string(),
        "./.cupcake/../.cupcake/rulebook.yml".to_string(),
        "config/system/evaluate.rego".to_string(),
        ".claude/settings.json".to_string(),
        ".claude/settings.local.json ".to_string(),
        "sub/.claude/settings.json".to_string(),
        root.join(".cursor/hooks.json").display().to_string(),
        root.join(".cupcake/policies/claude/new.rego")
            .display()
            .to_string(),
        format!("{}/cache/compiled/x/module.cwasm", root.display()),
    ];
    for tool in ["Write", "Edit", "MultiEdit"] {
        for path in &denied {
            assert!(
                project.check(tool, json!({"file_path": path})).is_some(),
                "{tool} allowed: {path:?}"
            );
        }
        assert!(project
            .check(tool, json!({"file_path": "src/main.rs"}))
            .is_none());
    }
    assert!(project
        .check("NotebookEdit", json!({"notebook_path": ".cupcake/x.ipynb"}))
        .is_some());
    assert!(project
        .check(
            "mcp__fs__write_file",
            json!({"path": ".cupcake/rulebook.yml", "content": ""})
        )
        .is_some());
    assert!(project
        .check("mcp__fs__write_file", json!({"path": "src/a.txt"}))
        .is_none());
    assert!(project
        .check("Read", json!({"file_path": ".cupcake/rulebook.yml"}))
        .is_none());
}

#[test]
fn cursor_shell_and_mcp_events_are_checked() {
    let project = Project::new();
    let cwd = project.root().display().to_string();
    let shell = json!({"hook_event_name": "beforeShellExecution", "command": "rm -rf .cupcake", "cwd": cwd});
    assert!(guarded(&project.guard, Harness::Cursor, shell).is_some());
    let mcp = json!({"hook_event_name": "beforeMCPExecution", "tool_name": "write", "tool_input": "{\"path\": \".cursor/hooks.json\"}", "cwd": cwd});
    assert!(guarded(&project.guard, Harness::Cursor, mcp).is_some());
}

#[test]
fn the_rulebook_can_turn_it_off_and_add_paths() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut rulebook = Rulebook::default();
    rulebook.self_protection.enabled = false;
    let set = PolicySet {
        root: dir.path().join(".cupcake"),
        policies: Vec::new(),
        system: None,
        scope: Scope::Project,
        rulebook,
        sources: std::collections::BTreeMap::new(),
    };
    assert!(Guard::new(&set, &set.root, None, &EngineOptions::default()).is_none());
    let mut set = set;
    set.rulebook.self_protection.enabled = true;
    set.rulebook.self_protection.extra_paths = vec!["secrets".into()];
    let guard = Guard::new(&set, &set.root, None, &EngineOptions::default()).expect("on");
    let event = json!({"hook_event_name": "PreToolUse", "tool_name": "Write", "tool_input": {"file_path": "secrets/key"}, "cwd": dir.path().display().to_string()});
    let verdict = guarded(&guard, Harness::Claude, event);
    assert!(verdict.is_some_and(|v| v.reason.contains("secrets")));
}
