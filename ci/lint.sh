#!/usr/bin/env bash
# Lints: clippy on every target with warnings denied, and shellcheck on ci/ when available.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$REPO_ROOT"
cargo clippy --workspace --all-targets --locked -- -D warnings
if command -v shellcheck >/dev/null; then
  shellcheck -x ci/*.sh .ci/run
fi
