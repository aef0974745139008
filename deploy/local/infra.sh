#!/usr/bin/env bash
# Local infrastructure for PayLab without Docker: PostgreSQL, Redis and a single-node Apache Kafka
# (KRaft) broker.
#
# Usage:
#   bash deploy/local/infra.sh up     # reuse or start Postgres + Redis, start Kafka, wait until ready
#   bash deploy/local/infra.sh down   # stop Kafka; stop Postgres/Redis only if `up` started them
#
# Environment (optional):
#   PGPORT                 Postgres port (default 5432)
#   REDIS_PORT             Redis port (default 6379)
#   KAFKA_PORT             Kafka client port (default 9092)
#   KAFKA_CONTROLLER_PORT  Kafka KRaft controller port (default 9093)
#   KAFKA_WAIT_SECONDS     how long to wait for the broker (default 90)
#
# State lives in <repo>/.cache/local (git-ignored): kafka/ (broker data, kept across restarts),
# started-postgres / started-redis (present only if this script started that service).
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPT_DIR/../.." && pwd)"
STATE_DIR="$REPO_ROOT/.cache/local"
KAFKA_DATA_DIR="$STATE_DIR/kafka"
PG_MARKER="$STATE_DIR/started-postgres"
REDIS_MARKER="$STATE_DIR/started-redis"
BROKER_SH="$REPO_ROOT/deploy/kafka/broker.sh"
FETCH_JARS_SH="$REPO_ROOT/deploy/kafka/fetch-jars.sh"

PGPORT="${PGPORT:-5432}"
REDIS_PORT="${REDIS_PORT:-6379}"
KAFKA_PORT="${KAFKA_PORT:-9092}"
KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-9093}"
KAFKA_WAIT_SECONDS="${KAFKA_WAIT_SECONDS:-90}"

export DEBIAN_FRONTEND=noninteractive

log() { echo "[infra] $*"; }
warn() { echo "[infra] WARNING: $*" >&2; }
die() { echo "[infra] ERROR: $*" >&2; exit 1; }

now() { date +%s.%N; }
elapsed_since() { awk -v s="$1" -v e="$(now)" 'BEGIN { printf "%.1f", e - s }'; }

usage() {
  cat <<EOF
Usage: bash deploy/local/infra.sh up|down
  up    reuse or start PostgreSQL (127.0.0.1:$PGPORT) and Redis (127.0.0.1:$REDIS_PORT),
        ensure role/database paylab, start Kafka (127.0.0.1:$KAFKA_PORT) and wait until ready
  down  stop Kafka; stop PostgreSQL/Redis only if 'up' started them
EOF
}

# Run a command as root (directly, or through non-interactive sudo).
as_root() {
  if [[ $EUID -eq 0 ]]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    sudo -n "$@"
  else
    die "need root to run '$*' (run as root or configure passwordless sudo)"
  fi
}

APT_UPDATED=0
apt_install() {
  command -v apt-get >/dev/null 2>&1 || die "apt-get not available; install $* yourself"
  if [[ $APT_UPDATED -eq 0 ]]; then
    log "apt-get update ..."
    as_root apt-get update -q >/dev/null || die "apt-get update failed"
    APT_UPDATED=1
  fi
  log "apt-get install -y $* ..."
  as_root apt-get install -y -q --no-install-recommends "$@" >/dev/null || die "apt-get install $* failed"
}

# ---------------------------------------------------------------------------------------------
# PostgreSQL
# ---------------------------------------------------------------------------------------------

pg_ready() { command -v pg_isready >/dev/null 2>&1 && pg_isready -q -h 127.0.0.1 -p "$PGPORT" -t 2; }

# Newest installed cluster version (Debian layout: /etc/postgresql/<version>/<cluster>).
pg_cluster_version() {
  [[ -d /etc/postgresql ]] || return 0
  find /etc/postgresql -mindepth 1 -maxdepth 1 -type d -printf '%f\n' 2>/dev/null | sort -V | tail -n 1
}

pg_installed_version() {
  [[ -d /usr/lib/postgresql ]] || return 0
  find /usr/lib/postgresql -mindepth 1 -maxdepth 1 -type d -printf '%f\n' 2>/dev/null | sort -V | tail -n 1
}

PG_MODE=""  # tcp | su
pg_sql() {  # SQL on stdin; extra psql args in "$@"
  case "$PG_MODE" in
    tcp) psql -X -q -w -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PGPORT" -U postgres -d postgres "$@" ;;
    su)
      if [[ $EUID -eq 0 ]]; then
        (cd / && su postgres -c "psql -X -q -w -v ON_ERROR_STOP=1 -p $PGPORT -d postgres $*")
      else
        (cd / && sudo -n -u postgres psql -X -q -w -v ON_ERROR_STOP=1 -p "$PGPORT" -d postgres "$@")
      fi ;;
    *) die "internal: no Postgres connection mode" ;;
  esac
}

