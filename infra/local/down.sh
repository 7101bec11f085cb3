#!/usr/bin/env bash
# Stops whatever infra/local/up.sh started (never an external DATABASE_URL/KAFKA_BROKERS/
# SCHEMA_REGISTRY_URL). Idempotent.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
bash "$here/services.sh" stop
bash "$here/registry.sh" stop
bash "$here/kafka.sh" stop
bash "$here/postgres.sh" stop
