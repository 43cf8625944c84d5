#!/usr/bin/env bash
# Installs the GitHub Copilot CLI the live hook checks run (cli/tests/live_copilot.rs) into
# $CUPCAKE_DEV_CACHE/copilot-cli-$COPILOT_CLI_VERSION; a marker file makes a second run a no-op.
# npm pulls the platform package that carries the native binary (no install scripts run), and
# the binary's JavaScript is unpacked once into <dir>/cache, which the tests reuse through
# COPILOT_PKG_CACHE_HOME instead of unpacking ~235 MB into every scratch HOME.
#
# Executed (`bash ci/tools-copilot.sh`), it prints the directory to export as
# CUPCAKE_COPILOT_CLI_DIR. Sourced (after ci/env.sh, e.g. from ci/tools.sh), it exports
# CUPCAKE_COPILOT_CLI_DIR itself and leaves the caller's shell options alone.
# shellcheck shell=bash

copilot_executed=false
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  copilot_executed=true
  set -euo pipefail
fi

: "${CUPCAKE_DEV_CACHE:=${XDG_CACHE_HOME:-$HOME/.cache}/cupcake-dev}"
export CUPCAKE_DEV_CACHE
: "${COPILOT_CLI_VERSION:=1.0.102}"
export COPILOT_CLI_VERSION
: "${CUPCAKE_COPILOT_CLI_DIR:=$CUPCAKE_DEV_CACHE/copilot-cli-$COPILOT_CLI_VERSION}"
export CUPCAKE_COPILOT_CLI_DIR

cupcake_install_copilot_cli() {
  local dir="$CUPCAKE_COPILOT_CLI_DIR"
  local cli="$dir/node_modules/@github/copilot-linux-x64/copilot"
  local unpacked="$dir/cache/pkg/linux-x64/$COPILOT_CLI_VERSION/cli-main.js"
  if [ -f "$dir/.installed" ] && [ -x "$cli" ] && [ -f "$unpacked" ]; then
    return 0
  fi
  command -v npm >/dev/null || {
    printf '[tools] npm is required to install @github/copilot\n' >&2
    return 1
  }
  printf '[tools] installing @github/copilot %s\n' "$COPILOT_CLI_VERSION" >&2
  mkdir -p "$dir" || return 1
  npm install --silent --no-audit --no-fund --ignore-scripts --prefix "$dir" \
    "@github/copilot@$COPILOT_CLI_VERSION" || return 1
  [ -x "$cli" ] || {
    printf '[tools] %s is missing after the install (only linux-x64 is set up)\n' "$cli" >&2
    return 1
  }
  # COPILOT_SEA_EXTRACT_ONLY makes the binary unpack its package and exit.
  env -i PATH=/usr/bin:/bin HOME="$dir" COPILOT_SEA_EXTRACT_ONLY=1 \
    COPILOT_PKG_CACHE_HOME="$dir/cache" "$cli" || return 1
  [ -f "$unpacked" ] || {
    printf '[tools] the Copilot CLI did not unpack into %s/cache\n' "$dir" >&2
    return 1
  }
  touch "$dir/.installed"
}

cupcake_install_copilot_cli
if [ "$copilot_executed" = true ]; then
  printf '%s\n' "$CUPCAKE_COPILOT_CLI_DIR"
fi
unset copilot_executed
