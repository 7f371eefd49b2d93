#!/usr/bin/env bash
# The test command: installs what the tests need, builds, and runs the whole suite. Every
# test fixture starts its own redis-server / PostgreSQL / Kafka mock on free ports and stops
# it afterwards, so nothing needs to be running first.
set -uo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-services.sh || { echo "could not install services"; exit 1; }
tools=$(bash scripts/install-helm.sh) || { echo "could not install helm"; exit 1; }

# The Helm chart: lint strictly and render with the default and production-like values (the
# Operations tests then check the rendered objects one by one).
chart=helm/orleans-wallet
for values in "" "helm/values-production.yaml"; do
  args=(); [ -n "$values" ] && args=(-f "$values")
  label=${values:-default values}
  "$tools/helm" lint --strict "$chart" "${args[@]}" >/dev/null || { "$tools/helm" lint --strict "$chart" "${args[@]}"; echo "helm lint failed ($label)"; exit 1; }
  "$tools/helm" template wallet "$chart" --namespace wallet "${args[@]}" >/dev/null || { echo "helm template failed ($label)"; exit 1; }
  echo "helm chart: lint --strict and template passed ($label)"
done

results="TestResults"
rm -rf "$results"
dotnet build OrleansWallet.sln -c Release -nologo -v q || { echo "build failed"; exit 1; }

start=$(date +%s)
dotnet test OrleansWallet.sln -c Release --no-build --nologo \
  --logger "trx" --logger "console;verbosity=normal" --results-directory "$results" \
  --blame-hang-timeout 10m
status=$?
elapsed=$(( $(date +%s) - start ))

# One plain summary line over every test project, from the TRX files.
passed=0; failed=0; skipped=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx")
  p=$(sed -E 's/.* passed="([0-9]+)".*/\1/' <<<"$counters")
  f=$(sed -E 's/.* failed="([0-9]+)".*/\1/' <<<"$counters")
  n=$(sed -E 's/.* notExecuted="([0-9]+)".*/\1/' <<<"$counters")
  passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + n))
done
echo "suite wall time: ${elapsed}s"
echo "tests: ${passed} passed, ${failed} failed, ${skipped} skipped"
if [ "$passed" -eq 0 ]; then echo "no test ran"; exit 1; fi
exit $status
