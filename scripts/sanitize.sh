#!/usr/bin/env bash
# The test suite again under sanitizers (part of the README's test command):
#  - build-asan/: every library, the binary and every test suite with
#    AddressSanitizer + UndefinedBehaviorSanitizer (and LeakSanitizer); the
#    whole ctest run, PostgreSQL included, must be clean;
#  - build-tsan/: with ThreadSanitizer, the scan suite (every scan runs
#    detector workers beside a reader thread), the PostgreSQL reader cases of
#    the source suite and the anonymised export's worker cases.
# Any sanitizer report fails the run (-fno-sanitize-recover=all, halt_on_error).
# Usage: scripts/sanitize.sh [asan|tsan|all]   (default all)
set -euo pipefail
cd "$(dirname "$0")/.."
what="${1:-all}"
jobs="$(nproc)"
export DPO_REQUIRE_POSTGRES="${DPO_REQUIRE_POSTGRES:-1}"

if [ "$what" = all ] || [ "$what" = asan ]; then
  # -O1: sanitizer builds spend their time compiling; -O1 keeps the reports exact and the build short.
  cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g" -DDPO_SANITIZE=address,undefined >/dev/null
  cmake --build build-asan -j"$jobs"
  export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:strict_string_checks=1:detect_stack_use_after_return=1"
  export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
  (cd build-asan && ctest --output-on-failure --timeout 1800 -j"$jobs")
  unset ASAN_OPTIONS UBSAN_OPTIONS
fi

if [ "$what" = all ] || [ "$what" = tsan ]; then
  cmake -S . -B build-tsan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g" -DDPO_SANITIZE=thread >/dev/null
  cmake --build build-tsan -j"$jobs" --target test_scan test_source test_anonymise
  export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1"
  # Every scan runs its detector workers beside the reader thread; the source
  # cases stream from PostgreSQL; the anonymised export has its own workers.
  (cd build-tsan && ./test_scan && ./test_source -tc='postgres*' &&
                    ./test_anonymise -tc='*worker*,*PostgreSQL*')
fi
