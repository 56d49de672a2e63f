#!/usr/bin/env bash
# Ledger replay after a backup restore, against the same DELETE typed into the
# sqlite3 shell (issue 9: within 2x). Usage:
#   bash bench/ledger_replay_bench.sh [TOMBSTONES] [WORKDIR]   (default 1000000, a temporary directory)
# Builds a table of 2 x TOMBSTONES website visits, half of them past a
# 13-month retention period, in two layouts (LAYOUTS="interleaved by-age":
# every other row, or the oldest half); copies it (the "backup"); sweeps the
# original with a ledger (TOMBSTONES tombstones); then times, each on its
# own copy of the backup:
#   sqlite3 shell   DELETE FROM visits WHERE visited_at < CUTOFF
#   dpo replay      dpo ledger replay (finds the rows by keyed hash)
#   dpo replay+audit the same with --audit-log (keyed digests of every row)
# and checks that the replayed copy has exactly the swept rows. Prints wall
# time, CPU time and peak memory, and the ratio replay / shell.
# DPO=path/to/dpo selects the binary (default build/dpo; use a release build).
# Run by hand on an idle machine; figures go in README.md ("Performance").
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-1000000}"
dpo="${DPO:-$PWD/build/dpo}"
if [ -n "${2:-}" ]; then
  work="$2"
  mkdir -p "$work"
else
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
fi
cd "$work"
rm -f dpo.key

cat > policy.yaml <<'EOF'
version: 1
controller:
  name: Bench B.V.
  contact: privacy@bench.example
  dpo: { name: J. de Vries, contact: fg@bench.example }
  supervisory_authority: Autoriteit Persoonsgegevens
data_subjects:
  visitor: { description: Visitors of the website }
categories:
  technical:
    description: IP address, user agent, pages visited
    sensitivity: ordinary
    detectors: [ipv4]
purposes:
  analytics:
    description: Website statistics
    legal_basis: legitimate_interests
    interest: Knowing which vacancies are read, to improve the site
    data_subjects: [visitor]
    categories: [technical]
datasets:
  visits:
    data_subject: visitor
    subject_key: id
    purposes: [analytics]
    columns:
      id: none
      visitor_id: none
      visited_at: none
      ip_address: technical
      user_agent: technical
      page_url: technical
retention:
  visits:
    description: Website visit logs 13 months after the visit
    dataset: visits
    keep: 13m after visited_at
    action: delete
    basis: Telecommunicatiewet art. 11.7a
dsar:
  response_period: 1 month
  contact: privacy@bench.example
EOF

cutoff="2025-10-01"  # 13 months before the as-of date
openssl rand -hex 32 > dpo.key
chmod 600 dpo.key
same() { [ "$(sqlite3 "$1" 'SELECT * FROM visits ORDER BY id' | md5sum)" = "$(sqlite3 "$2" 'SELECT * FROM visits ORDER BY id' | md5sum)" ]; }

# One layout of the rows to erase:
#   interleaved  every other id is old: no two erased rows are neighbours (the worst case)
#   by-age       the first n ids are old: a log swept by age (ids grow with time)
run() {
  layout="$1"
  echo "== $layout: $((2 * n)) rows, $n to erase"
  rm -f s.db* backup.db* shell.db* replay.db* audit.db* ledger.db* audit.log
  if [ "$layout" = interleaved ]; then old="i % 2 = 1"; else old="i <= $n"; fi
  sqlite3 s.db <<EOF2
CREATE TABLE visits (id INTEGER PRIMARY KEY, visitor_id INTEGER, visited_at TEXT NOT NULL, ip_address TEXT,
                     user_agent TEXT, page_url TEXT);
WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 2 * $n)
INSERT INTO visits
SELECT i, i % 50000,
       CASE WHEN $old THEN printf('2024-%02d-%02d 12:00:00', 1 + i % 12, 1 + i % 28)
            ELSE printf('2026-%02d-%02d 12:00:00', 1 + i % 10, 1 + i % 28) END,
       printf('10.%d.%d.%d', i % 250, (i / 250) % 250, i % 97),
       'Mozilla/5.0 (X11; Linux x86_64; rv:' || (i % 120) || '.0) Gecko/20100101 Firefox/' || (i % 120) || '.0',
       '/vacatures/' || (i % 5000)
FROM c;
EOF2
  cp s.db backup.db
  /usr/bin/time -f "sweep with ledger:    %e s wall, %U+%S s CPU, %M KB peak" "$dpo" retention sweep \
    --policy policy.yaml --as-of 2026-11-01 --max-percent 100 --key-file dpo.key --ledger ledger.db s.db 2>&1 | tail -1
  "$dpo" ledger stats --ledger ledger.db | head -1
  cp backup.db shell.db
  cp backup.db replay.db
  cp backup.db audit.db
  sync
  t0=$(date +%s.%N)
  /usr/bin/time -f "sqlite3 shell DELETE: %e s wall, %U+%S s CPU, %M KB peak" sqlite3 shell.db \
    "DELETE FROM visits WHERE visited_at < '$cutoff'" 2>&1 | tail -1
  t1=$(date +%s.%N)
  sync
  t2=$(date +%s.%N)
  /usr/bin/time -f "dpo ledger replay:    %e s wall, %U+%S s CPU, %M KB peak" "$dpo" ledger replay \
    --policy policy.yaml replay.db --ledger ledger.db --key-file dpo.key --max-percent 100 -q 2>&1 | tail -1
  t3=$(date +%s.%N)
  sync
  /usr/bin/time -f "... with --audit-log: %e s wall, %U+%S s CPU, %M KB peak" "$dpo" ledger replay \
    --policy policy.yaml audit.db --ledger ledger.db --key-file dpo.key --max-percent 100 -q --audit-log audit.log 2>&1 |
    tail -1
  echo "rows left: swept $(sqlite3 s.db 'SELECT count(*) FROM visits'), shell $(sqlite3 shell.db 'SELECT count(*) FROM visits'), replayed $(sqlite3 replay.db 'SELECT count(*) FROM visits')"
  if same s.db replay.db && same s.db audit.db && same s.db shell.db; then
    echo "replayed copies = swept database: yes"
  else
    echo "replayed copies = swept database: NO"
    exit 1
  fi
  awk -v a="$t0" -v b="$t1" -v c="$t2" -v d="$t3" 'BEGIN { printf "replay / shell DELETE: %.2fx\n", (d - c) / (b - a) }'
}

for layout in ${LAYOUTS:-interleaved by-age}; do run "$layout"; done
