#!/bin/sh
# The Closure Compiler emcc runs for `--closure 1` (CMakeLists.txt sets EM_CLOSURE_COMPILER to
# this file): the native Linux binary of the npm package google-closure-compiler-linux.
# Emscripten 3.1.6 asks for `--language_in ECMASCRIPT_NEXT_IN`, a name current Closure releases
# no longer know; their name for the same thing (what current Emscripten passes) is UNSTABLE.
root="$(cd "$(dirname "$0")/.." && pwd)"
for arg in "$@"; do
  shift
  if [ "$arg" = ECMASCRIPT_NEXT_IN ]; then arg=UNSTABLE; fi
  set -- "$@" "$arg"
done
exec "$root/node_modules/google-closure-compiler-linux/compiler" "$@"
