#!/usr/bin/env bash
# The long fault-injection bank test (README "Fault-injection bank test"). The same test as the
# short run in the test command, with a longer fault phase: the nemesis repeats its schedule
# (first in the given order, then in seeded shuffles) until the duration has passed.
#
#   bash scripts/bank.sh [seconds]                 # default 600 s of faults
#   BANK_SEED=42 BANK_CLIENTS=80 BANK_USERS=100 BANK_FAULTS=silo-kill,redis-kill bash scripts/bank.sh 300
#
# Variables (all optional): BANK_SEED (random if unset; printed), BANK_CLIENTS (50), BANK_USERS (40),
# BANK_DURATION_S (600 here; the short run does one pass), BANK_FAULTS (comma list of silo-kill,
# redis-kill, postgres-stop, silo-restart-pg-down, silo-add-remove, or none), BANK_POSTGRES_OUTAGE_S (30),
# BANK_OPERATION_BOUND_S (90), BANK_REPORT_DIR (TestResults/bank). Exit code 0 only with no violation.
set -uo pipefail
cd "$(dirname "$0")/.."

export BANK_DURATION_S=${1:-${BANK_DURATION_S:-600}}
# Absolute: the test runs in its bin folder.
report_dir=$(realpath -m "${BANK_REPORT_DIR:-TestResults/bank}")
export BANK_REPORT_DIR=$report_dir

bash scripts/install-services.sh || { echo "could not install services"; exit 1; }
dotnet build tests/Bank.Tests/Bank.Tests.csproj -c Release -nologo -v q || { echo "build failed"; exit 1; }

# The run's own length plus start, checks and stop; a hang beyond it is reported by the runner.
hang_minutes=$(( BANK_DURATION_S / 60 + 20 ))
mkdir -p "$report_dir"
before=$(date +%s)
dotnet test tests/Bank.Tests/Bank.Tests.csproj -c Release --no-build --nologo \
  --logger "console;verbosity=detailed" --results-directory "$report_dir" \
  --blame-hang-timeout "${hang_minutes}m"
status=$?
report=$(find "$report_dir" -maxdepth 1 -name 'bank-seed*.txt' -newermt "@$before" | sort | tail -1)
echo
if [ -n "$report" ]; then
  grep -E '^(settings|repeat|operations:|VIOLATIONS:)|LONGEST STALL' "$report"
  echo "report: $report"
fi
exit $status
