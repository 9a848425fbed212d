#!/usr/bin/env bash
# Installs what is missing on a fresh Debian bookworm machine, and nothing that is already there.
#   scripts/bootstrap.sh          everything building and testing need (npm test, .ci/run):
#                                 Emscripten, nlohmann/json, CMake, GoogleTest, clang for the
#                                 fuzzers, Chromium for the browser tests, then the npm packages of
#                                 package-lock.json
#   scripts/bootstrap.sh --start  only what running the dashboard needs (npm start): nothing when
#                                 the module is built (dist/), else what building it needs
#                                 (Emscripten, nlohmann/json, CMake, make); the server itself uses
#                                 no npm package
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

mode=all
for arg in "$@"; do
  case "$arg" in
    --start) mode=start ;;
    *) echo "bootstrap: unknown argument $arg" >&2; exit 2 ;;
  esac
done

node_major="$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)"
if [ "$node_major" -lt 20 ]; then
  echo "bootstrap: Node 20 or later is needed (found $(node --version 2>/dev/null || echo none))" >&2
  exit 1
fi

missing=()
have_command() { command -v "$1" >/dev/null 2>&1; }
module_built=0
[ -f dist/prolific-dataset-status.mjs ] && [ -f dist/prolific-dataset-status.wasm ] && module_built=1
if [ "$mode" = all ] || [ "$module_built" = 0 ]; then
  have_command emcc || missing+=(emscripten)
  [ -f /usr/include/nlohmann/json.hpp ] || missing+=(nlohmann-json3-dev)
  have_command cmake || missing+=(cmake)
  have_command make || missing+=(make)
fi
if [ "$mode" = all ]; then
  have_command g++ || missing+=(g++)
  [ -f /usr/include/gtest/gtest.h ] || missing+=(libgtest-dev)
  have_command clang++ || missing+=(clang)
  compgen -G "/usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a" >/dev/null || missing+=(libclang-rt-dev)
  [ -x /usr/bin/chromium ] || missing+=(chromium)
fi

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

# npm ci when node_modules is missing or older than the lock file (the tests' packages only).
if [ "$mode" = all ] && { [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; }; then
  echo "bootstrap: npm ci"
  npm ci --no-audit --no-fund --loglevel=error
fi
