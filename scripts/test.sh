#!/usr/bin/env bash
# The README's test command: installs dependencies, builds, runs every test
# (doctest suites per module, the CLI tests against the built binary, and the
# PostgreSQL tests against a throwaway server the tests start on loopback),
# then every fuzz target for a bounded time (scripts/fuzz.sh: clang, libFuzzer,
# ASan + UBSan). Any failure or fuzzer crash, leak or timeout fails the run.
# The suites under ASan/UBSan and TSan (scripts/sanitize.sh) run by hand for
# now: see docs/fuzzing.md.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh
export DPO_REQUIRE_POSTGRES="${DPO_REQUIRE_POSTGRES:-1}"
(cd build && ctest --output-on-failure --timeout 900)
echo "test: bounded fuzzing (scripts/fuzz.sh)"
bash scripts/fuzz.sh
echo "test: all passed (suites and fuzzing)"
