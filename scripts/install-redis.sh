#!/usr/bin/env bash
# Installs redis-server from Debian's packages (needed by the distributed-mode tests and for running workers locally).
# Idempotent: does nothing when redis-server is already on PATH. Needs root (or sudo) and apt-get.
set -euo pipefail
if command -v redis-server >/dev/null 2>&1; then
  echo "redis-server present: $(redis-server --version)"
  exit 0
fi
SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-redis.sh: apt-get not found; install redis-server (>= 6.2) with your package manager" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# --no-install-recommends keeps it to the server and its tools; the Debian service is not needed (tests start their own).
$SUDO apt-get install -y -qq --no-install-recommends redis-server >/dev/null
# Debian's package starts a system instance on 6379 where systemd runs; tests and workers use their own ports.
echo "redis-server installed: $(redis-server --version)"
