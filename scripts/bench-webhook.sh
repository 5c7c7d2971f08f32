#!/usr/bin/env bash
# Measures the webhook against the bare WeChat SDK echo handler, side by
# side on this machine, in alternating rounds: AES safe mode, every message
# persisted (MySQL and Redis). For each round it prints throughput, latency
# and the cost per message — database statements (SHOW GLOBAL STATUS
# deltas), Redis commands (INFO stats deltas), CPU µs of minqing, echo,
# MariaDB, Redis and the load generator (/proc/<pid>/stat) — then the
# medians and their ratios; then the same at a fixed 500 messages/s, open
# loop, latency counted from each message's scheduled send time; then the
# group-commit batch sizes and minqing's peak memory.
#
# The database and Redis counters, and their CPU, are server-wide: run it
# on a server nothing else uses, or read them as upper bounds.
#
# Needs MySQL/MariaDB and Redis; defaults match a local install:
#   BENCH_MYSQL_USER=root BENCH_MYSQL_PASSWORD= (server at 127.0.0.1:3306)
#   BENCH_REDIS=redis://127.0.0.1:6379/15
#   BENCH_ROUNDS=3  BENCH_DURATION=8s  BENCH_CONCURRENCY=32  BENCH_SENDERS=20000
#   BENCH_RATE=500 (the open-loop rate; 0 skips that part)
#   BENCH_HTTP_PORT=18080 BENCH_ADMIN_PORT=19090 BENCH_ECHO_PORT=18090
#   BENCH_MIX=1       seeds the demo school, then fresh senders each run send
#                     the first message of a mix: half opinions, the rest
#                     help, greetings, thanks, a lookup and 我要建议
#                     (minqing-bench loadtest -mix -fresh-senders)
#   BENCH_OPINIONS=1  seeds the demo school, then every message is a new
#                     opinion filed in the ledger with its receipt (fresh
#                     senders each run: no repeats, no daily cap; keep
#                     BENCH_SENDERS above the messages of one run)
#   BENCH_CHECKINS=1  seeds the demo school with BENCH_SENDERS staff bound to
#                     the load generator's senders, then every message is a
#                     study check-in (stored, answered with the progress)
#   neither: the school is not set up and each message is answered and
#   recorded as processed.
#   BENCH_EMBEDDED=1  the embedded default instead (SQLite in a temporary
#                     directory, in-process state): no MySQL or Redis needed,
#                     and no statement or Redis counts, CPU and latency only.
set -euo pipefail
cd "$(dirname "$0")/.."

mysql_user=${BENCH_MYSQL_USER:-root}
export MYSQL_PWD=${BENCH_MYSQL_PASSWORD:-}
redis_url=${BENCH_REDIS:-redis://127.0.0.1:6379/15}
rounds=${BENCH_ROUNDS:-3}
duration=${BENCH_DURATION:-8s}
concurrency=${BENCH_CONCURRENCY:-32}
senders=${BENCH_SENDERS:-20000}
rate=${BENCH_RATE:-500}
# Ports of minqing, its admin listener and the echo baseline.
http_port=${BENCH_HTTP_PORT:-18080}
admin_port=${BENCH_ADMIN_PORT:-19090}
echo_port=${BENCH_ECHO_PORT:-18090}
db=${BENCH_DB:-minqing_bench_$$}

bindir=$(mktemp -d)
go build -o "$bindir/minqing" ./cmd/minqing
go build -o "$bindir/minqing-bench" ./cmd/minqing-bench

export MINQING_WECHAT_TOKEN=pamtest
export MINQING_WECHAT_AES_KEY=abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG
export MINQING_WECHAT_APPID=wxb11529c136998cb6

embedded=${BENCH_EMBEDDED:-0}
if [ "$embedded" = 1 ]; then
  sql() { sqlite3 "$bindir/data/minqing.db" "$1"; }
  mkdir -p "$bindir/data"
  export MINQING_DATA_DIR="$bindir/data" MINQING_MYSQL_DSN= MINQING_REDIS_URL=
else
  mysql_cli=$(command -v mariadb || command -v mysql)
  sql() { "$mysql_cli" -h127.0.0.1 -P3306 -u"$mysql_user" -N -e "$1"; }
  sql "CREATE DATABASE $db CHARACTER SET utf8mb4"
  dsn="$mysql_user${MYSQL_PWD:+:$MYSQL_PWD}@tcp(127.0.0.1:3306)/$db"
  export MINQING_MYSQL_DSN="$dsn" MINQING_REDIS_URL="$redis_url" MINQING_REDIS_PREFIX="bench-$$:"
fi

pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  [ "$embedded" = 1 ] || sql "DROP DATABASE IF EXISTS $db" 2>/dev/null || true
  rm -rf "$bindir"
}
trap cleanup EXIT

export MINQING_DEV=false MINQING_LOG_LEVEL=warn MINQING_SECRET=benchmark-secret-benchmark-secret-0000 \
  MINQING_WECHAT_SECRET=unused MINQING_WECHAT_API_BASE=http://127.0.0.1:9
