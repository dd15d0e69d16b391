#!/usr/bin/env bash
# The e2e tests need Debian's Chromium (Playwright cannot download its own browser here). Installs it
# when missing and possible (Debian, as root); otherwise fails with what to do. Never skips.
set -euo pipefail
chromium=${CHROMIUM_PATH:-/usr/bin/chromium}
if [ -x "$chromium" ]; then exit 0; fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "riohub: installing Debian's chromium for the end-to-end tests" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq chromium >&2
  [ -x "$chromium" ] && exit 0
fi
echo "riohub: the end-to-end tests need Chromium at $chromium." >&2
echo "  On Debian/Ubuntu: sudo apt-get install chromium   (or set CHROMIUM_PATH to a Chromium binary)" >&2
exit 1
