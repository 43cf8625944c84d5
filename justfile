# Developer recipes; each is a one-line call into ci/. `just ci` before pushing.

default:
    @just --list

# Evaluate the bundled events through the CLI, Python and Node, side by side.
demo:
    bash ci/demo.sh

# Every suite, with the summary line CI reads.
test:
    bash ci/test.sh

# Rust tests, including the shared conformance cases.
conformance:
    bash ci/test-rust.sh

# Python binding tests.
test-py:
    bash ci/test-py.sh

# Node binding tests.
test-js:
    bash ci/test-js.sh

# Every benchmark side by side with its peers; writes BENCHMARKS.md (slow: release builds).
bench:
    bash ci/bench.sh

# perf profiles of the missed benchmark targets, summed per part of the evaluation path (after bench).
profile seconds="10":
    bash ci/profile.sh {{seconds}}

# One engine, a million evaluations: throughput and RSS every 100k, then a verdict on RSS growth.
soak *args:
    bash ci/soak.sh {{args}}

# The wheels and npm packages (main + this platform's library) for this platform, in dist/.
dist:
    bash ci/dist.sh

# Fuzz each cargo-fuzz target in core/fuzz for SECONDS (default 60); crashes land in core/fuzz/artifacts.
fuzz seconds="60":
    bash ci/fuzz.sh {{seconds}}

# Regenerate both bindings from interface.udl.
gen:
    bash ci/gen.sh

# Fail if an API snapshot is out of date or ffi/'s UDL is no longer the link to interface.udl.
check-drift:
    bash ci/check-drift.sh

# Format the Rust code.
fmt:
    cargo fmt --all

# Clippy with warnings as errors, and shellcheck when installed.
lint:
    bash ci/lint.sh

# What CI runs.
ci:
    bash .ci/run
