#!/usr/bin/env bash
# Stop the Pulsar standalone started by pulsar-start.sh: only the PID in $INFRA_RUN_DIR/pulsar.pid, and only if it
# is a PulsarStandaloneStarter JVM. SIGTERM first (graceful: cursors/acks are persisted), SIGKILL after 60 s.
# PULSAR_PURGE=1 (or --purge) also deletes the data dir.
set -uo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$HERE/lib.sh"
RUN_DIR="${INFRA_RUN_DIR:-/tmp/quiver-infra}"
[ "${1:-}" = "--purge" ] && PULSAR_PURGE=1
stop_pid pulsar "$RUN_DIR/pulsar.pid" 'org.apache.pulsar.PulsarStandaloneStarter' 60 "$RUN_DIR/pulsar.env"
[ "${PULSAR_PURGE:-0}" = 1 ] && rm -rf "${PULSAR_DATA_DIR:-$RUN_DIR/pulsar-data}"
exit 0
