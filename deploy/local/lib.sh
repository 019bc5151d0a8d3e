# Shared by the *-start.sh and *-stop.sh scripts (sourced, not run): installing a missing tool, refusing a second
# start, finding Maven, and stopping a service by the PID its start script recorded (never by name).

# need CMD PACKAGE: installs PACKAGE with apt-get when CMD is not on the PATH.
need() { command -v "$1" >/dev/null 2>&1 || { SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"; $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$2" >&2; }; }

# refuse_if_running NAME PIDFILE: exits 1 when the PID recorded in PIDFILE is alive.
refuse_if_running() {
  if [ -f "$2" ] && kill -0 "$(cat "$2")" 2>/dev/null; then
    echo "$1 already running (pid $(cat "$2")); run $1-stop.sh first" >&2; exit 1
  fi
}

# use_maven: MVN = the project's wrapper (no system Maven needed), unless MVN is set.
use_maven() { MVN="${MVN:-$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/../../mvnw}"; [ -x "$MVN" ] || { need mvn maven; MVN=mvn; }; }

# stop_pid NAME PIDFILE CMDLINE_REGEX GRACE_S [FILE...]: SIGTERM to the recorded PID, only if its command line
# matches CMDLINE_REGEX (so a reused PID is never killed); SIGKILL after GRACE_S seconds; then removes PIDFILE and FILEs.
stop_pid() {
  local name="$1" pidfile="$2" pattern="$3" grace="$4"; shift 4
  if [ ! -f "$pidfile" ]; then
    echo "no $pidfile; nothing to stop" >&2; return 0
  fi
  local pid started
  pid="$(cat "$pidfile")"
  if kill -0 "$pid" 2>/dev/null && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q "$pattern"; then
    started=$(date +%s%N)
    kill "$pid"
    for _ in $(seq 1 $((grace * 10))); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then echo "$name $pid ignored SIGTERM for $grace s; sending SIGKILL" >&2; kill -9 "$pid"; fi
    echo "stopped $name (pid $pid) in $(( ($(date +%s%N) - started) / 1000000 )) ms" >&2
  else
    echo "pid $pid is not a running $name; nothing killed" >&2
  fi
  rm -f "$pidfile" "$@"
}
