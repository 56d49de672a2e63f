#!/usr/bin/env bash
# Builds the libFuzzer targets of tests/fuzz with clang (DPO_FUZZ=ON: ASan,
# UBSan, coverage) and runs each for FUZZ_SECONDS on a copy of its seed
# corpus (tests/fuzz/corpus/<target> is never written to). One line per
# target; exits non-zero on any crash, leak, timeout or OOM, whose input is
# kept in BUILD/fuzz-artifacts/<target>/ (docs/fuzzing.md: how to reproduce).
#
#   scripts/fuzz.sh [BUILD_DIR]          default BUILD_DIR: build-fuzz
#   FUZZ_SECONDS=60 scripts/fuzz.sh      longer runs (default 5 s per target)
#   FUZZ_TARGETS="csv_parser policy" scripts/fuzz.sh   only these
#   FUZZ_NO_BUILD=1 scripts/fuzz.sh      run the targets already built
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"
build="${1:-$root/build-fuzz}"
seconds="${FUZZ_SECONDS:-5}"
CXX_FUZZ="${CXX_FUZZ:-clang++}"

if ! command -v "$CXX_FUZZ" >/dev/null; then
  echo "fuzz: $CXX_FUZZ not found; run scripts/install-deps.sh (clang, libclang-rt-dev)" >&2
  exit 2
fi
if [ -z "${FUZZ_NO_BUILD:-}" ]; then
  # The same configuration as scripts/sanitize.sh asan, so that one build serves both.
  CXX_FUZZ="$CXX_FUZZ" bash "$root/scripts/configure-sanitized.sh" "$build"
  cmake --build "$build" -j"$(nproc)" --target fuzz_all >/dev/null
fi

targets=()
if [ -n "${FUZZ_TARGETS:-}" ]; then
  read -r -a targets <<<"$FUZZ_TARGETS"
else
  for src in "$root"/tests/fuzz/fuzz_*.cpp; do
    name="$(basename "$src" .cpp)"
    targets+=("${name#fuzz_}")
  done
fi

# Targets that read files write them to a scratch directory: memory if we can.
scratch_parent="$build"
if [ -d /dev/shm ] && [ -w /dev/shm ]; then scratch_parent=/dev/shm; fi
scratch="$(mktemp -d "$scratch_parent/dpo-fuzz.XXXXXX")"
trap 'rm -rf "$scratch"' EXIT

export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"

failed=0
printf '%-20s %12s %8s  %s\n' target executions seconds result
for t in "${targets[@]}"; do
  bin="$build/tests/fuzz/fuzz_$t"
  seeds="$root/tests/fuzz/corpus/$t"
  run="$build/fuzz-run/$t"
  artifacts="$build/fuzz-artifacts/$t"
  if [ ! -x "$bin" ]; then
    printf '%-20s %12s %8s  %s\n' "$t" - - "MISSING ($bin)"
    failed=1
    continue
  fi
  rm -rf "$run"
  mkdir -p "$run/corpus" "$artifacts"
  [ -d "$seeds" ] && cp -R "$seeds/." "$run/corpus/"
  start=$(date +%s)
  rc=0
  TMPDIR="$scratch" "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -detect_leaks=1 \
    -print_final_stats=1 -artifact_prefix="$artifacts/" "$run/corpus" >"$run/log" 2>&1 || rc=$?
  took=$(( $(date +%s) - start ))
  execs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$run/log" | tail -1)"
  if [ "$rc" -eq 0 ]; then
    result=ok
  else
    failed=1
    if grep -q 'ERROR: libFuzzer: timeout' "$run/log"; then result=TIMEOUT
    elif grep -q 'ERROR: libFuzzer: out-of-memory' "$run/log"; then result=OOM
    elif grep -q 'ERROR: LeakSanitizer' "$run/log"; then result=LEAK
    else result=CRASH; fi
    result="$result (log $run/log; input in $artifacts/)"
  fi
  printf '%-20s %12s %8s  %s\n' "$t" "${execs:--}" "$took" "$result"
done
if [ "$failed" -ne 0 ]; then
  echo "fuzz: FAILED; reproduce with: $build/tests/fuzz/fuzz_TARGET $build/fuzz-artifacts/TARGET/crash-..." >&2
  exit 1
fi