pg_pick_mode() {
  PG_MODE=tcp
  if echo 'select 1' | pg_sql -tA >/dev/null 2>&1; then return 0; fi
  PG_MODE=su
  if echo 'select 1' | pg_sql -tA >/dev/null 2>&1; then return 0; fi
  PG_MODE=""
  die "cannot connect to Postgres as superuser 'postgres' (tried 'psql -h 127.0.0.1 -p $PGPORT -U postgres' and 'su postgres -c psql')"
}

pg_ensure_paylab() {
  command -v psql >/dev/null 2>&1 || apt_install postgresql-client
  pg_pick_mode
  pg_sql <<'SQL' || die "could not create/update role paylab"
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'paylab') THEN
    CREATE ROLE paylab LOGIN CREATEDB PASSWORD 'paylab';
  ELSE
    ALTER ROLE paylab LOGIN CREATEDB PASSWORD 'paylab';
  END IF;
END
$$;
SQL
  if [[ "$(echo "SELECT 1 FROM pg_database WHERE datname = 'paylab'" | pg_sql -tA)" != 1 ]]; then
    echo 'CREATE DATABASE paylab OWNER paylab' | pg_sql || die "could not create database paylab"
    log "postgres: created database paylab (owner paylab)"
  else
    echo 'ALTER DATABASE paylab OWNER TO paylab' | pg_sql || die "could not set owner of database paylab"
  fi
  log "postgres: role paylab/paylab (LOGIN, CREATEDB) and database paylab ready (via $PG_MODE)"
}

PG_STATUS=""
PG_TIME=""
postgres_up() {
  local t0 version deadline
  t0="$(now)"
  if pg_ready; then
    PG_STATUS="reused (already running)"
    log "postgres: 127.0.0.1:$PGPORT is accepting connections; reusing it"
  else
    if ! command -v pg_ctlcluster >/dev/null 2>&1 || [[ -z "$(pg_installed_version)" ]]; then
      log "postgres: not installed; installing the postgresql package"
      apt_install postgresql
    fi
    version="$(pg_cluster_version)"
    if [[ -z "$version" || ! -d "/etc/postgresql/$version/main" ]]; then
      version="$(pg_installed_version)"
      [[ -n "$version" ]] || die "postgres: no server found under /usr/lib/postgresql after install"
      log "postgres: creating cluster $version/main"
      as_root pg_createcluster --port "$PGPORT" "$version" main >/dev/null || die "pg_createcluster $version main failed"
    fi
    # The package's postinst may already have started it.
    if ! pg_ready; then
      log "postgres: starting cluster $version/main"
      as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start \
        || die "postgres: 'pg_ctlcluster --skip-systemctl-redirect $version main start' failed"
    fi
    mkdir -p "$STATE_DIR"
    echo "$version main" >"$PG_MARKER"
    deadline=$(( $(date +%s) + 30 ))
    until pg_ready; do
      (( $(date +%s) < deadline )) || die "postgres: started cluster $version/main but 127.0.0.1:$PGPORT is not ready after 30s (check its port in /etc/postgresql/$version/main/postgresql.conf)"
      sleep 0.3
    done
    PG_STATUS="started by infra.sh (cluster $version/main)"
  fi
  pg_ensure_paylab
  PG_TIME="$(elapsed_since "$t0")"
}

postgres_down() {
  local version cluster
  if [[ ! -f "$PG_MARKER" ]]; then
    log "postgres: not started by infra.sh; leaving it alone"
    return 0
  fi
  read -r version cluster <"$PG_MARKER" || true
  cluster="${cluster:-main}"
  if [[ -n "${version:-}" ]] && command -v pg_ctlcluster >/dev/null 2>&1; then
    log "postgres: stopping cluster $version/$cluster (started by infra.sh)"
    if ! as_root pg_ctlcluster --skip-systemctl-redirect "$version" "$cluster" stop -m fast 2>/dev/null; then
      if pg_ready; then
        warn "postgres: could not stop cluster $version/$cluster"
        return 1
      fi
      log "postgres: already stopped"
    fi
  fi
  rm -f "$PG_MARKER"
}

# ---------------------------------------------------------------------------------------------
# Redis
# ---------------------------------------------------------------------------------------------

redis_ready() {
  command -v redis-cli >/dev/null 2>&1 && [[ "$(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null)" == PONG ]]
}

