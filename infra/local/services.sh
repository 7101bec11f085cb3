#!/usr/bin/env bash
# The CoffeeBuddy processes of the local stack: the Slack emulator, slack-gateway,
# runs-service, orders-service, admin-service and reminder-worker, each in the background with a pid file and a
# log under .local/.
#
#   infra/local/services.sh start|stop|status
#
# Needs the infrastructure (infra/local/up.sh) and the addresses in .local/env. Local secrets
# (signing secret, token encryption key, OAuth state secret) are generated once into
# .local/secrets.env. Idempotent: a running service is left alone.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
state="${COFFEEBUDDY_STATE:-$root/.local}"
run_dir="$state/run"
log_dir="$state/logs"
mkdir -p "$run_dir" "$log_dir"
# The services run on the project's Node 24 (scripts/install.sh fetches it where needed).
# shellcheck source=../../scripts/lib/toolchain.sh
source "$root/scripts/lib/toolchain.sh"
use_toolchain

EMULATOR_PORT="${SLACK_EMULATOR_PORT:-3999}"
GATEWAY_PORT="${GATEWAY_PORT:-3000}"
RUNS_OPS_PORT="${RUNS_OPS_PORT:-9464}"
ORDERS_OPS_PORT="${ORDERS_OPS_PORT:-9465}"
ADMIN_OPS_PORT="${ADMIN_OPS_PORT:-9466}"
REMINDERS_OPS_PORT="${REMINDERS_OPS_PORT:-9467}"
SERVICES=(slack-emulator slack-gateway runs-service orders-service admin-service reminder-worker)

log() { printf '[services] %s\n' "$*" >&2; }

ensure_secrets() {
  local file="$state/secrets.env"
  if [[ ! -f "$file" ]]; then
    umask 077
    {
      echo "SLACK_SIGNING_SECRET=$(node -e 'console.log(require("crypto").randomBytes(16).toString("hex"))')"
      echo "TOKEN_ENCRYPTION_KEY=$(node -e 'console.log(require("crypto").randomBytes(32).toString("base64"))')"
      echo "SLACK_STATE_SECRET=$(node -e 'console.log(require("crypto").randomBytes(16).toString("hex"))')"
    } >"$file"
    log "generated local secrets in $file"
  fi
}

load_env() {
  [[ -f "$state/env" ]] || { log "no $state/env: run infra/local/up.sh first"; exit 1; }
  set -a
  # shellcheck disable=SC1091
  source "$state/env"
  # shellcheck disable=SC1091
  source "$state/secrets.env"
  set +a
  export SLACK_API_URL="http://127.0.0.1:${EMULATOR_PORT}/api/"
  export SLACK_AUTHORIZE_URL="http://127.0.0.1:${EMULATOR_PORT}/oauth/v2/authorize"
  export SLACK_EMULATOR_PORT="$EMULATOR_PORT"
  export SLACK_CLIENT_ID="${SLACK_CLIENT_ID:-1000000000001.1000000000001}"
  export SLACK_CLIENT_SECRET="${SLACK_CLIENT_SECRET:-emulator-client-secret}"
  # The emulator installs this bot token in its default workspace; the services use it for
  # workspaces without a stored OAuth installation.
  export SLACK_BOT_TOKEN="${SLACK_BOT_TOKEN:-xoxb-1000000000001-local-dev-token}"
  export SLACK_EMULATOR_BOT_TOKEN="$SLACK_BOT_TOKEN"
  export PUBLIC_URL="http://127.0.0.1:${GATEWAY_PORT}"
}

pid_of() { cat "$run_dir/$1.pid" 2>/dev/null || true; }
alive() { local pid; pid="$(pid_of "$1")"; [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; }

health_url() {
  case "$1" in
    slack-emulator) echo "http://127.0.0.1:${EMULATOR_PORT}/_emulator/calls" ;;
    slack-gateway) echo "http://127.0.0.1:${GATEWAY_PORT}/readyz" ;;
    runs-service) echo "http://127.0.0.1:${RUNS_OPS_PORT}/readyz" ;;
    orders-service) echo "http://127.0.0.1:${ORDERS_OPS_PORT}/readyz" ;;
    admin-service) echo "http://127.0.0.1:${ADMIN_OPS_PORT}/readyz" ;;
    reminder-worker) echo "http://127.0.0.1:${REMINDERS_OPS_PORT}/readyz" ;;
  esac
}

entry() {
  case "$1" in
    slack-emulator) echo "$root/packages/slack-emulator/src/server.ts" ;;
    *) echo "$root/apps/$1/src/server.ts" ;;
  esac
}

start_one() {
  local name="$1"
  if alive "$name"; then log "$name already running (pid $(pid_of "$name"))"; return 0; fi
  log "starting $name (log: $log_dir/$name.log)"
  (
    cd "$root"
    case "$name" in
      # The workspace page sends the gateway signed requests (SLACK_SIGNING_SECRET is in secrets.env).
      slack-emulator) export SLACK_EMULATOR_APP_URL="http://127.0.0.1:${GATEWAY_PORT}" ;;
      slack-gateway) export PORT="$GATEWAY_PORT" HOST=127.0.0.1 ;;
      runs-service) export OPS_PORT="$RUNS_OPS_PORT" OPS_HOST=127.0.0.1 ;;
      orders-service) export OPS_PORT="$ORDERS_OPS_PORT" OPS_HOST=127.0.0.1 ;;
      admin-service) export OPS_PORT="$ADMIN_OPS_PORT" OPS_HOST=127.0.0.1 ;;
      reminder-worker) export OPS_PORT="$REMINDERS_OPS_PORT" OPS_HOST=127.0.0.1 ;;
    esac
    nohup node --import tsx "$(entry "$name")" >>"$log_dir/$name.log" 2>&1 &
    echo $! >"$run_dir/$name.pid"
  )
  local url i; url="$(health_url "$name")"
  for ((i = 0; i < 120; i++)); do
    if curl -fsS -o /dev/null "$url" 2>/dev/null; then log "$name ready"; return 0; fi
    if ! alive "$name"; then log "$name exited during start-up:"; tail -n 20 "$log_dir/$name.log" >&2; return 1; fi
    sleep 0.5
  done
  log "$name not ready after 60 s:"; tail -n 20 "$log_dir/$name.log" >&2; return 1
}

stop_one() {
  local name="$1" pid i
  if ! alive "$name"; then rm -f "$run_dir/$name.pid"; return 0; fi
  pid="$(pid_of "$name")"
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 60; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  if kill -0 "$pid" 2>/dev/null; then log "$name did not stop in 30 s; killing it"; kill -KILL "$pid" 2>/dev/null || true; fi
  rm -f "$run_dir/$name.pid"
  log "$name stopped"
}

case "${1:-}" in
  start)
    ensure_secrets
    load_env
    if ! alive runs-service && ! alive orders-service && ! alive admin-service && ! alive reminder-worker; then
      # Tests and benchmarks share this broker; what they produced while the local stack was
      # down is not for it. (Local stack only: production never skips anything.)
      (cd "$root" && pnpm --silent --filter @coffeebuddy/contracts skip-backlog runs-service orders-service admin-service reminder-worker)
    fi
    for name in "${SERVICES[@]}"; do start_one "$name"; done
    ;;
  stop)
    for ((i = ${#SERVICES[@]} - 1; i >= 0; i--)); do stop_one "${SERVICES[$i]}"; done
    ;;
  status)
    for name in "${SERVICES[@]}"; do
      if alive "$name"; then echo "$name: running (pid $(pid_of "$name"))"; else echo "$name: stopped"; fi
    done
    ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
