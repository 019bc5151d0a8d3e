#!/usr/bin/env bash
# A Quiver cluster on loopback, without Docker: the dependencies (etcd, S3, Pulsar; see deps.sh) and every role
# as its own process. Processes are tracked in $QUIVER_CLUSTER_DIR/procs and stopped by PID, never by name.
#
#   cluster.sh up [--querynodes N] [--datanodes N] [--indexnodes N] [--proxies N] [--tls] [--secure-deps]
#        starts deps + rootcoord, datacoord, querycoord, then the nodes and proxies; waits until the proxy serves;
#        prints QUIVER_PROXY=127.0.0.1:<port>
#        --tls: certificates from deploy/tls/gen-certs.sh in $QUIVER_CLUSTER_DIR/certs; proxies serve TLS only
#               (common.security.tlsMode 1) and the roles talk mutual TLS (common.security.internaltlsEnabled)
#        --secure-deps: etcd over TLS with user/password authentication, S3 over HTTPS, Pulsar with token
#               authentication (the same CA); they are started fresh, so give them their own INFRA_RUN_DIR and
#               ports when other dependencies run on this machine (see docs/configuration.md)
#   cluster.sh status                 one line per process: role pid grpc_port metrics_port healthy|unhealthy
#   cluster.sh add ROLE               start one more querynode|datanode|indexnode|proxy; prints its line
#   cluster.sh stop NAME              graceful stop (SIGTERM) of one process (NAME as in status, e.g. querynode-2)
#   cluster.sh kill NAME              kill -9 of one process
#   cluster.sh restart NAME           start a stopped process again (same role, ports and data dir; log appended)
#   cluster.sh down [--purge]         stop every process it started, and the deps `up` started (not ones it reused)
#
# Env: QUIVER_CLUSTER_DIR (default /tmp/quiver-cluster), QUIVER_PROXY_PORT (default 19530), QUIVER_CLUSTER_BASE_PORT
# (default 29000: internal gRPC ports count up from here, metrics ports from base+500), QUIVER_CLUSTER_NAME
# (default quiver), QUIVER_ROLE_JAVA_OPTS (JVM options of every role), QUIVER_ROLE_CONFIG (a quiver.yaml given as
# --config to every role; see docs/configuration.md), DEPS / INFRA_RUN_DIR (see deps.sh).
# QUIVER_EXTERNAL_DEPS=1: use the dependencies named by ETCD_ENDPOINTS, S3_ENDPOINT, S3_ACCESS_KEY, S3_SECRET_KEY and
# PULSAR_SERVICE_URL (e.g. containers) instead of starting and stopping local ones.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
DIR="${QUIVER_CLUSTER_DIR:-/tmp/quiver-cluster}"
PROCS="$DIR/procs"
BASE="${QUIVER_CLUSTER_BASE_PORT:-29000}"
PROXY_PORT="${QUIVER_PROXY_PORT:-19530}"
mkdir -p "$DIR"
touch "$PROCS"

log() { echo "cluster: $*" >&2; }
SECURITY="$DIR/security.yaml"   # written by `up --tls/--secure-deps`, given to every role it starts
CERTS="$DIR/certs"

deps_env() {
  local env
  if [ -z "${QUIVER_EXTERNAL_DEPS:-}" ]; then
    env="$("$HERE/deps.sh" env)"
    eval "$env"
  fi
  export ETCD_ENDPOINTS="${ETCD_ENDPOINTS:?etcd is not running (cluster.sh up starts it)}"
  export MINIO_ADDRESS="${S3_ENDPOINT:?the S3 server is not running}"
  export MINIO_ACCESS_KEY="${S3_ACCESS_KEY:-minioadmin}" MINIO_SECRET_KEY="${S3_SECRET_KEY:-minioadmin}"
  export PULSAR_ADDRESS="${PULSAR_SERVICE_URL:?Pulsar is not running}"
}

write_security() { # tls secure_deps: the settings every role gets (flat dotted keys, appended to QUIVER_ROLE_CONFIG)
  [ -n "$1$2" ] || return 0
  {
    if [ -n "$1" ]; then
      echo "common.security.tlsMode: 1"
      for k in tls internaltls; do
        echo "$k.serverPemPath: $CERTS/server.pem"; echo "$k.serverKeyPath: $CERTS/server.key"; echo "$k.caPemPath: $CERTS/ca.pem"
      done
      echo "common.security.internaltlsEnabled: true"
    fi
    if [ -n "$2" ]; then
      echo "etcd.ssl.enabled: true"; echo "etcd.ssl.tlsCACert: $CERTS/ca.pem"
      echo "etcd.auth.enabled: true"; echo "etcd.auth.userName: root"; echo "etcd.auth.password: $(cat "$DIR/etcd-root-password")"
      echo "minio.useSSL: true"; echo "minio.ssl.tlsCACert: $CERTS/ca.pem"
      echo "pulsar.authPlugin: token"; echo "pulsar.authParams: token:${PULSAR_TOKEN:?Pulsar printed no token}"
    fi
  } >"$SECURITY"
  chmod 600 "$SECURITY"
}

