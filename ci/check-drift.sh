#!/usr/bin/env bash
# Fails when a generated artefact no longer matches its definition: the committed Python and
# TypeScript API snapshots; and when ffi/src/cupcake.udl is no longer the link to interface.udl
# (a copy there could drift from it). Counts each check as one test.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$REPO_ROOT" || exit 1

passed=0
failed=0
run_check() {
  local name=$1
  shift
  if "$@"; then
    passed=$((passed + 1))
  else
    echo "drift: $name" >&2
    failed=$((failed + 1))
  fi
}
udl_link() {
  [ -L ffi/src/cupcake.udl ] && [ "$(readlink ffi/src/cupcake.udl)" = ../../interface.udl ] ||
    { echo "ffi/src/cupcake.udl must be a symbolic link to ../../interface.udl" >&2; return 1; }
}
run_check "udl link" udl_link
run_check "python api snapshot" bash ci/check-api-py.sh
run_check "typescript api snapshot" bash ci/check-api-js.sh
if [ -n "${CUPCAKE_RESULTS_DIR:-}" ]; then
  echo "$passed $failed" > "$CUPCAKE_RESULTS_DIR/drift.txt"
fi
echo "drift checks: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
