#!/usr/bin/env bash
# Measures the webhook against the bare WeChat SDK echo handler, side by
# side on this machine: AES safe mode, every message persisted (MySQL and
# Redis). Prints the throughput of each round, the ratio of the medians
# (target: >= 0.6), latency at a fixed 500 messages/s (target: p99 <= 50 ms)
# and minqing's peak memory (target: <= 100 MB).
#
# Needs MySQL/MariaDB and Redis; defaults match a local install:
#   BENCH_MYSQL_USER=root BENCH_MYSQL_PASSWORD= (server at 127.0.0.1:3306)
#   BENCH_REDIS=redis://127.0.0.1:6379/15
#   BENCH_ROUNDS=3  BENCH_DURATION=8s  BENCH_CONCURRENCY=64
#   BENCH_OPINIONS=1  seeds the demo school first, so that every message
#                     (an opinion) is filed in the ledger with its receipt;
#                     without it the school is not set up and each message
#                     is answered and recorded as processed.
set -euo pipefail
cd "$(dirname "$0")/.."

mysql_user=${BENCH_MYSQL_USER:-root}
export MYSQL_PWD=${BENCH_MYSQL_PASSWORD:-}
redis_url=${BENCH_REDIS:-redis://127.0.0.1:6379/15}
rounds=${BENCH_ROUNDS:-3}
duration=${BENCH_DURATION:-8s}
concurrency=${BENCH_CONCURRENCY:-64}
db=minqing_bench_$$

bin=$(mktemp -d)/minqing
go build -o "$bin" ./cmd/minqing

export MINQING_WECHAT_TOKEN=pamtest
export MINQING_WECHAT_AES_KEY=abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG
export MINQING_WECHAT_APPID=wxb11529c136998cb6

mysql_cli=$(command -v mariadb || command -v mysql)
sql() { "$mysql_cli" -h127.0.0.1 -P3306 -u"$mysql_user" -N -e "$1"; }
sql "CREATE DATABASE $db CHARACTER SET utf8mb4"
dsn="$mysql_user${MYSQL_PWD:+:$MYSQL_PWD}@tcp(127.0.0.1:3306)/$db"

pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  sql "DROP DATABASE IF EXISTS $db" 2>/dev/null || true
}
trap cleanup EXIT

export MINQING_DEV=false MINQING_LOG_LEVEL=warn MINQING_MYSQL_DSN="$dsn" MINQING_REDIS_URL="$redis_url" \
  MINQING_REDIS_PREFIX="bench-$$:" MINQING_SECRET=benchmark-secret-benchmark-secret-0000 \
  MINQING_WECHAT_SECRET=unused MINQING_WECHAT_API_BASE=http://127.0.0.1:9
if [ "${BENCH_OPINIONS:-0}" = 1 ]; then
  "$bin" demo >/dev/null
fi

"$bin" echo -addr 127.0.0.1:18090 2>/dev/null &
pids+=($!)
MINQING_HTTP_ADDR=127.0.0.1:18080 MINQING_ADMIN_ADDR=127.0.0.1:19090 "$bin" serve &
mq=$!
pids+=($mq)
for _ in $(seq 1 100); do
  curl -fs http://127.0.0.1:18080/readyz >/dev/null 2>&1 && break
  sleep 0.2
done
curl -fs http://127.0.0.1:18080/readyz >/dev/null || { echo "minqing did not become ready" >&2; exit 1; }

echo "== throughput: echo baseline vs minqing, $rounds rounds of $duration, $concurrency concurrent"
"$bin" loadtest -url http://127.0.0.1:18080/wechat -baseline http://127.0.0.1:18090/wechat \
  -rounds "$rounds" -d "$duration" -c "$concurrency"
echo "== latency at 500 messages/s (minqing)"
"$bin" loadtest -url http://127.0.0.1:18080/wechat -rate 500 -d 20s -c 256
echo "== group commit:"
rows=$(sql "SELECT COUNT(*) FROM $db.processed_messages")
opinions=$(sql "SELECT COUNT(*) FROM $db.opinions")
echo "== persisted: $rows processed-message rows, $opinions opinions"
curl -s http://127.0.0.1:19090/metrics | grep -E '^minqing_db_batch' | sed 's/^/   /'
echo "== memory: minqing peak RSS $(awk '/VmHWM/ {printf "%.1f MB", $2/1024}' /proc/$mq/status)"
