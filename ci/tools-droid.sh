#!/usr/bin/env bash
# Installs the Factory Droid CLI the live hook checks run (cli/tests/live_droid.rs) into
# $CUPCAKE_DEV_CACHE/droid-cli-$DROID_CLI_VERSION; a marker file makes a second run a no-op.
# Only the platform package is installed: it carries the whole CLI as one native binary, and
# the `@factory/cli` wrapper (published at 0.225.1) would only pick that package and exec it.
# No install scripts run.
#
# Executed (`bash ci/tools-droid.sh`), it prints the directory to export as
# CUPCAKE_DROID_CLI_DIR. Sourced (after ci/env.sh, e.g. from ci/tools.sh), it exports
# CUPCAKE_DROID_CLI_DIR itself and leaves the caller's shell options alone.
# shellcheck shell=bash

droid_executed=false
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  droid_executed=true
  set -euo pipefail
fi

: "${CUPCAKE_DEV_CACHE:=${XDG_CACHE_HOME:-$HOME/.cache}/cupcake-dev}"
export CUPCAKE_DEV_CACHE
: "${DROID_CLI_VERSION:=0.225.2}"
export DROID_CLI_VERSION
: "${CUPCAKE_DROID_CLI_DIR:=$CUPCAKE_DEV_CACHE/droid-cli-$DROID_CLI_VERSION}"
export CUPCAKE_DROID_CLI_DIR

cupcake_install_droid_cli() {
  local dir="$CUPCAKE_DROID_CLI_DIR"
  local cli="$dir/node_modules/@factory/cli-linux-x64/bin/droid"
  if [ -f "$dir/.installed" ] && [ -x "$cli" ]; then
    return 0
  fi
  command -v npm >/dev/null || {
    printf '[tools] npm is required to install @factory/cli-linux-x64\n' >&2
    return 1
  }
  printf '[tools] installing @factory/cli-linux-x64 %s\n' "$DROID_CLI_VERSION" >&2
  mkdir -p "$dir" || return 1
  npm install --silent --no-audit --no-fund --ignore-scripts --prefix "$dir" \
    "@factory/cli-linux-x64@$DROID_CLI_VERSION" || return 1
  [ -x "$cli" ] || {
    printf '[tools] %s is missing after the install (only linux-x64 is set up)\n' "$cli" >&2
    return 1
  }
  # The binary has to run here (a CPU without AVX2 needs the -baseline package instead).
  local version
  version="$(env -i PATH=/usr/bin:/bin HOME="$dir" "$cli" --version)" || return 1
  [ "$version" = "$DROID_CLI_VERSION" ] || {
    printf '[tools] %s reports version %s, not %s\n' "$cli" "$version" "$DROID_CLI_VERSION" >&2
    return 1
  }
  touch "$dir/.installed"
}

cupcake_install_droid_cli
if [ "$droid_executed" = true ]; then
  printf '%s\n' "$CUPCAKE_DROID_CLI_DIR"
fi
unset droid_executed
