#!/usr/bin/env bash
# Rust gates and tests: formatting, then `cargo test` for the whole workspace (unit tests, the
# integration binary with the shared conformance cases, doc tests), then each benchmark once in
# smoke mode (no `--bench` flag), which proves it still builds and runs without measuring.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$REPO_ROOT"

log="$(mktemp)"
trap 'rm -f "$log"' EXIT
status=0
cargo fmt --all --check || { echo "cargo fmt: the tree is not formatted (run: cargo fmt --all)" >&2; status=1; }
# --no-fail-fast: one failing test binary must not hide the results of the others.
cargo test --workspace --locked --no-fail-fast 2>&1 | tee "$log" || status=1

# Sum libtest's "test result: ... N passed; M failed" lines for the overall summary.
read -r passed failed < <(awk '/^test result:/ {
    for (i = 1; i <= NF; i++) { if ($(i) ~ /^passed;?$/) p += $(i-1); if ($(i) ~ /^failed;?$/) f += $(i-1) }
  } END { print p + 0, f + 0 }' "$log")
[ "$status" -eq 0 ] || [ "$failed" -gt 0 ] || failed=1

for bench in "cupcake-core pipeline" "cupcake-core scaling" "cupcake-core size" "cupcake-cli startup" "cupcake-cli server"; do
  read -r package name <<<"$bench"
  if cargo test --locked --quiet -p "$package" --bench "$name"; then
    passed=$((passed + 1))
  else
    echo "benchmark $name failed its smoke run" >&2
    failed=$((failed + 1))
    status=1
  fi
done
if [ -n "${CUPCAKE_RESULTS_DIR:-}" ]; then
  echo "$passed $failed" > "$CUPCAKE_RESULTS_DIR/rust.txt"
fi
exit "$status"
