#!/usr/bin/env bash
# Run a single-node Apache Kafka (KRaft, broker+controller in one JVM) without Docker, using the
# jars collected by deploy/kafka/fetch-jars.sh into <repo>/.cache/kafka/libs.
#
# Usage:
#   broker.sh start  --data-dir DIR --port P --controller-port C [--wait-seconds N]
#   broker.sh stop   --data-dir DIR
#   broker.sh status --data-dir DIR
#
# Layout of DIR:  server.properties, logs/ (Kafka log.dirs, formatted once and kept across
# restarts), broker.log (stdout+stderr of the JVM; the previous one is kept as broker.log.1),
# broker.pid (pid of the java process).
#
# Environment (optional):
#   KAFKA_LIBS_DIR      jar directory (default <repo>/.cache/kafka/libs)
#   KAFKA_HEAP_OPTS     default "-Xms256m -Xmx768m"
#   KAFKA_JVM_OPTS      extra JVM flags appended to the defaults
#   KAFKA_STOP_TIMEOUT  seconds to wait after SIGTERM before SIGKILL (default 30)
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPT_DIR/../.." && pwd)"
LIBS_DIR="${KAFKA_LIBS_DIR:-$REPO_ROOT/.cache/kafka/libs}"
LOG4J_CONFIG="$SCRIPT_DIR/log4j.properties"
HEAP_OPTS="${KAFKA_HEAP_OPTS:--Xms256m -Xmx768m}"
STOP_TIMEOUT="${KAFKA_STOP_TIMEOUT:-30}"
READY_MARKER="Kafka Server started"

log() { echo "[kafka] $*"; }
die() { echo "[kafka] ERROR: $*" >&2; exit 1; }

usage() {
  cat <<EOF
Usage:
  $(basename "$0") start  --data-dir DIR --port P --controller-port C [--wait-seconds N]
  $(basename "$0") stop   --data-dir DIR
  $(basename "$0") status --data-dir DIR
EOF
}

now() { date +%s.%N; }
elapsed_since() { awk -v s="$1" -v e="$(now)" 'BEGIN { printf "%.1f", e - s }'; }
is_uint() { [[ "$1" =~ ^[0-9]+$ ]]; }

# ---------------------------------------------------------------------------------------------
# Process helpers
# ---------------------------------------------------------------------------------------------

# True if the process exists and is not a zombie (an exited-but-unreaped java must count as gone).
is_alive() {
  local pid="$1" stat
  kill -0 "$pid" 2>/dev/null || return 1
  stat="$(ps -o stat= -p "$pid" 2>/dev/null || true)"
  [[ -n "$stat" && "$stat" != Z* ]]
}

# Unique signature of a broker running from this data dir (also guards against pid reuse).
broker_signature() { echo "kafka.Kafka $DATA_DIR/server.properties"; }

is_our_broker() {
  local pid="$1" args
  is_alive "$pid" || return 1
  args="$(ps -ww -o args= -p "$pid" 2>/dev/null || true)"
  [[ "$args" == *"$(broker_signature)"* ]]
}

# Every live process running a broker for this data dir (normally zero or one).
find_broker_pids() {
  local sig pid args
  sig="$(broker_signature)"
  while read -r pid args; do
    [[ "$args" == *"$sig"* ]] || continue
    [[ "$pid" == "$$" ]] && continue
    is_alive "$pid" && echo "$pid"
  done < <(ps -eww -o pid=,args= 2>/dev/null || true)
}

pid_from_file() {
  local pid=""
  [[ -f "$PID_FILE" ]] && pid="$(tr -dc '0-9' <"$PID_FILE")"
  echo "$pid"
}

# The pid of the running broker for DATA_DIR, or nothing.
running_pid() {
  local pid
  pid="$(pid_from_file)"
  if [[ -n "$pid" ]] && is_our_broker "$pid"; then
    echo "$pid"
    return 0
  fi
  find_broker_pids | head -n 1
}

port_open() {
  local port="$1"
  if command -v timeout >/dev/null 2>&1; then
    timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$port" 2>/dev/null
  else
    bash -c "exec 3<>/dev/tcp/127.0.0.1/$port" 2>/dev/null
  fi
}

