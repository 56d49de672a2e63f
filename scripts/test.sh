#!/usr/bin/env bash
# The README's test command: installs dependencies, builds, runs every test
# (doctest suites per module, the CLI tests against the built binary, and the
# PostgreSQL tests against a throwaway server the tests start on loopback).
# Ends with ctest's summary line.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh
export DPO_REQUIRE_POSTGRES="${DPO_REQUIRE_POSTGRES:-1}"
cd build
ctest --output-on-failure --timeout 900
