#!/usr/bin/env bash
# Installs what only `just bench` needs into $CUPCAKE_DEV_CACHE: the `oha` HTTP load generator
# (cargo install, pinned), which drives `cupcake serve` and `opa run --server`. Idempotent.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
mkdir -p "$CUPCAKE_DEV_CACHE/bin"
if [ ! -x "$CUPCAKE_DEV_CACHE/bin/oha" ] ||
  ! grep -q "oha $OHA_VERSION " "$CUPCAKE_DEV_CACHE/.crates.toml" 2>/dev/null; then
  printf '[tools] installing oha %s (a few minutes)\n' "$OHA_VERSION" >&2
  cargo install --quiet --locked --root "$CUPCAKE_DEV_CACHE" oha --version "$OHA_VERSION"
fi
