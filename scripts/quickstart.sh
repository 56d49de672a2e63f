#!/usr/bin/env bash
# The README's first command: installs dependencies, builds dpo, and runs the
# main job on the bundled sample: check the staffing-agency policy, then scan
# the sample staffing database against it.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh
echo "+ dpo policy check --strict policies/staffing-agency.yaml"
./build/dpo policy check --strict policies/staffing-agency.yaml
echo "+ dpo scan --policy policies/staffing-agency.yaml samples/staffing.db"
set +e
./build/dpo scan --policy policies/staffing-agency.yaml samples/staffing.db
rc=$?
set -e
case $rc in
  0) echo "scan: no findings (exit 0)";;
  1) echo "scan: findings at or above --fail-on error (exit 1): the bundled sample breaks its policy on purpose";;
  *) echo "scan failed (exit $rc)"; exit $rc;;
esac
