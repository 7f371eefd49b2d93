#!/usr/bin/env bash
# The run command: installs what is missing, starts Redis (its own port, data under .data/run),
# then a local cluster of 2 silos, and prints the gRPC endpoints. Ctrl-C (or SIGTERM) stops
# everything this script started, by pid. Ports can be moved with the variables below.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

REDIS_PORT=${REDIS_PORT:-16379}
GRPC_PORT_BASE=${GRPC_PORT_BASE:-5001}      # silo i: gRPC on base+i
HTTP_PORT_BASE=${HTTP_PORT_BASE:-8081}      # silo i: /health, /dashboard on base+i
SILO_PORT_BASE=${SILO_PORT_BASE:-11111}
GATEWAY_PORT_BASE=${GATEWAY_PORT_BASE:-30000}
SILOS=${SILOS:-2}
data="$root/.data/run"

bash scripts/install-services.sh
mkdir -p "$data/redis" "$data/logs"
dotnet build Silo/Silo.csproj -c Release -nologo -v q
dotnet build Client/Cli/Client.Cli.csproj -c Release -nologo -v q

pids=()
# Stops in reverse start order, each before the next: silos leave the cluster while Redis
# (their membership table) is still up. A process that ignores TERM for 30 s is killed.
stop_all() {
  trap - INT TERM EXIT
  local i pid
  echo; echo "stopping..."
  for (( i=${#pids[@]}-1; i>=0; i-- )); do
    pid=${pids[$i]}
    kill -TERM "$pid" 2>/dev/null || continue
    for _ in $(seq 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  echo "stopped"
}
trap 'stop_all; exit 130' INT
trap 'stop_all; exit 143' TERM
trap stop_all EXIT

# Each service runs in its own session (setsid): a Ctrl-C in the terminal reaches only this
# script, which then stops them in order.
setsid redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --dir "$data/redis" --appendonly yes \
  --appendfsync everysec --save "" --daemonize no >"$data/logs/redis.log" 2>&1 &
pids+=($!)
for _ in $(seq 50); do redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
redis-cli -p "$REDIS_PORT" ping >/dev/null || { echo "redis did not start: see $data/logs/redis.log"; exit 1; }
echo "redis      127.0.0.1:$REDIS_PORT (data: $data/redis)"

silo_dll="$root/Silo/bin/Release/net10.0/OrleansWallet.Silo.dll"
silo_pids=()
for (( i=0; i<SILOS; i++ )); do
  Redis__ConnectionString="127.0.0.1:$REDIS_PORT" \
  Silo__ClusterId="local" Silo__ServiceId="orleans-wallet" \
  Silo__SiloPort=$((SILO_PORT_BASE + i)) Silo__GatewayPort=$((GATEWAY_PORT_BASE + i)) \
  Silo__GrpcPort=$((GRPC_PORT_BASE + i)) Silo__HttpPort=$((HTTP_PORT_BASE + i)) \
    setsid dotnet "$silo_dll" >"$data/logs/silo$i.log" 2>&1 &
  pids+=($!)
  silo_pids+=($!)
done

for (( i=0; i<SILOS; i++ )); do
  port=$((HTTP_PORT_BASE + i))
  for _ in $(seq 600); do
    curl -fs "http://127.0.0.1:$port/health/ready" >/dev/null 2>&1 && break
    kill -0 "${silo_pids[$i]}" 2>/dev/null || { echo "silo $i exited: see $data/logs/silo$i.log"; exit 1; }
    sleep 0.1
  done
  curl -fs "http://127.0.0.1:$port/health/ready" >/dev/null || { echo "silo $i not ready: see $data/logs/silo$i.log"; exit 1; }
  echo "silo $i     gRPC http://127.0.0.1:$((GRPC_PORT_BASE + i))   ops http://127.0.0.1:$port (/health/ready, /dashboard)"
done

cat <<TXT

cluster up. Try:
  dotnet Client/Cli/bin/Release/net10.0/orleans-wallet.dll --endpoint http://127.0.0.1:$GRPC_PORT_BASE demo
logs in $data/logs. Ctrl-C stops everything started here.
TXT
wait "${pids[@]}"
