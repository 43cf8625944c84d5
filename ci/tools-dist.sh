#!/usr/bin/env bash
# The packaging checks' tools (sourced by ci/tools.sh after ci/env.sh), each skipped when already
# there. None is required: what cannot be had is reported and the check that needs it says so.
#   - Rust's musl standard library for this architecture (rustup), so ci/dist.sh cross-builds the
#     musllinux wheel and the linux-<arch>-musl npm package with zig;
#   - musl's C library, from Debian's `musl` package unpacked into the cache (not installed):
#     `auditwheel show` resolves the musl wheel against it and its loader runs the musl library;
#   - Bun and Deno from npm, which ci/test-dist.sh installs the npm package under.
# shellcheck shell=bash

cupcake_install_dist_tools() {
  local musl_target
  musl_target="$(uname -m)-unknown-linux-musl"
  if [ "$(uname -s)" = Linux ] && ! rustup target list --installed 2>/dev/null | grep -qx "$musl_target"; then
    log "installing Rust's $musl_target standard library"
    rustup target add "$musl_target" >&2 ||
      log "rustup could not add $musl_target: the musl artifacts will be skipped"
  fi

  if [ "$(uname -s)" = Linux ] && [ ! -f "$CUPCAKE_MUSL_ROOT/.installed" ]; then
    local scratch
    scratch="$(mktemp -d)"
    log "unpacking Debian's musl package into $CUPCAKE_MUSL_ROOT"
    if (cd "$scratch" && apt-get download musl >/dev/null 2>&1) &&
      rm -rf "$CUPCAKE_MUSL_ROOT" && dpkg-deb -x "$scratch"/musl_*.deb "$CUPCAKE_MUSL_ROOT"; then
      # The name Alpine gives musl's C library, which the musl artifacts record (ci/dist.sh).
      local libc
      libc="$(find "$CUPCAKE_MUSL_ROOT" -name libc.so -type f | head -n 1)"
      ln -sfn libc.so "$(dirname "$libc")/libc.musl-$(uname -m).so.1"
      touch "$CUPCAKE_MUSL_ROOT/.installed"
    else
      log "apt-get download musl failed: the musl wheel's checks will be skipped"
    fi
    rm -rf "$scratch"
  fi

  local runtime version dir
  for runtime in bun deno; do
    if [ "$runtime" = bun ]; then version="$BUN_VERSION" dir="$CUPCAKE_BUN_DIR"; else version="$DENO_VERSION" dir="$CUPCAKE_DENO_DIR"; fi
    [ -f "$dir/.installed" ] && continue
    log "installing $runtime $version"
    mkdir -p "$dir"
    # Their install scripts pick the binary from the platform package npm chose.
    if npm install --silent --no-audit --no-fund --prefix "$dir" "$runtime@$version" &&
      "$dir/node_modules/.bin/$runtime" --version >/dev/null; then
      touch "$dir/.installed"
    else
      log "$runtime $version did not install: the npm package's $runtime check will be skipped"
    fi
  done
}

cupcake_install_dist_tools
