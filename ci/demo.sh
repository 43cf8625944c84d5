#!/usr/bin/env bash
# The demo: evaluates the bundled example events against examples/project through the CLI,
# Python and Node, prints the decisions side by side, and fails if any two disagree.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$REPO_ROOT"

"$REPO_ROOT/ci/tools.sh"
cargo build --quiet -p cupcake-cli
bash ci/build-py.sh >/dev/null
bash ci/build-js.sh >/dev/null

project=examples/project
events=examples/events
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
for event in "$events"/*.json; do
  printf '%s\t%s\n' "$(basename "$event")" "$("$CARGO_TARGET_DIR/debug/cupcake" eval --harness claude --policy-dir "$project" < "$event")"
done > "$out/cli.tsv"
"$CUPCAKE_VENV/bin/python" examples/demo.py "$project" "$events" > "$out/python.tsv"
node examples/demo.mjs "$project" "$events" > "$out/node.tsv"
"$CUPCAKE_VENV/bin/python" examples/compare.py "$out/cli.tsv" "$out/python.tsv" "$out/node.tsv"
