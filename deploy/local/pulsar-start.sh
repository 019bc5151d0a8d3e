#!/usr/bin/env bash
# Start a real Apache Pulsar standalone (broker + in-process BookKeeper bookie + RocksDB metadata store)
# from Maven Central jars (org.apache.pulsar:pulsar-broker, main class org.apache.pulsar.PulsarStandaloneStarter),
# bound to loopback, in the background. No Docker, no Pulsar tarball.
#
# Env (all optional):
#   PULSAR_VERSION        (default 4.0.7 = the only 4.0.x whose full dependency tree resolved from the reachable
#                          Maven Central: 4.0.8 lacks jetcd-core-shaded + pulsar-opentelemetry 4.0.8, 4.0.5 lacks
#                          jetcd-core-shaded 4.0.5; Maven then tries repos from Pulsar's parent POM -> unknown host)
#   PULSAR_BROKER_PORT    (default 6650)   PULSAR_WEB_PORT (default 8080)   PULSAR_BOOKIE_PORT (default 3181)
#   INFRA_RUN_DIR         pid/log/env/config dir (default: /tmp/quiver-infra)
#   PULSAR_DATA_DIR       metadata + bookie data (default: $INFRA_RUN_DIR/pulsar-data; kept across restarts)
#   PULSAR_CLEAN=1        wipe PULSAR_DATA_DIR first
#   PULSAR_METADATA_URL   default empty = RocksDB under PULSAR_DATA_DIR (durable, survives restarts).
#                         "memory:<name>" (any name but "local") also works, but only together with PULSAR_CLEAN=1
#                         on every start (else InvalidCookieException), and is not faster. "memory:local" does NOT
#                         work: bookie and broker get separate private stores -> "Not enough non-faulty bookies".
#   PULSAR_MEM            (default "-Xms256m -Xmx512m -XX:MaxDirectMemorySize=512m")
#   PULSAR_CDS=1          AppCDS: the first start records a class-data archive when the broker stops, later
#                         starts load it (measured here: ~13 s -> ~8 s to healthy on a busy 2-core box; 88 MB file)
#   PULSAR_JAVA           java binary (default: java on PATH; tested on OpenJDK 17 and Temurin 25)
#   PULSAR_CACHE_DIR      where the resolved classpath file is kept (default: ~/.cache/quiver-infra)
#   PULSAR_START_TIMEOUT  seconds (default 180)
#   INFRA_MVN_ARGS        extra mvn args for the one-time resolution (e.g. -Dmaven.repo.local=...)
#   PULSAR_AUTH_TOKEN=1   clients must authenticate with a JWT token (HS256, secret key made here on first use in
#                         $PULSAR_DATA_DIR/token-secret.key); prints PULSAR_TOKEN=<a token for role "quiver">
# Stdout: PULSAR_SERVICE_URL=pulsar://127.0.0.1:6650 and PULSAR_ADMIN_URL=http://127.0.0.1:8080
#         (also in $INFRA_RUN_DIR/pulsar.env). Progress/log lines go to stderr.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$HERE/lib.sh"
RUN_DIR="${INFRA_RUN_DIR:-/tmp/quiver-infra}"
VER="${PULSAR_VERSION:-4.0.7}"
BPORT="${PULSAR_BROKER_PORT:-6650}"; WPORT="${PULSAR_WEB_PORT:-8080}"; KPORT="${PULSAR_BOOKIE_PORT:-3181}"
DATA_DIR="${PULSAR_DATA_DIR:-$RUN_DIR/pulsar-data}"
CACHE="${PULSAR_CACHE_DIR:-$HOME/.cache/quiver-infra}/pulsar-$VER"
MEM="${PULSAR_MEM:--Xms256m -Xmx512m -XX:MaxDirectMemorySize=512m}"
JAVA="${PULSAR_JAVA:-java}"
TIMEOUT="${PULSAR_START_TIMEOUT:-180}"
PIDFILE="$RUN_DIR/pulsar.pid"; LOG="$RUN_DIR/pulsar.log"; CONF="$RUN_DIR/pulsar-standalone.conf"; LOG4J="$RUN_DIR/pulsar-log4j2.xml"
mkdir -p "$RUN_DIR" "$CACHE"

refuse_if_running pulsar "$PIDFILE"
need java openjdk-17-jre-headless; need curl curl
use_maven # MVN: the project's wrapper, or MVN=...

# ---- 1. classpath: resolve pulsar-broker's runtime dependencies once (about 317 jars, 235 MB in ~/.m2) ----
CPFILE="$CACHE/classpath.txt"
cp_ok() { [ -s "$CPFILE" ] || return 1; local IFS=':'; for j in $(cat "$CPFILE"); do [ -f "$j" ] || return 1; done; }
if ! cp_ok; then
  echo "resolving org.apache.pulsar:pulsar-broker:$VER runtime classpath from Maven Central (first time: ~1 min) ..." >&2
  cat >"$CACHE/pom.xml" <<EOP
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.infra</groupId><artifactId>pulsar-standalone-classpath</artifactId><version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency><groupId>org.apache.pulsar</groupId><artifactId>pulsar-broker</artifactId><version>$VER</version></dependency>
  </dependencies>
