#!/usr/bin/env bash
# The container test needs a Docker engine, Debian's docker-compose (v1) and, to make a base image
# without any image registry, debootstrap. Installs them when missing and possible (Debian, as
# root) and starts dockerd when none answers; otherwise fails with what to do. Never skips.
# Prints `started <pid>` on stdout when it started dockerd itself (the caller stops it), else nothing.
set -euo pipefail
DOCKER=${DOCKER:-/usr/bin/docker}
missing=()
[ -x "$DOCKER" ] && command -v dockerd >/dev/null 2>&1 || missing+=(docker.io)
command -v docker-compose >/dev/null 2>&1 || missing+=(docker-compose)
command -v debootstrap >/dev/null 2>&1 || missing+=(debootstrap)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "riohub: installing ${missing[*]} for the container test" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq "${missing[@]}" >&2
  else
    echo "riohub: the container test needs ${missing[*]} (a Docker engine, docker-compose, debootstrap), and root to run dockerd." >&2
    echo "  On Debian/Ubuntu: sudo apt-get install docker.io docker-compose debootstrap, and run the tests as root (or with a running dockerd you may use)" >&2
    exit 1
  fi
fi
if "$DOCKER" info >/dev/null 2>&1; then exit 0; fi
if [ "$(id -u)" != 0 ]; then
  echo "riohub: no Docker engine answers, and only root can start dockerd: run the tests as root, or start dockerd and give this user its socket" >&2
  exit 1
fi
log=${DOCKERD_LOG:-/tmp/riohub-dockerd.log}
dockerd >"$log" 2>&1 &
pid=$!
for _ in $(seq 1 60); do
  if "$DOCKER" info >/dev/null 2>&1; then echo "started $pid"; exit 0; fi
  sleep 0.5
done
echo "riohub: dockerd did not answer within 30 s; its log ($log) ends with:" >&2
tail -20 "$log" >&2
exit 1
