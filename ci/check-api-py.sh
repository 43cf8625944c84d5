#!/usr/bin/env bash
# Compares the public API of the Python package (the generated cupcake._native module, then
# the hand-written facade) with the committed snapshot bindings-py/api/python-api.txt.
# `--update` rewrites the snapshot instead; review the diff first.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$REPO_ROOT"

snapshot=bindings-py/api/python-api.txt
update=false
case "${1:-}" in
  --update) update=true ;;
  "") ;;
  *) echo "usage: ci/check-api-py.sh [--update]" >&2; exit 2 ;;
esac

# Regenerate first, so the listing describes the current interface.udl.
bash ci/build-py.sh
listing="$(mktemp)"
trap 'rm -f "$listing"' EXIT
PYTHONDONTWRITEBYTECODE=1 python bindings-py/api/dump_api.py > "$listing"

if "$update"; then
  cp "$listing" "$snapshot"
  echo "updated $snapshot"
elif ! diff -u "$snapshot" "$listing"; then
  echo "the generated Python API differs from $snapshot (diff above)." >&2
  echo "If the change is intended, review it and run \`ci/check-api-py.sh --update\`." >&2
  exit 1
else
  echo "python API matches $snapshot"
fi
