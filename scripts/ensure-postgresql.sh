#!/usr/bin/env bash
# The suite's second pass runs every store test on PostgreSQL: Debian's `postgresql`. The
# package's own cluster is not used: the tests make a throwaway one (packages/testkit/src/postgres.ts).
set -euo pipefail
source "$(dirname "$0")/lib/ensure-apt-package.sh"
if [ -z "${POSTGRES_BIN:-}" ]; then
  for bin in /usr/lib/postgresql/*/bin; do [ -x "$bin/initdb" ] && POSTGRES_BIN=$bin; done
fi
ensure_apt_package "${POSTGRES_BIN:-/usr/lib/postgresql/15/bin}/initdb" postgresql "the tests and benchmarks on PostgreSQL" POSTGRES_BIN
