#!/usr/bin/env bash
# Stop the etcd started by etcd-start.sh: only the PID in $INFRA_RUN_DIR/etcd.pid, and only if it is etcd.
# ETCD_PURGE=1 (or --purge) also deletes the data dir.
set -uo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$HERE/lib.sh"
RUN_DIR="${INFRA_RUN_DIR:-/tmp/quiver-infra}"
[ "${1:-}" = "--purge" ] && ETCD_PURGE=1
stop_pid etcd "$RUN_DIR/etcd.pid" '^etcd ' 10 "$RUN_DIR/etcd.env"
[ "${ETCD_PURGE:-0}" = 1 ] && rm -rf "${ETCD_DATA_DIR:-$RUN_DIR/etcd-data}"
exit 0
