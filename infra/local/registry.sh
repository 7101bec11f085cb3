#!/usr/bin/env bash
# Local Confluent-compatible schema registry: Apicurio Registry (a Quarkus app)
# from Maven Central, serving the Confluent API under /apis/ccompat/v7.
#
# usage: infra/local/registry.sh <command>
#   fetch     download and unpack the server into the cache (no-op if cached)
#   start     fetch if needed, start, wait until healthy (no-op if already running and healthy)
#   stop      SIGTERM, wait, SIGKILL after SCHEMA_REGISTRY_STOP_TIMEOUT (no-op if not running)
#   status    exit 0 if running and healthy, 1 if running but unhealthy, 3 if stopped
#   restart   stop + start
#   reset     stop and delete the registry's database (all subjects and schema ids)
#   url       print the base URL for @kafkajs/confluent-schema-registry ($SCHEMA_REGISTRY_URL or the local one)
#   logs [N]  print the last N (default 100) lines of the registry log
#
# environment:
#   SCHEMA_REGISTRY_URL            if set, an external registry is used: start only checks that it
#                                  answers, stop does nothing
#   SCHEMA_REGISTRY_PORT           HTTP port on 127.0.0.1 (default 18081)
#   SCHEMA_REGISTRY_STORAGE        file (default: H2 database under the state dir, kept across
#                                  restarts, like Kafka's data) or mem (empty on every start)
#   SCHEMA_REGISTRY_COMPATIBILITY  global compatibility level set when the database is new
#                                  (default BACKWARD, Confluent's default; Apicurio's own is NONE)
#   SCHEMA_REGISTRY_HEAP_OPTS      JVM heap flags (default "-Xms128m -Xmx384m")
#   SCHEMA_REGISTRY_START_TIMEOUT  seconds to wait for health (default 90)
#   SCHEMA_REGISTRY_STOP_TIMEOUT   seconds to wait after SIGTERM before SIGKILL (default 20)
#   APICURIO_VERSION               Apicurio Registry version (default 3.0.9; 3.1+ needs Java 21)
#   COFFEEBUDDY_CACHE              download cache root (default ~/.cache/coffeebuddy)
#   COFFEEBUDDY_STATE              data/log/pid root (default <repo>/.local)
set -euo pipefail

SERVICE_NAME=registry
# shellcheck source=lib.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"

APICURIO_VERSION="${APICURIO_VERSION:-3.0.9}"
REGISTRY_HOST=127.0.0.1
SCHEMA_REGISTRY_PORT="${SCHEMA_REGISTRY_PORT:-18081}"
# Apicurio 3.1+ serves health/metrics on a separate Quarkus management port.
SCHEMA_REGISTRY_MANAGEMENT_PORT="${SCHEMA_REGISTRY_MANAGEMENT_PORT:-$((SCHEMA_REGISTRY_PORT + 1))}"
SCHEMA_REGISTRY_STORAGE="${SCHEMA_REGISTRY_STORAGE:-file}"
SCHEMA_REGISTRY_COMPATIBILITY="${SCHEMA_REGISTRY_COMPATIBILITY:-BACKWARD}"
SCHEMA_REGISTRY_HEAP_OPTS="${SCHEMA_REGISTRY_HEAP_OPTS:--Xms128m -Xmx384m}"
SCHEMA_REGISTRY_START_TIMEOUT="${SCHEMA_REGISTRY_START_TIMEOUT:-90}"
SCHEMA_REGISTRY_STOP_TIMEOUT="${SCHEMA_REGISTRY_STOP_TIMEOUT:-20}"

APICURIO_HOME="$CACHE_ROOT/apicurio-registry-$APICURIO_VERSION"
APICURIO_DIST="$APICURIO_HOME/dist"
FETCH_MARKER="$APICURIO_HOME/.fetched"
APICURIO_ARTIFACT="io.apicurio:apicurio-registry-app:$APICURIO_VERSION:tar.gz:all"

