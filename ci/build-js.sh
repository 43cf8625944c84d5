#!/usr/bin/env bash
# Builds the Node package in bindings-js/: the cupcake cdylib (dev profile, or release with
# `--release`, which the benchmarks use), the generated bindings with the library copied beside
# them, the pinned npm dependencies, the compiled facade in dist/ (ESM) and dist/cjs/ (CommonJS),
# and the examples/node link to the package. Safe to run again; each step starts from a clean
# output directory.
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

profile=debug
cargo_profile=()
if [ "${1:-}" = "--release" ]; then
  profile=release
  cargo_profile=(--release)
fi

log "building cupcake-core ($profile)"
cargo build --quiet --locked -p cupcake-core "${cargo_profile[@]}"

# The generated loader looks for the library under prebuilds/<platform>/ (the layout a
# multi-platform npm package ships) and names the platform when it is missing.
case "$(uname -m)" in
  x86_64 | amd64) arch=x64 ;;
  aarch64 | arm64) arch=arm64 ;;
  *) arch="$(uname -m)" ;;
esac
case "$(uname -s)" in
  Linux)
    libc=gnu
    if ldd --version 2>&1 | grep -qi musl; then libc=musl; fi
    prebuild="linux-$arch-$libc"
    ;;
  Darwin) prebuild="darwin-$arch" ;;
  *) prebuild="win32-$arch" ;;
esac

log "generating bindings with uniffi-bindgen-node-js $UNIFFI_BINDGEN_NODE_JS_VERSION"
rm -rf "$package/generated"
uniffi-bindgen-node-js generate "$CARGO_TARGET_DIR/$profile/$library" --bundled-prebuilds \
  --crate-name cupcake --package-name cupcake-native --out-dir "$package/generated"
mkdir -p "$package/generated/prebuilds/$prebuild"
cp "$CARGO_TARGET_DIR/$profile/$library" "$package/generated/prebuilds/$prebuild/$library"

log "installing npm dependencies"
(cd "$package" && npm ci --no-audit --no-fund --loglevel=error)

log "compiling the facade: ESM into dist/, CommonJS into dist/cjs/"
rm -rf "$package/dist"
(
  cd "$package"
  node_modules/.bin/tsc -p tsconfig.build.json
  # require() must not load an ES module (Node 18 cannot), so tsc also turns the generated
  # bindings into CommonJS, beside the facade's CommonJS build as in the source tree, with the
  # generated declarations and the library next to them. dist/cjs/package.json makes Node and
  # TypeScript read that tree as CommonJS.
  node_modules/.bin/tsc -p tsconfig.cjs.json
  node_modules/.bin/tsc -p tsconfig.generated-cjs.json
  printf '{ "type": "commonjs" }\n' >dist/cjs/package.json
  # tsc leaves `import.meta.url`, which CommonJS cannot parse; put in its CommonJS equivalent.
  find dist/cjs/generated -name '*.js' -exec sed -i.orig \
    's/import\.meta\.url/require("node:url").pathToFileURL(__filename).href/g' {} +
  find dist/cjs/generated -name '*.orig' -delete
  if grep -rq 'import\.meta' dist/cjs; then
    log "dist/cjs still uses import.meta; the generated bindings changed shape"
    exit 1
  fi
  (cd generated && find . -name '*.d.ts') | while read -r declaration; do
    mkdir -p "dist/cjs/generated/$(dirname "$declaration")"
    cp "generated/$declaration" "dist/cjs/generated/$declaration"
  done
  # The CommonJS copy loads the one library under generated/prebuilds/, so the package
  # carries it once.
  ffi=dist/cjs/generated/cupcake-ffi.js
  grep -q 'join)(moduleDirectory, "prebuilds", target, filename)' "$ffi" || {
    log "$ffi no longer resolves prebuilds as expected; the generator changed"
    exit 1
  }
  sed -i.orig 's|join)(moduleDirectory, "prebuilds", target, filename)|join)(moduleDirectory, "..", "..", "..", "generated", "prebuilds", target, filename)|' "$ffi"
  rm -f "$ffi.orig"
)

# What `npm install` of examples/node/package.json's file: dependency would make, without npm.
mkdir -p "$REPO_ROOT/examples/node/node_modules"
ln -sfn ../../../bindings-js "$REPO_ROOT/examples/node/node_modules/cupcake"
