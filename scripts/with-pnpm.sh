#!/usr/bin/env bash
# Runs `pnpm <args>` on a machine that may have only Node and npm: obtains the pinned pnpm, installs
# the workspace when its lockfile changed, then hands over. Its own output goes to stderr so that a
# wrapped command (the simulator's one "listening" line) keeps stdout to itself.
set -euo pipefail
cd "$(dirname "$0")/.."

PNPM_VERSION=$(node -p "require('./package.json').packageManager.split('@')[1]")

if ! command -v pnpm >/dev/null 2>&1 || [ "$(pnpm --version 2>/dev/null)" != "$PNPM_VERSION" ]; then
  # A project-local copy: needs no root and leaves any global pnpm alone.
  if [ ! -x ".tools/node_modules/.bin/pnpm" ] || [ "$(.tools/node_modules/.bin/pnpm --version)" != "$PNPM_VERSION" ]; then
    echo "riohub: installing pnpm $PNPM_VERSION into .tools/" >&2
    npm install --silent --no-audit --no-fund --prefix .tools "pnpm@$PNPM_VERSION" >&2
  fi
  export PATH="$PWD/.tools/node_modules/.bin:$PATH"
fi

# Install only when the lockfile differs from what the last install recorded.
stamp=node_modules/.riohub-install-stamp
want=$(sha256sum pnpm-lock.yaml package.json */*/package.json e2e/package.json 2>/dev/null | sha256sum | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "riohub: installing dependencies (pnpm install --frozen-lockfile)" >&2
  pnpm install --frozen-lockfile >&2
  echo "$want" > "$stamp"
fi

exec pnpm "$@"
