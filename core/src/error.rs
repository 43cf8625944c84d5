//! The engine's error type. Loading and evaluating fail in different ways, and each variant
//! carries the fields its message is built from, so a caller can tell what failed, where, and
//! what to do next.

use std::path::PathBuf;

/// Result alias used throughout the core.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong while loading policies or evaluating an event.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The event handed to `evaluate` is not usable.
    #[error("invalid event: {reason}; send one JSON object per hook call")]
    InvalidInput {
        /// What is wrong with the input.
        reason: String,
    },

    /// The policy directory or an option is wrong.
    #[error("configuration error at {}: {reason}", path.display())]
    Config {
        /// The file or directory concerned.
        path: PathBuf,
        /// What is wrong and how to fix it.
        reason: String,
    },

    /// No usable OPA binary was found.
    #[error(
        "opa not found ({searched}); install any OPA 1.x on PATH (tested with {wanted}: `go install github.com/open-policy-agent/opa@v{wanted}`), pass its path as opa_path, or set download_opa to let cupcake fetch the checksum-pinned OPA {download} into its cache"
    )]
    OpaNotFound {
        /// Where cupcake looked, and what it found there.
        searched: String,
        /// The OPA version cupcake is tested with.
        wanted: &'static str,
        /// The release a download installs, which is the one the cache is searched for.
        download: String,
    },

    /// The opt-in download of OPA failed. Nothing was installed; the engine can be created
    /// again once the cause is fixed.
    #[error("opa download from {url} failed: {problem}; nothing was installed; retry, or install OPA yourself and pass its path as opa_path")]
    OpaDownload {
        /// What was being downloaded (for an unsupported platform, the release directory).
        url: String,
        /// What went wrong.
        problem: crate::opa_download::DownloadProblem,
    },

    /// OPA rejected the policies, or a policy's metadata is invalid.
    #[error("policy error in {}{}: {reason}", file.display(), line.map(|l| format!(":{l}")).unwrap_or_default())]
    PolicyCompile {
        /// The policy file at fault.
        file: PathBuf,
        /// The line, when known.
        line: Option<u32>,
        /// What is wrong with it.
        reason: String,
    },

    /// A policy calls a builtin that cupcake does not implement on the host.
    #[error("policy needs builtin `{builtin}`, which cupcake does not implement; rewrite the rule without it ({policies})")]
    UnsupportedBuiltin {
        /// The OPA name of the builtin.
        builtin: String,
        /// The policies that may call it.
        policies: String,
    },

    /// A policy produced something cupcake cannot use, or the WebAssembly module failed.
    #[error("evaluation failed: {reason}")]
    Evaluation {
        /// What failed.
        reason: String,
    },

    /// An evaluation crossed one of the configured limits.
    #[error("evaluation stopped: {limit}; the policy may loop or allocate without bound, or the limit may be too low")]
    LimitExceeded {
        /// Which limit, and its value.
        limit: String,
    },

    /// A bug or an environment failure inside cupcake.
    #[error("internal error: {reason}")]
    Internal {
        /// What failed.
        reason: String,
    },
}

impl Error {
    pub(crate) fn invalid_input(reason: impl Into<String>) -> Self {
        Self::InvalidInput {
            reason: reason.into(),
        }
    }

    pub(crate) fn config(path: impl Into<PathBuf>, reason: impl Into<String>) -> Self {
        Self::Config {
            path: path.into(),
            reason: reason.into(),
        }
    }

    pub(crate) fn evaluation(reason: impl Into<String>) -> Self {
        Self::Evaluation {
            reason: reason.into(),
        }
    }

    pub(crate) fn internal(reason: impl std::fmt::Display) -> Self {
        Self::Internal {
            reason: reason.to_string(),
        }
    }
}
