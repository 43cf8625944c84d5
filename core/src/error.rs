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
        problem: DownloadProblem,
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
    /// What a caller can do about the error, by name; the foreign bindings raise an exception
    /// of this name. A failed download is `OpaNotFound`: either way there is no OPA to use.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::InvalidInput { .. } => "InvalidInput",
            Self::Config { .. } => "Config",
            Self::OpaNotFound { .. } | Self::OpaDownload { .. } => "OpaNotFound",
            Self::PolicyCompile { .. } => "PolicyCompile",
            Self::UnsupportedBuiltin { .. } => "UnsupportedBuiltin",
            Self::Evaluation { .. } => "Evaluation",
            Self::LimitExceeded { .. } => "LimitExceeded",
            Self::Internal { .. } => "Internal",
        }
    }

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

/// What went wrong in a download. Whatever it is, nothing was installed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DownloadProblem {
    /// No checksum is pinned for this platform, so nothing is downloaded.
    #[error("no SHA-256 is pinned for OPA on {platform}, so cupcake does not download it there")]
    UnsupportedPlatform {
        /// `os/arch`, e.g. `freebsd/x86_64`.
        platform: String,
    },
    /// No cache directory to install into.
    #[error("no cache directory to install into; pass cache_dir")]
    NoCacheDir,
    /// The server answered with something other than 200.
    #[error("the server answered HTTP {status}")]
    Status {
        /// The HTTP status code.
        status: u16,
    },
    /// The connection failed or timed out.
    #[error("{reason}")]
    Transport {
        /// What the HTTP client reported.
        reason: String,
    },
    /// The connection closed before the announced length arrived.
    #[error("the transfer stopped after {received} of {expected} bytes")]
    Truncated {
        /// Bytes received.
        received: u64,
        /// Bytes announced by `Content-Length`.
        expected: u64,
    },
    /// The file is far larger than any OPA binary.
    #[error("the file is larger than {limit} bytes")]
    TooLarge {
        /// The cap, in bytes.
        limit: u64,
    },
    /// The bytes are not the pinned release.
    #[error("its SHA-256 is {actual}, not the pinned {expected}")]
    Checksum {
        /// The pinned SHA-256.
        expected: String,
        /// The SHA-256 of what arrived.
        actual: String,
    },
    /// The file could not be written, synced or renamed.
    #[error("cannot write it: {reason}")]
    Write {
        /// The I/O error, with its path.
        reason: String,
    },
    /// The verified file does not run as OPA 1.x here.
    #[error("the verified binary does not work here: {reason}")]
    NotRunnable {
        /// What running `opa version` reported.
        reason: String,
    },
}
