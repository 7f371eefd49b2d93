#!/usr/bin/env bash
# The benchmark of issue #7, one command. On the run command's services (scripts/run.sh, started
# here in the background on ports of its own and stopped by pid at the end), in one run:
#   1. pgbench tpcb-like against the same PostgreSQL (its own database `pgbench`): the reference;
#   2. the load generator (`orleans-wallet load`) with SMALL_WALLETS (10,000) then LARGE_WALLETS
#      (100,000) wallets: funding (the first is the cold-cluster figure), deposits, transfers,
#      transfers in SubmitBatch, order lifecycles, balance reads (single and batch), and on the
#      small set a ramp of deposits and of transfers until latency breaks, then a run at half;
#   3. a long run of LONG_OPS (1,000,000) operations on LONG_WALLETS (1,000) wallets;
#   4. a 30 s Postgres outage under load, then the drain;
#   5. `orleans-wallet load reconcile` after every phase (exit 3 on drift: the bench fails loudly).
# It prints one table (each figure, its ratio to pgbench, target, pass/fail), writes it to
# bench/results/latest.md (and the README's Benchmark section). Everything of one run (JSON
# results, HTML reports, logs) is under bench/results/<timestamp>/ (not committed).
#
#   bash scripts/bench.sh            # the issue's sizes; run it on a quiet machine
#   bash scripts/bench.sh --quick    # smoke test: small sizes, a few seconds per phase
#   bash scripts/bench.sh --keep-data   # do not empty .data/run first
#
# Sizes and lengths are variables (defaults in parentheses below); ports default to run.sh's + 100.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

QUICK=0
KEEP_DATA=0
for arg in "$@"; do
  case "$arg" in
    --quick) QUICK=1 ;;
    --keep-data) KEEP_DATA=1 ;;
    -h|--help) sed -n '2,21p' "$0"; exit 0 ;;
    *) echo "unknown argument: $arg (try --help)"; exit 2 ;;
  esac
done

if [ "$QUICK" -eq 1 ]; then
  SMALL_WALLETS=${SMALL_WALLETS:-500}; LARGE_WALLETS=${LARGE_WALLETS:-2000}
  LONG_OPS=${LONG_OPS:-5000}; LONG_WALLETS=${LONG_WALLETS:-100}; LONG_MAX=${LONG_MAX:-60s}
  PHASE=${PHASE:-4s}; WARMUP=${WARMUP:-1s}; RAMP_STEP=${RAMP_STEP:-2s}; RAMP_STEPS_MAX=${RAMP_STEPS_MAX:-6}
  PGBENCH_SCALE=${PGBENCH_SCALE:-2}; PGBENCH_SECONDS=${PGBENCH_SECONDS:-5}
  OUTAGE_SECONDS=${OUTAGE_SECONDS:-5}; OUTAGE_LEAD_SECONDS=${OUTAGE_LEAD_SECONDS:-3}; DRAIN_SECONDS=${DRAIN_SECONDS:-12}
  # The breaker's 30 s break would make the quick drain wait half a minute: 3 s here only.
  export Ledger__Resilience__Postgres__BreakDuration=${BREAK_DURATION:-00:00:03}
else
  SMALL_WALLETS=${SMALL_WALLETS:-10000}; LARGE_WALLETS=${LARGE_WALLETS:-100000}
  LONG_OPS=${LONG_OPS:-1000000}; LONG_WALLETS=${LONG_WALLETS:-1000}; LONG_MAX=${LONG_MAX:-30m}
  PHASE=${PHASE:-30s}; WARMUP=${WARMUP:-5s}; RAMP_STEP=${RAMP_STEP:-10s}; RAMP_STEPS_MAX=${RAMP_STEPS_MAX:-20}
  # Scale 10 (1,000,000 accounts, ~150 MB): more branches (10) than the 8 clients, so tpcb-like's
  # branch-row updates do not serialise the clients, as they would at scale 1.
  PGBENCH_SCALE=${PGBENCH_SCALE:-10}; PGBENCH_SECONDS=${PGBENCH_SECONDS:-30}
  # The silos' breaker breaks 30 s after Postgres fails, then probes: 60 s after Postgres returns covers the drain.
  OUTAGE_SECONDS=${OUTAGE_SECONDS:-30}; OUTAGE_LEAD_SECONDS=${OUTAGE_LEAD_SECONDS:-5}; DRAIN_SECONDS=${DRAIN_SECONDS:-60}
