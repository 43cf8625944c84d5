#!/usr/bin/env bash
# Builds the Node package in bindings-js/: the cupcake cdylib (dev profile, or release with
# `--release`, which the benchmarks use), the generated bindings, this platform's library
# package in npm/<platform>/ (linked into node_modules/ as npm would install it), the pinned npm
# dependencies, the compiled facade in dist/ (ESM) and dist/cjs/ (CommonJS),
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

log "building cupcake-ffi ($profile)"
cargo build --quiet --locked -p cupcake-ffi "${cargo_profile[@]}"

# The library ships in a package of its own per platform (bindings-js/npm/<platform>/ here,
# `<scope>/cupcake-<platform>` once packed), named as ci/matrix.json names release targets.
platform="$(bash "$REPO_ROOT/ci/platform.sh")"

log "generating bindings with uniffi-bindgen-node-js $UNIFFI_BINDGEN_NODE_JS_VERSION"
rm -rf "$package/generated"
uniffi-bindgen-node-js generate "$CARGO_TARGET_DIR/$profile/$library" \
  --crate-name cupcake --package-name cupcake-native --out-dir "$package/generated"

# The generated index loads the library from beside itself at import; it loads it from the
# platform package instead, through loader/native-library.js.
index="$package/generated/index.js"
grep -qx 'loadFfi();' "$index" || {
  log "$index no longer calls loadFfi() at import; the generator changed"
  exit 1
}
scope="$(node -p 'require(process.argv[1]).nativePackageScope' "$package/package.json")"
version="$(node -p 'require(process.argv[1]).version' "$package/package.json")"
sed -e "s|@@NATIVE_PACKAGE_SCOPE@@|$scope|" -e "s|@@PACKAGE_VERSION@@|$version|" \
  "$package/loader/native-library.js" >"$package/generated/native-library.js"
sed -i.orig -e 's|^loadFfi();$|loadFfi(nativeLibraryPath());|' \
  -e 's|^import { load as loadFfi } from "./cupcake-ffi.js";$|&\nimport { nativeLibraryPath } from "./native-library.js";|' \
  "$index"
rm -f "$index.orig"
grep -q 'import { nativeLibraryPath }' "$index" || { log "could not patch $index"; exit 1; }

node "$REPO_ROOT/ci/npm-platform-package.mjs" "$platform" "$CARGO_TARGET_DIR/$profile/$library" \
  "$package/npm/$platform" >/dev/null

log "installing npm dependencies"
(cd "$package" && npm ci --no-audit --no-fund --loglevel=error)

# What npm does with the optional dependency on this platform, without the registry.
mkdir -p "$package/node_modules/$scope"
ln -sfn "../../npm/$platform" "$package/node_modules/$scope/cupcake-$platform"

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
)

# What `npm install` of examples/node/package.json's file: dependency would make, without npm.
mkdir -p "$REPO_ROOT/examples/node/node_modules"
ln -sfn ../../../bindings-js "$REPO_ROOT/examples/node/node_modules/cupcake"
