#!/usr/bin/env bash
# Recomputes the expectation of every case in tests/builtins/cases.json with the real OPA, so
# the expected values come from OPA's own implementation (topdown, the pinned version) rather
# than from cupcake. Each `call` is evaluated on its own with `opa eval 'x := <call>'`:
#   - a value becomes `want`;
#   - a builtin error (`eval_*_error` under --strict-builtin-errors) becomes `want_error: true`
#     (OPA's default non-strict mode would make the expression undefined instead);
#   - anything else (a compile or type error, an undefined result) stops the script, because
#     such a case cannot be compiled into one policy beside the others.
# Run it after adding or editing a case, and commit the rewritten file.
# JSON is handled by Python, not jq: jq 1.6 rounds integers past 2^53 (nanosecond timestamps).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$REPO_ROOT"

found="$(opa version 2>/dev/null | awk '/^Version:/ {print $2}')"
if [ "$found" != "$OPA_VERSION" ]; then
  echo "capture-builtins: need opa $OPA_VERSION on PATH, found '${found:-none}'" >&2
  exit 1
fi

python3 - tests/builtins/cases.json <<'PY'
import json
import subprocess
import sys

path = sys.argv[1]
with open(path, encoding="utf-8") as f:
    cases = json.load(f)

captured = []
for case in cases:
    note, call = case["note"], case["call"]
    # opa exits non-zero on errors but still prints JSON; the JSON decides.
    run = subprocess.run(
        ["opa", "eval", "--format", "json", "--strict-builtin-errors", f"x := {call}"],
        capture_output=True, text=True, check=False,
    )
    try:
        output = json.loads(run.stdout)
    except json.JSONDecodeError:
        sys.exit(f"capture-builtins: {note}: opa printed no JSON: {run.stderr.strip()}")
    entry = {"note": note, "call": call}
    results = output.get("result") or []
    errors = output.get("errors") or []
    if results and "x" in results[0].get("bindings", {}):
        entry["want"] = results[0]["bindings"]["x"]
    elif errors and errors[0].get("code") in ("eval_builtin_error", "eval_type_error"):
        entry["want_error"] = True
    else:
        sys.exit(f"capture-builtins: {note}: neither a value nor a builtin error:\n{run.stdout}")
    captured.append(entry)

# One case per line keeps diffs readable.
lines = ",\n".join("  " + json.dumps(c, ensure_ascii=False) for c in captured)
with open(path, "w", encoding="utf-8") as f:
    f.write("[\n" + lines + "\n]\n")
print(f"capture-builtins: recorded {len(captured)} cases")
PY
