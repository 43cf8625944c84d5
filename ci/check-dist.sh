#!/usr/bin/env bash
# Checks what ci/dist.sh wrote for one release platform:
#   - a py3-none wheel carrying `wheel_platform` among its tags, and on Linux `auditwheel show`
#     agreeing that its library needs nothing newer than that tag allows;
#   - the platform's npm package: os/cpu/libc for that platform, the library stripped, no
#     JavaScript;
#   - the main npm package: no native library, and every release platform's package listed as
#     an optional dependency at its own version.
# Usage: ci/check-dist.sh <platform> <wheel_platform>
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
platform="${1:?usage: check-dist.sh <platform> <wheel_platform>}"
wheel_platform="${2:?usage: check-dist.sh <platform> <wheel_platform>}"
dist="$REPO_ROOT/dist"
fail() { echo "check-dist $platform: $*" >&2; exit 1; }

wheel="$(find "$dist" -name "*-py3-none-*.whl" | grep -E "[-.]${wheel_platform}(\.|\.whl$)" | head -n 1 || true)"
[ -n "$wheel" ] || fail "no py3-none wheel tagged $wheel_platform in dist/: $(ls "$dist")"
case "$platform" in
  linux-*)
    # auditwheel resolves the library's needed libraries against a libc of the wheel's kind; a
    # musl wheel checked on a glibc host gets musl's from the unpacked Debian package.
    ldpaths=()
    if [[ "$platform" == *-musl && "$(bash "$REPO_ROOT/ci/platform.sh")" != *-musl ]]; then
      [ -f "$CUPCAKE_MUSL_ROOT/.installed" ] || fail "no musl libc in $CUPCAKE_MUSL_ROOT for auditwheel"
      ldpaths=(--ldpaths "$(dirname "$(find "$CUPCAKE_MUSL_ROOT" -name libc.so | head -n 1)")")
    fi
    # auditwheel wraps its report; joined into one line, the tag sentence can be matched.
    report="$("$CUPCAKE_VENV/bin/auditwheel" show "${ldpaths[@]}" "$wheel" 2>&1 | tr '\n' ' ')" ||
      fail "auditwheel show failed on $(basename "$wheel"): $report"
    grep -q "consistent with the following platform tag: \"$wheel_platform\"" <<<"$report" ||
      fail "auditwheel does not find $(basename "$wheel") consistent with $wheel_platform: $report"
    ;;
esac

scope="$(node -p 'require(process.argv[1]).nativePackageScope' "$REPO_ROOT/bindings-js/package.json")"
version="$(node -p 'require(process.argv[1]).version' "$REPO_ROOT/bindings-js/package.json")"
name="$(node -p 'require(process.argv[1]).name' "$REPO_ROOT/bindings-js/package.json")"
platform_tarball="$dist/${scope#@}-cupcake-$platform-$version.tgz"
main_tarball="$dist/$name-$version.tgz"
[ -f "$platform_tarball" ] || fail "no $(basename "$platform_tarball") in dist/"
[ -f "$main_tarball" ] || fail "no $(basename "$main_tarball") in dist/"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir "$work/platform" "$work/main"
tar -xzf "$platform_tarball" -C "$work/platform"
tar -xzf "$main_tarball" -C "$work/main"

node - "$platform" "$work/platform/package" "$work/main/package" "$REPO_ROOT/ci/matrix.json" <<'JS'
const { readdirSync, readFileSync } = require("node:fs");
const { join } = require("node:path");
const [platform, platformDir, mainDir, matrixPath] = process.argv.slice(2);
const problems = [];
const read = (dir) => JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
const files = (dir) =>
  readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath ?? entry.path, entry.name).slice(dir.length + 1));

const target = JSON.parse(readFileSync(matrixPath, "utf8")).targets.find((t) => t.platform === platform);
if (!target) problems.push(`${platform} is not a row of ci/matrix.json`);
const main = read(mainDir);
const native = read(platformDir);
const [os, cpu, libc] = platform.split("-");
if (native.name !== `${main.nativePackageScope}/cupcake-${platform}`) problems.push(`platform package is named ${native.name}`);
if (native.version !== main.version) problems.push(`platform package ${native.version} != main ${main.version}`);
if (JSON.stringify(native.os) !== JSON.stringify([os])) problems.push(`os is ${JSON.stringify(native.os)}`);
if (JSON.stringify(native.cpu) !== JSON.stringify([cpu])) problems.push(`cpu is ${JSON.stringify(native.cpu)}`);
const wantLibc = libc ? [libc === "gnu" ? "glibc" : "musl"] : undefined;
if (JSON.stringify(native.libc) !== JSON.stringify(wantLibc)) problems.push(`libc is ${JSON.stringify(native.libc)}`);
const nativeFiles = files(platformDir).sort();
if (target && JSON.stringify(nativeFiles) !== JSON.stringify([target.library, "package.json"].sort()))
  problems.push(`platform package holds ${nativeFiles.join(", ")}`);

const libraries = files(mainDir).filter((file) => /\.(so|dylib|dll|node)$/.test(file));
if (libraries.length) problems.push(`main package carries native code: ${libraries.join(", ")}`);
const { targets } = JSON.parse(readFileSync(matrixPath, "utf8"));
const want = Object.fromEntries(targets.map((t) => [`${main.nativePackageScope}/cupcake-${t.platform}`, main.version]));
if (JSON.stringify(main.optionalDependencies) !== JSON.stringify(want))
  problems.push(`main optionalDependencies ${JSON.stringify(main.optionalDependencies)} != ${JSON.stringify(want)}`);
if (problems.length) {
  console.error(problems.join("\n"));
  process.exit(1);
}
JS

library="$work/platform/package/$(node -p 'require(process.argv[1]).files[0]' "$work/platform/package/package.json")"
case "$library" in
  *.so) ! readelf --section-headers "$library" | grep -q '\.symtab' || fail "$(basename "$library") is not stripped" ;;
esac
echo "dist/ carries $platform: $(basename "$wheel"), $(basename "$platform_tarball") ($(du -h "$platform_tarball" | cut -f1)), $(basename "$main_tarball")"
