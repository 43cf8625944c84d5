#!/usr/bin/env bash
# Installs the built artifacts, not the source tree, into brand-new environments outside the
# repository and evaluates a real event through each: the manylinux2014 wheel into a fresh venv
# for every Python from 3.9 to 3.13 found on this machine, the main npm package with this
# platform's package into a fresh npm project (imported and required under Node, and run under
# Bun and Deno). Also checks each artifact's tags and contents (ci/check-dist.sh), that pip
# takes the wheel on a glibc 2.17 platform and refuses it on an older one, that the musl
# library loads and runs under a real musl, and the Node loader's error without the platform
# package.
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
host="$(bash ci/platform.sh)"
manifest="$REPO_ROOT/bindings-js/package.json"
scope="$(node -p 'require(process.argv[1]).nativePackageScope' "$manifest")"
pkg_version="$(node -p 'require(process.argv[1]).version' "$manifest")"
main_tarball="$REPO_ROOT/dist/$(node -p 'require(process.argv[1]).name' "$manifest")-$pkg_version.tgz"
platform_package="$scope/cupcake-$host"
platform_tarball="$REPO_ROOT/dist/${scope#@}-cupcake-$host-$pkg_version.tgz"
host_wheel_platform="$(python3 -c 'import json, sys
print(next(t["wheel_platform"] for t in json.load(open("ci/matrix.json"))["targets"] if t["platform"] == sys.argv[1]))' "$host")"
wheel="$(find "$REPO_ROOT/dist" -name "*${host_wheel_platform}*.whl" | head -n 1)"
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

# Each row of ci/matrix.json that dist.sh built here: tags, auditwheel, package contents.
for built in "$REPO_ROOT"/dist/"${scope#@}"-cupcake-*-"$pkg_version".tgz; do
  built_platform="$(basename "$built" "-$pkg_version.tgz")"
  built_platform="${built_platform#"${scope#@}"-cupcake-}"
  built_wheel_platform="$(python3 -c 'import json, sys
print(next(t["wheel_platform"] for t in json.load(open("ci/matrix.json"))["targets"] if t["platform"] == sys.argv[1]))' "$built_platform")"
  check "artifacts for $built_platform: tags, auditwheel show, contents" \
    bash ci/check-dist.sh "$built_platform" "$built_wheel_platform"
done

# pip's own tag check, for an interpreter on a glibc 2.17 system (manylinux2014: CentOS 7,
# Amazon Linux 2) and, as the control, on glibc 2.12 (manylinux2010), which must refuse it.
pip_platform() {
  local platform=$1
  "$CUPCAKE_VENV/bin/python" -m pip install --quiet --disable-pip-version-check --dry-run \
    --no-deps --only-binary=:all: --platform "$platform" --python-version 3.9 \
    --target "$work/pip-target" "$wheel" 2>/dev/null
}
wheel_installs_on_glibc_2_17() {
  local arch
  arch="$(sed -E 's/^manylinux_[0-9]+_[0-9]+_//' <<<"$host_wheel_platform")"
  pip_platform "manylinux2014_$arch" && ! pip_platform "manylinux2010_$arch"
}
case "$host" in
  linux-*-gnu) check "pip takes the wheel on glibc 2.17 and refuses it on 2.12" wheel_installs_on_glibc_2_17 ;;
esac

# The musl library under Debian's musl (1.2.3, the oldest musl a musllinux_1_2 wheel may meet on
# the distributions this project builds for): it must load and run.
musl_tarball="$REPO_ROOT/dist/${scope#@}-cupcake-linux-$(uname -m | sed 's/x86_64/x64/; s/aarch64/arm64/')-musl-$pkg_version.tgz"
musl_library_runs() {
  local loader
  loader="$(find "$CUPCAKE_MUSL_ROOT/lib" -maxdepth 1 -name 'ld-musl-*.so.1' | head -n 1)"
  mkdir -p "$work/musl" && tar -xzf "$musl_tarball" -C "$work/musl" &&
    "$CUPCAKE_VENV/bin/python" -m ziglang cc -target "$(uname -m)-linux-musl" -dynamic -O2 \
      -fno-sanitize=all -o "$work/musl/load-check" "$REPO_ROOT/ci/musl-load-check.c" &&
    [ "$("$loader" --library-path "$(dirname "$loader")/$(uname -m)-linux-musl" \
      "$work/musl/load-check" "$work/musl/package/libcupcake.so")" = "$pkg_version" ]
}
if [ ! -f "$musl_tarball" ]; then
  echo "skip musl library run: dist.sh built no musl package (see its log for why)"
