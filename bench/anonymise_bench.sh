#!/usr/bin/env bash
# The anonymised export of a large generated sample against copying the same
# database with the sqlite3 shell, in the same run:
#   1. sqlite3 "VACUUM INTO" (a page-level copy: the floor);
#   2. dpo anonymise to SQLite (every row read, every cell through its operator,
#      every row inserted; foreign_key_check at the end);
#   3. dpo anonymise to CSV;
#   4. dpo anonymise to SQLite with --k 5 (one more read of the quasi-identifiers).
# Peak memory and CPU share from /usr/bin/time (CPU > 100%: both cores work).
# Usage: bash bench/anonymise_bench.sh [CANDIDATES] (default 1000000).
# Run by hand on an idle machine; figures go in README.md ("Performance").
set -euo pipefail
cd "$(dirname "$0")/.."
rows="${1:-1000000}"
dpo="$PWD/build/dpo"
policy="$PWD/policies/staffing-agency.yaml"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
t() { /usr/bin/time -f "%e s, %M KB peak, %P CPU" "$@" || true; }
openssl rand -hex 32 > k.key && chmod 600 k.key

echo "generating $rows candidates ..."
t "$dpo" sample generate --rows "$rows" --seed 5 --out s.db 2>&1 >/dev/null | tail -1
total=$(for t in $(sqlite3 s.db "select name from sqlite_master where type='table'"); do sqlite3 s.db "select count(*) from \"$t\""; done | paste -sd+ | bc)
echo "rows: $total, $(du -m s.db | cut -f1) MB"
sync
echo -n "sqlite3 VACUUM INTO:          "
t sqlite3 s.db "VACUUM INTO 'copy.db'" 2>&1 | tail -1
echo -n "dpo anonymise -> SQLite:      "
t "$dpo" anonymise -p "$policy" s.db -o anon.db --key-file k.key -q 2>&1 | tail -1
echo -n "dpo anonymise -> CSV:         "
t "$dpo" anonymise -p "$policy" s.db -o anon-csv/ --to csv --key-file k.key -q 2>&1 | tail -1
echo -n "dpo anonymise --k 5 -> SQLite: "
t "$dpo" anonymise -p "$policy" s.db -o anon-k.db --key-file k.key --format json --k 5 2>time.txt > k.json
tail -1 time.txt
python3 -c 'import json; s=json.load(open("k.json")); [print("  k-anonymity:", k["table"], "k =", k["k"], "suppressed", k["suppressed_rows"], "final", k["final_operators"]) for k in s["k_anonymity"]]'
echo "foreign_key_check: $(sqlite3 anon.db 'PRAGMA foreign_key_check' | wc -l) problems; rows out: $(for t in $(sqlite3 anon.db "select name from sqlite_master where type='table'"); do sqlite3 anon.db "select count(*) from \"$t\""; done | paste -sd+ | bc)"
