#!/usr/bin/env bash
# Stop the s3proxy started by s3-start.sh: only the PID in $INFRA_RUN_DIR/s3.pid, and only if it is s3proxy.
# S3_PURGE=1 (or --purge) also deletes the data dir.
set -uo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
RUN_DIR="${INFRA_RUN_DIR:-/tmp/quiver-infra}"
DATA_DIR="${S3_DATA_DIR:-$RUN_DIR/s3-data}"
PIDFILE="$RUN_DIR/s3.pid"
[ "${1:-}" = "--purge" ] && S3_PURGE=1
if [ -f "$PIDFILE" ]; then
  PID="$(cat "$PIDFILE")"
  if kill -0 "$PID" 2>/dev/null && tr '\0' ' ' <"/proc/$PID/cmdline" | grep -q 's3proxy.*jar-with-dependencies'; then
    kill "$PID"
    for _ in $(seq 1 100); do kill -0 "$PID" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$PID" 2>/dev/null; then echo "s3proxy $PID ignored SIGTERM for 10 s; sending SIGKILL" >&2; kill -9 "$PID"; fi
    echo "stopped s3proxy (pid $PID)" >&2
  else
    echo "pid $PID is not a running s3proxy; nothing killed" >&2
  fi
  rm -f "$PIDFILE" "$RUN_DIR/s3.env"
else
  echo "no $PIDFILE; nothing to stop" >&2
fi
[ "${S3_PURGE:-0}" = 1 ] && rm -rf "$DATA_DIR"
exit 0
