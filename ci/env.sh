# Sourced by every ci/ script: where the developer tools live (outside the repo) and the pinned
# versions. Nothing here changes what cupcake enforces; it only locates build and test tools.
# shellcheck shell=bash
: "${CUPCAKE_DEV_CACHE:=${XDG_CACHE_HOME:-$HOME/.cache}/cupcake-dev}"
export CUPCAKE_DEV_CACHE
export OPA_VERSION=1.22.2
export UNIFFI_BINDGEN_NODE_JS_VERSION=0.0.16
export ACTIONLINT_VERSION=1.7.12
# The real Claude Code CLI (inside the Agent SDK's platform package) for the live hook checks.
export CLAUDE_AGENT_SDK_VERSION=0.3.328
export CUPCAKE_CLAUDE_CODE_DIR="$CUPCAKE_DEV_CACHE/claude-agent-sdk-$CLAUDE_AGENT_SDK_VERSION"
export CUPCAKE_VENV="$CUPCAKE_DEV_CACHE/venv"
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export REPO_ROOT
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$REPO_ROOT/target}"
export PATH="$CUPCAKE_DEV_CACHE/bin:$CUPCAKE_VENV/bin:$HOME/.cargo/bin:/usr/local/go/bin:$PATH"
