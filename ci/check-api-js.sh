#!/usr/bin/env bash
# Checks the Node API snapshots in bindings-js/api/: cupcake.d.ts, the generated bindings'
# declarations, regenerated from a fresh build of the library; and facade.d.ts, the declarations
# of every module in bindings-js/src/ (in name order), compiled against those fresh bindings.
# Nothing in bindings-js/ is touched. With --update, replaces the snapshots instead. A change
# here is a change to the public Node API: review it first.
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

package="$REPO_ROOT/bindings-js"
fresh="$(mktemp -d)"
trap 'rm -rf "$fresh"' EXIT

cargo build --quiet --locked -p cupcake-ffi
uniffi-bindgen-node-js generate "$CARGO_TARGET_DIR/debug/$library" \
  --crate-name cupcake --package-name cupcake-native --out-dir "$fresh/generated"

# The facade's declarations: its sources and tsconfig beside the fresh bindings, compiled with
# the package's own TypeScript.
[ -x "$package/node_modules/.bin/tsc" ] ||
  (cd "$package" && npm ci --no-audit --no-fund --loglevel=error)
cp -R "$package/src" "$package/package.json" "$package/tsconfig.json" "$package/tsconfig.build.json" \
  "$fresh/"
ln -s "$package/node_modules" "$fresh/node_modules"
"$package/node_modules/.bin/tsc" -p "$fresh/tsconfig.build.json" --emitDeclarationOnly \
  --declarationMap false --outDir "$fresh/dist"
for declaration in "$fresh"/dist/*.d.ts "$fresh"/dist/*.d.cts; do
  printf '// ---- %s\n' "$(basename "$declaration")"
  cat "$declaration"
done >"$fresh/facade.d.ts"

status=0
for name in cupcake.d.ts facade.d.ts; do
  snapshot="$package/api/$name"
  case "$name" in
    cupcake.d.ts) current="$fresh/generated/cupcake.d.ts" ;;
    *) current="$fresh/facade.d.ts" ;;
  esac
  if [ "$update" -eq 1 ]; then
    mkdir -p "$(dirname "$snapshot")"
    cp "$current" "$snapshot"
    echo "updated bindings-js/api/$name"
  elif ! diff -u --label "committed bindings-js/api/$name" --label "current $name" \
    "$snapshot" "$current"; then
    echo "the Node API differs from bindings-js/api/$name; review the diff above," \
      "then run ci/check-api-js.sh --update and commit the snapshot" >&2
    status=1
  else
    echo "Node API matches bindings-js/api/$name"
  fi
done
exit "$status"
