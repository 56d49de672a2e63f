#!/usr/bin/env bash
# A retention sweep through dpo against the same statements typed into the
# sqlite3 shell, on a generated sample with the plan's advised indexes:
#   1. plan time with and without the advised indexes;
#   2. apply time (one transaction, stale check, keyed digests, ledger)
#      against the plan's own SQL run by sqlite3 in one transaction.
#   3. the next night's plan (as of a day later) on the swept database, with
#      the advised indexes: the steady state of a nightly cron job.
# Usage: bash bench/retention_vs_sqlite.sh [CANDIDATES] (default 1000000).
# Run by hand on an idle machine; figures go in README.md ("Performance").
set -euo pipefail
cd "$(dirname "$0")/.."
rows="${1:-1000000}"
dpo="$PWD/build/dpo"
policy="$PWD/policies/staffing-agency.yaml"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
as_of=2026-11-01
t() { /usr/bin/time -f "%e s, %M KB peak" "$@" || true; }

echo "generating $rows candidates ..."
"$dpo" sample generate --rows "$rows" --seed 3 --out s.db >/dev/null 2>&1
echo "rows: $(for t in $(sqlite3 s.db "select name from sqlite_master where type='table'"); do sqlite3 s.db "select count(*) from \"$t\""; done | paste -sd+ | bc)"

echo -n "plan, no indexes:       "
t "$dpo" retention plan --policy "$policy" --as-of $as_of --out plan0.json s.db 2>&1 >/dev/null | tail -1
python3 -c 'import json,sys; [print(a["sql"]+";") for a in json.load(open("plan0.json"))["index_advice"]]' > indexes.sql
echo "advised indexes: $(wc -l < indexes.sql)"
echo -n "creating them (sqlite3): "
t sqlite3 s.db < indexes.sql 2>&1 | tail -1
echo -n "plan, advised indexes:  "
t "$dpo" retention plan --policy "$policy" --as-of $as_of --out plan.json s.db 2>&1 >/dev/null | tail -1

# The plan's statements, minus those that call dpo's own SQL functions (keyed
# pseudonyms), as one transaction in the shell.
python3 - <<'PY' > steps.sql
import json
plan = json.load(open("plan.json"))
print("BEGIN;")
for s in plan["steps"]:
    if "dpo_" in s["sql"]:
        continue
    print(s["sql"] + ";")
print("COMMIT;")
PY
python3 - <<'PY' > dpo-plan.json
import json
plan = json.load(open("plan.json"))
plan["steps"] = [s for s in plan["steps"] if "dpo_" not in s["sql"]]
print(json.dumps(plan))
PY
echo "rows the plan changes: $(python3 -c 'import json; print(sum(s["rows"] for s in json.load(open("dpo-plan.json"))["steps"]))')"
cp s.db shell.db; cp s.db dpo.db; cp s.db dpo-ledger.db
echo -n "sqlite3 shell, same SQL:            "
t sqlite3 shell.db < steps.sql 2>&1 | tail -1
echo -n "dpo retention apply:                "
t "$dpo" retention apply dpo-plan.json dpo.db --max-percent 100 2>&1 >/dev/null | tail -1
openssl rand -hex 32 > key && chmod 600 key
echo -n "dpo retention apply, ledger + audit: "
t "$dpo" retention apply dpo-plan.json dpo-ledger.db --max-percent 100 --key-file key --ledger ledger.db \
  --audit-log audit.log 2>&1 >/dev/null | tail -1
for db in shell.db dpo.db dpo-ledger.db; do
  echo "$db: $(for t in $(sqlite3 $db "select name from sqlite_master where type='table'"); do sqlite3 $db "select count(*) from \"$t\""; done | paste -sd+ | bc) rows left"
done
echo -n "next night's plan (swept, indexed): "
t "$dpo" retention plan --policy "$policy" --as-of 2026-11-02 --out next.json dpo.db 2>&1 >/dev/null | tail -1
echo "next night's plan changes $(python3 -c 'import json; print(sum(s["rows"] for s in json.load(open("next.json"))["steps"]))') rows"
