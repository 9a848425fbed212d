#!/usr/bin/env bash
# Builds the WebAssembly module into dist/ (and, with --native, the native core and its tests).
#   scripts/build.sh               build the wasm modules (full: dist/, status-only: dist/status/)
#                                  and the browser bundles (dist/browser/), incrementally
#   scripts/build.sh --if-missing  build only when dist/ has no module yet
#   scripts/build.sh --native      build the native core tests as well
#   scripts/build.sh --bench-fixed-parts
#                                  build only the bench's reference module of the fixed parts
#                                  (build/wasm/bench-fixed-parts/, scripts/bench/fixed-parts.cpp)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

if_missing=0
native=0
fixed_parts=0
for arg in "$@"; do
  case "$arg" in
    --bench-fixed-parts) fixed_parts=1 ;;
    --if-missing) if_missing=1 ;;
    --native) native=1 ;;
    *) echo "build.sh: unknown argument $arg" >&2; exit 2 ;;
  esac
done

# (the full module is what npm start's dashboard loads; scripts/bootstrap.sh --start checks the same)
if [ "$if_missing" = 1 ] && [ -f dist/prolific-dataset-status.mjs ] && [ -f dist/prolific-dataset-status.wasm ]; then
  exit 0
fi

# npm run (npm test, npm run build, npm start) puts node_modules/.bin first on PATH. emcc must not
# see it: Debian's Emscripten 3.1.6 runs binaryen's tools by name (run_binaryen_command), so it
# found the npm binaryen's wasm-opt (release 132) before Debian's (108); the import-name mapping
# of --minify-imports-and-exports then did not reach the glue, the wasm's imports were minified and
# the glue's were not, and the module could not be instantiated. The tools the build takes from
# node_modules (Closure, terser, wasm-opt, esbuild) are named by their paths.
PATH="$(printf '%s' "$PATH" | tr ':' '\n' | grep -v '/node_modules/\.bin$' | paste -sd: -)"
export PATH

# Debian's Emscripten runs its JS optimizer with Debian's acorn, found through NODE_PATH.
export NODE_PATH="/usr/share/nodejs${NODE_PATH:+:$NODE_PATH}"
jobs="$(nproc 2>/dev/null || echo 2)"

# Configured again after npm ci or npm install: whether Closure, terser and wasm-opt are in
# node_modules is found at configure time.
if [ ! -f build/wasm/CMakeCache.txt ] || [ node_modules/.package-lock.json -nt build/wasm/CMakeCache.txt ]; then
  emcmake cmake -S . -B build/wasm -DCMAKE_BUILD_TYPE=Release >/dev/null
fi
if [ "$fixed_parts" = 1 ]; then
  cmake --build build/wasm -j "$jobs" --target prolific_bench_fixed_parts
  exit 0
fi
cmake --build build/wasm -j "$jobs"
mkdir -p dist
mkdir -p dist/status
cp build/wasm/full/prolific-dataset-status.mjs build/wasm/full/prolific-dataset-status.wasm dist/
cp build/wasm/status/prolific-dataset-status.mjs build/wasm/status/prolific-dataset-status.wasm dist/status/
# The browser bundles (dist/browser/, the package's "browser" condition), minified by esbuild.
if [ -d node_modules/esbuild ]; then
  node scripts/bundle.mjs
else
  echo "build.sh: node_modules/esbuild is missing (run npm ci): dist/browser/ not built" >&2
fi

if [ "$native" = 1 ]; then
  if [ ! -f build/native/CMakeCache.txt ]; then
    cmake -S . -B build/native -DCMAKE_BUILD_TYPE=Release >/dev/null
  fi
  cmake --build build/native -j "$jobs"
fi