fi
PGBENCH_CLIENTS=${PGBENCH_CLIENTS:-8}
CONCURRENCY=${CONCURRENCY:-64}            # closed-loop callers for one-operation calls
BATCH_CONCURRENCY=${BATCH_CONCURRENCY:-16} # callers for batch calls (each carries BATCH operations)
SETUP_CONCURRENCY=${SETUP_CONCURRENCY:-256}
BATCH=${BATCH:-100}
READ_BATCH=${READ_BATCH:-100}
LONG_MIX=${LONG_MIX:-deposit=40,transfer=40,order=10,read=10}

# run.sh divides Postgres' max_connections (less 10 reserved) among its silos; PG_POOL_PER_SILO
# overrides that (the table's header says which pool was measured).
export REDIS_PORT=${REDIS_PORT:-16479} PG_PORT=${PG_PORT:-15532}
export GRPC_PORT_BASE=${GRPC_PORT_BASE:-5101} HTTP_PORT_BASE=${HTTP_PORT_BASE:-8181}
export SILO_PORT_BASE=${SILO_PORT_BASE:-11211} GATEWAY_PORT_BASE=${GATEWAY_PORT_BASE:-30100}
export SILOS=${SILOS:-2}

label() { local n=$1; if [ $((n % 1000)) -eq 0 ] && [ "$n" -ge 1000 ]; then echo "$((n / 1000))k"; else echo "$n"; fi; }
SMALL=$(label "$SMALL_WALLETS"); LARGE=$(label "$LARGE_WALLETS")

stamp=$(date -u +%Y%m%dT%H%M%SZ)
results="$root/bench/results/$stamp"
mkdir -p "$results"
data="$root/.data/run"
pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
cli="$root/Client/Cli/bin/Release/net10.0/orleans-wallet.dll"
endpoint="http://127.0.0.1:$GRPC_PORT_BASE"
endpoints=$endpoint
for (( i=1; i<SILOS; i++ )); do endpoints="$endpoints,http://127.0.0.1:$((GRPC_PORT_BASE + i))"; done
drift=0

say() { echo; echo "=== $* ($(date -u +%H:%M:%S))"; }

for port in "$REDIS_PORT" "$PG_PORT" "$GRPC_PORT_BASE" "$HTTP_PORT_BASE"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "port $port is in use: stop what listens there or move the ports (REDIS_PORT, PG_PORT, GRPC_PORT_BASE, ...)"; exit 1
  fi
done
command -v jq >/dev/null || bash -c 'apt-get install -y jq >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y jq >/dev/null; }'

say "build"
dotnet build Client/Cli/Client.Cli.csproj -c Release -nologo -v q
if [ "$KEEP_DATA" -eq 0 ] && [ -d "$data" ]; then
  echo "emptying $data (the run command's local data) so the cluster starts cold; --keep-data keeps it"
  rm -rf "$data"
fi