next_index() { # count of processes of a role ever started + 1
  local n; n=$(awk -v r="$1" '$2==r' "$PROCS" | wc -l); echo $((n + 1))
}

next_port() { # a free port from the counter file
  local f="$DIR/next-port" p
  p=$(cat "$f" 2>/dev/null || echo "$BASE")
  while (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || (exec 3<>"/dev/tcp/127.0.0.1/$((p + 500))") 2>/dev/null; do p=$((p + 1)); done
  echo $((p + 1)) >"$f"
  echo "$p"
}

healthy() { curl -sf -m 2 "http://127.0.0.1:$1/healthz" >/dev/null 2>&1; }

start_role() { # role
  local role="$1" idx port mport name
  idx=$(next_index "$role")
  name="$role-$idx"
  if [ "$role" = proxy ] && [ "$idx" = 1 ]; then port="$PROXY_PORT"; mport=$(( $(next_port) + 500 )); else port=$(next_port); mport=$((port + 500)); fi
  : >"$DIR/$name.log"
  launch "$name" "$role" "$port" "$mport"
  echo "$name $role $pid $port $mport" >>"$PROCS"
  await_healthy "$name" "$role" "$mport"
}

launch() { # name role port mport: starts the process (log appended), sets pid
  export QUIVER_CLUSTER_NAME="${QUIVER_CLUSTER_NAME:-quiver}"
  local conf=()
  if [ -f "$SECURITY" ]; then
    # dotted keys at the top level are valid next to a nested quiver.yaml: the two files are simply appended
    cat ${QUIVER_ROLE_CONFIG:+"$QUIVER_ROLE_CONFIG"} "$SECURITY" >"$DIR/role-config.yaml"
    conf=(--config "$DIR/role-config.yaml")
  elif [ -n "${QUIVER_ROLE_CONFIG:-}" ]; then conf=(--config "$QUIVER_ROLE_CONFIG"); fi
  QUIVER_NO_BUILD=1 QUIVER_JAVA_OPTS="${QUIVER_ROLE_JAVA_OPTS:--Xms64m -Xmx1g -XX:+UseSerialGC}" \
    setsid "$ROOT/quiver" run "$2" --port "$3" --metrics-port "$4" --data-dir "$DIR/$1" "${conf[@]}" \
    >>"$DIR/$1.log" 2>&1 </dev/null &
  pid=$!
}

restart_proc() { # name: a stopped process again, on its ports and data dir
  local line role pid port mport
  line=$(awk -v n="$1" '$1==n' "$PROCS")
  [ -n "$line" ] || { log "no process named $1"; return 1; }
  read -r _ role pid port mport <<<"$line"
  if kill -0 "$pid" 2>/dev/null && is_ours "$pid"; then log "$1 is running (pid $pid)"; return 1; fi
  launch "$1" "$role" "$port" "$mport"
  awk -v n="$1" -v p="$pid" '$1==n {$3=p} {print}' "$PROCS" >"$PROCS.tmp" && mv "$PROCS.tmp" "$PROCS"
  await_healthy "$1" "$role" "$mport"
}

await_healthy() { # name role mport (pid set)
  local name="$1" role="$2" mport="$3"
  for _ in $(seq 1 300); do
    if healthy "$mport"; then echo "$name $role $pid $port $mport"; return 0; fi
    if ! kill -0 "$pid" 2>/dev/null; then log "$name exited; last log lines:"; tail -20 "$DIR/$name.log" >&2; return 1; fi
    sleep 0.2
  done
  log "$name not healthy after 60 s"; tail -20 "$DIR/$name.log" >&2; return 1
}

is_ours() { # pid is a quiver role started from this checkout
  tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null | grep -q "quiver-server.jar run"
}

status() {
  while read -r name role pid port mport; do
    [ -n "$name" ] || continue
    if kill -0 "$pid" 2>/dev/null && is_ours "$pid"; then
      if healthy "$mport"; then h=healthy; else h=unhealthy; fi
    else
      h=stopped
    fi
    echo "$name $pid $port $mport $h"
  done <"$PROCS"
}

stop_proc() { # name signal
  local line pid
  line=$(awk -v n="$1" '$1==n' "$PROCS")
  [ -n "$line" ] || { log "no process named $1"; return 1; }
  pid=$(echo "$line" | awk '{print $3}')
  if kill -0 "$pid" 2>/dev/null && is_ours "$pid"; then kill "-$2" "$pid"; fi
  for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
}

case "${1:-}" in
  up)
    shift
    qn=1; dn=1; inn=1; px=1; tls=""; secure_deps=""
    while [ $# -gt 0 ]; do
      case "$1" in
        --tls) tls=1; shift ;;
        --secure-deps) secure_deps=1; shift ;;
        --querynodes) qn="$2"; shift 2 ;;
        --datanodes) dn="$2"; shift 2 ;;
        --indexnodes) inn="$2"; shift 2 ;;
        --proxies) px="$2"; shift 2 ;;
        *) log "unknown option $1"; exit 2 ;;
      esac
    done
    S=$(date +%s%N)
    rm -f "$SECURITY"
    if [ -n "$tls$secure_deps" ]; then
      [ -f "$CERTS/ca.pem" ] || "$ROOT/deploy/tls/gen-certs.sh" "$CERTS"
    fi
    if [ -n "$secure_deps" ]; then
      if [ -n "${QUIVER_EXTERNAL_DEPS:-}" ]; then log "--secure-deps starts its own dependencies: unset QUIVER_EXTERNAL_DEPS"; exit 2; fi
      if "$HERE/deps.sh" status >/dev/null 2>&1 || [ -n "$(DEPS="etcd s3 pulsar" "$HERE/deps.sh" env)" ]; then
        log "dependencies already run in ${INFRA_RUN_DIR:-/tmp/quiver-infra}; --secure-deps needs its own INFRA_RUN_DIR (and free ports)"; exit 2
      fi
      [ -s "$DIR/etcd-root-password" ] || (umask 077; od -An -N12 -tx1 /dev/urandom | tr -d ' \n' >"$DIR/etcd-root-password")
      export ETCD_TLS_DIR="$CERTS" ETCD_ROOT_PASSWORD="$(cat "$DIR/etcd-root-password")" ETCD_CLEAN=1 S3_TLS_DIR="$CERTS" PULSAR_AUTH_TOKEN=1
    fi
    # remember which dependencies this call started: down stops only those (others were someone else's)
    started=""
    for d in ${DEPS:-etcd s3 pulsar}; do
      if ! DEPS="$d" "$HERE/deps.sh" status >/dev/null 2>&1; then started="$started $d"; fi
    done
    if [ -n "${QUIVER_EXTERNAL_DEPS:-}" ]; then started=""; fi
    echo "$started" >"$DIR/started-deps"
    [ -n "${QUIVER_EXTERNAL_DEPS:-}" ] || "$HERE/deps.sh" up >/dev/null
    deps_env
    write_security "$tls" "$secure_deps"
    [ -f "$ROOT/server/target/quiver-server.jar" ] || (cd "$ROOT" && ./mvnw -q -B -DskipTests install >&2)
    : >"$PROCS"; rm -f "$DIR/next-port"
    for r in rootcoord datacoord querycoord; do start_role "$r" >&2; done
    for _ in $(seq 1 "$dn"); do start_role datanode >&2; done
    for _ in $(seq 1 "$qn"); do start_role querynode >&2; done
    for _ in $(seq 1 "$inn"); do start_role indexnode >&2; done
    for _ in $(seq 1 "$px"); do start_role proxy >&2; done
    log "cluster up in $(( ($(date +%s%N) - S) / 1000000 )) ms"
    echo "QUIVER_PROXY=127.0.0.1:$PROXY_PORT"
    if [ -n "$tls" ]; then echo "QUIVER_CA=$CERTS/ca.pem"; fi
    ;;
  status) status ;;
  add)
    deps_env
    case "${2:-}" in querynode|datanode|indexnode|proxy) start_role "$2" ;; *) log "add takes querynode|datanode|indexnode|proxy"; exit 2 ;; esac
    ;;
  stop) stop_proc "${2:?name}" TERM ;;
  restart) deps_env; restart_proc "${2:?name}" ;;
  kill) stop_proc "${2:?name}" KILL ;;
  down)
    shift
    # stop in reverse start order, by PID
    tac "$PROCS" | while read -r name role pid port mport; do
      [ -n "$name" ] || continue
      if kill -0 "$pid" 2>/dev/null && is_ours "$pid"; then kill -TERM "$pid"; fi
    done
    for _ in $(seq 1 100); do
      alive=0
      while read -r name role pid port mport; do [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && alive=1; done <"$PROCS"
      [ "$alive" = 0 ] && break
      sleep 0.2
    done
    while read -r name role pid port mport; do [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && is_ours "$pid" && kill -9 "$pid"; done <"$PROCS"
    mine="$(cat "$DIR/started-deps" 2>/dev/null || echo "etcd s3 pulsar")"
    if [ -n "${mine// /}" ]; then DEPS="$mine" "$HERE/deps.sh" down "$@"; fi
    : >"$PROCS"; rm -f "$DIR/started-deps"
    ;;
  *) sed -n '2,16p' "$0" >&2; exit 2 ;;
esac