elif [ ! -f "$CUPCAKE_MUSL_ROOT/.installed" ]; then
  echo "skip musl library run: no musl C library in $CUPCAKE_MUSL_ROOT (ci/tools-dist.sh)"
else
  check "musl library loads and runs under musl" musl_library_runs
fi

npm_project="$work/npm-project"
npm_install() {
  mkdir -p "$npm_project" &&
    (cd "$npm_project" && printf '{ "name": "dist-check", "private": true }\n' >package.json &&
      npm install --no-audit --no-fund --loglevel=error "$platform_tarball" "$main_tarball")
}
# npm must take the platform package from its tarball, never from a registry.
platform_package_from_file() {
  node - "$npm_project/package-lock.json" "$platform_package" <<'JS'
const [lockPath, name] = process.argv.slice(2);
const lock = JSON.parse(require("node:fs").readFileSync(lockPath, "utf8"));
const entries = Object.entries(lock.packages).filter(([path]) => path.endsWith(`node_modules/${name}`));
if (entries.length !== 1) throw new Error(`${name} is installed ${entries.length} times`);
const [[path, entry]] = entries;
if (!String(entry.resolved).startsWith("file:")) throw new Error(`${path} resolved from ${entry.resolved}`);
JS
}
evaluate_script() {
  cat >"$npm_project/evaluate.mjs" <<'JS'
import { readFileSync } from "node:fs";
import { Cupcake } from "cupcake";

const [project, event] = process.argv.slice(-2);
const engine = await Cupcake.init(project);
const decision = await engine.evaluate(readFileSync(event, "utf8"));
if (!decision.blocked) throw new Error(`expected a block, got ${decision.kind}`);
console.log(`evaluated: ${JSON.stringify(decision.rule_ids)}`);
JS
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
bun_run() {
  evaluate_script && (cd "$npm_project" && "$CUPCAKE_BUN_DIR/node_modules/.bin/bun" evaluate.mjs "$project" "$event")
}
deno_run() {
  evaluate_script && (cd "$npm_project" && "$CUPCAKE_DENO_DIR/node_modules/.bin/deno" run --allow-all \
    evaluate.mjs "$project" "$event")
}
# Without this platform's package, loading must fail naming the package to install.
node_missing_platform() {
  local installed="$npm_project/node_modules/$platform_package" message
  mv "$installed" "$work/platform-package"
  message="$(cd "$npm_project" && node --input-type=module -e 'await import("cupcake")' 2>&1)"
  mv "$work/platform-package" "$installed"
  case "$message" in
    *"$platform_package@$pkg_version is not installed"*) echo "the loader names $platform_package" ;;
    *) echo "loader error does not name $platform_package: $message" >&2; return 1 ;;
  esac
}

# Every release target uses the loader's naming (platform-arch[-libc]), and the loader names this
# host as ci/platform.sh (which dist.sh packs by) does.
matrix_names_match_loader() {
  local host
  host="$(node --input-type=module -e "import { nativePlatform } from '$REPO_ROOT/bindings-js/generated/native-library.js'; console.log(nativePlatform())")"
  [ "$host" = "$(bash "$REPO_ROOT/ci/platform.sh")" ] || { echo "loader says $host, ci/platform.sh says $(bash "$REPO_ROOT/ci/platform.sh")" >&2; return 1; }
  python3 - "$REPO_ROOT/ci/matrix.json" "$host" <<'PY'
import json
import re
import sys

targets = json.load(open(sys.argv[1]))["targets"]
names = [target["platform"] for target in targets]
shape = re.compile(r"^(linux-(x64|arm64)-(gnu|musl)|darwin-(x64|arm64)|win32-(x64|arm64))$")
bad = [name for name in names if not shape.match(name)]
assert not bad, f"not loader names: {bad}"
assert sys.argv[2] in names, f"this host ({sys.argv[2]}) is not a release target"
PY
}

check "release matrix uses the loader's platform names" matrix_names_match_loader
check "workflow files pass actionlint" actionlint "$REPO_ROOT"/.github/workflows/*.yml
check "npm packages install (main + $host)" npm_install
check "npm installs $platform_package from its tarball" platform_package_from_file
check "npm package: import evaluates" node_import
check "npm package: require evaluates" node_require
check "npm package: missing platform package named" node_missing_platform
for runtime in bun deno; do
  dir_var="CUPCAKE_$(tr '[:lower:]' '[:upper:]' <<<"$runtime")_DIR"
  if [ -f "${!dir_var}/.installed" ]; then
    check "npm package under $runtime evaluates" "${runtime}_run"
  else
    echo "skip npm package under $runtime: $runtime did not install (ci/tools-dist.sh)"
  fi
done
finish
