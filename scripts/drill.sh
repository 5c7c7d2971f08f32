#!/usr/bin/env bash
# Fault drill: send opinions to minqing (MySQL + Redis, safe mode) as
# WeChat would, kill -9 the service twice, kill -9 and restart MariaDB,
# kill and restart Redis, freeze MariaDB (SIGSTOP) past the reply budget,
# then count every message: sent, acknowledged,
# stored, lost (acknowledged, not stored, sender not told), duplicated.
#
# It runs its own MariaDB and Redis on loopback ports in a temporary
# directory (never the shared servers), and is bounded in time:
#   DRILL_SECONDS (default 60) of traffic at DRILL_RATE (default 100/s),
#   DRILL_SETTLE (default 20s) for late work, plus start-up.
# Ports (loopback): DRILL_DB_PORT (13306), DRILL_REDIS_PORT (16379),
# DRILL_HTTP_PORT (18180; the admin listener is the next port, the fake
# WeChat API the one ten above).
# Usage: scripts/drill.sh            (from the repository root)
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${DRILL_SECONDS:-60}
rate=${DRILL_RATE:-100}
settle=${DRILL_SETTLE:-20s}
db_port=${DRILL_DB_PORT:-13306}
redis_port=${DRILL_REDIS_PORT:-16379}
http_port=${DRILL_HTTP_PORT:-18180}
admin_port=$((http_port + 1))
fake_port=$((http_port + 10))

log() { printf '== %s %s\n' "$(date +%T)" "$*"; }
need() { command -v "$1" >/dev/null 2>&1 || [ -x "$1" ] || { echo "drill: $1 is required" >&2; exit 1; }; }
mariadbd=/usr/sbin/mariadbd
[ -x "$mariadbd" ] || mariadbd=/usr/sbin/mysqld
need "$mariadbd"; need mariadb-install-db; need redis-server; need redis-cli; need curl; need go
mysql_cli=$(command -v mariadb || command -v mysql)

work=$(mktemp -d /tmp/minqing-drill.XXXXXX)
pids=()
cleanup() {
  set +e
  [ -n "${svc_pid:-}" ] && kill -9 "$svc_pid" 2>/dev/null
  [ -n "${db_pid:-}" ] && kill -9 "$db_pid" 2>/dev/null
  [ -n "${redis_pid:-}" ] && kill -9 "$redis_pid" 2>/dev/null
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
  wait 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

log "building"
go build -o "$work/minqing" ./cmd/minqing
go build -o "$work/drill" ./scripts/drill

# --- MariaDB of our own -------------------------------------------------------
mkdir -p "$work/db"
mariadb-install-db --no-defaults --datadir="$work/db" --user="$(id -un)" \
  --auth-root-authentication-method=normal >"$work/db-install.log" 2>&1
start_db() {
  "$mariadbd" --no-defaults --datadir="$work/db" --user="$(id -un)" --bind-address=127.0.0.1 \
    --port="$db_port" --socket="$work/db.sock" --skip-name-resolve --innodb-buffer-pool-size=128M \
    >>"$work/db.log" 2>&1 &
  db_pid=$!
  for _ in $(seq 1 100); do
    "$mysql_cli" -uroot -h127.0.0.1 -P"$db_port" -e 'SELECT 1' >/dev/null 2>&1 && return 0
    sleep 0.2
  done
  echo "drill: MariaDB did not start; see $work/db.log" >&2
  tail -20 "$work/db.log" >&2
  exit 1
}
start_db
"$mysql_cli" -uroot -h127.0.0.1 -P"$db_port" -e 'CREATE DATABASE minqing CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci'
dsn="root@tcp(127.0.0.1:$db_port)/minqing"

# --- Redis of our own ---------------------------------------------------------
start_redis() {
  redis-server --bind 127.0.0.1 --port "$redis_port" --save "" --appendonly no --dir "$work" \
    >>"$work/redis.log" 2>&1 &
  redis_pid=$!
  for _ in $(seq 1 50); do
    redis-cli -h 127.0.0.1 -p "$redis_port" ping >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "drill: Redis did not start" >&2
  exit 1
}
start_redis

# --- the service ----------------------------------------------------------------
export MINQING_DEV=false MINQING_LOG_LEVEL=warn MINQING_LOG_FORMAT=json \
  MINQING_MYSQL_DSN="$dsn" MINQING_REDIS_URL="redis://127.0.0.1:$redis_port/0" \
  MINQING_SECRET=drill-secret-drill-secret-drill-secret-00 \
  MINQING_WECHAT_APPID=wxb11529c136998cb6 MINQING_WECHAT_TOKEN=pamtest \
  MINQING_WECHAT_AES_KEY=abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG \
  MINQING_WECHAT_SECRET=drill-app-secret MINQING_WECHAT_API_BASE="http://127.0.0.1:$fake_port" \
  MINQING_HTTP_ADDR="127.0.0.1:$http_port" MINQING_ADMIN_ADDR="127.0.0.1:$admin_port" \
  MINQING_DATA_DIR="$work/data"
"$work/minqing" migrate >/dev/null
"$work/minqing" demo >/dev/null
start_service() {
  "$work/minqing" serve >>"$work/service.log" 2>&1 &
  svc_pid=$!
  for _ in $(seq 1 100); do
    curl -fs "http://127.0.0.1:$http_port/healthz" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "drill: the service did not start; see $work/service.log" >&2
  tail -20 "$work/service.log" >&2
  exit 1
}
start_service

# --- traffic and faults -------------------------------------------------------
log "sending $rate opinions/s for ${seconds}s (safe mode, WeChat's retries)"
"$work/drill" -url "http://127.0.0.1:$http_port/wechat" -token pamtest -appid wxb11529c136998cb6 \
  -aes-key abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG -secret drill-app-secret \
  -fake-addr "127.0.0.1:$fake_port" -dsn "$dsn" -d "${seconds}s" -rate "$rate" -settle "$settle" \
  >"$work/figures.txt" 2>"$work/drill.log" &
drill_pid=$!
pids+=("$drill_pid")

at() { sleep "$(awk -v s="$seconds" -v f="$1" 'BEGIN { printf "%.1f", s * f }')"; }
(
  at 0.15; log "kill -9 the service"; kill -9 "$svc_pid"
) &
wait $!
sleep 1; start_service; log "service back"

at 0.15; log "kill -9 MariaDB"; kill -9 "$db_pid"; wait "$db_pid" 2>/dev/null || true
sleep 2; start_db; log "MariaDB back"

at 0.15; log "kill Redis"; kill -9 "$redis_pid"; wait "$redis_pid" 2>/dev/null || true
sleep 2; start_redis; log "Redis back (empty: claims, dialogs and nonces forgotten)"

at 0.12; log "kill -9 the service again"; kill -9 "$svc_pid"; wait "$svc_pid" 2>/dev/null || true
sleep 1; start_service; log "service back"

at 0.12; log "freeze MariaDB (SIGSTOP) for 7s: past the reply budget"; kill -STOP "$db_pid"
sleep 7; kill -CONT "$db_pid"; log "MariaDB thawed"

log "waiting for the drill to finish and settle"
wait "$drill_pid" || { cat "$work/drill.log" >&2; exit 1; }
cat "$work/drill.log" >&2
log "figures"
cat "$work/figures.txt"
undelivered=$(curl -s "http://127.0.0.1:$admin_port/metrics" | grep -E '^minqing_(push_undelivered|late_failures)_total' || true)
[ -n "$undelivered" ] && printf '%s\n' "$undelivered" | sed 's/^/   /'
grep -q '^sent .* lost 0, duplicated 0$' "$work/figures.txt"
