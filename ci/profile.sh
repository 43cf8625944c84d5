#!/usr/bin/env bash
# Where the time goes in each benchmark whose target is missed: records a perf profile of the
# Rust pipeline, Python eval (one thread and two), Node evaluate and evaluateSync, and warm
# `cupcake eval` processes on the standard set, and prints each one's share per part of the
# evaluation path (ci/profile_summary.py). Run after `just bench`, which builds what it needs.
# Usage: ci/profile.sh [seconds-per-profile (default 10)] [rust|python|python-threads|node|eval ...]
# Profiles and reports go to $CARGO_TARGET_DIR/profiles/.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$REPO_ROOT"

seconds="${1:-10}"
shift || true
if [ "$#" -gt 0 ]; then
  kinds=("$@")
else
  kinds=(rust python python-threads node eval)
fi
command -v perf >/dev/null || { echo "perf is required (Debian: linux-perf)" >&2; exit 1; }
out="$CARGO_TARGET_DIR/profiles"
mkdir -p "$out"
standard="$REPO_ROOT/core/benches/standard"
log() { printf '[profile] %s\n' "$*" >&2; }

# Records `command...` into $out/$1.data and prints the summary, also kept as $out/$1.txt.
profile() {
  local name="$1"
  shift
  log "$name: recording for about ${seconds}s"
  perf record --quiet -F 1999 -o "$out/$name.data" "$@" >/dev/null
  perf report --stdio --no-children --sort dso,sym -g none --percent-limit 0 ${comm:+--comms "$comm"} \
    -i "$out/$name.data" 2>/dev/null | python "$REPO_ROOT/ci/profile_summary.py" | tee "$out/$name.txt"
}

for kind in "${kinds[@]}"; do
  comm=""
  case "$kind" in
    rust)
      bench="$(cargo bench --locked -p cupcake-core --bench pipeline --no-run 2>&1 |
        sed -n 's/.*Executable .*(\(.*\)).*/\1/p' | tail -1)"
      bench="$(realpath "$bench")" # cargo names it relative to here; it runs from core/
      (cd core && profile rust "$bench" --bench --profile-time "$seconds" 'pipeline/pooled')
      ;;
    python | python-threads)
      threads=1
      [ "$kind" = python-threads ] && threads=2
      profile "$kind" python - "$standard" "$seconds" "$threads" <<'PY'
import json, sys, threading, time
from pathlib import Path
import cupcake
standard, seconds, threads = Path(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3])
events = [json.loads(p.read_text()) for p in sorted((standard / "events").glob("*.json"))]
engine = cupcake.Cupcake()
engine.init(standard)
deadline = time.monotonic() + seconds
def work():
    while time.monotonic() < deadline:
        for event in events:
            engine.eval(event)
workers = [threading.Thread(target=work) for _ in range(threads)]
for worker in workers: worker.start()
for worker in workers: worker.join()
PY
      ;;
    node)
      for call in evaluate evaluateSync; do
        script="$REPO_ROOT/bindings-js/bench/.profile-$call.mjs"
        cat >"$script" <<JS
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Cupcake } from "../dist/index.js";
const dir = join("$standard", "events");
const events = readdirSync(dir).filter((f) => f.endsWith(".json")).sort()
  .map((f) => JSON.parse(readFileSync(join(dir, f), "utf8")));
const cupcake = await Cupcake.init("$standard", { harness: "claude" });
const deadline = performance.now() + $seconds * 1000;
while (performance.now() < deadline) for (const event of events) await cupcake.$call(event);
JS
        # From $out: node writes its isolate logs into the working directory.
        (cd "$out" && profile "node-$call" node --perf-basic-prof "$script")
        rm -f "$script"
      done
      ;;
    eval)
      cargo build --locked --release -p cupcake-cli --quiet
      cupcake="$CARGO_TARGET_DIR/release/cupcake"
      project="$(mktemp -d)"
      cp -R "$standard/.cupcake" "$project/"
      event="$standard/events/$(ls "$standard/events" | head -1)"
      run="'$cupcake' eval --policy-dir '$project/.cupcake' --cache-dir '$project/cache' <'$event' >/dev/null"
      bash -c "$run" # fills the compile cache
      comm=cupcake
      profile eval bash -c "end=\$((SECONDS + $seconds)); while [ \$SECONDS -lt \$end ]; do $run; done"
      rm -rf "$project"
      ;;
    *)
      echo "unknown profile $kind (rust, python, python-threads, node, eval)" >&2
      exit 2
      ;;
  esac
done
