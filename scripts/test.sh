#!/usr/bin/env bash
# The README's test command: installs everything, starts the local infrastructure (real
# PostgreSQL, Kafka and schema registry), then runs lint, type-checks and every test.
# With CI=true (or --stop) the infrastructure it started is stopped again at the end.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
stop_after=false
[[ "${CI:-}" == "true" || "${1:-}" == "--stop" ]] && stop_after=true

started=$(date +%s)
# Node 24 and pnpm first on PATH for everything below (fetched into the cache when missing).
# shellcheck source=lib/toolchain.sh
source "$root/scripts/lib/toolchain.sh"
use_toolchain install
echo "[test] Node $(node --version) at $(command -v node), pnpm $(pnpm --version)"
bash scripts/install.sh
# The workspace page's browser test runs Debian's Chromium (installed once; one line if it cannot be).
bash infra/local/chromium.sh ensure >/dev/null
# The local stack's services would consume the tests' commands too; they are restarted by run.sh.
bash infra/local/services.sh stop
bash infra/local/up.sh
# The addresses sourced below would make down.sh treat our own services as external ones.
stop_infra() { env -u DATABASE_URL -u KAFKA_BROKERS -u SCHEMA_REGISTRY_URL bash infra/local/down.sh; }
$stop_after && trap 'stop_infra >/dev/null 2>&1 || true' EXIT

set -a
# shellcheck disable=SC1091
source .local/env
set +a

echo "[test] lint"
pnpm lint
echo "[test] typecheck"
pnpm typecheck
# Deploy checks (tests/deploy) call the real tools: helm, actionlint, hadolint, docker compose,
# kubernetes-validate, built or installed once into the cache by infra/tools/install.sh.
echo "[test] deploy tools"
bash infra/tools/install.sh
export COFFEEBUDDY_TOOLS="${COFFEEBUDDY_TOOLS:-${COFFEEBUDDY_CACHE:-$HOME/.cache/coffeebuddy}/tools}"
echo "[test] tests (real PostgreSQL at ${DATABASE_URL##*@}, Kafka at $KAFKA_BROKERS, registry at $SCHEMA_REGISTRY_URL)"
export COFFEEBUDDY_TEST_RESULTS="$root/.local/test-results"
rm -rf "$COFFEEBUDDY_TEST_RESULTS"
status=0
pnpm test || status=$?
# Faults and hostile input on the real processes (README "Reliability"); kills and restarts this
# clone's own broker and PostgreSQL, so it runs alone, after the packages' tests.
echo "[test] fault-injection and hostile-input suite (pnpm test:faults)"
pnpm test:faults || status=$?

summary=$(node -e '
  const fs = require("node:fs"), path = require("node:path");
  const dir = process.argv[1];
  const files = fs.existsSync(dir) ? fs.readdirSync(dir) : [];
  const t = { passed: 0, failed: 0, skipped: 0 };
  for (const f of files) { const r = JSON.parse(fs.readFileSync(path.join(dir, f), "utf8")); for (const k in t) t[k] += r[k]; }
  console.log(`[test] ${files.length} packages tested in ${Math.round((Date.now() / 1000 - Number(process.argv[2])))} s`);
  console.log(`tests: ${t.passed} passed, ${t.failed} failed, ${t.skipped} skipped`);
' "$COFFEEBUDDY_TEST_RESULTS" "$started")
if $stop_after; then
  trap - EXIT
  stop_infra
fi
echo "$summary"
exit "$status"
