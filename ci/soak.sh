#!/usr/bin/env bash
# Soak run, outside the test command: one engine evaluates a million events (pass
# `--evaluations N` to change that) in a release build, printing throughput and resident memory
# every 100,000 and ending with a verdict on memory growth after warm-up. Exits non-zero if
# memory grew by 5 MB or more, or if any outcome differed from the first round's.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$REPO_ROOT"
cargo run --release --locked --quiet -p cupcake-core --example soak -- "$@"
