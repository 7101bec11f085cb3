#!/usr/bin/env bash
# The README's run command: installs everything, brings up the local infrastructure
# (PostgreSQL, Kafka, schema registry), applies the schema, provisions the Kafka topics,
# registers the message schemas and prints where everything is. Safe to run again.
# Stop everything with: bash infra/local/down.sh
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
started=$(date +%s)

bash scripts/install.sh
bash infra/local/up.sh
set -a
# shellcheck disable=SC1091
source .local/env
set +a

pnpm --silent db:migrate
pnpm --silent --filter @coffeebuddy/contracts topics:provision
pnpm --silent --filter @coffeebuddy/contracts schemas:register

cat <<EOT

CoffeeBuddy local stack is up ($(( $(date +%s) - started )) s):
  PostgreSQL       ${DATABASE_URL%%://*}://${DATABASE_URL#*@}   (schema applied; user/password in .local/env)
  Kafka broker     $KAFKA_BROKERS   (topics provisioned; logs in .local/kafka/logs)
  Schema registry  $SCHEMA_REGISTRY_URL
  Addresses for your shell: set -a; source .local/env; set +a
  Read a topic with Kafka's own tools: bash infra/local/kafka.sh console-consumer <topic> --from-beginning
  Stop everything: bash infra/local/down.sh
EOT
