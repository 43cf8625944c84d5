//! Fault injection with real files and processes: policies edited, broken or deleted after an
//! engine loaded them (and while OPA compiles them), a damaged compile cache, an OPA binary
//! replaced by scripts that fail or lie, and a cache directory that cannot be written. The
//! cache is an optimisation and OPA a tool: whatever breaks, an engine gives either the right
//! decision or a typed error, never a wrong decision.

use std::io::Write as _;
use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use cupcake::{DecisionKind, Engine, EngineOptions};
use libtest_mimic::{Failed, Trial};

use crate::support::{check, repo_root};

mod cache;
mod opa;

pub fn trials() -> Vec<Trial> {
    let mut trials = vec![
        Trial::test(
            "faults::policy_edited_after_load_keeps_the_loaded_rules",
            policy_edited_after_load,
        ),
        Trial::test(
            "faults::policy_deleted_after_load_keeps_the_loaded_rules",
            policy_deleted_after_load,
        ),
        Trial::test(
            "faults::policy_broken_after_load_keeps_the_loaded_rules",
            policy_broken_after_load,
        ),
        Trial::test(
            "faults::policy_rewritten_while_evaluating",
            policy_rewritten_while_evaluating,
        ),
        Trial::test(
            "faults::policy_edited_while_compiling_compiles_what_was_read",
            policy_edited_while_compiling,
        ),
    ];
    trials.extend(cache::trials());
    trials.extend(opa::trials());
    trials
}

const RM: &str = r#"{"hook_event_name":"PreToolUse","tool_name":"Bash","tool_input":{"command":"rm -rf build"}}"#;
const LS: &str =
    r#"{"hook_event_name":"PreToolUse","tool_name":"Bash","tool_input":{"command":"ls"}}"#;
const PUSH: &str =
    r#"{"hook_event_name":"PreToolUse","tool_name":"Bash","tool_input":{"command":"git push"}}"#;
const ENV: &str = r#"{"hook_event_name":"PreToolUse","tool_name":"Write","tool_input":{"file_path":".env","content":"x"}}"#;
const RM_REASON: &str = "Recursive force-delete is blocked";

/// A copy of the example project, with its own cache and (empty) global directory, and an OPA
/// wrapper that logs every call before running the real OPA.
struct Project {
    _dir: tempfile::TempDir,
    root: PathBuf,
}

impl Project {
    fn new() -> Result<Self, Failed> {
        let dir = tempfile::tempdir()?;
        let root = std::fs::canonicalize(dir.path())?;
        let project = Self { _dir: dir, root };
        project.install_policies()?;
        std::fs::create_dir_all(project.root.join("global"))?;
        Ok(project)
    }

    fn install_policies(&self) -> Result<(), Failed> {
        let from = repo_root().join("examples/project/.cupcake/policies/claude");
        std::fs::create_dir_all(self.policies())?;
        for entry in std::fs::read_dir(from)? {
            let path = entry?.path();
            std::fs::copy(
                &path,
                self.policies().join(path.file_name().ok_or("named")?),
            )?;
        }
        Ok(())
    }

    fn project(&self) -> PathBuf {
        self.root.join("project")
    }

    fn policies(&self) -> PathBuf {
        self.root.join("project/.cupcake/policies/claude")
    }

    fn shell_rego(&self) -> PathBuf {
        self.policies().join("shell.rego")
    }

    fn cache(&self) -> PathBuf {
        self.root.join("cache")
    }

    fn log(&self) -> PathBuf {
        self.root.join("opa-calls.log")
    }

    /// An OPA that logs its first argument, runs `before_build` ahead of a build, and then
    /// hands over to the real OPA.
    fn wrapper(&self, before_build: &str) -> Result<PathBuf, Failed> {
        let path = self.root.join("opa-wrapper");
        script(
            &path,
            &format!(
                "echo \"$1\" >> '{log}'\nif [ \"$1\" = build ]; then\n:\n{before_build}\nfi\nexec '{real}' \"$@\"\n",
                log = self.log().display(),
                real = real_opa().display(),
            ),
        )?;
        Ok(path)
    }

    /// How many times OPA compiled.
    fn builds(&self) -> usize {
        std::fs::read_to_string(self.log())
            .unwrap_or_default()
            .lines()
            .filter(|line| *line == "build")
            .count()
    }

    fn options(&self, opa: &Path) -> EngineOptions {
        self.options_with_cache(opa, self.cache())
    }

    fn options_with_cache(&self, opa: &Path, cache: PathBuf) -> EngineOptions {
        EngineOptions {
            opa_path: Some(opa.to_path_buf()),
            cache_dir: Some(cache),
            global_dir: Some(self.root.join("global")),
            opa_search_path: Some(Vec::new()),
            ..EngineOptions::default()
        }
    }

