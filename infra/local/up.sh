#!/usr/bin/env bash
# Brings up the local infrastructure: PostgreSQL, an Apache Kafka broker (KRaft) and a
# Confluent-compatible schema registry (Apicurio). Each is skipped when its environment
# variable (DATABASE_URL, KAFKA_BROKERS, SCHEMA_REGISTRY_URL) points at a reachable one.
# Idempotent. Writes the resulting addresses to .local/env for the other scripts to source.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
state="${COFFEEBUDDY_STATE:-$root/.local}"
mkdir -p "$state"

# An address equal to the one this clone's last start-up wrote is this clone's own local service,
# exported into the shell by `source scripts/env.sh` — not an external one: start it as usual.
if [[ -f "$state/env" ]]; then
  for name in DATABASE_URL KAFKA_BROKERS SCHEMA_REGISTRY_URL; do
    own="$(sed -n "s/^$name=//p" "$state/env" | head -n 1)"
    if [[ -n "$own" && "${!name:-}" == "$own" ]]; then unset "$name"; fi
  done
fi

bash "$here/postgres.sh" start

# Kafka and the registry are independent JVMs: start them side by side to save start-up time.
bash "$here/kafka.sh" start &
kafka_pid=$!
bash "$here/registry.sh" start &
registry_pid=$!
status=0
wait "$kafka_pid" || status=$?
wait "$registry_pid" || status=$?
if (( status != 0 )); then
  echo "[infra] start-up failed; logs are under $state" >&2
  exit "$status"
fi

{
  echo "DATABASE_URL=$(bash "$here/postgres.sh" url)"
  echo "KAFKA_BROKERS=$(bash "$here/kafka.sh" brokers)"
  echo "SCHEMA_REGISTRY_URL=$(bash "$here/registry.sh" url)"
  # The local broker's SCRAM and SCRAM-over-TLS listeners, for the ACL tests (none when external).
  bash "$here/kafka.sh" sasl-env
} >"$state/env"
echo "[infra] up; addresses written to $state/env"