</project>
EOP
  # shellcheck disable=SC2086
  if ! "$MVN" -B ${INFRA_MVN_ARGS:-} -f "$CACHE/pom.xml" org.apache.maven.plugins:maven-dependency-plugin:3.8.1:build-classpath \
      -Dmdep.outputFile="$CPFILE" -DincludeScope=runtime >"$CACHE/mvn.log" 2>&1 || ! cp_ok; then
    rm -f "$CPFILE"; grep -E "ERROR|BUILD" "$CACHE/mvn.log" | head -20 >&2; echo "classpath resolution failed (see $CACHE/mvn.log)" >&2; exit 1
  fi
fi

for p in "$BPORT" "$WPORT" "$KPORT"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "port $p on 127.0.0.1 is already in use" >&2; exit 1; fi
done
[ "${PULSAR_CLEAN:-0}" = 1 ] && rm -rf "$DATA_DIR"
mkdir -p "$DATA_DIR"

# ---- 2. config: broker settings + the in-process bookie's settings (PulsarStandalone loads this one file for both) ----
cat >"$CONF" <<EOC
clusterName=standalone
bindAddress=127.0.0.1
advertisedAddress=127.0.0.1
brokerServicePort=$BPORT
webServicePort=$WPORT
managedLedgerDefaultEnsembleSize=1
managedLedgerDefaultWriteQuorum=1
managedLedgerDefaultAckQuorum=1
loadManagerClassName=org.apache.pulsar.broker.loadbalance.NoopLoadManager
loadBalancerEnabled=false
functionsWorkerEnabled=false
webSocketServiceEnabled=false
transactionCoordinatorEnabled=false
statusFilePath=
brokerDeleteInactiveTopicsEnabled=false
allowAutoTopicCreation=true
allowAutoTopicCreationType=non-partitioned
allowAutoSubscriptionCreation=true
brokerShutdownTimeoutMs=10000
managedLedgerCacheSizeMB=64
# WAL retention (issue 10): Quiver acknowledges each vchannel's checkpoint; Pulsar deletes a ledger once every
# subscription acknowledged past it and it rolled over, and the bookie reclaims its entry logs at GC. Defaults keep
# acknowledged data for hours (rollover 10-240 min, bookie GC every 15 min, 2 GiB journals); these keep it minutes.
managedLedgerMinLedgerRolloverTimeMinutes=1
managedLedgerMaxLedgerRolloverTimeMinutes=10
managedLedgerMaxSizePerLedgerMbytes=64
subscriptionExpirationTimeMinutes=1440
# --- in-process bookie ---
# allowEphemeralPorts=true makes BKCluster honour --bookkeeper-port (otherwise it picks a port itself);
# listeningInterface=lo keeps the bookie off non-loopback interfaces.
allowEphemeralPorts=true
listeningInterface=lo
allowLoopback=true
httpServerEnabled=false
ledgerStorageClass=org.apache.bookkeeper.bookie.storage.ldb.DbLedgerStorage
dbStorage_writeCacheMaxSizeMb=32
dbStorage_readAheadCacheMaxSizeMb=32
dbStorage_rocksDB_blockCacheSize=16777216
dbStorage_rocksDB_writeBufferSizeMB=4
dbStorage_rocksDB_sstSizeInMB=4
journalMaxGroupWaitMSec=1
journalSyncData=false
diskUsageThreshold=0.99
diskUsageWarnThreshold=0.99
gcWaitTime=60000
minorCompactionInterval=120
majorCompactionInterval=600
journalMaxSizeMB=64
# keep no flushed journal beyond the current one (default 5 backups), and roll entry logs at 64 MiB (default 1 GiB) so
# the GC can drop a whole entry log once its ledgers are deleted instead of waiting for a compaction of a large one
journalMaxBackups=0
logSizeLimit=67108864
EOC
TOKEN=""
if [ "${PULSAR_AUTH_TOKEN:-0}" = 1 ]; then
  SECRET="$DATA_DIR/token-secret.key"
  [ -s "$SECRET" ] || (umask 077; head -c 32 /dev/urandom >"$SECRET")
  b64url() { openssl base64 -A | tr '+/' '-_' | tr -d '='; }
  jwt_head=$(printf '{"alg":"HS256"}' | b64url); jwt_body=$(printf '{"sub":"quiver"}' | b64url)
  jwt_sig=$(printf '%s.%s' "$jwt_head" "$jwt_body" | openssl dgst -sha256 -mac HMAC -macopt "hexkey:$(od -An -v -tx1 "$SECRET" | tr -d ' \n')" -binary | b64url)
  TOKEN="$jwt_head.$jwt_body.$jwt_sig"
  cat >>"$CONF" <<EOA
