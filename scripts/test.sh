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
# Each phase says how long the run has taken so far: CI must stay well under 45 minutes.
phase() { echo "test: $1 ($(( $(date +%s) - started )) s so far)"; }
bash scripts/install-deps.sh
phase "build (build/)"
bash scripts/build.sh
phase "the suites (build/)"
export DPO_REQUIRE_POSTGRES="${DPO_REQUIRE_POSTGRES:-1}"
(cd build && ctest --output-on-failure --timeout 900 -j"$(nproc)")
phase "the suites under AddressSanitizer + UndefinedBehaviorSanitizer (build-fuzz/)"
bash scripts/sanitize.sh asan
phase "scan workers and the PostgreSQL reader under ThreadSanitizer (build-tsan/)"
bash scripts/sanitize.sh tsan
phase "bounded fuzzing (scripts/fuzz.sh, from build-fuzz/)"
FUZZ_NO_BUILD=1 bash scripts/fuzz.sh build-fuzz
echo "test: all passed (suites, sanitizers and fuzzing) in $(( $(date +%s) - started )) s"
