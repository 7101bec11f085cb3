#!/usr/bin/env bash
# Try CoffeeBuddy without a Slack workspace: sends a signed slash command to the local gateway
# (as the Slack emulator would) and prints what came back and what was posted.
#
#   bash scripts/coffee.sh in 20m oat flat whites         # /coffee in 20m oat flat whites in #coffee (C0001)
#   bash scripts/coffee.sh --user U0002 'in 1h M&S run <3 with @ada'   # typed text, escaped as Slack does
#   bash scripts/coffee.sh --channel C0002 --user U0002 help
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=lib/toolchain.sh
source "$root/scripts/lib/toolchain.sh"
use_node
[[ -f "$root/.local/secrets.env" ]] || { echo "the local stack is not running: bash scripts/run.sh" >&2; exit 1; }
set -a
# shellcheck disable=SC1091
source "$root/.local/secrets.env"
set +a
export GATEWAY_URL="${GATEWAY_URL:-http://127.0.0.1:${GATEWAY_PORT:-3000}}"
export SLACK_EMULATOR_URL="${SLACK_EMULATOR_URL:-http://127.0.0.1:${SLACK_EMULATOR_PORT:-3999}}"
cd "$root/packages/slack-emulator"
exec node --import tsx src/cli.ts "$@"