configured_port() {
  [[ -f "$DATA_DIR/server.properties" ]] || return 0
  sed -n 's/^listeners=PLAINTEXT:\/\/[^:]*:\([0-9]*\).*/\1/p' "$DATA_DIR/server.properties" | head -n 1
}

# ---------------------------------------------------------------------------------------------
# Argument parsing
# ---------------------------------------------------------------------------------------------

[[ $# -ge 1 ]] || { usage >&2; exit 2; }
CMD="$1"
shift

DATA_DIR_ARG=""
PORT=""
CONTROLLER_PORT=""
WAIT_SECONDS=90
while [[ $# -gt 0 ]]; do
  case "$1" in
    --data-dir) DATA_DIR_ARG="${2:-}"; shift 2 || die "--data-dir needs a value" ;;
    --data-dir=*) DATA_DIR_ARG="${1#*=}"; shift ;;
    --port) PORT="${2:-}"; shift 2 || die "--port needs a value" ;;
    --port=*) PORT="${1#*=}"; shift ;;
    --controller-port) CONTROLLER_PORT="${2:-}"; shift 2 || die "--controller-port needs a value" ;;
    --controller-port=*) CONTROLLER_PORT="${1#*=}"; shift ;;
    --wait-seconds) WAIT_SECONDS="${2:-}"; shift 2 || die "--wait-seconds needs a value" ;;
    --wait-seconds=*) WAIT_SECONDS="${1#*=}"; shift ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown argument: $1" ;;
  esac
done

case "$CMD" in
  start|stop|status) ;;
  -h|--help|help) usage; exit 0 ;;
  *) usage >&2; die "unknown command: $CMD" ;;
esac

[[ -n "$DATA_DIR_ARG" ]] || die "--data-dir is required"

# Absolute path (relative paths are relative to the caller's working directory).
if [[ "$CMD" == start ]]; then
  mkdir -p "$DATA_DIR_ARG"
fi
if [[ -d "$DATA_DIR_ARG" ]]; then
  DATA_DIR="$(cd "$DATA_DIR_ARG" && pwd -P)"
