#!/usr/bin/env bash
# Installs what building and testing need on a fresh Debian bookworm machine, and nothing that is
# already there: Debian packages (Emscripten, nlohmann/json, CMake, GoogleTest, clang for the
# fuzzers, Chromium for the browser tests), then the npm packages of package-lock.json.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

node_major="$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)"
if [ "$node_major" -lt 20 ]; then
  echo "bootstrap: Node 20 or later is needed (found $(node --version 2>/dev/null || echo none))" >&2
  exit 1
fi

missing=()
have_command() { command -v "$1" >/dev/null 2>&1; }
have_command emcc || missing+=(emscripten)
[ -f /usr/include/nlohmann/json.hpp ] || missing+=(nlohmann-json3-dev)
have_command cmake || missing+=(cmake)
have_command make || missing+=(make)
have_command g++ || missing+=(g++)
[ -f /usr/include/gtest/gtest.h ] || missing+=(libgtest-dev)
have_command clang++ || missing+=(clang)
compgen -G "/usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a" >/dev/null || missing+=(libclang-rt-dev)
[ -x /usr/bin/chromium ] || missing+=(chromium)

if [ "${#missing[@]}" -gt 0 ]; then
  echo "bootstrap: installing Debian packages: ${missing[*]}"
  sudo=""
  if [ "$(id -u)" != 0 ]; then
    if have_command sudo; then sudo="sudo"; else
      echo "bootstrap: run as root, or install: apt-get install ${missing[*]}" >&2
      exit 1
    fi
  fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# npm ci when node_modules is missing or older than the lock file.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "bootstrap: npm ci"
  npm ci --no-audit --no-fund --loglevel=error
fi
