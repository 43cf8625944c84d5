#!/usr/bin/env bash
# Python suite: builds and installs the package, runs pytest on bindings-py/tests, then mypy
# (strict) and ruff on the facade, each counted as one more test. Writes `<passed> <failed>` to
# $CUPCAKE_RESULTS_DIR/python.txt when that is set, and exits non-zero if anything failed.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$REPO_ROOT" || exit 1

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
passed=0
failed=0
finish() {
  if [ -n "${CUPCAKE_RESULTS_DIR:-}" ]; then
    echo "$passed $failed" > "$CUPCAKE_RESULTS_DIR/python.txt"
  fi
  echo "python: $passed passed, $failed failed"
  exit $((failed > 0 ? 1 : 0))
}

if ! bash ci/build-py.sh; then
  echo "ci/build-py.sh failed: the Python package could not be built" >&2
  failed=1
  finish
fi

# Nothing is written into the repository: no bytecode, no pytest cache, no lint caches.
export PYTHONDONTWRITEBYTECODE=1
python -m pytest -q -p no:cacheprovider --junitxml="$work/junit.xml" bindings-py/tests
status=$?
if [ -s "$work/junit.xml" ]; then
  read -r passed failed < <(python - "$work/junit.xml" <<'EOF'
import sys
import xml.etree.ElementTree as ElementTree

root = ElementTree.parse(sys.argv[1]).getroot()
suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
total = {key: sum(int(suite.get(key, 0)) for suite in suites)
         for key in ("tests", "failures", "errors", "skipped")}
bad = total["failures"] + total["errors"]
print(total["tests"] - bad - total["skipped"], bad)
EOF
  )
fi
if [ "$status" -eq 5 ]; then
  echo "pytest collected no tests" >&2
  failed=$((failed + 1))
elif [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  echo "pytest exited with status $status" >&2
  failed=1
fi

# The hand-written facade (every module but the generated _native/) and the Python example.
facade=(bindings-py/python/cupcake/*.py examples/python/guard_example.py examples/python/errors_example.py)
config=bindings-py/pyproject.toml
lint() {
  local name=$1
  shift
  if "$@"; then
    passed=$((passed + 1))
  else
    echo "$name failed on ${facade[*]}" >&2
    failed=$((failed + 1))
  fi
}
lint "mypy --strict" mypy --strict --config-file "$config" --cache-dir=/dev/null --no-error-summary "${facade[@]}"
# IGNORE_WARNINGS skips pyright-python's check of PyPI for a newer release: no network in tests.
lint "pyright --strict" env PYRIGHT_PYTHON_IGNORE_WARNINGS=1 pyright --project "$config" --pythonpath "$(command -v python)" "${facade[@]}"
lint "ruff" ruff check --quiet --no-cache --config "$config" "${facade[@]}"
lint "ruff format" ruff format --check --quiet --no-cache --config "$config" "${facade[@]}"
finish
