//! Typed settings for an engine. Every knob that can change enforcement is an argument here;
//! nothing is read from the environment.

use std::path::PathBuf;
use std::time::Duration;

use crate::opa::{self, OpaRelease};

/// The agent whose hook events and response format the engine speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Harness {
    /// Claude Code (also the Claude Agent SDK's hooks).
    Claude,
    /// Cursor.
    Cursor,
    /// Gemini CLI.
    Gemini,
    /// Windsurf's Cascade agent.
    Windsurf,
    /// GitHub Copilot: the CLI and the cloud coding agent.
    Copilot,
    /// OpenCode, through cupcake's plugin.
    OpenCode,
    /// Factory's Droid.
    Factory,
    /// Cline: the CLI and the VS Code extension.
    Cline,
}

impl Harness {
    /// Every harness, in the order messages list them.
    pub const ALL: [Self; 8] = [
        Self::Claude,
        Self::Cursor,
        Self::Gemini,
        Self::Copilot,
        Self::Windsurf,
        Self::Factory,
        Self::OpenCode,
        Self::Cline,
    ];

    /// The folder name under `policies/` that holds this harness's policies; also its name
    /// on the command line.
    pub fn dir_name(self) -> &'static str {
        self.names()[0]
    }

    /// The names [`Harness::parse`] accepts for this harness, the canonical one first.
    fn names(self) -> &'static [&'static str] {
        match self {
            Self::Claude => &["claude", "claude-code", "claude_code"],
            Self::Cursor => &["cursor"],
            Self::Gemini => &["gemini", "gemini-cli", "gemini_cli"],
            Self::Windsurf => &["windsurf", "cascade"],
            Self::Copilot => &["copilot", "github-copilot", "copilot-cli"],
            Self::OpenCode => &["opencode", "open-code"],
            Self::Factory => &["factory", "droid", "factory-droid"],
            Self::Cline => &["cline"],
        }
    }

    /// The names [`Harness::parse`] accepts, for messages: `claude (also claude-code, …), …`.
    pub fn all_names() -> String {
        Self::ALL
            .iter()
            .map(|harness| match harness.names() {
                [only] => (*only).to_string(),
                [first, rest @ ..] => format!("{first} (also {})", rest.join(", ")),
                [] => String::new(),
            })
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The error text for a name [`Harness::parse`] refuses; the CLI, Python and Node all
    /// show this one.
    pub fn unknown(name: &str) -> String {
        format!(
            "unknown harness '{name}'; expected one of {}",
            Self::all_names()
        )
    }

    /// Parses a harness name as users type it (`claude`, `gemini-cli`), ignoring case.
    pub fn parse(name: &str) -> Option<Self> {
        let name = name.to_ascii_lowercase();
        Self::ALL
            .into_iter()
            .find(|harness| harness.names().contains(&name.as_str()))
    }
}

/// Resource limits applied to every evaluation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Wall-clock budget of one evaluation.
    pub timeout: Duration,
    /// Largest linear memory a policy instance may grow to.
    pub memory_bytes: usize,
    /// Largest accepted event, in bytes of JSON.
    pub input_bytes: usize,
    /// Deepest accepted nesting of arrays and objects in an event.
    pub json_depth: usize,
    /// How long `opa build` may run before it is killed. A cold compile takes about a second;
    /// an OPA that hangs must fail the load instead of holding the hook until its host gives up.
    pub compile_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            timeout: Duration::from_millis(500),
            memory_bytes: 256 * 1024 * 1024,
            input_bytes: 4 * 1024 * 1024,
            compile_timeout: Duration::from_mins(2),
            json_depth: 64,
        }
    }
}

/// Options for [`crate::Engine::new`].
#[derive(Debug, Clone)]
pub struct EngineOptions {
    /// Which agent's events and responses to use.
    pub harness: Harness,
    /// An explicit OPA binary; otherwise `PATH`, then `<cache_dir>/bin/opa-<version>`.
    pub opa_path: Option<PathBuf>,
    /// When no OPA is found, download the pinned OPA release for this platform into
    /// `<cache_dir>/bin/` (checked against a SHA-256 built into cupcake) instead of failing.
    /// Off by default; only a compile ever downloads.
    pub download_opa: bool,
    /// Evaluation limits.
    pub limits: Limits,
    /// Root of cupcake's cache (compiled policies, a downloaded OPA); `None` uses the user's
    /// cache directory.
    pub cache_dir: Option<PathBuf>,
    /// Global policy directory, evaluated first; `None` uses `~/.config/cupcake` when it exists.
    pub global_dir: Option<PathBuf>,
    /// A decision log set by the caller (the CLI's `--decision-log`); it replaces any a
    /// rulebook names. Not part of the foreign interface.
    pub decision_log: Option<crate::LogConfig>,
    /// More files for self-protection to guard, e.g. the `cupcake` executable a hook runs.
    /// Not part of the foreign interface: the CLI adds its own binary.
    pub protected_paths: Vec<PathBuf>,
    /// Replaces the pinned release that `download_opa` fetches. It exists for tests, which
    /// serve OPA from a loopback server; it is not part of the foreign interface.
    #[doc(hidden)]
    pub opa_release: Option<OpaRelease>,
    /// Directories searched for `opa` instead of `PATH`. It exists for tests that need a
    /// machine without OPA; it is not part of the foreign interface.
    #[doc(hidden)]
    pub opa_search_path: Option<Vec<PathBuf>>,
}

impl EngineOptions {
    /// Where these options let OPA come from.
    pub(crate) fn opa_search(&self) -> opa::Search<'_> {
        opa::Search {
            opa_path: self.opa_path.as_deref(),
            download_opa: self.download_opa,
            opa_release: self.opa_release.as_ref(),
            cache_dir: self.cache_dir.as_deref(),
            opa_search_path: self.opa_search_path.as_deref(),
        }
    }
}

impl Default for EngineOptions {
    fn default() -> Self {
        Self {
            harness: Harness::Claude,
            opa_path: None,
            download_opa: false,
            limits: Limits::default(),
            cache_dir: None,
            global_dir: None,
            decision_log: None,
            protected_paths: Vec::new(),
            opa_release: None,
            opa_search_path: None,
        }
    }
}