# --- token authentication (PULSAR_AUTH_TOKEN=1) ---
authenticationEnabled=true
authenticationProviders=org.apache.pulsar.broker.authentication.AuthenticationProviderToken
tokenSecretKey=file://$SECRET
superUserRoles=quiver
brokerClientAuthenticationPlugin=org.apache.pulsar.client.impl.auth.AuthenticationToken
brokerClientAuthenticationParameters=token:$TOKEN
EOA
fi
cat >"$LOG4J" <<'EOL'
<?xml version="1.0" encoding="UTF-8"?>
<Configuration status="WARN" shutdownHook="disable">
  <Appenders><Console name="Console" target="SYSTEM_OUT"><PatternLayout pattern="%d{HH:mm:ss.SSS} [%t] %-5level %logger{36} - %msg%n"/></Console></Appenders>
  <Loggers>
    <Logger name="org.apache.bookkeeper" level="warn"/><Logger name="org.apache.zookeeper" level="warn"/>
    <Logger name="org.eclipse.jetty" level="warn"/><Logger name="org.apache.pulsar.broker.service.ServerCnx" level="warn"/>
    <Root level="info"><AppenderRef ref="Console"/></Root>
  </Loggers>
</Configuration>
EOL

# ---- 3. launch (JVM flags as in Pulsar's bin/pulsar) ----
CDS=""
if [ "${PULSAR_CDS:-0}" = 1 ]; then
  JSA="$CACHE/pulsar-$("$JAVA" -version 2>&1 | head -1 | tr -c 'A-Za-z0-9.\n' '_').jsa"
  if [ -s "$JSA" ]; then CDS="-XX:SharedArchiveFile=$JSA -Xlog:cds=off -Xlog:cds+dynamic=off"; else CDS="-XX:ArchiveClassesAtExit=$JSA"; fi
fi
START_NS=$(date +%s%N)
cd "$DATA_DIR"   # PulsarStandalone/RocksDB write some relative paths (rocksdb-log) into the CWD
# shellcheck disable=SC2086
setsid env -u PULSAR_STANDALONE_USE_ZOOKEEPER "$JAVA" $MEM $CDS -XX:+UseG1GC -XX:+ExitOnOutOfMemoryError \
  -Dio.netty.tryReflectionSetAccessible=true \
  --add-opens java.base/java.util.zip=ALL-UNNAMED --add-opens java.base/java.nio=ALL-UNNAMED \
  --add-opens java.base/jdk.internal.misc=ALL-UNNAMED --add-opens java.base/sun.net=ALL-UNNAMED \
  --add-opens java.management/sun.management=ALL-UNNAMED --add-opens jdk.management/com.sun.management.internal=ALL-UNNAMED \
  -Dlog4j.configurationFile="$LOG4J" -Dlog4j2.formatMsgNoLookups=true \
  -cp "$(cat "$CPFILE")" org.apache.pulsar.PulsarStandaloneStarter \
  --config "$CONF" --no-functions-worker --no-stream-storage \
  --metadata-dir "$DATA_DIR/metadata" ${PULSAR_METADATA_URL:+--metadata-url "$PULSAR_METADATA_URL"} --bookkeeper-dir "$DATA_DIR/bookkeeper" --bookkeeper-port "$KPORT" \
  >"$LOG" 2>&1 </dev/null &
PID=$!
echo "$PID" >"$PIDFILE"
cd - >/dev/null

# ---- 4. wait: broker health check (real produce/consume on a heartbeat topic) + public/default namespace ----
ADMIN="http://127.0.0.1:$WPORT"
deadline=$(( $(date +%s) + TIMEOUT ))
AUTH_HEADER=(); [ -z "$TOKEN" ] || AUTH_HEADER=(-H "Authorization: Bearer $TOKEN")
until [ "$(curl -s --max-time 10 "${AUTH_HEADER[@]}" "$ADMIN/admin/v2/brokers/health" 2>/dev/null)" = "ok" ] \
   && curl -s --max-time 5 "${AUTH_HEADER[@]}" "$ADMIN/admin/v2/namespaces/public" 2>/dev/null | grep -q '"public/default"'; do
  if ! kill -0 "$PID" 2>/dev/null; then echo "pulsar exited during startup; last log lines:" >&2; tail -30 "$LOG" >&2; rm -f "$PIDFILE"; exit 1; fi
  if [ "$(date +%s)" -ge "$deadline" ]; then echo "pulsar not healthy after ${TIMEOUT}s; last log lines:" >&2; tail -30 "$LOG" >&2; kill "$PID" 2>/dev/null || true; rm -f "$PIDFILE"; exit 1; fi
  sleep 0.5
done
MS=$(( ($(date +%s%N) - START_NS) / 1000000 ))
{ echo "PULSAR_SERVICE_URL=pulsar://127.0.0.1:$BPORT"; echo "PULSAR_ADMIN_URL=$ADMIN"; [ -z "$TOKEN" ] || echo "PULSAR_TOKEN=$TOKEN"; } >"$RUN_DIR/pulsar.env"
echo "pulsar $VER standalone healthy in ${MS} ms (pid $PID, data $DATA_DIR, log $LOG)" >&2
cat "$RUN_DIR/pulsar.env"
