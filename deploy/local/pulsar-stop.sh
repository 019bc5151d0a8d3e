#!/usr/bin/env bash
# Stop the Pulsar standalone started by pulsar-start.sh: only the PID in $INFRA_RUN_DIR/pulsar.pid, and only if it
# is a PulsarStandaloneStarter JVM. SIGTERM first (graceful: cursors/acks are persisted), SIGKILL after 60 s.
# PULSAR_PURGE=1 (or --purge) also deletes the data dir.
set -uo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
RUN_DIR="${INFRA_RUN_DIR:-/tmp/quiver-infra}"
DATA_DIR="${PULSAR_DATA_DIR:-$RUN_DIR/pulsar-data}"
PIDFILE="$RUN_DIR/pulsar.pid"
[ "${1:-}" = "--purge" ] && PULSAR_PURGE=1
if [ -f "$PIDFILE" ]; then
  PID="$(cat "$PIDFILE")"
  if kill -0 "$PID" 2>/dev/null && tr '\0' ' ' <"/proc/$PID/cmdline" | grep -q 'org.apache.pulsar.PulsarStandaloneStarter'; then
    S=$(date +%s%N)
    kill "$PID"
    for _ in $(seq 1 600); do kill -0 "$PID" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$PID" 2>/dev/null; then echo "pulsar $PID ignored SIGTERM for 60 s; sending SIGKILL" >&2; kill -9 "$PID"; fi
    echo "stopped pulsar (pid $PID) in $(( ($(date +%s%N) - S) / 1000000 )) ms" >&2
  else
    echo "pid $PID is not a running Pulsar standalone; nothing killed" >&2
  fi
  rm -f "$PIDFILE" "$RUN_DIR/pulsar.env"
else
  echo "no $PIDFILE; nothing to stop" >&2
fi
[ "${PULSAR_PURGE:-0}" = 1 ] && rm -rf "$DATA_DIR"
exit 0