STATE_DIR="$STATE_ROOT/registry"
DB_DIR="$STATE_DIR/db"
LOG_DIR="$STATE_DIR/logs"
PID_FILE="$STATE_DIR/registry.pid"
REGISTRY_LOG="$LOG_DIR/registry.log"

BASE_URL="http://$REGISTRY_HOST:$SCHEMA_REGISTRY_PORT"
CCOMPAT_URL="$BASE_URL/apis/ccompat/v7"
# Unique marker on the JVM's command line, to recognise our process by pid.
PID_PATTERN="-Dcoffeebuddy.service=schema-registry:$STATE_DIR"

external_registry() { [[ -n "${SCHEMA_REGISTRY_URL:-}" ]]; }

# 3.0.x is built for Java 17 and serves health on the main port; 3.1+ (Quarkus
# 3.2x) is built for Java 21 and has a separate management interface.
legacy_layout() { [[ "$APICURIO_VERSION" == 3.0.* ]]; }

health_url() {
  if legacy_layout; then
    printf '%s\n' "$BASE_URL/health/ready"
  else
    printf '%s\n' "http://$REGISTRY_HOST:$SCHEMA_REGISTRY_MANAGEMENT_PORT/health/ready"
  fi
}

# ---------------------------------------------------------------- fetch --

fetch() {
  if [[ -f "$FETCH_MARKER" && -d "$APICURIO_DIST" ]]; then
    log "Apicurio Registry $APICURIO_VERSION already cached in $APICURIO_DIST"
    return 0
  fi
  require_cmd tar
  mkdir -p "$APICURIO_HOME"
  local partial="$APICURIO_HOME/dist.partial" t0 archive
  t0="$(now_s)"
  log "fetching Apicurio Registry $APICURIO_VERSION from Maven Central (first run only, ~110 MB) into $APICURIO_DIST ..."
  rm -rf "$partial" "$APICURIO_DIST"
  # dependency:get 2.8 on purpose: newer versions of the plugin insist on reading
  # the artifact's parent POM (io.apicurio:apicurio-registry), which the Maven
  # Central mirror reachable here lacks for 3.0.9; the archive itself is
  # self-contained, so its POM is not needed.
  mkdir -p "$partial/download"
  if ! mvn_quiet "$APICURIO_HOME/fetch.log" \
    org.apache.maven.plugins:maven-dependency-plugin:2.8:get \
    -Dartifact="$APICURIO_ARTIFACT" -Dtransitive=false -Ddest="$partial/download/"; then
    show_log_tail "$APICURIO_HOME/fetch.log" 30
    die "fetching $APICURIO_ARTIFACT failed (full Maven output: $APICURIO_HOME/fetch.log)"
  fi
  archive="$partial/download/apicurio-registry-app-$APICURIO_VERSION-all.tar.gz"
  [[ -f "$archive" ]] || die "$archive missing after fetch (see $APICURIO_HOME/fetch.log)"
  log "unpacking $(du -h "$archive" | cut -f1) archive"
  mkdir -p "$partial/dist"
  tar -xzf "$archive" -C "$partial/dist"
  mv "$partial/dist" "$APICURIO_DIST"
  rm -rf "$partial"
  [[ -n "$(runner_jar)" ]] || die "no runnable jar found in $APICURIO_DIST"
  printf 'apicurio.version=%s\nfetched=%s\n' "$APICURIO_VERSION" "$(date -Is)" >"$FETCH_MARKER"
  log "fetched and unpacked ($(du -sh "$APICURIO_DIST" | cut -f1)) in $(elapsed_since "$t0")s"
}

# The Quarkus entry point: quarkus-run.jar (fast-jar layout, 3.1+) or
# *-runner.jar (legacy-jar layout, 3.0.x).
runner_jar() {
  local jar
  for jar in "$APICURIO_DIST/quarkus-run.jar" "$APICURIO_DIST"/apicurio-registry-app-*-runner.jar; do
    if [[ -f "$jar" ]]; then
      printf '%s\n' "$jar"
      return 0
    fi
  done
}

# --------------------------------------------------------------- health --

