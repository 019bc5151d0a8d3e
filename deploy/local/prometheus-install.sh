#!/usr/bin/env bash
# Install Prometheus (Debian package prometheus, 2.42 on bookworm) for the Milvus-dashboard check
# (tests: MilvusDashboardTest, which starts its own Prometheus on a free loopback port and skips without one).
# No-op when `prometheus` is already on PATH. The package also enables a system Prometheus on :9090 where systemd
# is PID 1; the test never uses that one.
set -euo pipefail
if command -v prometheus >/dev/null 2>&1; then
  exit 0
fi
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
echo "installing prometheus from apt ..." >&2
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q prometheus >&2 \
  || { $SUDO apt-get update -q >&2 && $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q prometheus >&2; }
