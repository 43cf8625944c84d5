//! Signals: programs from the policy directory whose output policies can read as
//! `input.signals.<name>`. Each runs in its own process group with the event on stdin; a
//! timeout kills the whole group. Commands come only from the policy directory, and event data
//! reaches them only through stdin, never through a command line.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Map, Value};

use crate::error::{Error, Result};
use crate::rulebook::Rulebook;

/// Bytes kept from each of a signal's output streams; the rest is read and dropped so the
/// program never blocks on a full pipe. A signal whose stdout runs past it has failed: a policy
/// must never decide on a silently cut-off result.
const OUTPUT_CAP: usize = 1024 * 1024;

/// How a signal is started.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Program {
    /// A rulebook command, run by `sh -c` (written by the policy author, never by the event).
    Shell(String),
    /// An executable file in `.cupcake/signals/`, run directly.
    Executable(PathBuf),
}

/// One runnable signal.
#[derive(Debug, Clone)]
pub struct Signal {
    /// How to start it.
    pub program: Program,
    /// When to give up and kill it.
    pub timeout: Duration,
}

/// Every signal a policy directory defines.
#[derive(Debug, Clone, Default)]
pub struct SignalSet {
    signals: BTreeMap<String, Signal>,
    workdir: PathBuf,
}

impl SignalSet {
    /// Collects rulebook signals and the executables in `<root>/signals/`, named by file stem.
    /// Signals run from the project directory (the parent of `.cupcake`).
    pub fn discover(root: &Path, rulebook: &Rulebook) -> Result<Self> {
        let mut signals: BTreeMap<String, Signal> = rulebook
            .signals
            .iter()
            .map(|(name, declared)| {
                let signal = Signal {
                    program: Program::Shell(declared.command.clone()),
                    timeout: declared.timeout,
                };
                (name.clone(), signal)
            })
            .collect();
        let dir = root.join("signals");
        if dir.is_dir() {
            let entries = fs_err::read_dir(&dir)
                .map_err(|err| Error::config(&dir, format!("cannot list signals: {err}")))?;
            for entry in entries.flatten() {
                let path = entry.path();
                let Some(stem) = path.file_stem().map(|s| s.to_string_lossy().into_owned()) else {
                    continue;
                };
                if path.is_file() && !signals.contains_key(&stem) {
                    let timeout = Duration::from_secs(5);
                    signals.insert(
                        stem,
                        Signal {
                            program: Program::Executable(path),
                            timeout,
                        },
                    );
                }
            }
        }
        let workdir = root
            .parent()
            .filter(|_| root.ends_with(".cupcake"))
            .unwrap_or(root)
            .to_path_buf();
        Ok(Self { signals, workdir })
    }

    /// Whether `name` is defined.
    pub fn contains(&self, name: &str) -> bool {
        self.signals.contains_key(name)
    }

    /// Every defined signal name.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.signals.keys().map(String::as_str)
    }

    /// Runs the named signals concurrently with `stdin` and collects their results by name.
    pub fn run(&self, names: &BTreeSet<String>, stdin: &[u8]) -> Map<String, Value> {
        std::thread::scope(|scope| {
            let running: Vec<_> = names
                .iter()
                .map(|name| {
                    let signal = self.signals.get(name);
                    let handle = scope.spawn(move || match signal {
                        Some(signal) => run_one(signal, &self.workdir, stdin),
                        None => failure(&format!("signal `{name}` is not defined")),
                    });
                    (name.clone(), handle)
                })
                .collect();
            running
                .into_iter()
                .map(|(name, handle)| {
                    let result = handle
                        .join()
                        .unwrap_or_else(|_| failure("signal runner panicked"));
                    (name, result)
                })
                .collect()
        })
    }
}

fn failure(error: &str) -> Value {
    json!({"success": false, "error": error})
}

/// Runs one signal to completion or timeout.
fn run_one(signal: &Signal, workdir: &Path, stdin: &[u8]) -> Value {
    let _span = tracing::debug_span!("signal", program = ?signal.program).entered();
    let mut command = match &signal.program {
        Program::Shell(line) => {
            let mut command = Command::new("sh");
            command.arg("-c").arg(line);
            command
        }
        Program::Executable(path) => Command::new(path),
    };
    command
        .current_dir(workdir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    #[cfg(unix)]
    std::os::unix::process::CommandExt::process_group(&mut command, 0);
    let mut child = match command.spawn() {
        Ok(child) => child,
        Err(err) => return failure(&format!("cannot start: {err}")),
    };
    let input = stdin.to_vec();
    let writer = child.stdin.take().map(|mut pipe| {
        // A signal that ignores stdin closes the pipe early; that is not an error.
        std::thread::spawn(move || drop(pipe.write_all(&input)))
    });
    let stdout = child
        .stdout
        .take()
        .map(|pipe| std::thread::spawn(move || read_capped(pipe)));
    let stderr = child
        .stderr
        .take()
        .map(|pipe| std::thread::spawn(move || read_capped(pipe)));

    let status = wait_with_deadline(&mut child, signal.timeout);
    // Kill the group even after a normal exit: leftover background children would otherwise
    // keep the output pipes open and outlive the hook.
    kill_group(&child);
    let _ = child.wait();
    if let Some(writer) = writer {
        let _ = writer.join();
    }
    let collect = |reader: Option<std::thread::JoinHandle<Captured>>| {
        reader.and_then(|r| r.join().ok()).unwrap_or_default()
    };
    let (stdout, stderr) = (collect(stdout), collect(stderr));
    let (output, errors) = (stdout.text, stderr.text);

    match status {
        None => failure("timeout"),
        Some(status) if status.success() && stdout.cut_off => {
            failure(&format!("output exceeds the {OUTPUT_CAP}-byte limit"))
        }
        Some(status) if status.success() => {
            let trimmed = output.trim();
            serde_json::from_str(trimmed).unwrap_or_else(|_| Value::String(trimmed.to_string()))
        }
        Some(status) => json!({
            "success": false,
            "exit_code": status.code(),
            "output": output.trim(),
            "error": errors.trim(),
        }),
    }
}

/// Waits for `child` until `timeout`; `None` means it was still running.
fn wait_with_deadline(child: &mut Child, timeout: Duration) -> Option<std::process::ExitStatus> {
    let deadline = Instant::now() + timeout;
    let mut pause = Duration::from_millis(1);
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return Some(status),
            Ok(None) if Instant::now() >= deadline => return None,
            Ok(None) => {
                std::thread::sleep(pause.min(deadline.saturating_duration_since(Instant::now())));
                pause = (pause * 2).min(Duration::from_millis(20));
            }
            Err(_) => return None,
        }
    }
}

