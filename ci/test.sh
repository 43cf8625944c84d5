#!/usr/bin/env bash
# The test command: installs what is missing, then runs every suite (Rust with the shared
# conformance cases, Python, Node, the built packages installed into fresh environments, API
# snapshot drift) and ends with one summary line
# `N passed, N failed` summing all of them. Exits non-zero if anything failed.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$REPO_ROOT" || exit 1

"$REPO_ROOT/ci/tools.sh" || { echo "tool installation failed"; echo "0 passed, 1 failed"; exit 1; }

CUPCAKE_RESULTS_DIR="$(mktemp -d)"
export CUPCAKE_RESULTS_DIR
trap 'rm -rf "$CUPCAKE_RESULTS_DIR"' EXIT

suites=(rust python node dist drift)
declare -A scripts=([rust]=test-rust.sh [python]=test-py.sh [node]=test-js.sh [dist]=test-dist.sh
  [drift]=check-drift.sh)
overall=0
for suite in "${suites[@]}"; do
  echo "=== $suite"
  if ! bash "$REPO_ROOT/ci/${scripts[$suite]}"; then
    overall=1
  fi
  # A suite that died before counting anything still counts as one failure.
  [ -s "$CUPCAKE_RESULTS_DIR/$suite.txt" ] || echo "0 1" > "$CUPCAKE_RESULTS_DIR/$suite.txt"
done

total_passed=0
total_failed=0
echo "=== summary"
for suite in "${suites[@]}"; do
  read -r passed failed < "$CUPCAKE_RESULTS_DIR/$suite.txt"
  printf '%-7s %5d passed, %d failed\n' "$suite" "$passed" "$failed"
  total_passed=$((total_passed + passed))
  total_failed=$((total_failed + failed))
done
[ "$total_failed" -eq 0 ] || overall=1
echo "$total_passed passed, $total_failed failed"
exit "$overall"
