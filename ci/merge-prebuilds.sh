#!/usr/bin/env bash
# Merges the per-platform npm tarballs the release matrix built into one package carrying every
# prebuild under generated/prebuilds/<platform>/.
# Usage: ci/merge-prebuilds.sh <artifacts dir with dist-*/cupcake-*.tgz> <output dir>
set -euo pipefail
artifacts="${1:?usage: merge-prebuilds.sh <artifacts> <output>}"
output="${2:?usage: merge-prebuilds.sh <artifacts> <output>}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

mapfile -t tarballs < <(find "$artifacts" -name 'cupcake-*.tgz' | sort)
[ "${#tarballs[@]}" -gt 0 ] || { echo "no npm tarballs under $artifacts" >&2; exit 1; }
# The JavaScript is the same in every tarball; the first one is the base.
tar -xzf "${tarballs[0]}" -C "$work"
for tarball in "${tarballs[@]:1}"; do
  tar -xzf "$tarball" -C "$work" package/generated/prebuilds
done
echo "prebuilds: $(ls "$work/package/generated/prebuilds" | tr '\n' ' ')"
mkdir -p "$output"
(cd "$work/package" && npm pack --silent --pack-destination "$(cd - >/dev/null && cd "$output" && pwd)")