say "start the run command's services (ports: redis $REDIS_PORT, postgres $PG_PORT, gRPC $GRPC_PORT_BASE.., logs $results/run.log)"
setsid bash scripts/run.sh >"$results/run.log" 2>&1 &
run_pid=$!
pg_restarted=0
load_pid=
as_pg=()
[ "$(id -u)" -eq 0 ] && as_pg=(setpriv --reuid=postgres --regid=postgres --init-groups)
cleanup() {
  trap - EXIT INT TERM
  if [ -n "$load_pid" ] && kill -0 "$load_pid" 2>/dev/null; then kill -TERM "$load_pid" 2>/dev/null || true; fi
  if kill -0 "$run_pid" 2>/dev/null; then
    echo "stopping the services (run.sh pid $run_pid)"
    kill -TERM "$run_pid" 2>/dev/null || true
    # run.sh gives each of its processes up to 30 s to stop: wait for all of them.
    for _ in $(seq 1800); do kill -0 "$run_pid" 2>/dev/null || break; sleep 0.1; done
  fi
  # A Postgres restarted by the outage phase is ours to stop (run.sh knows only the first one's pid).
  if [ "$pg_restarted" -eq 1 ] && [ -f "$data/postgres/postmaster.pid" ]; then
    "${as_pg[@]}" "$pg_bin/pg_ctl" -D "$data/postgres" -m fast -w stop >/dev/null 2>&1 || true
  fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
for _ in $(seq 1800); do
  grep -q "^cluster up" "$results/run.log" 2>/dev/null && break
  kill -0 "$run_pid" 2>/dev/null || { echo "run.sh exited:"; tail -20 "$results/run.log"; exit 1; }
  sleep 0.2
done
grep -q "^cluster up" "$results/run.log" || { echo "the cluster did not come up: see $results/run.log"; exit 1; }
grep -E "^(redis|postgres|kafka|silo)" "$results/run.log"
# Every call needs a credential: an operator-and-admin token signed with the run's dev key (the
# load generator and reconcile read it from the environment, as every CLI command does).
ORLEANS_WALLET_TOKEN=$(dotnet "$cli" token issue --role operator,admin --user bench --expires 12h \
  --signing-key-file "$data/jwt-signing.key")
export ORLEANS_WALLET_TOKEN

commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
jq -n --arg startedAt "$stamp" --arg commit "$commit" --arg cores "$(nproc)" --arg quick "$([ "$QUICK" -eq 1 ] && echo true || echo false)" \
  --arg smallLabel "$SMALL" --arg largeLabel "$LARGE" --arg outageSeconds "$OUTAGE_SECONDS" --arg pgPoolMax "${PG_POOL_PER_SILO:-run.sh budget}" \
  '{startedAt:$startedAt, commit:$commit, cores:$cores, quick:$quick, smallLabel:$smallLabel, largeLabel:$largeLabel, outageSeconds:$outageSeconds, pgPoolMax:$pgPoolMax}' \
  >"$results/bench-meta.json"

say "pgbench tpcb-like: scale $PGBENCH_SCALE, $PGBENCH_CLIENTS clients, $PGBENCH_SECONDS s, database pgbench on the same server"
pg=(-h 127.0.0.1 -p "$PG_PORT" -U postgres)
"$pg_bin/dropdb" "${pg[@]}" --if-exists pgbench
"$pg_bin/createdb" "${pg[@]}" pgbench
"$pg_bin/pgbench" "${pg[@]}" -i -q -s "$PGBENCH_SCALE" pgbench >"$results/pgbench-init.log" 2>&1
"$pg_bin/pgbench" "${pg[@]}" -c "$PGBENCH_CLIENTS" -j 2 -T "$PGBENCH_SECONDS" pgbench | tee "$results/pgbench.log"
tps=$(grep -oE "^tps = [0-9.]+" "$results/pgbench.log" | head -1 | grep -oE "[0-9.]+")
latency=$(grep -oE "^latency average = [0-9.]+" "$results/pgbench.log" | grep -oE "[0-9.]+" || echo null)
[ -n "$tps" ] || { echo "pgbench printed no tps"; exit 1; }
jq -n --argjson tps "$tps" --argjson scale "$PGBENCH_SCALE" --argjson clients "$PGBENCH_CLIENTS" --argjson seconds "$PGBENCH_SECONDS" \
  --argjson latencyMs "${latency:-null}" '{tps:$tps, scale:$scale, clients:$clients, seconds:$seconds, latencyMs:$latencyMs}' >"$results/pgbench.json"
"$pg_bin/dropdb" "${pg[@]}" pgbench   # its tables would only slow the wallet's Postgres down

reconcile() {   # reconcile after a phase; drift fails the bench (at the end, so the table is still printed)
  local phase=$1 out rc
  # Journal entries still draining from the outboxes race reconcile's reads (an entry counted twice or
  # not at all), and the ledger's breaker may still be open: judge the first quiescent answer, waiting
  # up to RECONCILE_WAIT for one.
  set +e
  out=$(dotnet "$cli" --endpoint "$endpoint" load reconcile --quiesce-timeout "${RECONCILE_WAIT:-180s}" 2>&1)
  rc=$?
  set -e
  { grep -v "^DRIFT" <<<"$out" || true; } | tail -4
  { grep "^DRIFT" <<<"$out" || true; } | head -5
  printf '%s\t%s\t%s\n' "$phase" "$rc" "$(echo "$out" | tail -1)" >>"$results/reconcile.tsv"
  if [ "$rc" -ne 0 ]; then
    drift=1
    echo "!!!!!!!! RECONCILE AFTER $phase: exit $rc ($([ "$rc" -eq 3 ] && echo DRIFT || echo 'could not reconcile')) !!!!!!!!"
  fi
}

load() {   # load NAME ARGS...: one load run, its output in NAME.log, its result in NAME.json / NAME.html
  local name=$1; shift
  say "load $name: $*"
  set +e
  dotnet "$cli" --endpoint "$endpoint" load --endpoints "$endpoints" --out "$results/$name" "$@" 2>&1 | tee "$results/$name.log"
  local rc=${PIPESTATUS[0]}
  set -e
  [ "$rc" -eq 0 ] || echo "load $name exited $rc (see $results/$name.log)"
  [ -f "$results/$name.json" ] || { echo "load $name wrote no result"; return 1; }
  reconcile "$name"
}

headline_ops() { jq -r '. as $r | .phases[] | select(.name == $r.headline) | .opsPerSecond' "$1"; }

steady=(--duration "$PHASE" --warmup "$WARMUP")
run_id=$stamp
for size in "$SMALL_WALLETS" "$LARGE_WALLETS"; do
  l=$(label "$size")
  prefix="b$l-$run_id"
  # The first load of the run funds the wallets on a cold cluster: that setup phase is the cold-cluster figure.
  load "deposit-$l" --users "$size" --user-prefix "$prefix" --setup fund --setup-concurrency "$SETUP_CONCURRENCY" \
    --mix deposit --concurrency "$CONCURRENCY" --run-id "d$l-$run_id" "${steady[@]}"
  load "transfer-$l" --users "$size" --user-prefix "$prefix" --setup none --mix transfer --concurrency "$CONCURRENCY" --run-id "t$l-$run_id" "${steady[@]}"
  load "transfer-batch-$l" --users "$size" --user-prefix "$prefix" --setup none --mix transfer --batch "$BATCH" \
    --concurrency "$BATCH_CONCURRENCY" --run-id "tb$l-$run_id" "${steady[@]}"
  load "order-$l" --users "$size" --user-prefix "$prefix" --setup none --mix order --concurrency "$CONCURRENCY" --run-id "o$l-$run_id" "${steady[@]}"
  load "read-$l" --users "$size" --user-prefix "$prefix" --setup none --mix read --concurrency "$CONCURRENCY" --run-id "r$l-$run_id" "${steady[@]}"
  load "read-batch-$l" --users "$size" --user-prefix "$prefix" --setup none --mix read --read-batch "$READ_BATCH" \
    --concurrency "$BATCH_CONCURRENCY" --run-id "rb$l-$run_id" "${steady[@]}"
  if [ "$size" -eq "$SMALL_WALLETS" ]; then
    # The ramp starts at half the closed-loop throughput just measured and steps up 15 % at a time.
    for op in deposit transfer; do
      max=$(headline_ops "$results/$op-$l.json")
      start=$(jq -n --argjson m "$max" '[($m / 2), 5] | max')
      load "ramp-$op-$l" --users "$size" --user-prefix "$prefix" --setup none --mix "$op" --scenario ramp --rate "$start" \
        --ramp-step 1.15 --ramp-step-duration "$RAMP_STEP" --ramp-steps-max "$RAMP_STEPS_MAX" --duration "$PHASE" --warmup "$WARMUP" \
        --run-id "rp$op$l-$run_id"
    done
  fi
done

load long --users "$LONG_WALLETS" --user-prefix "long-$run_id" --setup fund --mix "$LONG_MIX" --scenario endurance \
  --operations "$LONG_OPS" --duration "$LONG_MAX" --warmup "$WARMUP" --concurrency "$CONCURRENCY" --run-id "long-$run_id"

# Postgres outage under load: open loop at a quarter of the small deposit throughput, Postgres stopped
# OUTAGE_LEAD_SECONDS in, started OUTAGE_SECONDS later, the load going on DRAIN_SECONDS after that.
rate=$(jq -n --argjson m "$(headline_ops "$results/deposit-$SMALL.json")" '[($m / 4), 5] | max')
total=$((OUTAGE_LEAD_SECONDS + OUTAGE_SECONDS + DRAIN_SECONDS))
say "load outage: ${rate}/s deposits and transfers for ${total} s; Postgres down from ${OUTAGE_LEAD_SECONDS} s for ${OUTAGE_SECONDS} s"
dotnet "$cli" --endpoint "$endpoint" load --endpoints "$endpoints" --out "$results/outage" --users "$SMALL_WALLETS" \
  --user-prefix "b$SMALL-$run_id" --setup none --mix deposit=50,transfer=50 --rate "$rate" --duration "${total}s" --warmup 0 \
  --run-id "out-$run_id" >"$results/outage.log" 2>&1 &
load_pid=$!
sleep "$OUTAGE_LEAD_SECONDS"
echo "stopping PostgreSQL ($data/postgres)"
"${as_pg[@]}" "$pg_bin/pg_ctl" -D "$data/postgres" -m fast -w stop
pg_restarted=1
sleep "$OUTAGE_SECONDS"
echo "starting PostgreSQL again"
"${as_pg[@]}" "$pg_bin/pg_ctl" -D "$data/postgres" -o "-p $PG_PORT -c listen_addresses=127.0.0.1 -k $data/postgres" \
  -l "$data/postgres/after-outage.log" -w start >/dev/null
set +e; wait "$load_pid"; echo "load outage exited $?"; set -e
grep -E "^(==|   )" "$results/outage.log" || tail -20 "$results/outage.log"
reconcile outage

say "table"
dotnet "$cli" load table --dir "$results" --write "$results/table.md"
if [ "$QUICK" -eq 1 ]; then
  cp "$results/table.md" "$root/bench/results/latest-quick.md"
  echo "(quick mode: bench/results/latest-quick.md; the README keeps the last full run's table)"
else
  cp "$results/table.md" "$root/bench/results/latest.md"
  # The README shows the latest table between its bench markers.
  awk -v table="$results/table.md" '
    /<!-- bench:begin -->/ { print; while ((getline line < table) > 0) print line; skip = 1; next }
    /<!-- bench:end -->/ { skip = 0 }
    !skip { print }' README.md >"$results/README.md" && cp "$results/README.md" README.md
  echo "bench/results/latest.md and the README's Benchmark section now show this table"
fi
echo "results, reports (HTML) and logs: $results"
if [ "$drift" -ne 0 ]; then
  echo "!!!!!!!! RECONCILE FOUND DRIFT OR COULD NOT RUN after a phase: see $results/reconcile.tsv !!!!!!!!"
  exit 3
fi
