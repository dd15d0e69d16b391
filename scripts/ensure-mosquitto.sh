#!/usr/bin/env bash
# The MQTT bridge's tests and benchmarks (`pnpm bench vs-mqtt`, `mqtt`) run real brokers: Debian's
# Mosquitto. The package's own service is not needed: each test starts a broker of its own.
set -euo pipefail
source "$(dirname "$0")/lib/ensure-apt-package.sh"
ensure_apt_package "${MOSQUITTO_PATH:-/usr/sbin/mosquitto}" mosquitto "the MQTT bridge's tests and benchmarks" MOSQUITTO_PATH