#[cfg(unix)]
fn kill_group(child: &Child) {
    use nix::sys::signal::{killpg, Signal as Sig};
    use nix::unistd::Pid;
    if let Ok(pid) = i32::try_from(child.id()) {
        // ESRCH (already gone) is the normal case after a clean exit.
        let _ = killpg(Pid::from_raw(pid), Sig::SIGKILL);
    }
}

#[cfg(not(unix))]
fn kill_group(child: &Child) {
    let _ = child;
}

/// What was kept of one output stream.
#[derive(Default)]
struct Captured {
    /// The first `OUTPUT_CAP` bytes, as text.
    text: String,
    /// Whether the stream went on past them.
    cut_off: bool,
}

/// Reads a stream to its end, keeping the first `OUTPUT_CAP` bytes.
fn read_capped(mut pipe: impl Read) -> Captured {
    let mut kept = Vec::new();
    let mut cut_off = false;
    let mut buffer = [0u8; 8192];
    loop {
        match pipe.read(&mut buffer) {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                let room = OUTPUT_CAP.saturating_sub(kept.len());
                cut_off |= n > room;
                kept.extend_from_slice(buffer.get(..n.min(room)).unwrap_or_default());
            }
        }
    }
    Captured {
        text: String::from_utf8_lossy(&kept).into_owned(),
        cut_off,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(signals: &[(&str, &str, u64)]) -> SignalSet {
        let signals = signals
            .iter()
            .map(|(name, command, millis)| {
                let signal = Signal {
                    program: Program::Shell((*command).to_string()),
                    timeout: Duration::from_millis(*millis),
                };
                ((*name).to_string(), signal)
            })
            .collect();
        SignalSet {
            signals,
            workdir: std::env::temp_dir(),
        }
    }

    fn names(list: &[&str]) -> BTreeSet<String> {
        list.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn json_text_failure_and_stdin() {
        let signals = set(&[
            ("json", "echo '{\"a\": 1}'", 5000),
            ("text", "echo '  hello  '", 5000),
            ("fails", "echo out; echo oops >&2; exit 3", 5000),
            ("stdin", "cat", 5000),
        ]);
        let results = signals.run(
            &names(&["json", "text", "fails", "stdin", "missing"]),
            b"{\"x\":2}",
        );
        assert_eq!(results["json"], json!({"a": 1}));
        assert_eq!(results["text"], json!("hello"));
        assert_eq!(
            results["fails"],
            json!({"success": false, "exit_code": 3, "output": "out", "error": "oops"})
        );
        assert_eq!(results["stdin"], json!({"x": 2}));
        assert_eq!(results["missing"]["success"], json!(false));
    }

    #[test]
    fn timeout_kills_the_whole_group() {
        let marker = tempfile::tempdir().expect("temp dir");
        let flag = marker.path().join("survivor");
        // A grandchild that would write the flag after the timeout unless the group is killed.
        let command = format!("(sleep 1; touch {}) & sleep 30", flag.display());
        let signals = set(&[("slow", &command, 100)]);
        let results = signals.run(&names(&["slow"]), b"");
        assert_eq!(
            results["slow"],
            json!({"success": false, "error": "timeout"})
        );
        std::thread::sleep(Duration::from_millis(1500));
        assert!(!flag.exists(), "the background child outlived the timeout");
    }

    #[test]
    fn output_past_the_cap_is_a_failure() {
        let full = format!("head -c {OUTPUT_CAP} /dev/zero | tr '\\\\0' a");
        let signals = set(&[
            ("big", "head -c 5000000 /dev/zero | tr '\\\\0' a", 10_000),
            ("full", full.as_str(), 10_000),
        ]);
        let results = signals.run(&names(&["big", "full"]), b"");
        assert_eq!(
            results["big"],
            json!({"success": false, "error": "output exceeds the 1048576-byte limit"})
        );
        // Exactly the cap is still a result.
        assert_eq!(results["full"].as_str().map(str::len), Some(OUTPUT_CAP));
    }
}
