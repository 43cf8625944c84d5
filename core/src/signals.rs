//! Signals: programs from the policy directory whose output policies can read as
//! `input.signals.<name>`. Each runs in its own process group with the event on stdin; a
//! timeout kills the whole group. Commands come only from the policy directory, and event data
//! reaches them only through stdin, never through a command line.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc::Receiver;
use std::time::{Duration, Instant};

use serde_json::{json, Map, Value};

use crate::children::Group;
use crate::error::{Error, Result};
use crate::rulebook::Rulebook;

/// Bytes kept from each of a signal's output streams; the rest is read and dropped so the
/// program never blocks on a full pipe. A signal whose stdout runs past it has failed: a policy
/// must never decide on a silently cut-off result.
const OUTPUT_CAP: usize = 1024 * 1024;
/// How long output may still arrive after a signal exited within its deadline.
const PIPE_GRACE: Duration = Duration::from_millis(50);

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
                    let handle = scope.spawn(move || {
                        let started = Instant::now();
                        let result = match signal {
                            Some(signal) => run_one(signal, &self.workdir, stdin),
                            None => failure(&format!("signal `{name}` is not defined")),
                        };
                        let ok = result.get("success") != Some(&Value::Bool(false));
                        tracing::info!(
                            target: crate::observe::SIGNAL_RUNS,
                            signal = name.as_str(),
                            duration_us = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX),
                            ok,
                        );
                        result
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

/// Runs one signal to completion or timeout. Nothing here waits past the signal's deadline:
/// a process that leaves the group (`setsid`, a daemon such as git's fsmonitor) can keep the
/// output pipes open after the signal is killed, and its readers are then abandoned.
fn run_one(signal: &Signal, workdir: &Path, stdin: &[u8]) -> Value {
    let _span = tracing::debug_span!("signal", program = ?signal.program).entered();
    let deadline = Instant::now() + signal.timeout;
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
    let mut group = match Group::spawn(&mut command) {
        Ok(group) => group,
        Err(err) => return failure(&format!("cannot start: {err}")),
    };
    let child = group.child();
    if let Some(mut pipe) = child.stdin.take() {
        let input = stdin.to_vec();
        // A signal that ignores stdin closes the pipe early; that is not an error. The thread
        // is never joined: a reader that escaped the group could hold it forever.
        std::thread::spawn(move || drop(pipe.write_all(&input)));
    }
    let stdout = child.stdout.take().map(read_in_background);
    let stderr = child.stderr.take().map(read_in_background);

    let status = group.wait_with_deadline(signal.timeout);
    group.kill();
    let Some(status) = status else {
        return failure("timeout");
    };
    let collect = |reader: Option<Receiver<Captured>>| match reader {
        None => Some(Captured::default()),
        Some(reader) => reader
            .recv_timeout(deadline.saturating_duration_since(Instant::now()) + PIPE_GRACE)
            .ok(),
    };
    let (Some(stdout), Some(stderr)) = (collect(stdout), collect(stderr)) else {
        return failure("timeout: a process the signal started kept its output open");
    };
    let (output, errors) = (stdout.text, stderr.text);
    if status.success() && stdout.cut_off {
        return failure(&format!("output exceeds the {OUTPUT_CAP}-byte limit"));
    }
    if status.success() {
        let trimmed = output.trim();
        return serde_json::from_str(trimmed)
            .unwrap_or_else(|_| Value::String(trimmed.to_string()));
    }
    json!({
        "success": false,
        "exit_code": status.code(),
        "output": output.trim(),
        "error": errors.trim(),
    })
}

/// Reads a pipe to its end on its own thread; the receiver gets what was kept.
fn read_in_background(pipe: impl Read + Send + 'static) -> Receiver<Captured> {
    let (send, receive) = std::sync::mpsc::channel();
    std::thread::spawn(move || drop(send.send(read_capped(pipe))));
    receive
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
