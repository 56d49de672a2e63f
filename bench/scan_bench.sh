#!/usr/bin/env bash
# Scan throughput benchmark (run by hand; never part of the test suite).
#
#   bash bench/scan_bench.sh [ROWS] [WORKDIR]
#
# Generates a ROWS-candidate sample database (default 10,000,000) and the CSV
# export of its largest table, then measures on the same machine, in one run:
#   floor 1: sqlite3 -csv "select * from T" > /dev/null      (reading the table)
#   floor 2: rg with the detectors' patterns over the CSV      (searching the text)
#   dpo scan --full on the SQLite table and on the CSV file
# and prints MB/s, rows/s, peak RSS, CPU use (user+sys over wall: >1 means
# both cores worked) and the ratios against the floors.
set -euo pipefail
rows=${1:-10000000}
work=${2:-/tmp/dpo-bench}
here=$(cd "$(dirname "$0")/.." && pwd)
dpo=${DPO:-$here/build/dpo}
mkdir -p "$work"
db=$work/staffing-$rows.db
if [ ! -f "$db" ]; then
  echo "generating $rows rows into $db ..." >&2
  /usr/bin/time -f "generate: %e s, peak RSS %M KB" "$dpo" sample generate --out "$db" --rows "$rows" --seed 7 --force
fi
table=${TABLE:-candidates}
csv=$work/$table-$rows.csv
if [ ! -f "$csv" ]; then
  sqlite3 -header -csv "$db" "select * from \"$table\"" > "$csv"
fi
bytes=$(stat -c %s "$csv")
nrows=$(sqlite3 "$db" "select count(*) from \"$table\"")
mb=$(echo "$bytes / 1048576" | bc -l)
printf 'table %s: %d rows, CSV %.0f MB\n' "$table" "$nrows" "$mb"

measure() {  # label, command...: prints seconds, peak KB, cpu%
  local label=$1; shift
  local tf
  tf=$(mktemp)
  # -o: the command's own stderr is discarded, time's report must not be.
  /usr/bin/time -o "$tf" -f "%e %M %P" "$@" >/dev/null 2>/dev/null || true
  echo "$label $(tail -1 "$tf")"
  rm -f "$tf"
}
patterns=(
  -e '[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}'
  -e '(\+31|0031|0)6[ -]?[0-9]{8}'
  -e '[A-Z]{2}[0-9]{2}[A-Z]{4}[0-9]{10}'
  -e '\b[0-9]{9}\b'
  -e '\b[1-9][0-9]{3} ?[A-Z]{2}\b'
  -e '\b[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\b'
)
sync
results=$(mktemp)
measure sqlite3-floor sqlite3 -csv "$db" "select * from \"$table\"" | tee -a "$results"
measure rg-floor rg -c "${patterns[@]}" "$csv" | tee -a "$results"
measure dpo-sqlite "$dpo" scan --full --format json --fail-on never --table "$table" "$db" | tee -a "$results"
measure dpo-csv "$dpo" scan --full --format json --fail-on never "$csv" | tee -a "$results"
awk -v mb="$mb" -v rows="$nrows" '
  { t[$1]=$2; m[$1]=$3; c[$1]=$4 }
  END {
    for (k in t) printf "%-13s %7.2f s %8.1f MB/s %10.0f rows/s  peak %6.1f MB  cpu %s\n", k, t[k], mb/t[k], rows/t[k], m[k]/1024, c[k];
    printf "dpo-sqlite / sqlite3 floor: %.2fx the time (target <= 2x)\n", t["dpo-sqlite"]/t["sqlite3-floor"];
    printf "dpo-csv / rg floor:         %.2fx the time (target <= 1x)\n", t["dpo-csv"]/t["rg-floor"];
  }' "$results"
rm -f "$results"
