#!/usr/bin/env bash
# `just dist`: the installable artifacts, in dist/ at the repository root:
#   - Python wheels, py3-none-<platform> (UniFFI's Python code loads the library through ctypes,
#     so one wheel serves every Python from 3.9 on), built by maturin. On Linux, zig (the
#     `ziglang` PyPI package) links them against glibc 2.17, so they are manylinux2014 and install
#     on Debian 11, Ubuntu 20.04, RHEL 8 and Amazon Linux 2; with Rust's musl target installed, a
#     musllinux_1_2 wheel is cross-built beside the glibc one.
#   - npm tarballs in the napi-rs layout: one per platform holding only the stripped library
#     (`<scope>/cupcake-<platform>`, with os/cpu/libc so npm installs just the matching one) and
#     the main package (JavaScript and types), which lists every release platform's package as an
#     optional dependency.
# Release profile by default; `--profile dev` reuses the test build's profile (the test command
# uses it: it proves the packaging, not the optimiser). `--target <rust triple>` builds one
# target only (the release matrix, ci/matrix.json, runs one row per target).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$REPO_ROOT"
bash ci/tools.sh

log() { printf '[dist] %s\n' "$*" >&2; }
profile=release
only_target=""
while [ $# -gt 0 ]; do
  case "$1" in
    --profile) profile="${2:?--profile needs dev or release}"; shift 2 ;;
    --target) only_target="${2:?--target needs a Rust target triple}"; shift 2 ;;
    *) log "unknown argument $1; use --profile dev|release and --target <triple>"; exit 2 ;;
  esac
done
case "$profile" in
  dev) cargo_dir=debug ;;
  release) cargo_dir=release ;;
  *) log "unknown profile $profile; use dev or release"; exit 2 ;;
esac

out="$REPO_ROOT/dist"
rm -rf "$out"
mkdir -p "$out"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
host="$(bash ci/platform.sh)"

# The rows of ci/matrix.json this machine builds: its own, plus on glibc Linux the musl row of
# the same architecture when Rust's musl standard library is installed.
mapfile -t rows < <(python3 - "$host" "$only_target" <<'PY'
import json
import subprocess
import sys

host, only = sys.argv[1], sys.argv[2]
targets = json.load(open("ci/matrix.json"))["targets"]
by_platform = {t["platform"]: t for t in targets}
wanted = [t for t in targets if t["rust_target"] == only] if only else [by_platform[host]]
if not only and host.endswith("-gnu"):
    musl = by_platform.get(host[: -len("gnu")] + "musl")
    installed = subprocess.run(["rustup", "target", "list", "--installed"],
                               capture_output=True, text=True).stdout.split()
    if musl and musl["rust_target"] in installed:
        wanted.append(musl)
    elif musl:
        print(f"skip {musl['platform']}: rustup has no {musl['rust_target']} standard library",
              file=sys.stderr)
if not wanted:
    sys.exit(f"no ci/matrix.json row for {only or host}")
for t in wanted:
    print(t["platform"], t["rust_target"], t["wheel_platform"], t["library"])
PY
)

strip_library() {
  case "$1" in
    *.so) strip --strip-unneeded "$1" ;;
    *.dylib) strip -x "$1" ;;
    *) ;; # Windows keeps its symbols in a separate .pdb; the .dll has none to strip.
  esac
}

# zig links musl libraries against a C library named `libc.so`; musl's own loader maps any
# `libc.*` name to itself, but Alpine and the musllinux policy name it libc.musl-<arch>.so.1, as
# musl's own toolchain records it. Renamed, `auditwheel show` accepts the wheel as musllinux.
musl_soname() {
  local library=$1 arch
  arch="$(readelf -h "$library" | awk '/Machine:/ { print ($2 == "AArch64") ? "aarch64" : "x86_64" }')"
  if readelf -d "$library" | grep -q 'Shared library: \[libc\.so\]'; then
    patchelf --replace-needed libc.so "libc.musl-$arch.so.1" "$library"
  fi
}
musl_wheel() {
  local wheel=$1 unpacked="$work/unpacked"
  rm -rf "$unpacked" && mkdir "$unpacked"
  wheel unpack --dest "$unpacked" "$wheel" >/dev/null
  find "$unpacked" -name 'libcupcake.so' | while read -r library; do musl_soname "$library"; done
  rm "$wheel"
  wheel pack --dest-dir "$(dirname "$wheel")" "$unpacked"/* >/dev/null
}

scope="$(node -p 'require("./bindings-js/package.json").nativePackageScope')"
for row in "${rows[@]}"; do
  read -r platform rust_target wheel_platform library <<<"$row"
  case "$platform" in
    linux-*-gnu) zig=(--zig --compatibility manylinux2014) ;;
    linux-*-musl) zig=(--zig --compatibility musllinux_1_2) ;;
    *) zig=() ;;
  esac
  log "building the $platform wheel ($profile, $rust_target)"
  (cd bindings-py && maturin build --color never --profile "$profile" --target "$rust_target" \
    "${zig[@]}" --strip --out "$out") >&2
  wheel="$(find "$out" -name "*-py3-none-*${wheel_platform}*.whl" | head -n 1)"
  [ -n "$wheel" ] || { log "maturin wrote no py3-none wheel tagged $wheel_platform"; exit 1; }
  case "$platform" in linux-*-musl) musl_wheel "$wheel" ;; esac

  log "packing $scope/cupcake-$platform"
  node ci/npm-platform-package.mjs "$platform" "$CARGO_TARGET_DIR/$rust_target/$cargo_dir/$library" \
    "$work/$platform" >/dev/null
  strip_library "$work/$platform/$library"
  case "$platform" in linux-*-musl) musl_soname "$work/$platform/$library" ;; esac
  (cd "$work/$platform" && npm pack --silent --pack-destination "$out") >/dev/null
done

log "building the main npm package ($profile)"
if [ "$profile" = release ]; then
  bash ci/build-js.sh --release
else
  bash ci/build-js.sh
fi
# The main package lists every release platform's package, at its own version, as npm's
# optional dependencies; bindings-js/package.json does not, so development installs never ask
# the registry for them.
(cd bindings-js && npm pack --silent --pack-destination "$work") >/dev/null
main="$(find "$work" -maxdepth 1 -name '*.tgz' | head -n 1)"
mkdir "$work/main"
tar -xzf "$main" -C "$work/main"
node - "$work/main/package/package.json" <<'JS'
const { readFileSync, writeFileSync } = require("node:fs");
const manifestPath = process.argv[2];
const manifest = JSON.parse(readFileSync(manifestPath, "utf8"));
const { targets } = JSON.parse(readFileSync("ci/matrix.json", "utf8"));
manifest.optionalDependencies = Object.fromEntries(
  targets.map((t) => [`${manifest.nativePackageScope}/cupcake-${t.platform}`, manifest.version]),
);
writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
JS
(cd "$work/main/package" && npm pack --silent --pack-destination "$out") >/dev/null

log "wrote to dist/: $(cd "$out" && ls | tr '\n' ' ')"
