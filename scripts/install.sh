#!/usr/bin/env bash
# Installs everything the repository needs from the package registries: pnpm (the version in
# package.json's packageManager), the workspace's dependencies from the committed lockfile,
# and the generated Prisma client. Safe to run again; a warm run takes seconds.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

say() { printf '\033[1m[install]\033[0m %s\n' "$*"; }

node_major="$(node -p 'process.versions.node.split(".")[0]')"
if (( node_major < 20 )); then
  echo "[install] Node.js 20 or newer is required (found $(node --version))" >&2
  exit 1
fi

want_pnpm="$(node -p 'require("./package.json").packageManager.split("@")[1]')"
if [[ "$(pnpm --version 2>/dev/null || true)" != "$want_pnpm" ]]; then
  say "installing pnpm $want_pnpm from the npm registry"
  npm install --global --no-fund --no-audit "pnpm@$want_pnpm" >/dev/null
fi

say "installing workspace dependencies (pnpm install --frozen-lockfile)"
pnpm install --frozen-lockfile

say "generating the Prisma client"
pnpm --silent generate >/dev/null
say "done"
