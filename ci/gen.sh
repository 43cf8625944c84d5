#!/usr/bin/env bash
# Regenerates everything derived from interface.udl: the Python package (maturin + UniFFI) and
# the Node package (uniffi-bindgen-node-js). Snapshots are not touched: review the diff of
# `ci/check-drift.sh`, then update them with the --update flags.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$REPO_ROOT"
bash ci/build-py.sh
bash ci/build-js.sh
