#!/usr/bin/env bash
# Stop the s3proxy started by s3-start.sh: only the PID in $INFRA_RUN_DIR/s3.pid, and only if it is s3proxy.
# S3_PURGE=1 (or --purge) also deletes the data dir.
set -uo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$HERE/lib.sh"
RUN_DIR="${INFRA_RUN_DIR:-/tmp/quiver-infra}"
[ "${1:-}" = "--purge" ] && S3_PURGE=1
stop_pid s3proxy "$RUN_DIR/s3.pid" 's3proxy.*jar-with-dependencies' 10 "$RUN_DIR/s3.env"
[ "${S3_PURGE:-0}" = 1 ] && rm -rf "${S3_DATA_DIR:-$RUN_DIR/s3-data}"
exit 0
