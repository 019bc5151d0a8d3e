#!/usr/bin/env bash
# Start or stop Quiver's cluster-mode dependencies on loopback, without Docker:
# etcd (MetaKv), an S3 server (ObjectStore, S3Proxy) and Pulsar standalone (Wal).
#
#   deploy/local/deps.sh up      start them (those already running are reused), print KEY=VALUE env lines
#   deploy/local/deps.sh down    stop them (by PID, see the *-stop.sh scripts); --purge also deletes their data
#   deploy/local/deps.sh env     print the env lines of those running
#   deploy/local/deps.sh status  one line per service on stderr, exit 1 unless all selected run
#
# Env (all optional):
#   DEPS           which services, space-separated (default "etcd s3 pulsar"; e.g. DEPS="etcd s3")
#   INFRA_RUN_DIR  pid/log/env/data dir shared by all scripts (default /tmp/quiver-infra)
#   plus every setting of the individual scripts (ports, data dirs, *_CLEAN=1, ...).
# Stdout of "up"/"env": ETCD_ENDPOINTS=..., S3_ENDPOINT=..., S3_ACCESS_KEY=..., S3_SECRET_KEY=...,
# PULSAR_SERVICE_URL=..., PULSAR_ADMIN_URL=... (also written to $INFRA_RUN_DIR/deps.env), so
#   set -a; eval "$(deploy/local/deps.sh up)"; set +a
# exports them for the integration tests (./mvnw -pl common-storage test -Pintegration).
set -uo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
RUN_DIR="${INFRA_RUN_DIR:-/tmp/quiver-infra}"
export INFRA_RUN_DIR="$RUN_DIR"
DEPS="${DEPS:-etcd s3 pulsar}"
mkdir -p "$RUN_DIR"

running() { [ -f "$RUN_DIR/$1.pid" ] && kill -0 "$(cat "$RUN_DIR/$1.pid")" 2>/dev/null && [ -f "$RUN_DIR/$1.env" ]; }

print_env() {
  : >"$RUN_DIR/deps.env"
  for s in $DEPS; do
    if running "$s"; then cat "$RUN_DIR/$s.env" >>"$RUN_DIR/deps.env"; fi
  done
  cat "$RUN_DIR/deps.env"
}

reverse() { local out=""; for s in $1; do out="$s $out"; done; echo "$out"; }

case "${1:-}" in
  up)
    started=""
    for s in $DEPS; do
      if running "$s"; then echo "$s already running (pid $(cat "$RUN_DIR/$s.pid"))" >&2; continue; fi
      S=$(date +%s%N)
      if ! "$HERE/$s-start.sh" >/dev/null; then
        echo "starting $s failed; stopping what this call started:${started:- nothing}" >&2
        for t in $(reverse "$started"); do "$HERE/$t-stop.sh"; done
        exit 1
      fi
      echo "$s up in $(( ($(date +%s%N) - S) / 1000000 )) ms (including any one-time download)" >&2
      started="$started $s"
    done
    print_env
    ;;
  down)
    shift
    for s in $(reverse "$DEPS"); do "$HERE/$s-stop.sh" "$@"; done
    rm -f "$RUN_DIR/deps.env"
    ;;
  env)
    print_env
    ;;
  status)
    ok=0
    for s in $DEPS; do
      if running "$s"; then echo "$s: running (pid $(cat "$RUN_DIR/$s.pid"))" >&2; else echo "$s: stopped" >&2; ok=1; fi
    done
    exit $ok
    ;;
  *)
    echo "usage: $0 up|down [--purge]|env|status   (DEPS=\"etcd s3 pulsar\", INFRA_RUN_DIR=/tmp/quiver-infra)" >&2
    exit 2
    ;;
esac
