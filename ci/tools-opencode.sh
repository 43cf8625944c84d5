#!/usr/bin/env bash
# Installs the OpenCode CLI the live hook checks run (cli/tests/live_opencode.rs) into
# $CUPCAKE_DEV_CACHE/opencode-cli-$OPENCODE_CLI_VERSION; a marker file makes a second run a no-op.
# npm pulls the platform package that carries the native binary (a Bun executable with its
# JavaScript and the AI SDK providers bundled in it; no install scripts run), and the binary is
# started once to prove it runs on this machine's CPU. Nothing else is needed offline: the tests
# talk to the bundled `@ai-sdk/openai-compatible` provider and stub the plugin dependencies
# OpenCode would otherwise npm-install into each config directory.
#
# Executed (`bash ci/tools-opencode.sh`), it prints the directory to export as
# CUPCAKE_OPENCODE_CLI_DIR. Sourced (after ci/env.sh, e.g. from ci/tools.sh), it exports
# CUPCAKE_OPENCODE_CLI_DIR itself and leaves the caller's shell options alone.
# shellcheck shell=bash

opencode_executed=false
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  opencode_executed=true
  set -euo pipefail
fi

: "${CUPCAKE_DEV_CACHE:=${XDG_CACHE_HOME:-$HOME/.cache}/cupcake-dev}"
export CUPCAKE_DEV_CACHE
: "${OPENCODE_CLI_VERSION:=1.18.33}"
export OPENCODE_CLI_VERSION
: "${CUPCAKE_OPENCODE_CLI_DIR:=$CUPCAKE_DEV_CACHE/opencode-cli-$OPENCODE_CLI_VERSION}"
export CUPCAKE_OPENCODE_CLI_DIR

cupcake_install_opencode_cli() {
  local dir="$CUPCAKE_OPENCODE_CLI_DIR"
  local cli="$dir/node_modules/opencode-linux-x64/bin/opencode"
  if [ -f "$dir/.installed" ] && [ -x "$cli" ]; then
    return 0
  fi
  command -v npm >/dev/null || {
    printf '[tools] npm is required to install opencode-ai\n' >&2
    return 1
  }
  printf '[tools] installing opencode-ai %s\n' "$OPENCODE_CLI_VERSION" >&2
  mkdir -p "$dir" || return 1
  npm install --silent --no-audit --no-fund --ignore-scripts --prefix "$dir" \
    "opencode-ai@$OPENCODE_CLI_VERSION" || return 1
  [ -x "$cli" ] || {
    printf '[tools] %s is missing after the install (only linux-x64 is set up)\n' "$cli" >&2
    return 1
  }
  # --version still sets up its data folders under HOME: give it a throwaway one.
  local home version
  home="$(mktemp -d)" || return 1
  version="$(env -i PATH=/usr/bin:/bin HOME="$home" "$cli" --version)"
  rm -rf "$home"
  [ "$version" = "$OPENCODE_CLI_VERSION" ] || {
    printf '[tools] %s says it is version %s, not %s\n' "$cli" "$version" \
      "$OPENCODE_CLI_VERSION" >&2
    return 1
  }
  touch "$dir/.installed"
}

cupcake_install_opencode_cli
if [ "$opencode_executed" = true ]; then
  printf '%s\n' "$CUPCAKE_OPENCODE_CLI_DIR"
fi
unset opencode_executed
