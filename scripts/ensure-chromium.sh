#!/usr/bin/env bash
# The e2e tests need Debian's Chromium (Playwright cannot download its own browser here).
set -euo pipefail
source "$(dirname "$0")/lib/ensure-apt-package.sh"
ensure_apt_package "${CHROMIUM_PATH:-/usr/bin/chromium}" chromium "the end-to-end tests and the dashboard's benchmark" CHROMIUM_PATH
