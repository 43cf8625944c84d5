#!/usr/bin/env bash
# `just bench`: every benchmark in one session on this machine, then BENCHMARKS.md. Builds the
# optimised library, both bindings and the CLI first; takes a while (release builds, then about
# ten minutes of measuring). Never part of the test command, which only runs each benchmark
# once in smoke mode.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$REPO_ROOT"
bash ci/tools.sh
bash ci/tools-bench.sh

log() { printf '[bench] %s\n' "$*" >&2; }
results="$CARGO_TARGET_DIR/bench-results"
rm -rf "$results" "$CARGO_TARGET_DIR/criterion"
mkdir -p "$results"

log "building the Python and Node bindings (release)"
bash ci/build-py.sh --release
bash ci/build-js.sh --release

log "Rust: criterion, full pipeline and raw wasm call"
cargo bench --locked -p cupcake-core --bench pipeline
log "Rust: thread scaling and resident memory over 1M evaluations"
cargo bench --locked -p cupcake-core --bench scaling -- --out "$results/scaling.json"
log "Rust: cold compile, evaluation and memory for 10 and 100 policies"
cargo bench --locked -p cupcake-core --bench size -- --out "$results/size.json"
log "CLI: warm and cold cupcake eval against opa eval"
cargo bench --locked -p cupcake-cli --bench startup -- --out "$results/cli.json"
log "Server: cupcake serve against opa run --server, one core and two"
cargo bench --locked -p cupcake-cli --bench server -- --out "$results/server.json" \
  --oha "$CUPCAKE_DEV_CACHE/bin/oha"
log "Python: cupcake against opa-wasmtime and opa-py-wasm"
python bindings-py/benches/bench_eval.py --out "$results/python.json"
log "Node: cupcake against @open-policy-agent/opa-wasm"
node bindings-js/bench/bench.mjs --out "$results/node.json"

python ci/bench_report.py --results "$results" --criterion "$CARGO_TARGET_DIR/criterion" \
  --analysis core/benches/ANALYSIS.md --output BENCHMARKS.md
