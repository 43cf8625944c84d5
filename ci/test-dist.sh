#!/usr/bin/env bash
# Installs the built artifacts, not the source tree, into brand-new environments outside the
# repository and evaluates a real event through each: the wheel into a fresh venv for every
# Python from 3.9 to 3.13 found on this machine, the npm tarball into a fresh npm project
# (imported and required). Also checks the Node loader's error on a platform with no library.
# Writes `<passed> <failed>` to $CUPCAKE_RESULTS_DIR/dist.txt when that is set.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$REPO_ROOT" || exit 1

passed=0
failed=0
finish() {
  if [ -n "${CUPCAKE_RESULTS_DIR:-}" ]; then
    echo "$passed $failed" > "$CUPCAKE_RESULTS_DIR/dist.txt"
  fi
  echo "dist: $passed passed, $failed failed"
  exit $((failed > 0 ? 1 : 0))
}
check() {
  local name=$1
  shift
  if "$@"; then
    echo "ok   $name"
    passed=$((passed + 1))
  else
    echo "FAIL $name" >&2
    failed=$((failed + 1))
  fi
}

if ! bash ci/dist.sh --profile dev; then
  echo "ci/dist.sh failed: no artifacts to install" >&2
  failed=1
  finish
fi
wheel="$(find "$REPO_ROOT/dist" -name 'cupcake-*.whl' | head -n 1)"
tarball="$(find "$REPO_ROOT/dist" -name 'cupcake-*.tgz' | head -n 1)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
project="$REPO_ROOT/examples/project"
event="$REPO_ROOT/examples/events/01-bash-rm.json"

# A Python's own interpreter, under pyenv or on PATH as pythonX.Y; it must actually run (a
# pyenv shim for a version that is not selected does not).
find_python() {
  local version=$1 candidate
  for candidate in "$HOME"/.pyenv/versions/"$version".*/bin/"python$version" \
    "$(command -v "python$version" 2>/dev/null)"; do
    if [ -n "$candidate" ] && [ -x "$candidate" ] && "$candidate" -c '' 2>/dev/null; then
      echo "$candidate"
      return 0
    fi
  done
  return 1
}

python_install() {
  local python=$1 venv=$2
  "$python" -m venv "$venv" &&
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "$wheel" &&
    (cd "$work" && "$venv/bin/python" - "$project" "$event" <<'PY')
import json
import sys

import cupcake

project, event = sys.argv[1], sys.argv[2]
assert "site-packages" in cupcake.__file__, f"imported from the source tree: {cupcake.__file__}"
with cupcake.Cupcake.init(project) as engine:
    decision = engine.eval(json.load(open(event)))
assert decision.blocked, decision
response = json.loads(decision.response)
assert response["hookSpecificOutput"]["permissionDecision"] == "deny", response
print(f"python {sys.version.split()[0]}: {decision.kind.name} {decision.rule_ids}")
PY
}

for version in 3.9 3.10 3.11 3.12 3.13; do
  if python="$(find_python "$version")"; then
    check "wheel on Python $version" python_install "$python" "$work/venv-$version"
  else
    echo "skip wheel on Python $version: no interpreter on this machine"
  fi
done

npm_project="$work/npm-project"
npm_install() {
  mkdir -p "$npm_project" &&
    (cd "$npm_project" && printf '{ "name": "dist-check", "private": true }\n' >package.json &&
      npm install --no-audit --no-fund --loglevel=error "$tarball")
}
node_import() {
  (cd "$npm_project" && node --input-type=module - "$project" "$event" <<'JS')
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { Cupcake } from "cupcake";

const [project, event] = process.argv.slice(2);
const where = createRequire(import.meta.url).resolve("cupcake");
if (!where.includes("node_modules")) throw new Error(`resolved outside node_modules: ${where}`);
const engine = await Cupcake.init(project);
const decision = await engine.evaluate(readFileSync(event, "utf8"));
if (!decision.blocked) throw new Error(`expected a block, got ${decision.kind}`);
console.log(`node import: ${JSON.stringify(decision.rule_ids)}`);
JS
}
node_require() {
  (cd "$npm_project" && node - "$project" "$event" <<'JS')
const { readFileSync } = require("node:fs");
const { Cupcake } = require("cupcake");

const [project, event] = process.argv.slice(2);
Cupcake.init(project).then((engine) => {
  const decision = engine.evaluateSync(readFileSync(event, "utf8"));
  if (!decision.blocked) throw new Error(`expected a block, got ${decision.kind}`);
  console.log(`node require: ${JSON.stringify(decision.rule_ids)}`);
});
JS
}
# With this platform's library taken out, loading must fail naming the platform it looked for.
node_missing_platform() {
  local prebuilds="$npm_project/node_modules/cupcake/generated/prebuilds" target message
  target="$(ls "$prebuilds")"
  mv "$prebuilds/$target" "$work/$target"
  message="$(cd "$npm_project" && node --input-type=module -e 'await import("cupcake")' 2>&1)"
  mv "$work/$target" "$prebuilds/$target"
  case "$message" in
    *"$target"*) echo "the loader names $target" ;;
    *) echo "loader error does not name $target: $message" >&2; return 1 ;;
  esac
}

# Every release target uses the loader's naming (platform-arch[-libc]); this host is one of them.
matrix_names_match_loader() {
  local host
  host="$(find "$REPO_ROOT/bindings-js/generated/prebuilds" -mindepth 1 -maxdepth 1 -printf '%f\n')"
  python3 - "$REPO_ROOT/ci/matrix.json" "$host" <<'PY'
import json
import re
import sys

targets = json.load(open(sys.argv[1]))["targets"]
names = [target["prebuild"] for target in targets]
shape = re.compile(r"^(linux-(x64|arm64)-(gnu|musl)|darwin-(x64|arm64)|win32-(x64|arm64))$")
bad = [name for name in names if not shape.match(name)]
assert not bad, f"not loader names: {bad}"
assert sys.argv[2] in names, f"this host ({sys.argv[2]}) is not a release target"
PY
}

check "release matrix uses the loader's platform names" matrix_names_match_loader
check "workflow files pass actionlint" actionlint "$REPO_ROOT"/.github/workflows/*.yml
check "npm tarball installs" npm_install
check "npm package: import evaluates" node_import
check "npm package: require evaluates" node_require
check "npm package: missing platform named" node_missing_platform
finish
