#!/usr/bin/env bash
# The README's test command: installs dependencies, builds, runs every test
# (doctest suites per module, the CLI tests against the built binary, and the
# PostgreSQL tests against a throwaway server the tests start on loopback),
# then every suite again under AddressSanitizer + UndefinedBehaviorSanitizer
# and the threaded ones under ThreadSanitizer (scripts/sanitize.sh), then
# every fuzz target for a bounded time from the same clang build
# (scripts/fuzz.sh: libFuzzer, ASan + UBSan). Any failure, sanitizer report or
# fuzzer crash, leak or timeout fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."
started=$(date +%s)
bash scripts/install-deps.sh
bash scripts/build.sh
export DPO_REQUIRE_POSTGRES="${DPO_REQUIRE_POSTGRES:-1}"
(cd build && ctest --output-on-failure --timeout 900)
echo "test: the suites under AddressSanitizer + UndefinedBehaviorSanitizer (build-fuzz/)"
bash scripts/sanitize.sh asan
echo "test: scan workers and the PostgreSQL reader under ThreadSanitizer (build-tsan/)"
bash scripts/sanitize.sh tsan
echo "test: bounded fuzzing (scripts/fuzz.sh, from build-fuzz/)"
FUZZ_NO_BUILD=1 bash scripts/fuzz.sh build-fuzz
echo "test: all passed (suites, sanitizers and fuzzing) in $(( $(date +%s) - started )) s"
