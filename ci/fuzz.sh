#!/usr/bin/env bash
# Fuzzes cupcake-core with cargo-fuzz (libFuzzer): every target in core/fuzz, or those named,
# for a time budget each, then one summary line per target (runs, executions per second,
# coverage, crashes). Usage: ci/fuzz.sh [seconds-per-target (default 60)] [target ...]
#
# cargo-fuzz is installed into $CUPCAKE_DEV_CACHE. Its AddressSanitizer build needs a nightly
# compiler's -Z flags; the pinned stable toolchain provides them under RUSTC_BOOTSTRAP=1, so no
# other toolchain is needed. CUPCAKE_FUZZ_SANITIZER=none builds without the sanitizer (faster,
# and enough for Rust code, which panics rather than corrupting memory).
#
# The `evaluate` target loads bundles compiled here from core/fuzz/fixtures with `cupcake
# compile` (OPA is needed for that step only). New corpus entries go to core/fuzz/corpus/,
# crashes to core/fuzz/artifacts/<target>/, logs to core/fuzz/target/logs/; all gitignored.
# Replay a crash with: RUSTC_BOOTSTRAP=1 cargo fuzz run --fuzz-dir core/fuzz <target> <file>
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$REPO_ROOT"

CARGO_FUZZ_VERSION=0.13.2
seconds="${1:-60}"
shift || true
fuzz_dir="$REPO_ROOT/core/fuzz"
if [ "$#" -gt 0 ]; then
  targets=("$@")
else
  targets=(evaluate metadata sprintf builtins shell)
fi
sanitizer="${CUPCAKE_FUZZ_SANITIZER:-address}"

log() { printf '[fuzz] %s\n' "$*" >&2; }

if ! grep -q "cargo-fuzz $CARGO_FUZZ_VERSION " "$CUPCAKE_DEV_CACHE/.crates.toml" 2>/dev/null; then
  log "installing cargo-fuzz $CARGO_FUZZ_VERSION"
  cargo install --quiet --locked --root "$CUPCAKE_DEV_CACHE" cargo-fuzz --version "$CARGO_FUZZ_VERSION"
fi

# The fuzz crate keeps its own target directory (different compiler flags would otherwise
# rebuild the main one), at cargo-fuzz's default place.
unset CARGO_TARGET_DIR
work="$fuzz_dir/target"
bundles="$work/bundles"
mkdir -p "$bundles" "$work/logs"

if printf '%s\n' "${targets[@]}" | grep -qx evaluate; then
  [ -x "$CUPCAKE_DEV_CACHE/bin/opa" ] || command -v opa >/dev/null || bash ci/tools.sh
  log "compiling the fixture bundles"
  cargo build --quiet --locked -p cupcake-cli --target-dir "$REPO_ROOT/target"
  for harness in claude cursor; do
    "$REPO_ROOT/target/debug/cupcake" compile --harness "$harness" \
      --policy-dir "$fuzz_dir/fixtures/project" --global-dir "$fuzz_dir/fixtures/global" \
      --cache-dir "$bundles/cache" --output "$bundles/$harness.bundle" >&2
  done
fi

status=0
summary=()
for target in "${targets[@]}"; do
  corpus="$fuzz_dir/corpus/$target"
  mkdir -p "$corpus"
  seeds=()
  [ -d "$fuzz_dir/seeds/$target" ] && seeds+=("$fuzz_dir/seeds/$target")
  dict=()
  [ -f "$fuzz_dir/dictionaries/$target.dict" ] && dict+=("-dict=$fuzz_dir/dictionaries/$target.dict")
  logfile="$work/logs/$target.log"
  log "$target: ${seconds}s (sanitizer: $sanitizer), log in ${logfile#"$REPO_ROOT"/}"
  # -a: overflow checks and debug assertions, so arithmetic slips crash instead of wrapping.
  if RUSTC_BOOTSTRAP=1 cargo fuzz run --fuzz-dir "$fuzz_dir" --sanitizer "$sanitizer" -a \
    "$target" "$corpus" "${seeds[@]}" -- \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=4096 -print_final_stats=1 \
    "${dict[@]}" >"$logfile" 2>&1; then
    outcome="no crash"
  else
    outcome="FAILED (see $logfile and core/fuzz/artifacts/$target/)"
    status=1
  fi
  runs="$(awk '/stat::number_of_executed_units:/ {print $2}' "$logfile" | tail -n1)"
  rate="$(awk '/stat::average_exec_per_sec:/ {print $2}' "$logfile" | tail -n1)"
  cov="$(grep -oE 'cov: [0-9]+ ft: [0-9]+ corp: [0-9]+/[0-9A-Za-z]+' "$logfile" | tail -n1 || true)"
  summary+=("$target: ${runs:-?} runs, ${rate:-?} exec/s, ${cov:-no coverage line}; $outcome")
done

printf '%s\n' "${summary[@]}"
exit "$status"
