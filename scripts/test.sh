#!/usr/bin/env bash
# The README's test command: installs dependencies, builds, runs every test
# (doctest suites per module, the CLI tests against the built binary, and the
# PostgreSQL tests against a throwaway server the tests start on loopback),
# then the same suites under AddressSanitizer + UndefinedBehaviorSanitizer and
# the threaded ones under ThreadSanitizer (scripts/sanitize.sh), then every
# fuzz target for a bounded time (scripts/fuzz.sh). Any failure, sanitizer
# report or fuzzer crash fails the run. Ends with the fuzzers' summary.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh
export DPO_REQUIRE_POSTGRES="${DPO_REQUIRE_POSTGRES:-1}"
(cd build && ctest --output-on-failure --timeout 900)
echo "test: the suites under sanitizers (scripts/sanitize.sh)"
bash scripts/sanitize.sh all
echo "test: bounded fuzzing (scripts/fuzz.sh)"
bash scripts/fuzz.sh
echo "test: all passed (suites, sanitizers, fuzzing)"
