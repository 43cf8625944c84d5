#!/usr/bin/env bash
# Prints this machine's platform in the release matrix's naming (ci/matrix.json `platform`):
# linux-<x64|arm64>-<gnu|musl>, darwin-<arch> or win32-<arch>, as the Node loader computes it.
set -euo pipefail
case "$(uname -m)" in
  x86_64 | amd64) arch=x64 ;;
  aarch64 | arm64) arch=arm64 ;;
  *) arch="$(uname -m)" ;;
esac
case "$(uname -s)" in
  Linux)
    libc=gnu
    if ldd --version 2>&1 | grep -qi musl; then libc=musl; fi
    echo "linux-$arch-$libc"
    ;;
  Darwin) echo "darwin-$arch" ;;
  *) echo "win32-$arch" ;;
esac
