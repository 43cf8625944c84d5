#!/usr/bin/env bash
# Builds the Node package, type-checks the facade and tests (tsc --noEmit), and runs vitest.
# With CUPCAKE_RESULTS_DIR set, writes "<passed> <failed>" to $CUPCAKE_RESULTS_DIR/node.txt;
# a failed type check or build counts as one failure. Exits non-zero on any failure.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
package="$REPO_ROOT/bindings-js"

results="${CUPCAKE_RESULTS_DIR:+$CUPCAKE_RESULTS_DIR/node.txt}"
record() {
  [ -n "$results" ] || return 0
  mkdir -p "$(dirname "$results")"
  printf '%s %s\n' "$1" "$2" >"$results"
}
# Until the run finishes, the recorded result is a failure.
record 0 1

"$REPO_ROOT/ci/build-js.sh"
cd "$package"

typecheck=0
node_modules/.bin/tsc -p tsconfig.json --noEmit || typecheck=1

report="$(mktemp)"
trap 'rm -f "$report"' EXIT
vitest=0
node_modules/.bin/vitest run --reporter=default --reporter=json --outputFile.json="$report" ||
  vitest=$?

read -r passed failed < <(node -e '
  const fs = require("node:fs");
  const text = fs.existsSync(process.argv[1]) ? fs.readFileSync(process.argv[1], "utf8") : "";
  const run = text ? JSON.parse(text) : { numPassedTests: 0, numFailedTests: 0 };
  console.log(run.numPassedTests, run.numFailedTests);
' "$report")
failed=$((failed + typecheck))
# A vitest failure outside any test (a file that did not load) still counts once.
if [ "$vitest" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi

record "$passed" "$failed"
[ "$typecheck" -eq 0 ] || echo "tsc --noEmit found type errors (counted as one failure)" >&2
echo "node: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
