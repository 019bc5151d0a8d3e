#!/usr/bin/env bash
# Start an S3-compatible server (S3Proxy, org.gaul:s3proxy jar-with-dependencies from Maven Central)
# on loopback, in the background. Works with the MinIO Java client (path-style, SigV4).
#
# Env (all optional):
#   S3PROXY_VERSION   (default 4.1.0; 2.6.0 also works, but use filesystem-nio2 there, not 'filesystem')
#   S3_PORT           (default 9000)
#   S3_ACCESS_KEY / S3_SECRET_KEY   (default minioadmin / minioadmin)
#   S3_BACKEND        filesystem-nio2 (default, data on disk) | transient-nio2 (in memory)
#   INFRA_RUN_DIR     pid/log/env/config dir (default: /tmp/quiver-infra)
#   S3_DATA_DIR       filesystem basedir (default: $INFRA_RUN_DIR/s3-data; kept across restarts)
#   S3_CLEAN=1        wipe S3_DATA_DIR first
#   S3_BUCKETS        comma-separated buckets to create once healthy (e.g. "a-bucket")
#   S3_JAVA_OPTS      (default "-Xms64m -Xmx384m -XX:+UseSerialGC")
#   S3PROXY_CACHE_DIR where the jar is copied (default: ~/.cache/quiver-infra)
#   S3_START_TIMEOUT  seconds (default 60)
#   INFRA_MVN_ARGS    extra mvn args for the one-time fetch (e.g. -Dmaven.repo.local=...)
#   S3_TLS_DIR        serve HTTPS only, with server.pem/server.key of this dir (deploy/tls/gen-certs.sh); clients
#                     check it against its ca.pem; S3_ENDPOINT becomes https://
# Stdout: S3_ENDPOINT=..., S3_ACCESS_KEY=..., S3_SECRET_KEY=... (also in $INFRA_RUN_DIR/s3.env).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$HERE/lib.sh"
RUN_DIR="${INFRA_RUN_DIR:-/tmp/quiver-infra}"
VER="${S3PROXY_VERSION:-4.1.0}"
PORT="${S3_PORT:-9000}"
AK="${S3_ACCESS_KEY:-minioadmin}"; SK="${S3_SECRET_KEY:-minioadmin}"
BACKEND="${S3_BACKEND:-filesystem-nio2}"
DATA_DIR="${S3_DATA_DIR:-$RUN_DIR/s3-data}"
CACHE="${S3PROXY_CACHE_DIR:-$HOME/.cache/quiver-infra}"
TIMEOUT="${S3_START_TIMEOUT:-60}"
JOPTS="${S3_JAVA_OPTS:--Xms64m -Xmx384m -XX:+UseSerialGC}"
PIDFILE="$RUN_DIR/s3.pid"; LOG="$RUN_DIR/s3.log"; CONF="$RUN_DIR/s3proxy.conf"
mkdir -p "$RUN_DIR" "$CACHE"

refuse_if_running s3 "$PIDFILE"
need java openjdk-17-jre-headless; need curl curl
use_maven # MVN: the project's wrapper, or MVN=...

JAR="$CACHE/s3proxy-$VER-jar-with-dependencies.jar"
if [ ! -s "$JAR" ]; then
  echo "fetching org.gaul:s3proxy:$VER:jar-with-dependencies from Maven Central ..." >&2
  # shellcheck disable=SC2086
  # run in the cache dir: outside any project, so Maven does not pick up a pom.xml from the CWD
  if ! (cd "$CACHE" && "$MVN" -B ${INFRA_MVN_ARGS:-} org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy \
      -Dartifact="org.gaul:s3proxy:$VER:jar:jar-with-dependencies" -DoutputDirectory="$CACHE" >"$CACHE/mvn-s3proxy.log" 2>&1) || [ ! -s "$JAR" ]; then
    grep -E "ERROR|BUILD" "$CACHE/mvn-s3proxy.log" | head -20 >&2; echo "fetching s3proxy failed (see $CACHE/mvn-s3proxy.log)" >&2; exit 1
  fi
fi

if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then echo "port $PORT on 127.0.0.1 is already in use" >&2; exit 1; fi
[ "${S3_CLEAN:-0}" = 1 ] && rm -rf "$DATA_DIR"
mkdir -p "$DATA_DIR"

