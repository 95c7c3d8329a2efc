#!/usr/bin/env bash
# Start and stop N processes of the Socket.IO peer on consecutive ports, all on one Redis.
#
#   REDIS_URL=redis://127.0.0.1:6379 bench/peer-socketio/run-cluster.sh up [--nodes N] [--port P]
#   bench/peer-socketio/run-cluster.sh pids      # their PIDs, comma-separated (for loadgen --pids)
#   bench/peer-socketio/run-cluster.sh urls      # ws://127.0.0.1:P,... (for loadgen --urls)
#   bench/peer-socketio/run-cluster.sh status
#   bench/peer-socketio/run-cluster.sh down
#
# Defaults: 3 processes on 3001, 3002, 3003. REDIS_URL is required (the benchmark starts its own
# Redis). Any other setting of server.js (ADAPTER, MAX_NOTE_BYTES, ...) and NODE_OPTIONS set in the
# environment reach every process. Runs `npm ci` first when node_modules is missing. PID files,
# logs and the port list are under $PEER_RUN_DIR (default bench/peer-socketio/.run/); `down` stops
# exactly those processes (SIGTERM, then SIGKILL after 10 s) and nothing else.
set -euo pipefail

DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
RUN_DIR="${PEER_RUN_DIR:-$DIR/.run}"
START_TIMEOUT=30
STOP_TIMEOUT=10

die() { echo "peer: $*" >&2; exit 1; }
info() { echo "peer: $*"; }

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# A PID file counts only while its PID still runs our server.js (PIDs get reused).
live_pid() {
  local f="$1" pid
  [[ -f "$f" ]] || return 1
  pid="$(cat "$f")"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q "$DIR/server.js" || return 1
  echo "$pid"
}

pid_files() { compgen -G "$RUN_DIR/peer-*.pid" | sort -V || true; }

up() {
  local nodes=3 port=3001
  while (( $# )); do
    case "$1" in
      --nodes) nodes="$2"; shift 2 ;;
      --port) port="$2"; shift 2 ;;
      *) die "unknown option $1" ;;
    esac
  done
  [[ "$nodes" =~ ^[1-9][0-9]*$ ]] || die "--nodes must be a positive number"
  [[ "$port" =~ ^[0-9]+$ ]] || die "--port must be a number"
  [[ -n "${REDIS_URL:-}" ]] || die "set REDIS_URL (redis://host:port)"
  command -v node >/dev/null || die "node not found on PATH"
  [[ -z "$(pid_files)" ]] || die "already up (run-cluster.sh down first): $RUN_DIR"
  if [[ ! -d "$DIR/node_modules" ]]; then
    info "npm ci"
    (cd "$DIR" && npm ci --no-audit --no-fund --loglevel=error)
  fi
  local i p
  for (( i = 1; i <= nodes; i++ )); do
    p=$(( port + i - 1 ))
    ! port_in_use "$p" || die "port $p is taken"
  done
  mkdir -p "$RUN_DIR"
  : >"$RUN_DIR/ports"
  for (( i = 1; i <= nodes; i++ )); do
    p=$(( port + i - 1 ))
    PORT="$p" HOST="${HOST:-127.0.0.1}" NODE_ID="peer-$i" REDIS_URL="$REDIS_URL" \
      nohup node "$DIR/server.js" >"$RUN_DIR/peer-$i.log" 2>&1 &
    echo $! >"$RUN_DIR/peer-$i.pid"
    echo "$p" >>"$RUN_DIR/ports"
  done
  local deadline=$(( SECONDS + START_TIMEOUT ))
  for (( i = 1; i <= nodes; i++ )); do
    p=$(( port + i - 1 ))
    until port_in_use "$p"; do
      live_pid "$RUN_DIR/peer-$i.pid" >/dev/null || { tail -5 "$RUN_DIR/peer-$i.log" >&2; down; die "peer-$i exited"; }
      (( SECONDS < deadline )) || { down; die "peer-$i did not listen on $p within ${START_TIMEOUT}s"; }
      sleep 0.2
    done
  done
  info "$nodes process(es) up on $(urls) (pids $(pids))"
}

pids() {
  local f out=() pid
  for f in $(pid_files); do
    pid="$(live_pid "$f")" && out+=("$pid")
  done
  (IFS=,; echo "${out[*]}")
}

urls() {
  [[ -f "$RUN_DIR/ports" ]] || return 0
  sed 's|^|ws://127.0.0.1:|' "$RUN_DIR/ports" | paste -sd, -
}

status() {
  local f pid
  for f in $(pid_files); do
    if pid="$(live_pid "$f")"; then echo "$(basename "$f" .pid): running, pid $pid"; else echo "$(basename "$f" .pid): not running"; fi
  done
}

down() {
  local f pid waiting=()
  for f in $(pid_files); do
    if pid="$(live_pid "$f")"; then
      kill -TERM "$pid" 2>/dev/null || true
      waiting+=("$pid")
    fi
  done
  local deadline=$(( SECONDS + STOP_TIMEOUT ))
  for pid in "${waiting[@]}"; do
    while kill -0 "$pid" 2>/dev/null; do
      if (( SECONDS >= deadline )); then kill -KILL "$pid" 2>/dev/null || true; break; fi
      sleep 0.1
    done
  done
  rm -f "$RUN_DIR"/peer-*.pid "$RUN_DIR/ports"
  info "down (${#waiting[@]} process(es) stopped)"
}

cmd="${1:-}"
shift || true
case "$cmd" in
  up) up "$@" ;;
  down) down ;;
  pids) pids ;;
  urls) urls ;;
  status) status ;;
  *) sed -n '2,15p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; [[ -z "$cmd" ]] || exit 2 ;;
esac
