#!/usr/bin/env bash
# Checks that dist/ holds a py3-none wheel tagged for `wheel_platform` (or a newer compatible
# tag of the same family) and an npm tarball whose library sits under prebuilds/<prebuild>/.
# Usage: ci/check-dist.sh <prebuild> <wheel_platform>
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
prebuild="${1:?usage: check-dist.sh <prebuild> <wheel_platform>}"
wheel_platform="${2:?usage: check-dist.sh <prebuild> <wheel_platform>}"
dist="$REPO_ROOT/dist"

wheel="$(find "$dist" -name 'cupcake-*-py3-none-*.whl' | head -n 1)"
[ -n "$wheel" ] || { echo "no py3-none wheel in dist/" >&2; exit 1; }
arch="${wheel_platform##*_}"
case "$(basename "$wheel")" in
  *"$arch".whl | *"$wheel_platform".whl) ;;
  *) echo "$(basename "$wheel") is not for $wheel_platform" >&2; exit 1 ;;
esac

tarball="$(find "$dist" -name 'cupcake-*.tgz' | head -n 1)"
[ -n "$tarball" ] || { echo "no npm tarball in dist/" >&2; exit 1; }
tar -tzf "$tarball" | grep -q "^package/generated/prebuilds/$prebuild/" ||
  { echo "$(basename "$tarball") has no prebuilds/$prebuild/" >&2; exit 1; }
echo "dist/ carries $prebuild"
