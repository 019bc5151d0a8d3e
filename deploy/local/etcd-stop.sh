#!/usr/bin/env bash
# Stop the etcd started by etcd-start.sh: only the PID in $INFRA_RUN_DIR/etcd.pid, and only if it is etcd.
# ETCD_PURGE=1 (or --purge) also deletes the data dir.
set -uo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
RUN_DIR="${INFRA_RUN_DIR:-/tmp/quiver-infra}"
DATA_DIR="${ETCD_DATA_DIR:-$RUN_DIR/etcd-data}"
PIDFILE="$RUN_DIR/etcd.pid"
[ "${1:-}" = "--purge" ] && ETCD_PURGE=1
if [ -f "$PIDFILE" ]; then
  PID="$(cat "$PIDFILE")"
  if kill -0 "$PID" 2>/dev/null && tr '\0' ' ' <"/proc/$PID/cmdline" | grep -q '^etcd '; then
    kill "$PID"
    for _ in $(seq 1 100); do kill -0 "$PID" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$PID" 2>/dev/null; then echo "etcd $PID ignored SIGTERM for 10 s; sending SIGKILL" >&2; kill -9 "$PID"; fi
    echo "stopped etcd (pid $PID)" >&2
  else
    echo "pid $PID is not a running etcd; nothing killed" >&2
  fi
  rm -f "$PIDFILE" "$RUN_DIR/etcd.env"
else
  echo "no $PIDFILE; nothing to stop" >&2
fi
[ "${ETCD_PURGE:-0}" = 1 ] && rm -rf "$DATA_DIR"
exit 0
