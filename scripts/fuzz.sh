#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, ASan + UBSan) in build/fuzz and runs each for a while.
#   scripts/fuzz.sh [seconds-per-target] [target...]
#     seconds-per-target  default 60
#     target              status_body error_body retry_after base_url json_value (default: all)
# Each target runs on a copy of its seed corpus (build/fuzz/corpus/<target>; the repository is
# never written), with tests/fuzz/json.dict. Crashes, invariant breaks (__builtin_trap), UBSan
# reports, timeouts (-timeout=10) and out-of-memory (-rss_limit_mb=2048) are saved under
# build/fuzz/crashes/<target>/ and make the script exit non-zero. Full logs: build/fuzz/logs/.
# Needs clang and libclang-rt-<version>-dev (Debian bookworm: clang, libclang-rt-14-dev), plus what
# the native build needs anyway (cmake, nlohmann-json3-dev, libgtest-dev).
# Environment: FUZZ_JOBS=N runs N targets at the same time (default 1).
#   FUZZ_MAX_LEN=bytes    longest input libFuzzer builds (default 65536: bodies past the snippet
#                         window, long details cut at 2000 bytes, reasons, deep nesting)
#   FUZZ_LEN_CONTROL=n    libFuzzer's -len_control (default 20; its own default, 100, keeps inputs
#                         short for most of a run: a 15-minute run never went past 158 bytes)
# The summary gives, per target: executions, executions per second, coverage (edges) and features.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

all_targets=(status_body error_body retry_after base_url json_value)
seconds="${1:-60}"
if ! [[ "$seconds" =~ ^[0-9]+$ ]] || [ "$seconds" -lt 1 ]; then
  echo "fuzz.sh: seconds-per-target must be a positive whole number, not '$seconds'" >&2
  exit 2
fi
shift $(( $# > 0 ? 1 : 0 ))
targets=("$@")
if [ "${#targets[@]}" -eq 0 ]; then targets=("${all_targets[@]}"); fi
for target in "${targets[@]}"; do
  case " ${all_targets[*]} " in
    *" $target "*) ;;
    *) echo "fuzz.sh: unknown target '$target' (known: ${all_targets[*]})" >&2; exit 2 ;;
  esac
done

for tool in clang clang++ cmake; do
  command -v "$tool" >/dev/null || { echo "fuzz.sh: $tool not found (apt-get install clang libclang-rt-14-dev cmake)" >&2; exit 2; }
done

# libFuzzer's runtime comes with compiler-rt, packaged apart from clang on Debian.
runtime_dir="$(clang -print-runtime-dir 2>/dev/null || true)"
if [ -n "$runtime_dir" ] && ! ls "$runtime_dir"/libclang_rt.fuzzer*.a >/dev/null 2>&1; then
  version="$(clang -dumpversion | cut -d. -f1)"
  echo "fuzz.sh: libFuzzer runtime not found in $runtime_dir (apt-get install libclang-rt-$version-dev)" >&2
  exit 2
fi

build=build/fuzz
jobs="$(nproc 2>/dev/null || echo 2)"
if [ ! -f "$build/CMakeCache.txt" ]; then
  CC=clang CXX=clang++ cmake -S . -B "$build" -DPROLIFIC_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
fi
cmake --build "$build" -j "$jobs" --target $(printf 'fuzz_%s ' "${targets[@]}")

# UBSan only prints by default; make every report a crash libFuzzer saves. ASan: report leaks too.
export UBSAN_OPTIONS="halt_on_error=1:abort_on_error=1:print_stacktrace=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
export ASAN_OPTIONS="abort_on_error=1:detect_leaks=1${ASAN_OPTIONS:+:$ASAN_OPTIONS}"

mkdir -p "$build/logs" "$build/crashes"
run_target() {
  local target="$1"
  local corpus="$build/corpus/$target" crashes="$build/crashes/$target" log="$build/logs/$target.log"
  # A fresh copy of the seeds each time, plus what earlier runs found (kept in build/ only).
  mkdir -p "$corpus" "$crashes"
  cp -f tests/fuzz/corpus/"$target"/* "$corpus"/ 2>/dev/null || true
  local status=0
  "$build/fuzz_$target" "$corpus" \
    -dict=tests/fuzz/json.dict \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -max_len="${FUZZ_MAX_LEN:-65536}" -len_control="${FUZZ_LEN_CONTROL:-20}" \
    -artifact_prefix="$crashes/" -print_final_stats=1 >"$log" 2>&1 || status=$?
  local execs rate cov ft
  execs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)"
  rate="$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)"
  cov="$(sed -n 's/^#[0-9]*.* cov: \([0-9]*\).*/\1/p' "$log" | tail -n 1)"
  ft="$(sed -n 's/^#[0-9]*.* ft: \([0-9]*\).*/\1/p' "$log" | tail -n 1)"
  local result="ok"
  if [ "$status" -ne 0 ]; then
    local artifact
    artifact="$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -n 1)"
    result="FAILED (exit $status${artifact:+, input $artifact}; log $log)"
  fi
  printf '%-12s %6ss  %12s execs  %8s exec/s  cov %6s  ft %6s  %s\n' "$target" "$seconds" "${execs:-?}" \
    "${rate:-?}" "${cov:-?}" "${ft:-?}" "$result" >"$build/logs/$target.summary"
  echo "$status" >"$build/logs/$target.rc"
}

echo "fuzzing ${targets[*]} for ${seconds}s each (logs in $build/logs)"
max_jobs="${FUZZ_JOBS:-1}"
for target in "${targets[@]}"; do
  rm -f "$build/logs/$target.rc" "$build/logs/$target.summary"
  run_target "$target" &
  while [ "$(jobs -rp | wc -l)" -ge "$max_jobs" ]; do wait -n || true; done
done
wait
failed=0
for target in "${targets[@]}"; do
  cat "$build/logs/$target.summary" 2>/dev/null || echo "$target: no result"
  [ "$(cat "$build/logs/$target.rc" 2>/dev/null || echo 1)" = 0 ] || failed=1
done
if [ "$failed" -ne 0 ]; then
  echo "fuzz.sh: at least one target failed; reproduce with $build/fuzz_<target> <crash file>" >&2
  exit 1
fi