mode="no school set up"
load_args=()
if [ "${BENCH_MIX:-0}" = 1 ]; then
  "$bindir/minqing" demo >/dev/null
  mode="demo school, the mix"
  load_args+=(-mix -fresh-senders)
elif [ "${BENCH_CHECKINS:-0}" = 1 ]; then
  "$bindir/minqing" demo --load-staff "$senders" >/dev/null
  mode="demo school, every message a study check-in of bound staff"
  load_args+=(-checkins)
elif [ "${BENCH_OPINIONS:-0}" = 1 ]; then
  "$bindir/minqing" demo >/dev/null
  mode="demo school, every message a new opinion"
  load_args+=(-fresh-senders)
fi

"$bindir/minqing-bench" echo -addr 127.0.0.1:$echo_port 2>/dev/null &
echo_pid=$!
pids+=($echo_pid)
MINQING_HTTP_ADDR=127.0.0.1:$http_port MINQING_ADMIN_ADDR=127.0.0.1:$admin_port "$bindir/minqing" serve &
mq=$!
pids+=($mq)
for _ in $(seq 1 100); do
  curl -fs http://127.0.0.1:$http_port/readyz >/dev/null 2>&1 && break
  sleep 0.2
done
curl -fs http://127.0.0.1:$http_port/readyz >/dev/null || { echo "minqing did not become ready" >&2; exit 1; }
# Ready, but ours? Another service on the same port answers /readyz too.
for p in "$mq" "$echo_pid"; do
  kill -0 "$p" 2>/dev/null || { echo "minqing or echo exited: are ports $http_port, $admin_port, $echo_port free? (BENCH_HTTP_PORT, BENCH_ADMIN_PORT, BENCH_ECHO_PORT)" >&2; exit 1; }
done

cost_args=(-proc "minqing=$mq" -proc "echo=$echo_pid")
if [ "$embedded" = 1 ]; then
  mode="embedded default, $mode"
else
  # The Redis and MariaDB processes serving us: Redis names its pid; for
  # the database take every mariadbd (or mysqld).
  redis_pid=$(redis-cli -u "$redis_url" INFO server | tr -d '\r' | awk -F: '$1 == "process_id" {print $2}')
  db_comm=mariadbd
  grep -qx mariadbd /proc/[0-9]*/comm 2>/dev/null || db_comm=mysqld
  cost_args+=(-mysql "$dsn" -redis "$redis_url" -proc "$db_comm=$db_comm" -proc "redis=${redis_pid:?no Redis process_id}")
fi

# Other work on the machine shows in every figure: say how busy it was.
loadavg() { echo "== machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) ($1)"; }
loadavg "before"
echo "== $mode: echo baseline vs minqing, $rounds rounds of $duration, $concurrency concurrent, $senders senders"
"$bindir/minqing-bench" loadtest -url http://127.0.0.1:$http_port/wechat -baseline http://127.0.0.1:$echo_port/wechat \
  -rounds "$rounds" -d "$duration" -c "$concurrency" -senders "$senders" "${load_args[@]}" "${cost_args[@]}" || true
if [ "$rate" != 0 ]; then
  echo "== $mode: open loop at $rate messages/s, latency from the scheduled send time"
  "$bindir/minqing-bench" loadtest -url http://127.0.0.1:$http_port/wechat -baseline http://127.0.0.1:$echo_port/wechat \
    -rounds "$rounds" -rate "$rate" -d "$duration" -c 256 -senders "$senders" "${load_args[@]}" "${cost_args[@]}" || true
fi
prefix=$db.
[ "$embedded" = 1 ] && prefix=
rows=$(sql "SELECT COUNT(*) FROM ${prefix}processed_messages" || echo "?")
opinions=$(sql "SELECT COUNT(*) FROM ${prefix}opinions" || echo "?")
checkins=$(sql "SELECT COUNT(*) FROM ${prefix}study_checkins" || echo "?")
echo "== persisted: $rows processed-message rows, $opinions opinions, $checkins study check-ins"
echo "== group commit:"
curl -s http://127.0.0.1:$admin_port/metrics | grep -E '^minqing_db_batch' | sed 's/^/   /'
# minqing's own statements and transactions, per message answered: unlike
# the server's counters above, not mixed with anything else on the server.
curl -s http://127.0.0.1:$admin_port/metrics | awk '
  /^minqing_db_statements_total / {st=$2}
  /^minqing_db_transactions_total / {tx=$2}
  /^minqing_webhook_requests_total\{outcome="(replied|duplicate|late)"\}/ {n+=$2}
  END {if (n > 0) printf "== minqing'"'"'s own database cost: %d messages, %.3f statements and %.3f transactions (BEGIN+COMMIT) per message\n", n, st/n, tx/n}'
loadavg "after"
echo "== memory: minqing peak RSS $(awk '/VmHWM/ {printf "%.1f MB", $2/1024}' /proc/$mq/status)"
