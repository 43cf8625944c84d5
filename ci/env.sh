# Sourced by every ci/ script: where the developer tools live (outside the repo) and the pinned
# versions. Nothing here changes what cupcake enforces; it only locates build and test tools.
# shellcheck shell=bash
: "${CUPCAKE_DEV_CACHE:=${XDG_CACHE_HOME:-$HOME/.cache}/cupcake-dev}"
export CUPCAKE_DEV_CACHE
export OPA_VERSION=1.22.2
export UNIFFI_BINDGEN_NODE_JS_VERSION=0.0.16
export ACTIONLINT_VERSION=1.7.12
# The HTTP load generator `just bench` drives both decision servers with (benchmarks only).
export OHA_VERSION=1.16.0
# The real Claude Code CLI (inside the Agent SDK's platform package) for the live hook checks.
export CLAUDE_AGENT_SDK_VERSION=0.3.328
export CUPCAKE_CLAUDE_CODE_DIR="$CUPCAKE_DEV_CACHE/claude-agent-sdk-$CLAUDE_AGENT_SDK_VERSION"
# The other agents' published hook types, for the type checks of their responses
# (bindings-js/tests/client-types.test.ts). The directory name changes with the versions.
export CLIENT_TYPES="@google/gemini-cli-core@0.61.0 @github/copilot-sdk@1.0.14 @opencode-ai/plugin@1.18.33 @cline/shared@0.0.86 @types/node@20.19.43"
CUPCAKE_CLIENT_TYPES_DIR="$CUPCAKE_DEV_CACHE/client-types-$(printf '%s' "$CLIENT_TYPES" | cksum | cut -d' ' -f1)"
export CUPCAKE_CLIENT_TYPES_DIR
# The real Gemini CLI for its live hook checks (cli/tests/live_gemini.rs).
export GEMINI_CLI_VERSION=0.61.0
export CUPCAKE_GEMINI_CLI_DIR="$CUPCAKE_DEV_CACHE/gemini-cli-$GEMINI_CLI_VERSION"
# The real GitHub Copilot CLI for its live hook checks (cli/tests/live_copilot.rs).
export COPILOT_CLI_VERSION=1.0.102
export CUPCAKE_COPILOT_CLI_DIR="$CUPCAKE_DEV_CACHE/copilot-cli-$COPILOT_CLI_VERSION"
# The real Factory Droid CLI for its live hook checks (cli/tests/live_droid.rs).
export DROID_CLI_VERSION=0.225.2
export CUPCAKE_DROID_CLI_DIR="$CUPCAKE_DEV_CACHE/droid-cli-$DROID_CLI_VERSION"
# The real OpenCode CLI for its live hook checks (cli/tests/live_opencode.rs).
export OPENCODE_CLI_VERSION=1.18.33
export CUPCAKE_OPENCODE_CLI_DIR="$CUPCAKE_DEV_CACHE/opencode-cli-$OPENCODE_CLI_VERSION"
# The real Cline CLI for its live hook checks (cli/tests/live_cline.rs).
export CLINE_CLI_VERSION=3.0.65
export CUPCAKE_CLINE_CLI_DIR="$CUPCAKE_DEV_CACHE/cline-cli-$CLINE_CLI_VERSION"
export CUPCAKE_VENV="$CUPCAKE_DEV_CACHE/venv"
# The packaging checks (ci/test-dist.sh): the runtimes the npm package is installed under, and
# musl's C library (a Debian package, unpacked, not installed) for the musl artifacts.
export BUN_VERSION=1.4.4
export CUPCAKE_BUN_DIR="$CUPCAKE_DEV_CACHE/bun-$BUN_VERSION"
export DENO_VERSION=2.9.6
export CUPCAKE_DENO_DIR="$CUPCAKE_DEV_CACHE/deno-$DENO_VERSION"
export CUPCAKE_MUSL_ROOT="$CUPCAKE_DEV_CACHE/musl"
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export REPO_ROOT
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$REPO_ROOT/target}"
export PATH="$CUPCAKE_DEV_CACHE/bin:$CUPCAKE_VENV/bin:$HOME/.cargo/bin:/usr/local/go/bin:$PATH"
