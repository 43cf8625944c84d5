#!/usr/bin/env bash
# Installs the real Gemini CLI that the live hook checks run (cli/tests/live_gemini.rs) into
# $CUPCAKE_DEV_CACHE/gemini-cli-$GEMINI_CLI_VERSION, once: a marker file records a finished
# install, so a second run does nothing. The CLI is one bundled script (bundle/gemini.js) and
# needs no install scripts, so none run.
#
# Run it (`bash ci/tools-gemini.sh`) or source it after ci/env.sh; either way it leaves
# CUPCAKE_GEMINI_CLI_DIR exported (when sourced) naming the install directory.
# shellcheck shell=bash

# When sourced, keep the caller's shell options; when run, be strict.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -euo pipefail
fi

: "${CUPCAKE_DEV_CACHE:=${XDG_CACHE_HOME:-$HOME/.cache}/cupcake-dev}"
export CUPCAKE_DEV_CACHE
: "${GEMINI_CLI_VERSION:=0.61.0}"
export GEMINI_CLI_VERSION
: "${CUPCAKE_GEMINI_CLI_DIR:=$CUPCAKE_DEV_CACHE/gemini-cli-$GEMINI_CLI_VERSION}"
export CUPCAKE_GEMINI_CLI_DIR

cupcake_install_gemini_cli() {
  local marker="$CUPCAKE_GEMINI_CLI_DIR/.installed"
  local entry="$CUPCAKE_GEMINI_CLI_DIR/node_modules/@google/gemini-cli/bundle/gemini.js"
  if [ -f "$marker" ] && [ -f "$entry" ]; then
    return 0
  fi
  if ! command -v npm >/dev/null; then
    printf '[tools] npm is required to install @google/gemini-cli\n' >&2
    return 1
  fi
  printf '[tools] installing @google/gemini-cli %s\n' "$GEMINI_CLI_VERSION" >&2
  mkdir -p "$CUPCAKE_GEMINI_CLI_DIR" || return 1
  npm install --silent --no-audit --no-fund --ignore-scripts \
    --prefix "$CUPCAKE_GEMINI_CLI_DIR" "@google/gemini-cli@$GEMINI_CLI_VERSION" || return 1
  if [ ! -f "$entry" ]; then
    printf '[tools] %s is missing after the install\n' "$entry" >&2
    return 1
  fi
  touch "$marker"
}

cupcake_install_gemini_cli
