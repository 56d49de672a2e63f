#!/usr/bin/env bash
# One access request and one erasure plan on a large generated sample:
#   1. dsar export without indexes (every identity column scanned, every
#      reference looked up by a full scan), and the indexes dpo advises;
#   2. the same export with those indexes: lookups by key;
#   3. erase plan of the same subject, with the indexes.
# The subject is a temporary worker who was a candidate (the most rows).
# Usage: bash bench/dsar_bench.sh [CANDIDATES] (default 1000000).
# Run by hand on an idle machine; figures go in README.md ("Performance").
set -euo pipefail
cd "$(dirname "$0")/.."
rows="${1:-1000000}"
dpo="$PWD/build/dpo"
policy="$PWD/policies/staffing-agency.yaml"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
t() { /usr/bin/time -f "%e s, %M KB peak" "$@" || true; }

echo "generating $rows candidates ..."
t "$dpo" sample generate --rows "$rows" --seed 5 --out s.db 2>&1 >/dev/null | tail -1
echo "rows: $(for t in $(sqlite3 s.db "select name from sqlite_master where type='table'"); do sqlite3 s.db "select count(*) from \"$t\""; done | paste -sd+ | bc)"
email=$(sqlite3 s.db "select e.email from employees e join payslips p on p.employee_id = e.id where e.candidate_id is not null group by e.id order by count(*) desc limit 1")

echo -n "dsar export, no indexes:      "
t "$dpo" dsar export -p "$policy" s.db --subject "email=$email" -o pkg0 2>advice.txt >/dev/null
tail -1 advice.txt
grep '^  CREATE INDEX' advice.txt | sed 's/;.*$/;/' > indexes.sql
echo "advised indexes: $(wc -l < indexes.sql)"
echo -n "creating them (sqlite3):      "
t sqlite3 s.db < indexes.sql 2>&1 | tail -1
echo -n "dsar export, advised indexes: "
t "$dpo" dsar export -p "$policy" s.db --subject "email=$email" -o pkg1 2>&1 >/dev/null | tail -1
echo "records: $(python3 -c 'import json; m=json.load(open("pkg1/manifest.json")); print(sum(m["records"].values()))')"
echo -n "erase plan:                   "
t "$dpo" erase plan -p "$policy" s.db --subject "email=$email" -o plan.json 2>&1 >/dev/null | tail -1
# Erasure looks up more than the export: the rows of other people that point
# at the subject's rows (a timesheet's placement, an employee's candidate).
python3 -c 'import json; [print(a["sql"]+";") for a in json.load(open("plan.json"))["index_advice"]]' > erase_indexes.sql
echo "further indexes advised by the erasure plan: $(wc -l < erase_indexes.sql)"
t sqlite3 s.db < erase_indexes.sql 2>&1 | tail -1
echo -n "erase plan, advised indexes:  "
t "$dpo" erase plan -p "$policy" s.db --subject "email=$email" -o plan.json --force 2>&1 >/dev/null | tail -1
echo "erase plan: $(python3 -c 'import json; p=json.load(open("plan.json")); print(sum(s["rows"] for s in p["steps"]), "rows in", len(p["steps"]), "steps,", sum(h["rows"] for r in p["rules"] for h in r["held"]), "kept")')"
