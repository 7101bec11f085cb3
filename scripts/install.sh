#!/usr/bin/env bash
# Installs everything the repository needs from the package registries: Node.js 24 where the
# machine's node is another version (scripts/lib/toolchain.sh), pnpm (the version and checksum
# in package.json's packageManager), the workspace's dependencies from the committed lockfile,
# and the generated Prisma client. Safe to run again; a warm run takes seconds.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
# shellcheck source=lib/toolchain.sh
source "$root/scripts/lib/toolchain.sh"
use_toolchain install

say() { printf '\033[1m[install]\033[0m %s\n' "$*"; }

say "installing workspace dependencies with pnpm $(pnpm --version) on Node $(node --version) (pnpm install --frozen-lockfile)"
pnpm install --frozen-lockfile

say "generating the Prisma client"
pnpm --silent generate >/dev/null
say "done"
