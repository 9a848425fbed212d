#!/usr/bin/env bash
# The whole test suite (what `npm test` runs): installs what is missing, builds the native core and
# the WebAssembly module, then runs the native tests (CTest), the Node tests against the real module
# and a real mock Prolific API, and the browser tests in headless Chromium.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

bash scripts/bootstrap.sh
bash scripts/build.sh --native

echo "== native tests (CTest)"
(cd build/native && ctest --output-on-failure -j "$(nproc 2>/dev/null || echo 2)")

echo "== Node and browser tests (node:test)"
shopt -s nullglob
node --test --test-concurrency=2 --test-timeout=300000 tests/*.test.mjs tests/browser/*.test.mjs

# The tests written against tests/support/entry.mjs (reads, waits, watches, errors, hardening, the
# published contract) once more on the status-only module (prolific-dataset-status/status over
# dist/status/); their lifecycle tests skip there.
echo "== the same tests on the status-only module (PROLIFIC_TEST_MODULE=status)"
mapfile -t status_tests < <(grep -l "support/entry.mjs" tests/*.test.mjs)
PROLIFIC_TEST_MODULE=status node --test --test-concurrency=2 --test-timeout=300000 "${status_tests[@]}"