# Healthy = Quarkus readiness is UP and the Confluent-compatible API answers.
healthy() {
  local body
  body="$(curl -fsS -m 3 "$(health_url)" 2>/dev/null)" || return 1
  grep -q '"status": *"UP"' <<<"$body" || return 1
  curl -fsS -m 3 -o /dev/null "$CCOMPAT_URL/subjects" 2>/dev/null
}

# ---------------------------------------------------------------- start --

wait_healthy() {
  local pid="$1" rc=0
  wait_until "the schema registry on $BASE_URL" "$SCHEMA_REGISTRY_START_TIMEOUT" "$pid" healthy || rc=$?
  case "$rc" in
    0) return 0 ;;
    2)
      rm -f "$PID_FILE"
      show_log_tail "$REGISTRY_LOG" 40
      die "the schema registry exited during start-up (log: $REGISTRY_LOG)"
      ;;
    *)
      show_log_tail "$REGISTRY_LOG" 40
      die "schema registry not healthy after ${SCHEMA_REGISTRY_START_TIMEOUT}s (still running as pid $pid; log: $REGISTRY_LOG; stop it with: $0 stop)"
      ;;
  esac
}

external_reachable() {
  curl -fsS -m 5 -o /dev/null "${SCHEMA_REGISTRY_URL%/}/subjects" 2>/dev/null
}

# Apicurio's global compatibility default is NONE; Confluent's is BACKWARD.
# Set it explicitly (as a global rule stored in the database) once, when the
# database is new, so a later explicit change (PUT /config) is kept.
set_global_compatibility() {
  local out
  out="$(curl -fsS -m 10 -X PUT -H 'Content-Type: application/vnd.schemaregistry.v1+json' \
    --data "{\"compatibility\":\"$SCHEMA_REGISTRY_COMPATIBILITY\"}" "$CCOMPAT_URL/config")" ||
    die "could not set the global compatibility level to $SCHEMA_REGISTRY_COMPATIBILITY"
  log "new database: global compatibility set to $SCHEMA_REGISTRY_COMPATIBILITY ($out)"
}

start() {
  if external_registry; then
    if external_reachable; then
      log "SCHEMA_REGISTRY_URL is set ($SCHEMA_REGISTRY_URL): using that external registry, not starting a local one"
      return 0
    fi
    die "SCHEMA_REGISTRY_URL is set ($SCHEMA_REGISTRY_URL) but GET /subjects fails there; unset it to run the local registry"
  fi
  require_cmd curl
  local pid t0
  t0="$(now_s)"
  if pid="$(pid_alive "$PID_FILE" "$PID_PATTERN")"; then
    if healthy; then
      log "already running (pid $pid) and healthy on $BASE_URL; nothing to do"
      return 0
    fi
    log "already running (pid $pid) but not healthy yet"
    wait_healthy "$pid"
    log "schema registry is up (pid $pid): SCHEMA_REGISTRY_URL=$CCOMPAT_URL"
    return 0
  fi
  rm -f "$PID_FILE"
  port_open "$REGISTRY_HOST" "$SCHEMA_REGISTRY_PORT" &&
    die "port $SCHEMA_REGISTRY_PORT on $REGISTRY_HOST is already in use by another process (set SCHEMA_REGISTRY_PORT, or SCHEMA_REGISTRY_URL to use that registry)"
  if ! legacy_layout && port_open "$REGISTRY_HOST" "$SCHEMA_REGISTRY_MANAGEMENT_PORT"; then
    die "management port $SCHEMA_REGISTRY_MANAGEMENT_PORT on $REGISTRY_HOST is already in use (set SCHEMA_REGISTRY_MANAGEMENT_PORT)"
  fi

  fetch
  if legacy_layout; then require_java 17; else require_java 21; fi
  mkdir -p "$LOG_DIR"

  local -a props=(
    "$PID_PATTERN"
    -Dquarkus.http.host="$REGISTRY_HOST"
    -Dquarkus.http.port="$SCHEMA_REGISTRY_PORT"
    -Dapicurio.storage.kind=sql
    -Dapicurio.storage.sql.kind=h2
  )
  if ! legacy_layout; then
    props+=(-Dquarkus.management.host="$REGISTRY_HOST" -Dquarkus.management.port="$SCHEMA_REGISTRY_MANAGEMENT_PORT")
  fi
  local new_db=false
  case "$SCHEMA_REGISTRY_STORAGE" in
    file)
      [[ -f "$DB_DIR/registry.mv.db" ]] || new_db=true
      mkdir -p "$DB_DIR"
      props+=(-Dapicurio.datasource.url="jdbc:h2:file:$DB_DIR/registry")
      ;;
    mem) new_db=true ;; # the default datasource is jdbc:h2:mem:...
    *) die "SCHEMA_REGISTRY_STORAGE must be 'file' or 'mem', not '$SCHEMA_REGISTRY_STORAGE'" ;;
  esac

  log "starting Apicurio Registry $APICURIO_VERSION ($SCHEMA_REGISTRY_STORAGE storage) on $BASE_URL"
  local java
  java="$(java_bin)"
  # shellcheck disable=SC2086 # SCHEMA_REGISTRY_HEAP_OPTS is a list of JVM flags
  launch_detached "$PID_FILE" "$REGISTRY_LOG" \
    "$java" $SCHEMA_REGISTRY_HEAP_OPTS -XX:+UseSerialGC -Djava.awt.headless=true \
    "${props[@]}" -jar "$(runner_jar)"
  pid="$(tr -dc '0-9' <"$PID_FILE")"
  wait_healthy "$pid"
  if [[ "$new_db" == true ]]; then set_global_compatibility; fi
  log "schema registry is up (pid $pid) after $(elapsed_since "$t0")s: SCHEMA_REGISTRY_URL=$CCOMPAT_URL (log: $REGISTRY_LOG)"
}

