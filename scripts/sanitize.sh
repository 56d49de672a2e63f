#!/usr/bin/env bash
# The test suites again under sanitizers (part of the README's test command,
# scripts/test.sh):
#  - asan: build-fuzz/ (scripts/configure-sanitized.sh): clang with
#    AddressSanitizer + UndefinedBehaviorSanitizer (+ LeakSanitizer) on every
#    library, the dpo binary and every test suite, the same build that holds
#    the fuzz targets (scripts/fuzz.sh runs them from it afterwards); the
#    whole ctest run, PostgreSQL included, must be clean;
#  - tsan: build-tsan/: ThreadSanitizer on the scan suite (every scan runs
#    detector workers beside a reader thread), the PostgreSQL reader cases of
#    the source suite and the anonymised export's worker cases.
# Any sanitizer report fails the run (-fno-sanitize-recover, halt_on_error).
# Usage: scripts/sanitize.sh [asan|tsan|all]   (default all)
set -euo pipefail
cd "$(dirname "$0")/.."
what="${1:-all}"
jobs="$(nproc)"
export DPO_REQUIRE_POSTGRES="${DPO_REQUIRE_POSTGRES:-1}"

if [ "$what" = all ] || [ "$what" = asan ]; then
  bash scripts/configure-sanitized.sh build-fuzz
  cmake --build build-fuzz -j"$jobs"
  # detect_leaks: LeakSanitizer too; abort_on_error=0 keeps the exit code a
  # test failure rather than a core dump.
  export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:strict_string_checks=1:detect_stack_use_after_return=1"
  export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
  (cd build-fuzz && ctest --output-on-failure --timeout 1800 -j"$jobs")
  unset ASAN_OPTIONS UBSAN_OPTIONS
fi

if [ "$what" = all ] || [ "$what" = tsan ]; then
  cmake -S . -B build-tsan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER="${CXX_FUZZ:-clang++}" \
    "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -gline-tables-only" -DDPO_SANITIZE=thread >/dev/null
  cmake --build build-tsan -j"$jobs" --target test_scan test_source test_anonymise
  export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1"
  # Every scan runs its detector workers beside the reader thread; the source
  # cases stream from PostgreSQL; the anonymised export has its own workers.
  (cd build-tsan && ./test_scan && ./test_source -tc='postgres*' &&
                    ./test_anonymise -tc='*worker*,*PostgreSQL*')
  unset TSAN_OPTIONS
fi
