#!/usr/bin/env bash
# Configures one clang build directory (default build-fuzz/) for both the
# sanitizer suite (scripts/sanitize.sh asan) and the fuzz targets
# (scripts/fuzz.sh): with DPO_FUZZ=ON every library, the dpo binary and every
# test suite are built with AddressSanitizer + UndefinedBehaviorSanitizer and
# libFuzzer's coverage, so one build serves both. -O1 and line tables only:
# sanitizer builds spend their time compiling, and reports stay exact.
#   scripts/configure-sanitized.sh [BUILD_DIR] [extra cmake arguments...]
set -euo pipefail
cd "$(dirname "$0")/.."
build="${1:-build-fuzz}"
shift || true
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER="${CXX_FUZZ:-clang++}" \
  "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -gline-tables-only" -DDPO_FUZZ=ON "$@" >/dev/null
