#!/usr/bin/env bash
# `just dist`: the installable artifacts for this platform, in dist/ at the repository root:
#   - a Python wheel, py3-none-<platform> (UniFFI's Python code loads the library through
#     ctypes, so one wheel serves every Python from 3.9 on), built by maturin;
#   - an npm tarball (`npm pack`) whose native library sits under
#     generated/prebuilds/<platform>/, where the generated loader looks for it.
# Release profile by default; `--profile dev` reuses the test build (the test command uses it:
# it proves the packaging, not the optimiser). Other platforms come from ci/matrix.json in CI.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$REPO_ROOT"
bash ci/tools.sh

log() { printf '[dist] %s\n' "$*" >&2; }
profile=release
if [ "${1:-}" = "--profile" ]; then
  profile="${2:?--profile needs dev or release}"
fi
case "$profile" in
  dev | release) ;;
  *) log "unknown profile $profile; use dev or release"; exit 2 ;;
esac

out="$REPO_ROOT/dist"
rm -rf "$out"
mkdir -p "$out"

log "building the wheel ($profile)"
(cd bindings-py && maturin build --color never --profile "$profile" --out "$out") >&2
wheel="$(find "$out" -name 'cupcake-*.whl' | head -n 1)"
case "$(basename "$wheel")" in
  *-py3-none-*) ;;
  *) log "expected a py3-none wheel, got $(basename "$wheel")"; exit 1 ;;
esac

log "building the npm package ($profile)"
if [ "$profile" = release ]; then
  bash ci/build-js.sh --release
else
  bash ci/build-js.sh
fi
(cd bindings-js && npm pack --silent --pack-destination "$out") >/dev/null
tarball="$(find "$out" -name 'cupcake-*.tgz' | head -n 1)"
[ -n "$tarball" ] || { log "npm pack wrote no tarball"; exit 1; }

log "wrote $(basename "$wheel") and $(basename "$tarball") to dist/"
