#!/usr/bin/env bash
# Start a single-node etcd (Debian package etcd-server, 3.4.23 on bookworm) on loopback, in the background.
#
# Env (all optional):
#   ETCD_CLIENT_PORT   client port                (default 23790; not 2379, see below)
#   ETCD_PEER_PORT     peer port                  (default 23800)
#   INFRA_RUN_DIR      pid/log/env/data dir       (default: /tmp/quiver-infra)
#   ETCD_DATA_DIR      data dir                   (default: $INFRA_RUN_DIR/etcd-data; kept across restarts)
#   ETCD_CLEAN=1       wipe the data dir before starting
#   ETCD_START_TIMEOUT seconds to wait for health (default 30)
#   ETCD_TLS_DIR       serve clients over TLS with server.pem/server.key of this dir (deploy/tls/gen-certs.sh),
#                      clients check it against its ca.pem; endpoints become https://
#   ETCD_ROOT_PASSWORD turn etcd's authentication on: user root with this password (needs a fresh data dir)
# Stdout: ETCD_ENDPOINTS=http(s)://127.0.0.1:PORT  (also written to $INFRA_RUN_DIR/etcd.env). Logs go to stderr.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$HERE/lib.sh"
RUN_DIR="${INFRA_RUN_DIR:-/tmp/quiver-infra}"
CPORT="${ETCD_CLIENT_PORT:-23790}"
PPORT="${ETCD_PEER_PORT:-23800}"
TIMEOUT="${ETCD_START_TIMEOUT:-30}"
DATA_DIR="${ETCD_DATA_DIR:-$RUN_DIR/etcd-data}"
PIDFILE="$RUN_DIR/etcd.pid"; LOG="$RUN_DIR/etcd.log"
mkdir -p "$RUN_DIR"

refuse_if_running etcd "$PIDFILE"

if ! command -v etcd >/dev/null 2>&1 || ! command -v etcdctl >/dev/null 2>&1; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  echo "installing etcd-server etcd-client from apt ..." >&2
  # On a host where systemd is PID 1 the package also enables a system etcd on :2379;
  # that is why the default ports here are not 2379/2380.
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q etcd-server etcd-client >&2 \
    || { $SUDO apt-get update -q >&2 && $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q etcd-server etcd-client >&2; }
fi

for p in "$CPORT" "$PPORT"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "port $p on 127.0.0.1 is already in use" >&2; exit 1; fi
done

[ "${ETCD_CLEAN:-0}" = 1 ] && rm -rf "$DATA_DIR"
mkdir -p "$DATA_DIR"; chmod 700 "$DATA_DIR"

SCHEME=http; TLS_ARGS=(); CTL=(etcdctl --endpoints="127.0.0.1:$CPORT" --dial-timeout=1s --command-timeout=2s)
if [ -n "${ETCD_TLS_DIR:-}" ]; then
  SCHEME=https
  TLS_ARGS=(--cert-file "$ETCD_TLS_DIR/server.pem" --key-file "$ETCD_TLS_DIR/server.key")
  CTL+=(--cacert "$ETCD_TLS_DIR/ca.pem")
fi

START_NS=$(date +%s%N)
# setsid: own session, so the CI shell's job control / SIGHUP cannot reach it. $! is etcd's own PID.
setsid etcd --name infra-etcd --data-dir "$DATA_DIR" \
  --listen-client-urls "$SCHEME://127.0.0.1:$CPORT" --advertise-client-urls "$SCHEME://127.0.0.1:$CPORT" "${TLS_ARGS[@]}" \
  --listen-peer-urls "http://127.0.0.1:$PPORT" --initial-advertise-peer-urls "http://127.0.0.1:$PPORT" \
  --initial-cluster "infra-etcd=http://127.0.0.1:$PPORT" --initial-cluster-state new \
  --auto-compaction-mode revision --auto-compaction-retention 1000 \
  >"$LOG" 2>&1 </dev/null &
PID=$!
echo "$PID" >"$PIDFILE"

deadline=$(( $(date +%s) + TIMEOUT ))
until ETCDCTL_API=3 "${CTL[@]}" endpoint health >/dev/null 2>&1; do
  if ! kill -0 "$PID" 2>/dev/null; then echo "etcd exited during startup; last log lines:" >&2; tail -20 "$LOG" >&2; rm -f "$PIDFILE"; exit 1; fi
  if [ "$(date +%s)" -ge "$deadline" ]; then echo "etcd not healthy after ${TIMEOUT}s; last log lines:" >&2; tail -20 "$LOG" >&2; kill "$PID" 2>/dev/null || true; rm -f "$PIDFILE"; exit 1; fi
  sleep 0.1
done
if [ -n "${ETCD_ROOT_PASSWORD:-}" ]; then
  # etcd needs user root with role root before `auth enable`; etcdctl may exit 0 on a refused call, so check after
  ETCDCTL_API=3 "${CTL[@]}" user add root --new-user-password="$ETCD_ROOT_PASSWORD" --interactive=false >/dev/null \
    && ETCDCTL_API=3 "${CTL[@]}" user grant-role root root >/dev/null \
    && ETCDCTL_API=3 "${CTL[@]}" auth enable >/dev/null \
    && ! ETCDCTL_API=3 "${CTL[@]}" get /quiver-auth-check >/dev/null 2>&1 \
    && ETCDCTL_API=3 "${CTL[@]}" --user "root:$ETCD_ROOT_PASSWORD" get /quiver-auth-check >/dev/null \
    || { echo "enabling etcd authentication failed (a data dir from an earlier run? use ETCD_CLEAN=1)" >&2; kill "$PID"; rm -f "$PIDFILE"; exit 1; }
fi
MS=$(( ($(date +%s%N) - START_NS) / 1000000 ))
echo "ETCD_ENDPOINTS=$SCHEME://127.0.0.1:$CPORT" >"$RUN_DIR/etcd.env"
echo "etcd $(etcd --version | awk '/etcd Version/{print $3}') healthy in ${MS} ms (pid $PID, data $DATA_DIR, log $LOG)" >&2
cat "$RUN_DIR/etcd.env"
