#!/usr/bin/env bash
# Installs the Cline CLI the live hook checks run (cli/tests/live_cline.rs) into
# $CUPCAKE_DEV_CACHE/cline-cli-$CLINE_CLI_VERSION; a marker file makes a second run a no-op.
# npm pulls the platform package that carries the native binary (Bun with the CLI compiled in),
# which the tests run directly; no install scripts run (the skipped postinstall only links that
# binary next to the Node wrapper, for a faster start of the wrapper).
#
# Executed (`bash ci/tools-cline.sh`), it prints the directory to export as
# CUPCAKE_CLINE_CLI_DIR. Sourced (after ci/env.sh, e.g. from ci/tools.sh), it exports
# CUPCAKE_CLINE_CLI_DIR itself and leaves the caller's shell options alone.
# shellcheck shell=bash

cline_executed=false
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  cline_executed=true
  set -euo pipefail
fi

: "${CUPCAKE_DEV_CACHE:=${XDG_CACHE_HOME:-$HOME/.cache}/cupcake-dev}"
export CUPCAKE_DEV_CACHE
: "${CLINE_CLI_VERSION:=3.0.65}"
export CLINE_CLI_VERSION
: "${CUPCAKE_CLINE_CLI_DIR:=$CUPCAKE_DEV_CACHE/cline-cli-$CLINE_CLI_VERSION}"
export CUPCAKE_CLINE_CLI_DIR

cupcake_install_cline_cli() {
  local dir="$CUPCAKE_CLINE_CLI_DIR"
  local cli="$dir/node_modules/@cline/cli-linux-x64/bin/cline"
  if [ -f "$dir/.installed" ] && [ -x "$cli" ]; then
    return 0
  fi
  command -v npm >/dev/null || {
    printf '[tools] npm is required to install cline\n' >&2
    return 1
  }
  printf '[tools] installing cline %s\n' "$CLINE_CLI_VERSION" >&2
  mkdir -p "$dir" || return 1
  npm install --silent --no-audit --no-fund --ignore-scripts --prefix "$dir" \
    "cline@$CLINE_CLI_VERSION" || return 1
  [ -x "$cli" ] || {
    printf '[tools] %s is missing after the install (only linux-x64 is set up)\n' "$cli" >&2
    return 1
  }
  # The binary must be the pinned one: `--version` prints its version and touches nothing
  # but a scratch HOME.
  local version
  version="$(env -i PATH=/usr/bin:/bin HOME="$dir/version-check" "$cli" --version)" || return 1
  rm -rf "$dir/version-check"
  [ "$version" = "$CLINE_CLI_VERSION" ] || {
    printf '[tools] %s reports version %s, not %s\n' "$cli" "$version" "$CLINE_CLI_VERSION" >&2
    return 1
  }
  touch "$dir/.installed"
}

cupcake_install_cline_cli
if [ "$cline_executed" = true ]; then
  printf '%s\n' "$CUPCAKE_CLINE_CLI_DIR"
fi
unset cline_executed