# Notes: s3proxy.virtual-host is deliberately unset (path-style only, which is what minio-java uses for
# non-AWS hosts); aws-v2-or-v4 accepts both signature versions; jclouds.identity/credential are required
# by the launcher even for local backends. 'filesystem' (old jclouds backend) lists directory markers
# like "prefix/" in recursive listings on 2.x, so use filesystem-nio2.
SCHEME=http; CURL_TLS=(); ENDPOINT_LINE="s3proxy.endpoint=http://127.0.0.1:$PORT"
if [ -n "${S3_TLS_DIR:-}" ]; then
  SCHEME=https; CURL_TLS=(--cacert "$S3_TLS_DIR/ca.pem")
  KS="$RUN_DIR/s3-keystore.p12"; KSPASS="s3proxy-$(od -An -N8 -tx8 /dev/urandom | tr -d ' ')"
  openssl pkcs12 -export -in "$S3_TLS_DIR/server.pem" -inkey "$S3_TLS_DIR/server.key" -name s3proxy -out "$KS" -passout "pass:$KSPASS"
  ENDPOINT_LINE="s3proxy.secure-endpoint=https://127.0.0.1:$PORT
s3proxy.keystore-path=$KS
s3proxy.keystore-password=$KSPASS"
fi
cat >"$CONF" <<EOC
$ENDPOINT_LINE
s3proxy.authorization=aws-v2-or-v4
s3proxy.identity=$AK
s3proxy.credential=$SK
s3proxy.ignore-unknown-headers=true
jclouds.provider=$BACKEND
jclouds.identity=$AK
jclouds.credential=$SK
jclouds.filesystem.basedir=$DATA_DIR
EOC

START_NS=$(date +%s%N)
# shellcheck disable=SC2086
setsid java $JOPTS -Dlogback.statusListenerClass=ch.qos.logback.core.status.NopStatusListener \
  -jar "$JAR" --properties "$CONF" >"$LOG" 2>&1 </dev/null &
PID=$!
echo "$PID" >"$PIDFILE"

# Healthy = a SigV4-signed ListBuckets succeeds (proves the port, the auth settings and the backend).
# curl 7.88's --aws-sigv4 does not add x-amz-content-sha256, which S3Proxy requires: pass it ourselves.
s3curl() { curl -s --max-time 5 "${CURL_TLS[@]}" -H "x-amz-content-sha256: UNSIGNED-PAYLOAD" --aws-sigv4 "aws:amz:us-east-1:s3" --user "$AK:$SK" "$@"; }
deadline=$(( $(date +%s) + TIMEOUT ))
until s3curl -f -o /dev/null "$SCHEME://127.0.0.1:$PORT/"; do
  if ! kill -0 "$PID" 2>/dev/null; then echo "s3proxy exited during startup; last log lines:" >&2; tail -20 "$LOG" >&2; rm -f "$PIDFILE"; exit 1; fi
  if [ "$(date +%s)" -ge "$deadline" ]; then echo "s3proxy not healthy after ${TIMEOUT}s; last log lines:" >&2; tail -20 "$LOG" >&2; kill "$PID" 2>/dev/null || true; rm -f "$PIDFILE"; exit 1; fi
  sleep 0.1
done
MS=$(( ($(date +%s%N) - START_NS) / 1000000 ))

IFS=',' read -r -a BUCKETS <<<"${S3_BUCKETS:-}"
for b in "${BUCKETS[@]}"; do
  [ -n "$b" ] || continue
  code=$(s3curl -o /dev/null -w '%{http_code}' -X PUT "$SCHEME://127.0.0.1:$PORT/$b")
  case "$code" in 200|409) ;; *) echo "creating bucket '$b' failed: HTTP $code (S3 names: 3-63 chars, a-z0-9.-); stopping s3proxy" >&2; kill "$PID"; rm -f "$PIDFILE"; exit 1;; esac
done

{ echo "S3_ENDPOINT=$SCHEME://127.0.0.1:$PORT"; echo "S3_ACCESS_KEY=$AK"; echo "S3_SECRET_KEY=$SK"; } >"$RUN_DIR/s3.env"
echo "s3proxy $VER ($BACKEND) healthy in ${MS} ms (pid $PID, data $DATA_DIR, log $LOG)" >&2
cat "$RUN_DIR/s3.env"
