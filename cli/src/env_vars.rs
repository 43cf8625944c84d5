//! Every environment variable the CLI reads. None of them can change what a policy decides:
//! an agent can set environment variables, so enforcement never depends on one.

/// Log filter for stderr diagnostics (tracing's `EnvFilter` syntax), e.g. `cupcake=debug`.
pub(crate) const LOG: &str = "CUPCAKE_LOG";
