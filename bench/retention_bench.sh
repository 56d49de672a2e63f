#!/usr/bin/env bash
# Retention plan and apply on a generated sample, SQLite and CSV: wall time and
# peak memory. Usage: bash bench/retention_bench.sh [CANDIDATES] (default 100000).
# Run by hand on an idle machine; figures go in README.md ("Performance").
set -euo pipefail
cd "$(dirname "$0")/.."
rows="${1:-100000}"
dpo="$PWD/build/dpo"
policy="$PWD/policies/staffing-agency.yaml"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
"$dpo" sample generate --rows "$rows" --seed 3 --out s.db --csv csv >/dev/null 2>&1
openssl rand -hex 32 > key && chmod 600 key  # anonymise writes keyed pseudonyms into NOT NULL columns
for src in s.db csv; do
  /usr/bin/time -f "plan  $src: %e s, %M KB peak" "$dpo" retention plan --policy "$policy" --as-of 2026-11-01 \
    --out "plan-$src.json" "$src" >/dev/null 2>"time-plan-$src" || true
  grep "peak" "time-plan-$src"
  /usr/bin/time -f "apply $src: %e s, %M KB peak" "$dpo" retention apply "plan-$src.json" "$src" --max-percent 100 \
    --key-file key >"apply-$src.txt" 2>"time-apply-$src" || true
  grep "peak" "time-apply-$src"
  tail -1 "apply-$src.txt"
done
echo "dangling references after the SQLite sweep: $(sqlite3 s.db 'PRAGMA foreign_key_check' | wc -l)"
