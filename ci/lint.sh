#!/usr/bin/env bash
# Lints: clippy on every target with warnings denied, actionlint on the workflow files, and
# ShellCheck (when installed) on the ci/ scripts.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$REPO_ROOT"
bash ci/tools.sh
cargo clippy --workspace --all-targets --locked -- -D warnings
actionlint .github/workflows/*.yml
if command -v shellcheck >/dev/null; then
  shellcheck -x ci/*.sh .ci/run
fi
