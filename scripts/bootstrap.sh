#!/usr/bin/env bash
# Installs what Dockhand needs on a fresh Debian machine that has only Node and npm, the way the
# ECS Anywhere installer does for the real agent: npm dependencies (which bring Node 24 when the
# system Node is older), a Docker engine when none is reachable and we are root, and dockerd
# started if it is installed but not running. `--test` also installs busybox-static and makes the
# local test image (no registry is reachable from these machines), Debian's AWS CLI v2 for the
# CLI smoke test, and docker-registry + apache2-utils (htpasswd) for the tests' own loopback
# registries. Idempotent: a second run is a few quick checks.
set -euo pipefail
cd "$(dirname "$0")/.."
want_test=0
[ "${1:-}" = "--test" ] && want_test=1
log() { printf 'bootstrap: %s\n' "$*" >&2; }
is_root() { [ "$(id -u)" = 0 ]; }

apt_updated=0
apt_install() {
  is_root || { log "need root to install $*: run: sudo apt-get install -y $*"; exit 1; }
  if [ $apt_updated = 0 ]; then DEBIAN_FRONTEND=noninteractive apt-get update -qq; apt_updated=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

# 1. npm dependencies, including the `node` package that carries Node 24.
node24="node_modules/.bin/node"
if [ ! -x "$node24" ] || ! "$node24" -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 24 ? 0 : 1)' 2>/dev/null \
   || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  log "installing npm dependencies (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
fi

# 2. A Docker engine.
docker_ok() { docker info >/dev/null 2>&1; }
if ! docker_ok; then
  if ! command -v dockerd >/dev/null 2>&1; then
    log "no Docker engine found; installing Debian's docker.io"
    apt_install docker.io
  fi
  if ! docker_ok; then
    is_root || { log "Docker is installed but not running, and starting it needs root"; exit 1; }
    log "starting dockerd"
    mkdir -p /var/log
    nohup /usr/sbin/dockerd >/var/log/dockhand-dockerd.log 2>&1 &
    for _ in $(seq 1 60); do docker_ok && break; sleep 0.5; done
    docker_ok || { log "dockerd did not come up; see /var/log/dockhand-dockerd.log"; exit 1; }
  fi
fi

# 3. For the tests: the local busybox image.
if [ $want_test = 1 ]; then
  [ -x /bin/busybox ] || apt_install busybox-static
  [ -x /usr/bin/aws ] || apt_install awscli   # the AWS CLI v2 smoke test
  # A real private registry on loopback for the image tests (test/agent-images/), with bcrypt htpasswd users.
  if [ ! -x /usr/bin/docker-registry ]; then
    apt_install docker-registry
    # The tests start their own registries; the package's system service (:5000 on every interface) is not wanted.
    if command -v systemctl >/dev/null 2>&1; then systemctl disable --now docker-registry >/dev/null 2>&1 || true; fi
  fi
  [ -x /usr/bin/htpasswd ] || apt_install apache2-utils
  bash scripts/make-test-image.sh local/busybox:latest >&2
fi
