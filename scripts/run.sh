#!/usr/bin/env bash
# The run command: installs what is missing, starts Redis, PostgreSQL (each on its own port,
# data under .data/run) and a Kafka-protocol broker (librdkafka's mock cluster hosted by kcat),
# then a local cluster of 2 silos, and prints the gRPC endpoints. Ctrl-C (or SIGTERM) stops
# everything this script started, by pid. Ports can be moved with the variables below.
# To use a real Kafka instead of the mock: KAFKA_BOOTSTRAP=host:9092 KAFKA_PARTITIONS=24
# (the topic must exist with that many partitions, or set Kafka__CreateTopicIfMissing=true).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

REDIS_PORT=${REDIS_PORT:-16379}
PG_PORT=${PG_PORT:-15432}
KAFKA_BOOTSTRAP=${KAFKA_BOOTSTRAP:-}
KAFKA_TOPIC=${KAFKA_TOPIC:-order-events}
KAFKA_PARTITIONS=${KAFKA_PARTITIONS:-}
GRPC_PORT_BASE=${GRPC_PORT_BASE:-5001}      # silo i: gRPC on base+i
HTTP_PORT_BASE=${HTTP_PORT_BASE:-8081}      # silo i: /health, /metrics, /dashboard on base+i
SILO_PORT_BASE=${SILO_PORT_BASE:-11111}
GATEWAY_PORT_BASE=${GATEWAY_PORT_BASE:-30000}
SILOS=${SILOS:-2}
# Redis holds the balances: "always" fsyncs every write before it is acknowledged, so a host crash
# loses no acknowledged money change (measured here: SET 88k/s instead of 105k/s with everysec).
# "everysec" may lose up to a second of acknowledged writes whose journal entries Postgres may
# already hold. See README, Operations.
REDIS_APPENDFSYNC=${REDIS_APPENDFSYNC:-always}
# Redis rewrites its AOF once it has doubled since the last rewrite and passed this size. Redis'
# own 64mb made it rewrite every ~10 s under the benchmark's writes (20 rewrites in one run), each
# a fork plus a disk-wide write competing with the fsync of every acknowledged write: the cluster
# slowed or stalled for the rewrite's length. 1gb: rewrites after each GB of writes; the AOF takes
# up to ~2 GB on disk and a restart replays up to that much. See README, Operations.
REDIS_AOF_REWRITE_MIN_SIZE=${REDIS_AOF_REWRITE_MIN_SIZE:-1gb}
# /metrics and /dashboard ask for these (basic authentication). A fresh random password per run
# unless you set one; it is printed below, never logged by the silo.
OPS_USER=${OPS_USER:-operator}
OPS_PASSWORD=${OPS_PASSWORD:-$(head -c 18 /dev/urandom | base64 | tr -d '/+=')}
data="$root/.data/run"

case "$REDIS_APPENDFSYNC" in
  always|everysec|no) ;;
  *) echo "REDIS_APPENDFSYNC must be always, everysec or no"; exit 2 ;;
esac

bash scripts/install-services.sh
mkdir -p "$data/redis" "$data/postgres" "$data/logs"
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
  --appendfsync "$REDIS_APPENDFSYNC" --auto-aof-rewrite-min-size "$REDIS_AOF_REWRITE_MIN_SIZE" --save "" \
  --daemonize no >"$data/logs/redis.log" 2>&1 &
pids+=($!)
for _ in $(seq 50); do redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
redis-cli -p "$REDIS_PORT" ping >/dev/null || { echo "redis did not start: see $data/logs/redis.log"; exit 1; }
echo "redis      127.0.0.1:$REDIS_PORT (data: $data/redis, appendfsync $REDIS_APPENDFSYNC, AOF rewrite from $REDIS_AOF_REWRITE_MIN_SIZE)"

# PostgreSQL: a cluster of our own under .data/run/postgres. As root it runs as the postgres
# OS user (PostgreSQL refuses to run as root); setpriv execs in place, so $! is postgres itself.
pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
as_pg=()
if [ "$(id -u)" -eq 0 ]; then
  chown postgres: "$data/postgres"
  as_pg=(setpriv --reuid=postgres --regid=postgres --init-groups)
fi
if [ ! -f "$data/postgres/PG_VERSION" ]; then
  "${as_pg[@]}" "$pg_bin/initdb" -D "$data/postgres" --auth=trust -U postgres -E UTF8 --locale=C >"$data/logs/initdb.log" 2>&1
fi
setsid "${as_pg[@]}" "$pg_bin/postgres" -D "$data/postgres" -p "$PG_PORT" -c listen_addresses=127.0.0.1 \
  -k "$data/postgres" >"$data/logs/postgres.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do "$pg_bin/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" && break; sleep 0.1; done
"$pg_bin/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" || { echo "postgres did not start: see $data/logs/postgres.log"; exit 1; }
"$pg_bin/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -tAc "select 1 from pg_database where datname = 'wallet'" | grep -q 1 \
  || "$pg_bin/createdb" -h 127.0.0.1 -p "$PG_PORT" -U postgres wallet
