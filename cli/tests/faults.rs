//! Fault injection through the `cupcake` binary: an OPA replaced by scripts that fail or lie,
//! a damaged compile cache, and a disk that fills up while the cache is written. Hook mode
//! answers every time: with the right decision, or with a blocking response saying what failed.
#![cfg(unix)]
#![expect(clippy::panic, reason = "a test fails by panicking")]

mod support;

use support::{real_opa, script};

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::Value;

const RM: &[u8] = br#"{"hook_event_name":"PreToolUse","tool_name":"Bash","tool_input":{"command":"rm -rf build"}}"#;
const LS: &[u8] =
    br#"{"hook_event_name":"PreToolUse","tool_name":"Bash","tool_input":{"command":"ls"}}"#;

fn example() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../examples/project")
}

/// A scratch directory with an empty global policy directory.
struct Scratch {
    dir: tempfile::TempDir,
}

impl Scratch {
    fn new() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::create_dir_all(dir.path().join("global")).expect("mkdir");
        Self { dir }
    }

    fn path(&self, rest: &str) -> PathBuf {
        self.dir.path().join(rest)
    }

    /// `cupcake eval` on the example project with this OPA and cache, through `launcher` (a
    /// shell snippet that ends in `exec "$@"`) when given. Returns the one JSON response.
    fn eval(&self, opa: &Path, launcher: Option<&str>, event: &[u8]) -> Value {
        self.run(opa, launcher, event).0
    }

    /// [`Scratch::eval`], with what cupcake logged on stderr.
    fn run(&self, opa: &Path, launcher: Option<&str>, event: &[u8]) -> (Value, String) {
        let mut command = match launcher {
            Some(snippet) => {
                let mut command = Command::new("/bin/sh");
                command.args(["-c", snippet, "sh", env!("CARGO_BIN_EXE_cupcake")]);
                command
            }
            None => Command::new(env!("CARGO_BIN_EXE_cupcake")),
        };
        command
            .arg("eval")
            .arg("--policy-dir")
            .arg(example())
            .arg("--opa-path")
            .arg(opa)
            .arg("--cache-dir")
            .arg(self.path("cache"))
            .arg("--global-dir")
            .arg(self.path("global"))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = command.spawn().expect("cupcake starts");
        child
            .stdin
            .take()
            .expect("stdin is piped")
            .write_all(event)
            .expect("stdin accepts the event");
        let output = child.wait_with_output().expect("cupcake finishes");
        assert!(
            output.status.success(),
            "exit {:?}: {}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        );
        let stdout = String::from_utf8(output.stdout).expect("stdout is UTF-8");
        let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
        let response = serde_json::from_str(stdout.trim()).unwrap_or_else(|err| {
            panic!("stdout is not one JSON object ({err}): {stdout:?}; stderr: {stderr}")
        });
        (response, stderr)
    }

    /// Complete cache entries (directories holding `meta.json`).
    fn entries(&self) -> usize {
        std::fs::read_dir(self.path("cache/compiled")).map_or(0, |read| {
            read.filter_map(Result::ok)
                .filter(|entry| entry.path().join("meta.json").is_file())
                .count()
        })
    }
}

fn assert_denies(response: &Value, needle: &str) {
    assert_eq!(
        response["hookSpecificOutput"]["permissionDecision"], "deny",
        "{response}"
    );
    let reason = response["hookSpecificOutput"]["permissionDecisionReason"]
        .as_str()
        .unwrap_or_default();
    assert!(reason.contains(needle), "reason lacks {needle:?}: {reason}");
}

