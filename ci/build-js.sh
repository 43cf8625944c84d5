#!/usr/bin/env bash
# Builds the Node package in bindings-js/: the cupcake cdylib (dev profile), the generated
# bindings with the library copied beside them, the pinned npm dependencies and the compiled
# facade in dist/. Safe to run again; each step starts from a clean output directory.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
"$REPO_ROOT/ci/tools.sh"

log() { printf '[build-js] %s\n' "$*" >&2; }
package="$REPO_ROOT/bindings-js"

case "$(uname -s)" in
  Darwin) library=libcupcake.dylib ;;
  MINGW* | MSYS* | CYGWIN*) library=cupcake.dll ;;
  *) library=libcupcake.so ;;
esac

log "building cupcake-core"
cargo build --quiet --locked -p cupcake-core

log "generating bindings with uniffi-bindgen-node-js $UNIFFI_BINDGEN_NODE_JS_VERSION"
rm -rf "$package/generated"
uniffi-bindgen-node-js generate "$CARGO_TARGET_DIR/debug/$library" \
  --crate-name cupcake --package-name cupcake-native --out-dir "$package/generated"
cp "$CARGO_TARGET_DIR/debug/$library" "$package/generated/$library"

log "installing npm dependencies"
(cd "$package" && npm ci --no-audit --no-fund --loglevel=error)

log "compiling the facade"
rm -rf "$package/dist"
(cd "$package" && node_modules/.bin/tsc -p tsconfig.build.json)