    fn load(&self, opa: &Path) -> Result<Engine, Failed> {
        Ok(Engine::new(self.project(), self.options(opa))?)
    }

    /// The compile cache's entries (staging directories excluded).
    fn entries(&self) -> Vec<PathBuf> {
        let Ok(read) = std::fs::read_dir(self.cache().join("compiled")) else {
            return Vec::new();
        };
        read.filter_map(Result::ok)
            .map(|entry| entry.path())
            .filter(|path| {
                !path
                    .file_name()
                    .is_some_and(|name| name.to_string_lossy().starts_with('.'))
            })
            .collect()
    }
}

/// Writes an executable `/bin/sh` script.
fn script(path: &Path, body: &str) -> Result<(), Failed> {
    std::fs::write(path, format!("#!/bin/sh\n{body}"))?;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755))?;
    Ok(())
}

/// The real OPA binary, found on `PATH` the way a user's shell would (ci/env.sh puts it there).
#[expect(
    clippy::disallowed_methods,
    reason = "the test finds the real opa the way a user's shell would"
)]
fn real_opa() -> PathBuf {
    std::env::var_os("PATH")
        .and_then(|path| {
            std::env::split_paths(&path)
                .map(|dir| dir.join("opa"))
                .find(|candidate| candidate.is_file())
        })
        .expect("opa on PATH (source ci/env.sh)")
}

/// `event` gives `kind`, and for a Deny of rm, the original rule's reason.
fn expect(engine: &Engine, event: &str, kind: DecisionKind, reason: &str) -> Result<(), Failed> {
    let decision = engine.evaluate(event)?.decision;
    check(
        decision.kind == kind && decision.reason.contains(reason),
        || format!("{event}: expected {kind:?} {reason:?}, got {decision:?}"),
    )
}

/// The example project's decisions, as loaded from the unmodified policies.
fn expect_example(engine: &Engine) -> Result<(), Failed> {
    expect(engine, RM, DecisionKind::Deny, RM_REASON)?;
    expect(engine, LS, DecisionKind::Allow, "")?;
    expect(engine, PUSH, DecisionKind::Ask, "Confirm before pushing")?;
    expect(engine, ENV, DecisionKind::Deny, ".env holds secrets")
}

fn kind_of(result: Result<Engine, cupcake::Error>) -> Result<(String, String), Failed> {
    match result {
        Ok(_) => Err("the engine loaded but should have failed".into()),
        Err(err) => Ok((err.kind().to_string(), err.to_string())),
    }
}

fn edit(path: &Path, from: &str, to: &str) -> Result<(), Failed> {
    let text = std::fs::read_to_string(path)?;
    check(text.contains(from), || {
        format!("{from:?} not in {}", path.display())
    })?;
    std::fs::write(path, text.replace(from, to))?;
    Ok(())
}

fn policy_edited_after_load() -> Result<(), Failed> {
    let project = Project::new()?;
    let opa = project.wrapper("")?;
    let engine = project.load(&opa)?;
    expect_example(&engine)?;
    edit(&project.shell_rego(), RM_REASON, "edited")?;
    std::fs::remove_file(project.policies().join("protect_secrets.rego"))?;
    for _ in 0..20 {
        expect_example(&engine)?;
    }
    // A new load compiles what is there now.
    let fresh = project.load(&opa)?;
    expect(&fresh, RM, DecisionKind::Deny, "edited")?;
    expect(&fresh, ENV, DecisionKind::Allow, "")?;
    check(project.builds() == 2, || {
        format!("{} builds, expected 2", project.builds())
    })?;
    expect_example(&engine)
}

fn policy_deleted_after_load() -> Result<(), Failed> {
    let project = Project::new()?;
    let opa = project.wrapper("")?;
    let engine = project.load(&opa)?;
    std::fs::remove_dir_all(project.project())?;
    for _ in 0..20 {
        expect_example(&engine)?;
    }
    let (kind, message) = kind_of(Engine::new(project.project(), project.options(&opa)))?;
    check(
        kind == "Config" && message.contains("does not exist"),
        || format!("{kind}: {message}"),
    )?;
    // Restored, the same content loads from the cache: the key is the content.
    project.install_policies()?;
    expect_example(&project.load(&opa)?)?;
    check(project.builds() == 1, || {
        format!("{} builds, expected 1", project.builds())
    })
}

