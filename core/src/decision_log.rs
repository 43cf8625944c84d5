//! The decision log: one JSON line per evaluated event (and per event that failed to
//! evaluate), appended to a file the rulebook names, rotated by size. It is the record a
//! security team audits, so a line that cannot be written fails the evaluation (and the hook
//! blocks) rather than letting an unrecorded action through.
//!
//! ```yaml
//! decision_log:
//!   path: logs/decisions.jsonl   # absolute, or relative to the .cupcake directory
//!   max_bytes: 10485760          # rotate when the next line would pass this
//!   keep: 5                      # rotated files kept: decisions.jsonl.1 … .5
//!   event: true                  # include the event itself (default: false)
//!   redact: [tool_input.content] # dotted paths in the event replaced by "[redacted]"
//! ```

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use serde::Deserialize;
use serde_json::{json, Map, Value};

use crate::{Error, Harness, Result};

const DEFAULT_MAX_BYTES: u64 = 10 * 1024 * 1024;
const DEFAULT_KEEP: u32 = 5;
const MAX_KEEP: u32 = 1000;
const REDACTED: &str = "[redacted]";

/// Where and how decisions are logged: a rulebook's `decision_log` section, or
/// [`crate::EngineOptions::decision_log`] (the operator's, which wins).
#[derive(Debug, Clone, PartialEq)]
pub struct LogConfig {
    /// The log file.
    pub path: PathBuf,
    /// Rotate when the next line would make the file larger than this.
    pub max_bytes: u64,
    /// Rotated files kept (`<path>.1` … `<path>.<keep>`).
    pub keep: u32,
    /// Whether lines include the event.
    pub event: bool,
    /// Each redacted field as its path of object keys.
    pub redact: Vec<Vec<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    path: String,
    max_bytes: Option<u64>,
    keep: Option<u32>,
    #[serde(default)]
    event: bool,
    #[serde(default)]
    redact: Vec<String>,
}

impl LogConfig {
    /// A log at `path` with the default rotation, without events.
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self {
            path: path.into(),
            max_bytes: DEFAULT_MAX_BYTES,
            keep: DEFAULT_KEEP,
            event: false,
            redact: Vec::new(),
        }
    }

    /// Redacts `field` (dotted, e.g. `tool_input.content`) from logged events.
    pub fn redacting(mut self, field: &str) -> std::result::Result<Self, String> {
        let keys: Vec<String> = field.split('.').map(str::to_string).collect();
        if keys.iter().any(String::is_empty) {
            return Err(format!(
                "`{field}` is not a dotted field path such as tool_input.content"
            ));
        }
        self.redact.push(keys);
        Ok(self)
    }

    /// Reads the section from the rulebook at `rulebook` (whose directory relative paths are
    /// resolved against).
    pub(crate) fn parse(rulebook: &Path, value: Value) -> Result<Self> {
        let raw: RawConfig = serde_json::from_value(value).map_err(|err| {
            Error::config(
                rulebook,
                format!("decision_log: expected `path` and optionally `max_bytes`, `keep`, `event`, `redact` ({err})"),
            )
        })?;
        let base = rulebook.parent().unwrap_or_else(|| Path::new("."));
        let path = base.join(&raw.path);
        if raw.path.is_empty() || path.file_name().is_none() {
            return Err(Error::config(
                rulebook,
                "decision_log.path must name a file",
            ));
        }
        let max_bytes = raw.max_bytes.unwrap_or(DEFAULT_MAX_BYTES);
        if max_bytes < 4096 {
            return Err(Error::config(
                rulebook,
                "decision_log.max_bytes must be at least 4096",
            ));
        }
        let keep = raw.keep.unwrap_or(DEFAULT_KEEP);
        if keep > MAX_KEEP {
            return Err(Error::config(
                rulebook,
                format!("decision_log.keep must be at most {MAX_KEEP}"),
            ));
        }
        let mut redact = Vec::new();
        for field in raw.redact {
            let keys: Vec<String> = field.split('.').map(str::to_string).collect();
            if keys.iter().any(String::is_empty) {
                return Err(Error::config(
                    rulebook,
                    format!("decision_log.redact: `{field}` is not a dotted field path such as tool_input.content"),
                ));
            }
            redact.push(keys);
        }
        Ok(Self {
            path,
            max_bytes,
            keep,
            event: raw.event,
            redact,
        })
    }
}

