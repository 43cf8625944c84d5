#!/usr/bin/env bash
# Installs every tool the demo and the tests need into $CUPCAKE_DEV_CACHE, skipping what is
# already there at the pinned version: OPA and actionlint (go install), uniffi-bindgen-node-js
# (cargo install), the Claude Agent SDK with its Claude Code CLI (npm), the agents' CLIs, the
# packaging checks' tools (ci/tools-dist.sh), and a Python venv with maturin, zig, just and pytest.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
mkdir -p "$CUPCAKE_DEV_CACHE/bin"

log() { printf '[tools] %s\n' "$*" >&2; }

# Capture first: with pipefail, `grep -q` closing the pipe early would fail the check.
opa_version="$("$CUPCAKE_DEV_CACHE/bin/opa" version 2>/dev/null || true)"
if ! grep -qx "Version: $OPA_VERSION" <<<"$opa_version"; then
  command -v go >/dev/null || { log "Go is required to install OPA; install Go 1.22+"; exit 1; }
  log "installing OPA $OPA_VERSION"
  GOBIN="$CUPCAKE_DEV_CACHE/bin" CGO_ENABLED=0 go install "github.com/open-policy-agent/opa@v$OPA_VERSION"
fi

# The generator has no --version; cargo's install record says which version is there.
if [ ! -x "$CUPCAKE_DEV_CACHE/bin/uniffi-bindgen-node-js" ] ||
  ! grep -q "uniffi-bindgen-node-js $UNIFFI_BINDGEN_NODE_JS_VERSION " "$CUPCAKE_DEV_CACHE/.crates.toml" 2>/dev/null; then
  log "installing uniffi-bindgen-node-js $UNIFFI_BINDGEN_NODE_JS_VERSION"
  cargo install --quiet --locked --root "$CUPCAKE_DEV_CACHE" \
    uniffi-bindgen-node-js --version "$UNIFFI_BINDGEN_NODE_JS_VERSION"
fi

# actionlint checks the hosted-CI workflow files (they cannot run here, so they are linted).
if [ ! -f "$CUPCAKE_DEV_CACHE/.actionlint-$ACTIONLINT_VERSION" ]; then
  command -v go >/dev/null || { log "Go is required to install actionlint"; exit 1; }
  log "installing actionlint $ACTIONLINT_VERSION"
  GOBIN="$CUPCAKE_DEV_CACHE/bin" CGO_ENABLED=0 \
    go install "github.com/rhysd/actionlint/cmd/actionlint@v$ACTIONLINT_VERSION"
  touch "$CUPCAKE_DEV_CACHE/.actionlint-$ACTIONLINT_VERSION"
fi

# The Claude Code CLI the live hook checks run (cli/tests/live_claude.rs): the Agent SDK from
# npm, whose platform package carries the native binary.
claude_marker="$CUPCAKE_CLAUDE_CODE_DIR/.installed"
if [ ! -f "$claude_marker" ]; then
  command -v npm >/dev/null || { log "npm is required to install the Claude Agent SDK"; exit 1; }
  log "installing @anthropic-ai/claude-agent-sdk $CLAUDE_AGENT_SDK_VERSION"
  mkdir -p "$CUPCAKE_CLAUDE_CODE_DIR"
  npm install --silent --no-audit --no-fund --prefix "$CUPCAKE_CLAUDE_CODE_DIR" \
    "@anthropic-ai/claude-agent-sdk@$CLAUDE_AGENT_SDK_VERSION"
  touch "$claude_marker"
fi

# The other agents' hook type packages, only read by tsc (no install scripts run).
types_marker="$CUPCAKE_CLIENT_TYPES_DIR/.installed"
if [ ! -f "$types_marker" ]; then
  command -v npm >/dev/null || { log "npm is required to install the agents' hook types"; exit 1; }
  log "installing the agents' hook types: $CLIENT_TYPES"
  mkdir -p "$CUPCAKE_CLIENT_TYPES_DIR"
  # shellcheck disable=SC2086 # one argument per package
  npm install --silent --no-audit --no-fund --ignore-scripts --prefix "$CUPCAKE_CLIENT_TYPES_DIR" $CLIENT_TYPES
  touch "$types_marker"
fi

# The other agents' CLIs their live hook checks run.
# shellcheck source=ci/tools-gemini.sh
source "$REPO_ROOT/ci/tools-gemini.sh"
# shellcheck source=ci/tools-copilot.sh
source "$REPO_ROOT/ci/tools-copilot.sh"
# shellcheck source=ci/tools-droid.sh
source "$REPO_ROOT/ci/tools-droid.sh"
# shellcheck source=ci/tools-opencode.sh
source "$REPO_ROOT/ci/tools-opencode.sh"
# shellcheck source=ci/tools-cline.sh
source "$REPO_ROOT/ci/tools-cline.sh"
# shellcheck source=ci/tools-dist.sh
source "$REPO_ROOT/ci/tools-dist.sh"

requirements="$REPO_ROOT/ci/requirements-dev.txt"
stamp="$CUPCAKE_VENV/.requirements"
if [ ! -x "$CUPCAKE_VENV/bin/python" ] || ! cmp -s "$requirements" "$stamp"; then
  log "preparing the Python tool venv"
  python3 -m venv "$CUPCAKE_VENV"
  "$CUPCAKE_VENV/bin/python" -m pip install --quiet --upgrade pip
  "$CUPCAKE_VENV/bin/python" -m pip install --quiet -r "$requirements"
  cp "$requirements" "$stamp"
fi
