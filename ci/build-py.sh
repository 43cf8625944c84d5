#!/usr/bin/env bash
# Builds libcupcake, regenerates the Python bindings (bindings-py/python/cupcake/_native/) and
# installs the `cupcake` package, editable, into the tool venv. Uses the workspace target dir
# and dev profile (release with `--release`, for the benchmarks), so only cupcake-ffi itself is
# ever rebuilt here. Prints cargo's output only
# when the build fails.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
bash "$REPO_ROOT/ci/tools.sh"

log() { printf '[build-py] %s\n' "$*" >&2; }

# maturin generates the bindings with `uniffi-bindgen` from PATH; it must be the exact version
# of the `uniffi` runtime compiled into libcupcake.
uniffi_version="$(sed -n 's/^uniffi = { version = "=\([0-9.]*\)".*/\1/p' "$REPO_ROOT/Cargo.toml")"
[ -n "$uniffi_version" ] || { log "cannot read the pinned uniffi version from Cargo.toml"; exit 1; }
grep -q "\"uniffi-bindgen==$uniffi_version\"" "$REPO_ROOT/bindings-py/pyproject.toml" ||
  { log "bindings-py/pyproject.toml must require uniffi-bindgen==$uniffi_version"; exit 1; }
# Capture first: with pipefail, `grep -q` closing the pipe early would fail the check.
installed="$("$CUPCAKE_VENV/bin/uniffi-bindgen" --version 2>/dev/null || true)"
if [ "$installed" != "uniffi-bindgen $uniffi_version" ]; then
  log "installing uniffi-bindgen $uniffi_version"
  "$CUPCAKE_VENV/bin/python" -m pip install --quiet "uniffi-bindgen==$uniffi_version"
fi

maturin_profile=()
[ "${1:-}" = "--release" ] && maturin_profile=(--profile release)

output="$(mktemp)"
trap 'rm -f "$output"' EXIT
if ! (cd "$REPO_ROOT/bindings-py" && VIRTUAL_ENV="$CUPCAKE_VENV" maturin develop --color never "${maturin_profile[@]}") \
  >"$output" 2>&1; then
  cat "$output" >&2
  log "maturin develop failed"
  exit 1
fi
log "installed cupcake $("$CUPCAKE_VENV/bin/python" -c 'import cupcake; print(cupcake.version())') into $CUPCAKE_VENV"