/// What a line says about the event, taken before evaluation changes it.
pub(crate) struct Summary {
    name: String,
    tool: Option<String>,
    session: Option<String>,
    /// The event itself, when the log includes events.
    body: Option<Map<String, Value>>,
}

impl Summary {
    /// What a log line and the decision event say of `event`; the body only when `log`
    /// records events.
    pub(crate) fn of(event: &crate::event::Event, log: Option<&DecisionLog>) -> Self {
        Self {
            name: event.name.clone(),
            tool: event.tool.clone(),
            session: event
                .body
                .get("session_id")
                .or_else(|| event.body.get("conversation_id"))
                .and_then(Value::as_str)
                .map(str::to_string),
            body: log
                .filter(|log| log.config.event)
                .map(|_| event.body.clone()),
        }
    }

    pub(crate) fn name(&self) -> &str {
        &self.name
    }

    pub(crate) fn tool(&self) -> Option<&str> {
        self.tool.as_deref()
    }

    pub(crate) fn session(&self) -> Option<&str> {
        self.session.as_deref()
    }
}

/// What one line records.
pub(crate) struct Entry<'a> {
    pub harness: Harness,
    /// `None` when the input was not a usable event.
    pub event: Option<&'a Summary>,
    pub policy_set: &'a str,
    pub took: Duration,
    pub outcome: std::result::Result<&'a crate::Decision, &'a Error>,
}

/// An open decision log.
pub(crate) struct DecisionLog {
    config: LogConfig,
    /// The open file, while the path still names it.
    file: Mutex<Option<std::fs::File>>,
}

impl DecisionLog {
    pub(crate) fn new(config: LogConfig) -> Self {
        Self {
            config,
            file: Mutex::new(None),
        }
    }

    /// Appends `entry` as one line.
    pub(crate) fn record(&self, entry: &Entry<'_>) -> Result<()> {
        let mut line = self.line(entry).to_string();
        line.push('\n');
        self.append(line.as_bytes()).map_err(|err| {
            Error::internal(format!(
                "cannot write the decision log {}: {err}; the decision was not recorded, so it was not applied",
                self.config.path.display()
            ))
        })
    }

    fn line(&self, entry: &Entry<'_>) -> Value {
        let mut line = Map::new();
        line.insert("time".into(), json!(jiff::Timestamp::now().to_string()));
        line.insert("harness".into(), json!(entry.harness.dir_name()));
        line.insert("event_name".into(), json!(entry.event.map(|e| &e.name)));
        line.insert(
            "tool".into(),
            json!(entry.event.and_then(|e| e.tool.as_ref())),
        );
        line.insert(
            "session_id".into(),
            json!(entry.event.and_then(|e| e.session.as_ref())),
        );
        match entry.outcome {
            Ok(decision) => {
                line.insert("decision".into(), json!(decision.kind.as_str()));
                line.insert("rule_ids".into(), json!(decision.rule_ids));
                line.insert("reason".into(), json!(decision.reason));
            }
            Err(err) => {
                line.insert("decision".into(), json!("Error"));
                line.insert("rule_ids".into(), json!([]));
                line.insert("reason".into(), json!(err.to_string()));
            }
        }
        line.insert("policy_set".into(), json!(entry.policy_set));
        line.insert(
            "duration_us".into(),
            json!(u64::try_from(entry.took.as_micros()).unwrap_or(u64::MAX)),
        );
        if self.config.event {
            let mut event = entry
                .event
                .and_then(|e| e.body.clone())
                .map_or(Value::Null, Value::Object);
            for path in &self.config.redact {
                redact(&mut event, path);
            }
            line.insert("event".into(), event);
        }
        Value::Object(line)
    }

    fn append(&self, line: &[u8]) -> std::io::Result<()> {
        let mut open = self
            .file
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        // Another process (a hook call) may have rotated the file: write where the path
        // points now, never into a rotated or deleted file.
        if open
            .as_ref()
            .is_some_and(|file| !same_file(file, &self.config.path))
        {
            *open = None;
        }
        let file = match open.take() {
            Some(file) => file,
            None => open_log(&self.config.path)?.0,
        };
        let size = file.metadata()?.len();
        let mut file = if size > 0 && size + line.len() as u64 > self.config.max_bytes {
            rotate(&self.config, &file)?;
            open_log(&self.config.path)?.0
        } else {
            file
        };
        // One write of one whole line: appends from several processes never interleave.
        file.write_all(line)?;
        *open = Some(file);
        Ok(())
    }
}