else
  case "$DATA_DIR_ARG" in
    /*) DATA_DIR="$DATA_DIR_ARG" ;;
    *) DATA_DIR="$PWD/$DATA_DIR_ARG" ;;
  esac
fi
PID_FILE="$DATA_DIR/broker.pid"
LOG_FILE="$DATA_DIR/broker.log"
KAFKA_LOG_DIR="$DATA_DIR/logs"

# ---------------------------------------------------------------------------------------------
# Commands
# ---------------------------------------------------------------------------------------------

cmd_status() {
  local pid
  pid="$(running_pid)"
  if [[ -n "$pid" ]]; then
    log "running (pid $pid) on 127.0.0.1:$(configured_port), data dir $DATA_DIR"
    return 0
  fi
  log "not running (data dir $DATA_DIR)"
  return 1
}

cmd_stop() {
  local t0 pid file_pid deadline remaining
  local -a pids=() children=()
  t0="$(now)"

  file_pid="$(pid_from_file)"
  if [[ -n "$file_pid" ]] && is_our_broker "$file_pid"; then
    pids+=("$file_pid")
  fi
  # Also catch a broker for this data dir whose pid file was lost or overwritten.
  while read -r pid; do
    [[ -n "$pid" ]] || continue
    [[ " ${pids[*]-} " == *" $pid "* ]] || pids+=("$pid")
  done < <(find_broker_pids)

  if [[ ${#pids[@]} -eq 0 ]]; then
    rm -f "$PID_FILE"
    log "not running (data dir $DATA_DIR)"
    return 0
  fi

  # The java process is the broker itself and forks nothing, but be thorough: remember any
  # children now (they would be re-parented once the JVM exits).
  for pid in "${pids[@]}"; do
    while read -r c; do [[ -n "$c" ]] && children+=("$c"); done < <(pgrep -P "$pid" 2>/dev/null || true)
  done

  log "stopping broker (pid ${pids[*]}) with SIGTERM, waiting up to ${STOP_TIMEOUT}s ..."
  kill -TERM "${pids[@]}" 2>/dev/null || true

  deadline=$(( $(date +%s) + STOP_TIMEOUT ))
  while :; do
    remaining=()
    for pid in "${pids[@]}"; do is_alive "$pid" && remaining+=("$pid"); done
    [[ ${#remaining[@]} -eq 0 ]] && break
    if (( $(date +%s) >= deadline )); then
      log "broker did not exit within ${STOP_TIMEOUT}s; sending SIGKILL to ${remaining[*]}"
      kill -KILL "${remaining[@]}" 2>/dev/null || true
      sleep 1
      break
    fi
    sleep 0.2
  done

  for pid in ${children[@]+"${children[@]}"}; do
    if is_alive "$pid"; then
      log "killing leftover child process $pid"
      kill -KILL "$pid" 2>/dev/null || true
    fi
  done

  # Verify nothing is left behind.
  for _ in 1 2 3 4 5 6 7 8 9 10; do
    [[ -z "$(find_broker_pids)" ]] && break
    sleep 0.5
  done
  remaining=()
  for pid in "${pids[@]}"; do is_alive "$pid" && remaining+=("$pid"); done
  while read -r pid; do [[ -n "$pid" ]] && remaining+=("$pid"); done < <(find_broker_pids)
  if [[ ${#remaining[@]} -gt 0 ]]; then
    die "broker process(es) still alive after SIGKILL: ${remaining[*]}"
  fi

  rm -f "$PID_FILE"
  log "stopped in $(elapsed_since "$t0")s (data dir $DATA_DIR)"
}

write_server_properties() {
  cat >"$DATA_DIR/server.properties" <<EOF
# Generated by deploy/kafka/broker.sh -- rewritten on every start; edit the script, not this file.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$PORT,CONTROLLER://127.0.0.1:$CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT

log.dirs=$KAFKA_LOG_DIR

# Single node, tuned for fast tests.
num.partitions=3
default.replication.factor=1
min.insync.replicas=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=false
EOF
}

# JVM command line shared by StorageTool and the broker.
JAVA_CMD=()
build_java_cmd() {
  local -a heap=() extra=()
  read -r -a heap <<<"$HEAP_OPTS"
  read -r -a extra <<<"${KAFKA_JVM_OPTS:-}"
  JAVA_CMD=(java ${heap[@]+"${heap[@]}"} -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -Djava.awt.headless=true
    "-Dlog4j.configuration=file:$LOG4J_CONFIG" ${extra[@]+"${extra[@]}"} -cp "$LIBS_DIR/*")
}

cmd_start() {
  local pid t0 t_format cluster_id out deadline elapsed java_pid

  [[ -n "$PORT" ]] || die "--port is required"
  [[ -n "$CONTROLLER_PORT" ]] || die "--controller-port is required"
  is_uint "$PORT" || die "--port must be a number (got '$PORT')"
  is_uint "$CONTROLLER_PORT" || die "--controller-port must be a number (got '$CONTROLLER_PORT')"
  is_uint "$WAIT_SECONDS" || die "--wait-seconds must be a whole number of seconds (got '$WAIT_SECONDS')"
  [[ "$PORT" != "$CONTROLLER_PORT" ]] || die "--port and --controller-port must differ"

  # Already running? (idempotent)
  pid="$(running_pid)"
  if [[ -n "$pid" ]]; then
    echo "$pid" >"$PID_FILE"
    log "already running (pid $pid) on 127.0.0.1:$(configured_port), data dir $DATA_DIR"
    return 0
  fi
  if [[ -f "$PID_FILE" ]]; then
    log "removing stale pid file $PID_FILE"
    rm -f "$PID_FILE"
  fi

  command -v java >/dev/null 2>&1 || die "'java' not found on PATH; install openjdk-17-jdk-headless"
  compgen -G "$LIBS_DIR/kafka_2.13-*.jar" >/dev/null \
    || die "no Kafka jars in $LIBS_DIR; run: bash $SCRIPT_DIR/fetch-jars.sh"
  [[ -f "$LOG4J_CONFIG" ]] || die "missing $LOG4J_CONFIG"
  build_java_cmd

  port_open "$PORT" && die "127.0.0.1:$PORT already accepts connections (another Kafka or service?); stop it or choose another --port"
  port_open "$CONTROLLER_PORT" && die "127.0.0.1:$CONTROLLER_PORT already accepts connections; stop that service or choose another --controller-port"

  write_server_properties

  # Format the storage only once: a restart must keep topics and committed offsets.
  if [[ ! -f "$KAFKA_LOG_DIR/meta.properties" ]]; then
    t_format="$(now)"
    cluster_id="$("${JAVA_CMD[@]}" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -n 1)" \
      || die "kafka.tools.StorageTool random-uuid failed"
    [[ -n "$cluster_id" ]] || die "kafka.tools.StorageTool random-uuid printed nothing"
    mkdir -p "$KAFKA_LOG_DIR"
    if ! out="$("${JAVA_CMD[@]}" kafka.tools.StorageTool format \
          -t "$cluster_id" -c "$DATA_DIR/server.properties" 2>&1)"; then
      echo "$out" >&2
      die "formatting $KAFKA_LOG_DIR failed"
    fi
    log "formatted new storage in $KAFKA_LOG_DIR (cluster id $cluster_id) in $(elapsed_since "$t_format")s"
  else
    log "reusing existing storage in $KAFKA_LOG_DIR"
  fi

  # Fresh log for this start (keep the previous one for post-mortems).
  [[ -f "$LOG_FILE" ]] && mv -f "$LOG_FILE" "$LOG_FILE.1"
  : >"$LOG_FILE"

  t0="$(now)"
  local -a launcher=(nohup)
  # New session: Ctrl-C / SIGHUP aimed at the caller's process group must not take the broker down.
  # (The shell is not interactive, so setsid execs in place and $! stays the java pid.)
  command -v setsid >/dev/null 2>&1 && launcher=(setsid nohup)
  (
    cd "$DATA_DIR"
    exec "${launcher[@]}" "${JAVA_CMD[@]}" kafka.Kafka "$DATA_DIR/server.properties" \
      >>"$LOG_FILE" 2>&1 </dev/null
  ) &
  pid=$!
  echo "$pid" >"$PID_FILE"
  log "starting broker (pid $pid) on 127.0.0.1:$PORT (controller 127.0.0.1:$CONTROLLER_PORT), log: $LOG_FILE"

  deadline=$(( $(date +%s) + WAIT_SECONDS ))
  while :; do
    if ! is_alive "$pid"; then
      echo "----- last 40 lines of $LOG_FILE -----" >&2
      tail -n 40 "$LOG_FILE" >&2 || true
      echo "--------------------------------------" >&2
      rm -f "$PID_FILE"
      die "broker process exited during startup (see $LOG_FILE)"
    fi
    if grep -q "$READY_MARKER" "$LOG_FILE" 2>/dev/null && port_open "$PORT"; then
      break
    fi
    if (( $(date +%s) >= deadline )); then
      echo "----- last 40 lines of $LOG_FILE -----" >&2
      tail -n 40 "$LOG_FILE" >&2 || true
      echo "--------------------------------------" >&2
      log "broker not ready after ${WAIT_SECONDS}s; stopping it"
      cmd_stop >&2 || true
      die "timed out after ${WAIT_SECONDS}s waiting for '$READY_MARKER' and 127.0.0.1:$PORT"
    fi
    sleep 0.2
  done
  elapsed="$(elapsed_since "$t0")"

  # The pid file must name the java process itself.
  if [[ "$(ps -o comm= -p "$pid" 2>/dev/null || true)" != java ]]; then
    java_pid="$(find_broker_pids | head -n 1)"
    [[ -n "$java_pid" ]] || die "broker is up but its java process could not be identified"
    pid="$java_pid"
    echo "$pid" >"$PID_FILE"
  fi

  log "kafka ready on 127.0.0.1:$PORT in ${elapsed}s (pid $pid)"
}

case "$CMD" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
esac
