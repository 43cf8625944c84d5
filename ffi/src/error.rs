//! The foreign error type: one variant per thing a caller can do about a failure, each with the
//! core error's full message, and where a file is at fault, its path (and line) as fields a
//! caller can read without parsing the message.

use engine::Error;

/// Errors raised to Python and Node.
#[derive(Debug, thiserror::Error)]
pub enum CupcakeError {
    /// Bad event input.
    #[error("{message}")]
    InvalidInput {
        /// What failed and what to do.
        message: String,
    },
    /// Bad policy directory or option.
    #[error("{message}")]
    Config {
        /// What failed and what to do.
        message: String,
        /// The file or directory concerned.
        path: Option<String>,
    },
    /// OPA missing or unusable.
    #[error("{message}")]
    OpaNotFound {
        /// What failed and what to do.
        message: String,
    },
    /// A policy failed to load or compile.
    #[error("{message}")]
    PolicyCompile {
        /// What failed and what to do.
        message: String,
        /// The policy file at fault.
        path: Option<String>,
        /// Its line, when OPA or the metadata parser named one.
        line: Option<u32>,
    },
    /// A policy needs a builtin cupcake lacks.
    #[error("{message}")]
    UnsupportedBuiltin {
        /// What failed and what to do.
        message: String,
    },
    /// Evaluation failed.
    #[error("{message}")]
    Evaluation {
        /// What failed and what to do.
        message: String,
    },
    /// A limit stopped the evaluation.
    #[error("{message}")]
    LimitExceeded {
        /// What failed and what to do.
        message: String,
    },
    /// A bug or environment failure.
    #[error("{message}")]
    Internal {
        /// What failed and what to do.
        message: String,
    },
}

impl From<Error> for CupcakeError {
    fn from(error: Error) -> Self {
        let message = error.to_string();
        match error {
            Error::InvalidInput { .. } => Self::InvalidInput { message },
            Error::Config { path, .. } => Self::Config {
                message,
                path: Some(path.display().to_string()),
            },
            // A failed download leaves the caller where a missing OPA does: without one.
            Error::OpaNotFound { .. } | Error::OpaDownload { .. } => Self::OpaNotFound { message },
            Error::PolicyCompile { file, line, .. } => Self::PolicyCompile {
                message,
                path: Some(file.display().to_string()),
                line,
            },
            Error::UnsupportedBuiltin { .. } => Self::UnsupportedBuiltin { message },
            Error::Evaluation { .. } => Self::Evaluation { message },
            Error::LimitExceeded { .. } => Self::LimitExceeded { message },
            // The engine's error is non-exhaustive: a variant added there before it gets a
            // foreign one still raises, as Internal (the tests compare every kind).
            _ => Self::Internal { message },
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;

    /// The foreign variant's name (the exception the bindings raise), checked against the
    /// kind the engine names.
    fn kind(error: Error) -> &'static str {
        let named = error.kind();
        let foreign = format!("{:?}", CupcakeError::from(error));
        let variant = foreign.split([' ', '{', '(']).next().unwrap_or_default();
        assert_eq!(
            variant, named,
            "the foreign error disagrees with the engine's kind"
        );
        named
    }

    #[test]
    fn invalid_input_arm() {
        assert_eq!(
            kind(Error::InvalidInput { reason: "x".into() }),
            "InvalidInput"
        );
    }

    #[test]
    fn config_arm() {
        let error = Error::Config {
            path: PathBuf::from("/x"),
            reason: "missing".into(),
        };
        assert_eq!(
            kind(Error::Config {
                path: PathBuf::from("/x"),
                reason: "missing".into()
            }),
            "Config"
        );
        let error = CupcakeError::from(error);
        assert!(matches!(&error, CupcakeError::Config { path: Some(path), .. } if path == "/x"));
    }

    #[test]
    fn opa_not_found_arm() {
        let error = Error::OpaNotFound {
            searched: "PATH".into(),
            wanted: "1",
            download: "1".into(),
        };
        assert_eq!(kind(error), "OpaNotFound");
    }

    #[test]
    fn opa_download_arm() {
        let error = Error::OpaDownload {
            url: "http://127.0.0.1:1/opa".into(),
            problem: engine::DownloadProblem::Status { status: 404 },
        };
        assert!(error.to_string().contains("HTTP 404"), "{error}");
        assert_eq!(kind(error), "OpaNotFound");
    }

    #[test]
    fn policy_compile_arm() {
        let error = Error::PolicyCompile {
            file: PathBuf::from("a.rego"),
            line: Some(3),
            reason: "bad".into(),
        };
        let error = CupcakeError::from(error);
        assert!(error.to_string().contains("a.rego:3"), "{error}");
        assert!(
            matches!(&error, CupcakeError::PolicyCompile { path: Some(path), line: Some(3), .. } if path == "a.rego"),
            "{error:?}"
        );
    }

    #[test]
    fn unsupported_builtin_arm() {
        let error = Error::UnsupportedBuiltin {
            builtin: "http.send".into(),
            policies: "p".into(),
        };
        assert_eq!(kind(error), "UnsupportedBuiltin");
    }

    #[test]
    fn evaluation_arm() {
        assert_eq!(kind(Error::Evaluation { reason: "x".into() }), "Evaluation");
    }

    #[test]
    fn limit_arm() {
        assert_eq!(
            kind(Error::LimitExceeded {
                limit: "deadline".into()
            }),
            "LimitExceeded"
        );
    }

    #[test]
    fn internal_arm() {
        assert_eq!(kind(Error::Internal { reason: "x".into() }), "Internal");
    }
}