/// Opens the log for appending, creating it (owner-only) and its directory. Never follows a
/// symlink at the file itself and never opens anything but a regular file: an agent that
/// plants `decisions.jsonl -> ~/.bashrc` must not get cupcake to write there.
fn open_log(path: &Path) -> std::io::Result<(std::fs::File, u64)> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.append(true).create(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options
            .mode(0o600)
            .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_CLOEXEC);
    }
    let file = options.open(path).map_err(|err| {
        if err.raw_os_error() == Some(libc_eloop()) {
            std::io::Error::other("it is a symlink; the decision log must be a regular file")
        } else {
            err
        }
    })?;
    let metadata = file.metadata()?;
    if !metadata.is_file() {
        return Err(std::io::Error::other(format!(
            "it is a {}, not a regular file",
            crate::regular_file::kind(metadata.file_type())
        )));
    }
    Ok((file, metadata.len()))
}

#[cfg(unix)]
fn libc_eloop() -> i32 {
    libc::ELOOP
}

#[cfg(not(unix))]
fn libc_eloop() -> i32 {
    -1
}

/// Shifts `log.N` to `log.N+1` (dropping the oldest) and `log` to `log.1`, unless another
/// process rotated it already.
fn rotate(config: &LogConfig, held: &std::fs::File) -> std::io::Result<()> {
    #[cfg(unix)]
    let _lock = lock_briefly(held)?;
    // Rotated by someone else while we waited: the path is a new, smaller file now.
    if !same_file(held, &config.path) {
        return Ok(());
    }
    let numbered = |n: u32| {
        let mut name = config.path.clone().into_os_string();
        name.push(format!(".{n}"));
        PathBuf::from(name)
    };
    if config.keep == 0 {
        return std::fs::remove_file(&config.path);
    }
    let _ = std::fs::remove_file(numbered(config.keep));
    for n in (1..config.keep).rev() {
        match std::fs::rename(numbered(n), numbered(n + 1)) {
            Err(err) if err.kind() != std::io::ErrorKind::NotFound => return Err(err),
            _ => {}
        }
    }
    std::fs::rename(&config.path, numbered(1))
}

/// An exclusive lock on the log, waited for at most a second: whoever holds it longer (an
/// agent can lock the file too) must not stall every evaluation behind it.
#[cfg(unix)]
fn lock_briefly(held: &std::fs::File) -> std::io::Result<nix::fcntl::Flock<std::fs::File>> {
    let deadline = std::time::Instant::now() + Duration::from_secs(1);
    loop {
        match nix::fcntl::Flock::lock(
            held.try_clone()?,
            nix::fcntl::FlockArg::LockExclusiveNonblock,
        ) {
            Ok(lock) => return Ok(lock),
            Err((_, nix::errno::Errno::EWOULDBLOCK)) if std::time::Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(10));
            }
            Err((_, errno)) => {
                return Err(std::io::Error::other(format!(
                    "cannot lock it to rotate ({errno}); another process holds it"
                )))
            }
        }
    }
}