echo "postgres   127.0.0.1:$PG_PORT database wallet (data: $data/postgres)"

# Kafka: the mock cluster lives while kcat's stdin is open; fd 3 holds a fifo open for it.
if [ -z "$KAFKA_BOOTSTRAP" ]; then
  rm -f "$data/kafka.stdin"; mkfifo "$data/kafka.stdin"; exec 3<>"$data/kafka.stdin"
  setsid kcat -b mock:1 -X test.mock.num.brokers=3 -d mock -P -t "$KAFKA_TOPIC" <&3 2>"$data/logs/kafka-mock.log" &
  pids+=($!)
  for _ in $(seq 100); do grep -q "bootstrap.servers=" "$data/logs/kafka-mock.log" && break; sleep 0.1; done
  KAFKA_BOOTSTRAP=$(grep -o "bootstrap.servers=[0-9.:,]*" "$data/logs/kafka-mock.log" | head -1 | cut -d= -f2)
  [ -n "$KAFKA_BOOTSTRAP" ] || { echo "kafka mock did not start: see $data/logs/kafka-mock.log"; exit 1; }
  echo "topic warm-up" >&3   # creates the topic (the mock makes 4 partitions)
  for _ in $(seq 100); do kcat -b "$KAFKA_BOOTSTRAP" -L -t "$KAFKA_TOPIC" -m 5 2>/dev/null | grep -q "partition 0," && break; sleep 0.1; done
  KAFKA_PARTITIONS=${KAFKA_PARTITIONS:-4}
  echo "kafka mock $KAFKA_BOOTSTRAP topic $KAFKA_TOPIC"
fi
KAFKA_PARTITIONS=${KAFKA_PARTITIONS:-24}

# Postgres connection budget: every silo's pool comes out of one max_connections, less what
# superusers and operators keep (PG_RESERVED_CONNECTIONS).
pg_max_connections=$("$pg_bin/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -tAc "show max_connections")
PG_POOL_PER_SILO=${PG_POOL_PER_SILO:-$(( (pg_max_connections - ${PG_RESERVED_CONNECTIONS:-10}) / SILOS ))}
echo "postgres   pool of $PG_POOL_PER_SILO connections per silo (max_connections $pg_max_connections, $SILOS silos)"

# Every gRPC call needs a credential (README: Security). A dev signing key of this run's own,
# never committed (.data is ignored); the CLI's `token issue` signs with it.
signing_key="$data/jwt-signing.key"
[ -s "$signing_key" ] || (umask 077; head -c 32 /dev/urandom | base64 >"$signing_key")

silo_dll="$root/Silo/bin/Release/net10.0/OrleansWallet.Silo.dll"
silo_pids=()
for (( i=0; i<SILOS; i++ )); do
  Redis__ConnectionString="127.0.0.1:$REDIS_PORT" \
  Ledger__Postgres__ConnectionString="Host=127.0.0.1;Port=$PG_PORT;Username=postgres;Database=wallet" \
  Ledger__Postgres__MaximumPoolSize="$PG_POOL_PER_SILO" Ledger__Postgres__MinimumPoolSize=1 \
  Ledger__Cache__RedisConfiguration="127.0.0.1:$REDIS_PORT" \
  Kafka__BootstrapServers="$KAFKA_BOOTSTRAP" Kafka__Topic="$KAFKA_TOPIC" Kafka__PartitionCount="$KAFKA_PARTITIONS" \
  Silo__ClusterId="local" Silo__ServiceId="orleans-wallet" Auth__Jwt__SigningKeyFile="$signing_key" \
  Silo__SiloPort=$((SILO_PORT_BASE + i)) Silo__GatewayPort=$((GATEWAY_PORT_BASE + i)) \
  Silo__GrpcPort=$((GRPC_PORT_BASE + i)) Silo__HttpPort=$((HTTP_PORT_BASE + i)) \
  Operations__Username="$OPS_USER" Operations__Password="$OPS_PASSWORD" \
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
  echo "silo $i     gRPC http://127.0.0.1:$((GRPC_PORT_BASE + i))   ops http://127.0.0.1:$port (/health/ready, /metrics, /dashboard/)"
done
echo "operator   user $OPS_USER password $OPS_PASSWORD (for /metrics and /dashboard/)"

cli="dotnet Client/Cli/bin/Release/net10.0/orleans-wallet.dll"
cat <<TXT

cluster up. Every call needs a token (README: Security). Get one for the demo (roles operator
and admin, signed with this run's key $signing_key), then run it:
  export ORLEANS_WALLET_TOKEN=\$($cli token issue --role operator,admin --expires 8h --signing-key-file $signing_key)
  $cli --endpoint http://127.0.0.1:$GRPC_PORT_BASE demo
A user's own token (its wallet and orders only): $cli token issue --role user --user alice --signing-key-file $signing_key
logs in $data/logs. Ctrl-C stops everything started here.
TXT
wait "${pids[@]}"
