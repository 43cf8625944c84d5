#!/usr/bin/env bash
# Checks the Node API snapshot: regenerates cupcake.d.ts from a fresh build of the library and
# compares it with the committed bindings-js/api/cupcake.d.ts. With --update, replaces the
# snapshot instead. A change here is a change to the public Node API: review it first.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
"$REPO_ROOT/ci/tools.sh"

case "${1:-}" in
  "") update=0 ;;
  --update) update=1 ;;
  *) echo "usage: ci/check-api-js.sh [--update]" >&2; exit 2 ;;
esac

case "$(uname -s)" in
  Darwin) library=libcupcake.dylib ;;
  MINGW* | MSYS* | CYGWIN*) library=cupcake.dll ;;
  *) library=libcupcake.so ;;
esac

snapshot="$REPO_ROOT/bindings-js/api/cupcake.d.ts"
fresh="$(mktemp -d)"
trap 'rm -rf "$fresh"' EXIT

cargo build --quiet --locked -p cupcake-core
uniffi-bindgen-node-js generate "$CARGO_TARGET_DIR/debug/$library" \
  --crate-name cupcake --package-name cupcake-native --out-dir "$fresh"

if [ "$update" -eq 1 ]; then
  mkdir -p "$(dirname "$snapshot")"
  cp "$fresh/cupcake.d.ts" "$snapshot"
  echo "updated ${snapshot#"$REPO_ROOT"/}"
elif ! diff -u --label "committed ${snapshot#"$REPO_ROOT"/}" --label "generated cupcake.d.ts" \
  "$snapshot" "$fresh/cupcake.d.ts"; then
  echo "the generated Node API differs from bindings-js/api/cupcake.d.ts; review the diff above," \
    "then run ci/check-api-js.sh --update and commit the snapshot" >&2
  exit 1
else
  echo "Node API matches bindings-js/api/cupcake.d.ts"
fi