#[cfg(unix)]
fn same_file(held: &std::fs::File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt as _;
    match (held.metadata(), std::fs::symlink_metadata(path)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn same_file(_held: &std::fs::File, path: &Path) -> bool {
    path.exists()
}

/// Replaces the value at `path` (object keys) with the redaction marker, if present.
fn redact(value: &mut Value, path: &[String]) {
    let Some((last, parents)) = path.split_last() else {
        return;
    };
    let mut here = value;
    for key in parents {
        match here.get_mut(key) {
            Some(next) => here = next,
            None => return,
        }
    }
    if let Some(slot) = here.as_object_mut().and_then(|object| object.get_mut(last)) {
        *slot = json!(REDACTED);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(dir: &Path, extra: &str) -> Result<LogConfig> {
        let rulebook = dir.join("rulebook.yml");
        let value: Value = serde_norway::from_str(&format!("path: log/d.jsonl\n{extra}"))
            .map_err(Error::internal)?;
        LogConfig::parse(&rulebook, value)
    }

    #[test]
    fn redacts_nested_fields_only_where_present() {
        let mut event = json!({"tool_input": {"content": "secret", "path": "a"}, "x": 1});
        redact(&mut event, &["tool_input".into(), "content".into()]);
        redact(&mut event, &["tool_input".into(), "missing".into()]);
        redact(&mut event, &["x".into(), "deeper".into()]);
        assert_eq!(
            event,
            json!({"tool_input": {"content": "[redacted]", "path": "a"}, "x": 1})
        );
    }

    #[test]
    fn parses_and_checks_the_section() -> Result<()> {
        let dir = tempfile::tempdir().map_err(Error::internal)?;
        let parsed = config(dir.path(), "keep: 2\nredact: [tool_input.content]\n")?;
        assert_eq!(parsed.path, dir.path().join("log/d.jsonl"));
        assert_eq!(parsed.keep, 2);
        assert_eq!(
            parsed.redact,
            vec![vec!["tool_input".to_string(), "content".to_string()]]
        );
        assert!(config(dir.path(), "max_bytes: 10\n").is_err());
        assert!(config(dir.path(), "redact: [tool_input.]\n").is_err());
        assert!(config(dir.path(), "colour: red\n").is_err());
        Ok(())
    }

    #[test]
    fn rotates_by_size_and_keeps_the_newest_files() -> Result<()> {
        let dir = tempfile::tempdir().map_err(Error::internal)?;
        let mut parsed = config(dir.path(), "keep: 2\n")?;
        parsed.max_bytes = 4096;
        let log = DecisionLog::new(parsed.clone());
        let line = vec![b'x'; 1500];
        // Two lines fit in a file: the ninth starts a fifth file, of which three are kept.
        for _ in 0..9 {
            log.append(&line).map_err(Error::internal)?;
        }
        let size = |path: &Path| std::fs::metadata(path).map_or(0, |m| m.len());
        assert_eq!(size(&parsed.path), 1500);
        assert_eq!(size(&dir.path().join("log/d.jsonl.1")), 3000);
        assert_eq!(size(&dir.path().join("log/d.jsonl.2")), 3000);
        assert!(!dir.path().join("log/d.jsonl.3").exists());
        Ok(())
    }

    #[test]
    fn writers_sharing_a_log_follow_each_others_rotations() -> Result<()> {
        let dir = tempfile::tempdir().map_err(Error::internal)?;
        let mut parsed = config(dir.path(), "keep: 100\n")?;
        parsed.max_bytes = 4096;
        // Two engines (or a server and hook processes) writing the same file.
        let first = DecisionLog::new(parsed.clone());
        let second = DecisionLog::new(parsed.clone());
        let line = [b'y'; 1000];
        for n in 0..40 {
            let writer = if n % 3 == 0 { &second } else { &first };
            writer.append(&line).map_err(Error::internal)?;
        }
        let mut total = 0;
        for entry in std::fs::read_dir(dir.path().join("log")).map_err(Error::internal)? {
            let path = entry.map_err(Error::internal)?.path();
            let size = std::fs::metadata(&path).map_err(Error::internal)?.len();
            assert!(size <= 4096, "{} is {size} bytes", path.display());
            total += size;
        }
        // Every line is in some file: none went into a rotated-away or deleted one.
        assert_eq!(total, 40 * 1000);
        Ok(())
    }

    #[cfg(unix)]
    #[test]
    fn refuses_symlinks_and_fifos() -> Result<()> {
        let dir = tempfile::tempdir().map_err(Error::internal)?;
        let target = dir.path().join("bashrc");
        std::fs::write(&target, "keep me\n").map_err(Error::internal)?;
        let path = dir.path().join("d.jsonl");
        std::os::unix::fs::symlink(&target, &path).map_err(Error::internal)?;
        let err = open_log(&path).expect_err("a symlink is refused");
        assert!(err.to_string().contains("symlink"), "{err}");
        assert_eq!(
            std::fs::read_to_string(&target).map_err(Error::internal)?,
            "keep me\n"
        );
        std::fs::remove_file(&path).map_err(Error::internal)?;
        let made = std::process::Command::new("mkfifo")
            .arg(&path)
            .status()
            .map_err(Error::internal)?;
        assert!(made.success());
        // Without a reader, opening fails at once (ENXIO) instead of waiting for one.
        assert!(open_log(&path).is_err());
        Ok(())
    }
}