REDIS_STATUS=""
REDIS_TIME=""
redis_up() {
  local t0 deadline
  t0="$(now)"
  if redis_ready; then
    REDIS_STATUS="reused (already running)"
    log "redis: 127.0.0.1:$REDIS_PORT answers PING; reusing it"
  else
    if ! command -v redis-server >/dev/null 2>&1 || ! command -v redis-cli >/dev/null 2>&1; then
      log "redis: not installed; installing the redis-server package"
      apt_install redis-server
    fi
    # The package's postinst may already have started it.
    if ! redis_ready; then
      log "redis: starting redis-server on 127.0.0.1:$REDIS_PORT"
      redis-server --daemonize yes --bind 127.0.0.1 --port "$REDIS_PORT" --save "" --appendonly no \
        >/dev/null || die "redis: redis-server failed to start"
    fi
    mkdir -p "$STATE_DIR"
    echo "$REDIS_PORT" >"$REDIS_MARKER"
    deadline=$(( $(date +%s) + 15 ))
    until redis_ready; do
      (( $(date +%s) < deadline )) || die "redis: not answering PING on 127.0.0.1:$REDIS_PORT after 15s"
      sleep 0.2
    done
    REDIS_STATUS="started by infra.sh"
  fi
  REDIS_TIME="$(elapsed_since "$t0")"
}

redis_down() {
  local port
  if [[ ! -f "$REDIS_MARKER" ]]; then
    log "redis: not started by infra.sh; leaving it alone"
    return 0
  fi
  port="$(tr -dc '0-9' <"$REDIS_MARKER")"
  port="${port:-$REDIS_PORT}"
  if command -v redis-cli >/dev/null 2>&1 \
      && [[ "$(redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null)" == PONG ]]; then
    log "redis: shutting down 127.0.0.1:$port (started by infra.sh)"
    redis-cli -h 127.0.0.1 -p "$port" shutdown nosave >/dev/null 2>&1 || true
    for _ in $(seq 1 50); do
      [[ "$(redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null)" == PONG ]] || break
      sleep 0.2
    done
    if [[ "$(redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null)" == PONG ]]; then
      warn "redis: still answering on 127.0.0.1:$port after shutdown"
      return 1
    fi
  else
    log "redis: already stopped"
  fi
  rm -f "$REDIS_MARKER"
}

# ---------------------------------------------------------------------------------------------
# Kafka
# ---------------------------------------------------------------------------------------------

KAFKA_STATUS=""
KAFKA_TIME=""
kafka_up() {
  local t0 out_file ready
  t0="$(now)"
  bash "$FETCH_JARS_SH"
  mkdir -p "$KAFKA_DATA_DIR"
  out_file="$(mktemp)"
  if ! bash "$BROKER_SH" start --data-dir "$KAFKA_DATA_DIR" --port "$KAFKA_PORT" \
      --controller-port "$KAFKA_CONTROLLER_PORT" --wait-seconds "$KAFKA_WAIT_SECONDS" | tee "$out_file"; then
    rm -f "$out_file"
    die "kafka: broker did not start (see $KAFKA_DATA_DIR/broker.log)"
  fi
  ready="$(sed -n 's/.*kafka ready on .* in \([0-9.]*\)s.*/\1/p' "$out_file" | tail -n 1)"
  rm -f "$out_file"
  if [[ -n "$ready" ]]; then
    KAFKA_STATUS="started (broker ready in ${ready}s)"
  else
    KAFKA_STATUS="reused (already running)"
  fi
  KAFKA_TIME="$(elapsed_since "$t0")"
}

kafka_down() {
  bash "$BROKER_SH" stop --data-dir "$KAFKA_DATA_DIR"
}

# ---------------------------------------------------------------------------------------------

cmd_up() {
  local t0
  t0="$(now)"
  mkdir -p "$STATE_DIR"
  postgres_up
  redis_up
  kafka_up
  cat <<EOF

[infra] ready in $(elapsed_since "$t0")s
  postgres  127.0.0.1:$PGPORT   ${PG_TIME}s  $PG_STATUS
  redis     127.0.0.1:$REDIS_PORT   ${REDIS_TIME}s  $REDIS_STATUS
  kafka     127.0.0.1:$KAFKA_PORT   ${KAFKA_TIME}s  $KAFKA_STATUS (data: $KAFKA_DATA_DIR)

  DATABASE_URL=postgres://paylab:paylab@127.0.0.1:$PGPORT/paylab
  REDIS_URL=redis://127.0.0.1:$REDIS_PORT
  KAFKA_BROKERS=127.0.0.1:$KAFKA_PORT
EOF
}

cmd_down() {
  local failed=0
  kafka_down || { warn "kafka: stop failed"; failed=1; }
  redis_down || failed=1
  postgres_down || failed=1
  if [[ $failed -ne 0 ]]; then
    die "some services could not be stopped (see messages above)"
  fi
  log "down"
}

case "${1:-}" in
  up) cmd_up ;;
  down) cmd_down ;;
  -h|--help|help) usage ;;
  *) usage >&2; exit 2 ;;
esac