fn policy_broken_after_load() -> Result<(), Failed> {
    let project = Project::new()?;
    let opa = project.wrapper("")?;
    let engine = project.load(&opa)?;
    let original = std::fs::read_to_string(project.shell_rego())?;
    std::fs::OpenOptions::new()
        .append(true)
        .open(project.shell_rego())?
        .write_all(b"\ndeny contains decision if {\n")?;
    expect_example(&engine)?;
    let (kind, message) = kind_of(Engine::new(project.project(), project.options(&opa)))?;
    check(
        kind == "PolicyCompile" && message.contains("shell.rego"),
        || format!("{kind}: {message}"),
    )?;
    expect_example(&engine)?;
    check(project.entries().len() == 1, || {
        format!(
            "a failed compile changed the cache: {:?}",
            project.entries()
        )
    })?;
    std::fs::write(project.shell_rego(), original)?;
    expect_example(&project.load(&opa)?)?;
    check(project.builds() == 2, || {
        format!("{} builds, expected 2", project.builds())
    })
}

/// One thread rewrites, breaks and deletes the policy files as fast as it can while others
/// evaluate on the engine loaded before: every decision is the loaded one.
fn policy_rewritten_while_evaluating() -> Result<(), Failed> {
    let project = Project::new()?;
    let opa = project.wrapper("")?;
    let engine = Arc::new(project.load(&opa)?);
    let shell = project.shell_rego();
    let secrets = project.policies().join("protect_secrets.rego");
    let original = std::fs::read_to_string(&shell)?;
    let done = Arc::new(AtomicBool::new(false));
    let writer = {
        let done = Arc::clone(&done);
        std::thread::spawn(move || -> std::io::Result<()> {
            let mut round = 0_usize;
            while !done.load(Ordering::Relaxed) {
                match round % 4 {
                    0 => std::fs::write(&shell, original.replace(RM_REASON, "rewritten"))?,
                    1 => std::fs::write(&shell, "package broken\n\ndeny contains {")?,
                    2 => {
                        let _ = std::fs::remove_file(&secrets);
                        let _ = std::fs::remove_file(&shell);
                    }
                    _ => std::fs::write(&shell, "")?,
                }
                round += 1;
            }
            let _ = std::fs::remove_file(&secrets);
            std::fs::write(&shell, original.replace(RM_REASON, "final"))
        })
    };
    let readers: Vec<_> = (0..2)
        .map(|_| {
            let engine = Arc::clone(&engine);
            std::thread::spawn(move || -> Result<(), String> {
                for _ in 0..150 {
                    expect_example(&engine)
                        .map_err(|err| err.message().unwrap_or("failed").to_string())?;
                }
                Ok(())
            })
        })
        .collect();
    let results: Vec<_> = readers
        .into_iter()
        .map(std::thread::JoinHandle::join)
        .collect();
    done.store(true, Ordering::Relaxed);
    writer.join().map_err(|_| "the writer panicked")??;
    for result in results {
        result.map_err(|_| "a reader panicked")??;
    }
    let fresh = project.load(&opa)?;
    expect(&fresh, RM, DecisionKind::Deny, "final")?;
    expect(&fresh, ENV, DecisionKind::Allow, "")
}

/// The policy changes after cupcake read and hashed it, while OPA runs. OPA compiles a copy of
/// the text cupcake read, so the module, the cache key and the decision all belong to that
/// text: nothing built from other text is ever stored under its key. (Before issue 10, OPA read
/// the file itself and the edit reached the module.)
fn policy_edited_while_compiling() -> Result<(), Failed> {
    let project = Project::new()?;
    let shell = project.shell_rego();
    let original = std::fs::read_to_string(&shell)?;
    // The edit renames the rm rule out of the `deny` set: rm is allowed.
    let edited = project.root.join("edited.rego");
    std::fs::write(
        &edited,
        original.replace("deny contains decision", "not_a_verb contains decision"),
    )?;
    let mark = project.root.join("edited-once");
    let opa = project.wrapper(&format!(
        "if [ ! -e '{mark}' ]; then touch '{mark}'; cp '{edited}' '{shell}'; fi",
        mark = mark.display(),
        edited = edited.display(),
        shell = shell.display(),
    ))?;
    // This engine holds what cupcake read: the original text, even though the file changed.
    let during = project.load(&opa)?;
    expect_example(&during)?;
    // The file now holds the edit: a new start compiles it.
    let edited_start = project.load(&opa)?;
    expect(&edited_start, RM, DecisionKind::Allow, "")?;
    // Reverted: the entry for the original text is still right, and is used.
    std::fs::write(&shell, &original)?;
    let after = project.load(&opa)?;
    expect_example(&after)?;
    check(project.builds() == 2, || {
        format!("{} builds, expected 2", project.builds())
    })
}