#[test]
fn hook_mode_blocks_when_opa_is_broken() {
    let real = real_opa();
    let version = format!(
        "[ \"$1\" = version ] || [ \"$1\" = capabilities ] && exec '{}' \"$@\"\n",
        real.display()
    );
    for (name, body, needle) in [
        ("exits non-zero", "exit 3\n".to_string(), "exited with"),
        (
            "prints garbage",
            "echo garbage\n".to_string(),
            "printed no version",
        ),
        (
            "build fails",
            format!("{version}echo garbage >&2\nexit 2\n"),
            "opa build failed: garbage",
        ),
        (
            "garbage bundle",
            // The bundle goes to the argument after `-o`.
            format!(
                "{version}while [ $# -gt 1 ]; do [ \"$1\" = -o ] && echo garbage > \"$2\"; shift; done\n"
            ),
            "unreadable OPA bundle",
        ),
    ] {
        let scratch = Scratch::new();
        let fake = scratch.path("fake-opa");
        script(&fake, &body);
        for event in [RM, LS] {
            let response = scratch.eval(&fake, None, event);
            assert_denies(&response, needle);
            assert!(
                response["hookSpecificOutput"]["permissionDecisionReason"]
                    .as_str()
                    .is_some_and(|reason| reason.starts_with("Blocked by cupcake")),
                "{name}: {response}"
            );
        }
        assert_eq!(scratch.entries(), 0, "{name}: a failed compile was cached");
    }
}

#[test]
fn hook_mode_decides_with_a_damaged_cache() {
    let scratch = Scratch::new();
    let opa = real_opa();
    assert_denies(
        &scratch.eval(&opa, None, RM),
        "Recursive force-delete is blocked",
    );
    let entry = std::fs::read_dir(scratch.path("cache/compiled"))
        .expect("cache written")
        .filter_map(Result::ok)
        .find(|entry| entry.path().join("module.cwasm").is_file())
        .expect("one entry")
        .path();
    let module = entry.join("module.cwasm");
    let mut bytes = std::fs::read(&module).expect("read module");
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x01;
    std::fs::write(&module, bytes).expect("damage module");
    assert_denies(
        &scratch.eval(&opa, None, RM),
        "Recursive force-delete is blocked",
    );
    assert_eq!(scratch.eval(&opa, None, LS), serde_json::json!({}));
    assert_eq!(scratch.entries(), 1);
}

/// The disk fills up while the compile cache is written: a soft file-size limit makes every
/// write past 256 KiB fail with EFBIG (room for the compile's scratch files, such as the
/// capabilities file, but not for the cached module) (SIGXFSZ ignored, so the write returns an
/// error instead of killing the process). OPA raises the soft limit again for itself, so only
/// cupcake's own writes fail. The decision is still right, no partial entry is left, and the
/// next start with room to write fills the cache.
#[test]
fn hook_mode_decides_when_the_disk_is_full() {
    let scratch = Scratch::new();
    let opa = scratch.path("opa");
    script(
        &opa,
        &format!(
            "ulimit -S -f unlimited\nexec '{}' \"$@\"\n",
            real_opa().display()
        ),
    );
    let full = "trap '' XFSZ; ulimit -S -f 256; exec \"$@\"";
    for _ in 0..2 {
        let (response, stderr) = scratch.run(&opa, Some(full), RM);
        assert_denies(&response, "Recursive force-delete is blocked");
        assert!(
            stderr.contains("could not write the compile cache") && stderr.contains("too large"),
            "the cache write did not hit the limit: {stderr}"
        );
        assert_eq!(scratch.eval(&opa, Some(full), LS), serde_json::json!({}));
        assert_eq!(scratch.entries(), 0, "an entry was written past the limit");
    }
    let leftovers: Vec<_> = std::fs::read_dir(scratch.path("cache/compiled"))
        .map(|read| read.filter_map(Result::ok).map(|e| e.file_name()).collect())
        .unwrap_or_default();
    assert!(leftovers.is_empty(), "partial entries left: {leftovers:?}");
    assert_denies(
        &scratch.eval(&opa, None, RM),
        "Recursive force-delete is blocked",
    );
    assert_eq!(scratch.entries(), 1, "the cache fills once there is room");
}