# ---------------------------------------------------------- stop/status --

stop() {
  if external_registry; then
    log "SCHEMA_REGISTRY_URL is set ($SCHEMA_REGISTRY_URL): external registry, nothing to stop"
    return 0
  fi
  stop_pidfile "$PID_FILE" "$PID_PATTERN" "$SCHEMA_REGISTRY_STOP_TIMEOUT"
}

status() {
  if external_registry; then
    if external_reachable; then
      log "external registry SCHEMA_REGISTRY_URL=$SCHEMA_REGISTRY_URL (answering)"
      return 0
    fi
    log "external registry SCHEMA_REGISTRY_URL=$SCHEMA_REGISTRY_URL is NOT answering"
    return 1
  fi
  local pid
  if pid="$(pid_alive "$PID_FILE" "$PID_PATTERN")"; then
    if healthy; then
      log "running (pid $pid), healthy: SCHEMA_REGISTRY_URL=$CCOMPAT_URL (Apicurio $APICURIO_VERSION, $SCHEMA_REGISTRY_STORAGE storage; log: $REGISTRY_LOG)"
      return 0
    fi
    log "running (pid $pid) but NOT healthy at $(health_url) (log: $REGISTRY_LOG)"
    return 1
  fi
  log "not running"
  return 3
}

reset() {
  stop
  log "deleting the registry database in $DB_DIR"
  rm -rf "$DB_DIR"
}

logs() {
  local n="${1:-100}"
  [[ -f "$REGISTRY_LOG" ]] || die "no log yet at $REGISTRY_LOG"
  tail -n "$n" "$REGISTRY_LOG"
}

usage() {
  sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'
}

main() {
  local cmd="${1:-}"
  [[ $# -gt 0 ]] && shift
  case "$cmd" in
    fetch) fetch ;;
    start) start ;;
    stop) stop ;;
    restart) stop && start ;;
    status) status ;;
    reset) reset ;;
    url) printf '%s\n' "${SCHEMA_REGISTRY_URL:-$CCOMPAT_URL}" ;;
    logs) logs "$@" ;;
    -h | --help | help) usage ;;
    *)
      usage >&2
      exit 2
      ;;
  esac
}

main "$@"
