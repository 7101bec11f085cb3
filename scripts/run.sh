#!/usr/bin/env bash
# The README's run command: installs everything, brings up the local infrastructure
# (PostgreSQL, Kafka, schema registry), applies the schema, provisions the Kafka topics,
# registers the message schemas, builds the Slack emulator's workspace page, starts the Slack
# emulator, slack-gateway, runs-service, orders-service and reminder-worker, and prints the page's
# address first, then where everything else is. Safe to run again.
# Stop everything with: bash infra/local/down.sh
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
started=$(date +%s)
# Node 24 and pnpm first on PATH for everything below (fetched into the cache when missing).
# shellcheck source=lib/toolchain.sh
source "$root/scripts/lib/toolchain.sh"
use_toolchain install

bash scripts/install.sh
bash infra/local/up.sh
set -a
# shellcheck disable=SC1091
source .local/env
set +a

pnpm --silent db:migrate
pnpm --silent --filter @coffeebuddy/contracts topics:provision
pnpm --silent --filter @coffeebuddy/contracts schemas:register
echo "[run] building the Slack emulator's workspace page (vite build)"
mkdir -p .local/logs
pnpm --silent --filter @coffeebuddy/slack-emulator build >.local/logs/page-build.log 2>&1 || {
  tail -n 20 .local/logs/page-build.log >&2
  echo "[run] the workspace page did not build (see above and .local/logs/page-build.log)" >&2
  exit 1
}
bash infra/local/services.sh start
page="http://127.0.0.1:${SLACK_EMULATOR_PORT:-3999}/"

cat <<EOT

CoffeeBuddy local stack is up ($(( $(date +%s) - started )) s).

  Try it in your browser:  $page
  (a Slack-like workspace: type /coffee in #coffee, click the buttons, switch people at the top)

  PostgreSQL       ${DATABASE_URL%%://*}://${DATABASE_URL#*@}   (schema applied; user/password in .local/env)
  Kafka broker     $KAFKA_BROKERS   (topics provisioned; logs in .local/kafka/logs)
  Schema registry  $SCHEMA_REGISTRY_URL
  Slack emulator   http://127.0.0.1:${SLACK_EMULATOR_PORT:-3999}   (what the app posted: /_emulator/messages, every call: /_emulator/calls)
  slack-gateway    http://127.0.0.1:${GATEWAY_PORT:-3000}   (Slack request URLs: /slack/commands, /slack/interactions, /slack/events; install: /slack/install)
  runs-service     http://127.0.0.1:${RUNS_OPS_PORT:-9464}/metrics   (also /healthz, /readyz)
  orders-service   http://127.0.0.1:${ORDERS_OPS_PORT:-9465}/metrics   (also /healthz, /readyz)
  admin-service    http://127.0.0.1:${ADMIN_OPS_PORT:-9466}/metrics   (also /healthz, /readyz)
  reminder-worker  http://127.0.0.1:${REMINDERS_OPS_PORT:-9467}/metrics   (also /healthz, /readyz)
  Logs             .local/logs/<service>.log, .local/kafka/logs, .local/postgres/postgres.log

Or from the terminal:
  bash scripts/coffee.sh in 20m oat flat whites at Blue Door    # /coffee in #coffee as U0001, prints the run message
  bash scripts/coffee.sh help
Node 24, pnpm and these addresses in your shell (for pnpm … and the benchmarks): source scripts/env.sh
Read a topic with Kafka's own tools: bash infra/local/kafka.sh console-consumer coffeebuddy.run.events --from-beginning
Stop everything: bash infra/local/down.sh
EOT
