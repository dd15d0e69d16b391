#!/usr/bin/env bash
# The MQTT bridge's tests run a real broker: Debian's Mosquitto (/usr/sbin/mosquitto, or the binary
# named by MOSQUITTO_PATH). Installs it when missing and possible (Debian, as root); otherwise fails
# with what to do. Never skips. The package's own service is not needed: each test starts a broker.
set -euo pipefail
mosquitto=${MOSQUITTO_PATH:-/usr/sbin/mosquitto}
if [ -x "$mosquitto" ]; then exit 0; fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "riohub: installing Debian's mosquitto for the MQTT bridge's tests" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq mosquitto >&2
  [ -x "$mosquitto" ] && exit 0
fi
echo "riohub: the MQTT bridge's tests need Mosquitto at $mosquitto." >&2
echo "  On Debian/Ubuntu: sudo apt-get install mosquitto   (or set MOSQUITTO_PATH to a mosquitto binary)" >&2
exit 1
