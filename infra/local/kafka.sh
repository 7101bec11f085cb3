#!/usr/bin/env bash
# Local single-node Apache Kafka (KRaft, combined broker+controller) run from
# Apache Kafka's own jars, fetched from Maven Central with mvn.
#
# usage: infra/local/kafka.sh <command> [args]
#   fetch                          download the jars into the cache (no-op if cached)
#   start                          fetch if needed, format storage on first run, start, wait until healthy
#   stop                           SIGTERM, wait, SIGKILL after KAFKA_STOP_TIMEOUT (no-op if not running)
#   status                         exit 0 if running and healthy, 1 if running but unhealthy, 3 if stopped
#   brokers                        print the bootstrap address to use ($KAFKA_BROKERS or the local one)
#   restart                        stop + start
#   reset                          stop and delete the broker's data (topics, offsets)
#   logs [N]                       print the last N (default 100) lines of the broker log
#   console-consumer <topic> [..]  Kafka's own console consumer (extra args passed through)
#   console-producer <topic> [..]  Kafka's own console producer (reads stdin)
#   topics [..]                    Kafka's topic command, e.g. topics --create --topic t --partitions 3
#   consumer-groups [..]           Kafka's consumer group command, e.g. consumer-groups --describe --all-groups
#
# environment:
#   KAFKA_BROKERS          if set, an external broker is used: start only checks that it accepts
#                          connections, stop does nothing, and the console/admin commands use it
#   KAFKA_VERSION          Kafka version to fetch and run (default 4.4.0)
#   KAFKA_PORT             client listener port on 127.0.0.1 (default 19092)
#   KAFKA_CONTROLLER_PORT  KRaft controller listener port on 127.0.0.1 (default 19093)
#   KAFKA_HEAP_OPTS        JVM heap flags (default "-Xms256m -Xmx512m")
#   KAFKA_START_TIMEOUT    seconds to wait for the broker to become healthy (default 90)
#   KAFKA_STOP_TIMEOUT     seconds to wait after SIGTERM before SIGKILL (default 30)
#   COFFEEBUDDY_CACHE      download cache root (default ~/.cache/coffeebuddy)
#   COFFEEBUDDY_STATE      data/log/pid root (default <repo>/.local)
set -euo pipefail

SERVICE_NAME=kafka
# shellcheck source=lib.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"

KAFKA_VERSION="${KAFKA_VERSION:-4.4.0}"
KAFKA_HOST=127.0.0.1
KAFKA_PORT="${KAFKA_PORT:-19092}"
KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-19093}"
KAFKA_HEAP_OPTS="${KAFKA_HEAP_OPTS:--Xms256m -Xmx512m}"
KAFKA_START_TIMEOUT="${KAFKA_START_TIMEOUT:-90}"
KAFKA_STOP_TIMEOUT="${KAFKA_STOP_TIMEOUT:-30}"

KAFKA_HOME="$CACHE_ROOT/kafka-$KAFKA_VERSION"
KAFKA_LIBS="$KAFKA_HOME/libs"
FETCH_MARKER="$KAFKA_HOME/.fetched"
KAFKA_POM="$LOCAL_INFRA_DIR/kafka/pom.xml"
BROKER_LOG4J="$LOCAL_INFRA_DIR/kafka/log4j2.properties"
TOOLS_LOG4J="$LOCAL_INFRA_DIR/kafka/tools-log4j2.properties"

STATE_DIR="$STATE_ROOT/kafka"
DATA_DIR="$STATE_DIR/data"
LOG_DIR="$STATE_DIR/logs"
PID_FILE="$STATE_DIR/kafka.pid"
CONFIG_FILE="$STATE_DIR/server.properties"
SERVER_LOG="$LOG_DIR/server.log"
STDOUT_LOG="$LOG_DIR/kafka.out"

BOOTSTRAP="$KAFKA_HOST:$KAFKA_PORT"

external_broker() { [[ -n "${KAFKA_BROKERS:-}" ]]; }

# ---------------------------------------------------------------- fetch --

# fetch [--quiet]: --quiet prints nothing when the jars are already cached.
fetch() {
  if [[ -f "$FETCH_MARKER" && -d "$KAFKA_LIBS" ]]; then
    [[ "${1:-}" == --quiet ]] || log "Kafka $KAFKA_VERSION jars already cached in $KAFKA_LIBS"
    return 0
  fi
  mkdir -p "$KAFKA_HOME"
  local partial="$KAFKA_HOME/libs.partial" t0 count size
  t0="$(now_s)"
  log "fetching Kafka $KAFKA_VERSION jars from Maven Central (first run only, ~45 MB) into $KAFKA_LIBS ..."
  rm -rf "$partial" "$KAFKA_LIBS"
  if ! mvn_quiet "$KAFKA_HOME/fetch.log" -f "$KAFKA_POM" \
    -Dkafka.version="$KAFKA_VERSION" \
    "$MVN_DEPENDENCY_PLUGIN:copy-dependencies" \
    -DincludeScope=runtime -DoutputDirectory="$partial"; then
    show_log_tail "$KAFKA_HOME/fetch.log" 30
    die "fetching Kafka $KAFKA_VERSION failed (full Maven output: $KAFKA_HOME/fetch.log)"
  fi
  [[ -f "$partial/kafka_2.13-$KAFKA_VERSION.jar" ]] ||
    die "kafka_2.13-$KAFKA_VERSION.jar missing after fetch (see $KAFKA_HOME/fetch.log)"
  mv "$partial" "$KAFKA_LIBS"
  count="$(find "$KAFKA_LIBS" -name '*.jar' | wc -l)"
  size="$(du -sh "$KAFKA_LIBS" | cut -f1)"
  printf 'kafka.version=%s\njars=%s\nfetched=%s\n' "$KAFKA_VERSION" "$count" "$(date -Is)" >"$FETCH_MARKER"
  log "fetched $count jars ($size) in $(elapsed_since "$t0")s"
}

# ------------------------------------------------------------- java glue --

# Name of the first class (of the given candidates) present in the cached jars.
# Zip central directories store file names uncompressed, so grep finds them.
find_class() {
  local cls jar
  for cls in "$@"; do
    for jar in "$KAFKA_LIBS"/kafka-tools-*.jar "$KAFKA_LIBS"/kafka_2.13-*.jar; do
      [[ -f "$jar" ]] || continue
      if LC_ALL=C grep -qaF "${cls//.//}.class" "$jar"; then
        printf '%s\n' "$cls"
        return 0
      fi
    done
  done
  die "none of these classes is in Kafka $KAFKA_VERSION's jars: $*"
}

# Runs one of Kafka's command-line tools from the cached jars (replaces the shell).
exec_tool() {
  local cls="$1" java
  shift
  java="$(java_bin)"
  exec "$java" -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 \
    -Dlog4j2.configurationFile="$TOOLS_LOG4J" -Dlog4j2.shutdownHookEnabled=false \
    -cp "$KAFKA_LIBS/*" "$cls" "$@"
}

# Same, but as a child process with a time bound; output to stdout/stderr.
run_tool() {
  local bound="$1" cls="$2" java
  shift 2
  java="$(java_bin)"
  timeout "$bound" "$java" -Xmx128m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 \
    -Dlog4j2.configurationFile="$TOOLS_LOG4J" -Dlog4j2.shutdownHookEnabled=false \
    -cp "$KAFKA_LIBS/*" "$cls" "$@"
}

# --------------------------------------------------------------- health --

# Healthy = the listener accepts connections and a metadata + ApiVersions round
# trip through Kafka's own admin client lists this broker (and not fenced).
healthy() {
  port_open "$KAFKA_HOST" "$KAFKA_PORT" || return 1
  local out cls
  cls="$(find_class org.apache.kafka.tools.BrokerApiVersionsCommand kafka.admin.BrokerApiVersionsCommand)"
  out="$(run_tool 20 "$cls" --bootstrap-server "$BOOTSTRAP" 2>/dev/null)" || return 1
  grep -qF "$BOOTSTRAP (id:" <<<"$out" || return 1
  ! grep -qF 'isFenced: true' <<<"$out"
}

# ---------------------------------------------------------------- start --

write_config() {
  mkdir -p "$DATA_DIR" "$LOG_DIR"
  cat >"$CONFIG_FILE" <<EOF
# GENERATED by infra/local/kafka.sh on every start; edit the script, not this file.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@$KAFKA_HOST:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://$KAFKA_HOST:$KAFKA_PORT,CONTROLLER://$KAFKA_HOST:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://$KAFKA_HOST:$KAFKA_PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$DATA_DIR

# topics are created explicitly (admin API / "kafka.sh topics --create")
auto.create.topics.enable=false
num.partitions=1
default.replication.factor=1

# single node: replication factor 1 everywhere, small internal topics
offsets.topic.replication.factor=1
offsets.topic.num.partitions=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1

# consumers join immediately instead of waiting 3 s for more members
group.initial.rebalance.delay.ms=0

num.network.threads=2
num.io.threads=4
EOF
}

format_storage_if_needed() {
  if [[ -f "$DATA_DIR/meta.properties" ]]; then
    return 0
  fi
  local java cluster_id
  java="$(java_bin)"
  cluster_id="$("$java" -Dlog4j2.configurationFile="$TOOLS_LOG4J" -cp "$KAFKA_LIBS/*" kafka.tools.StorageTool random-uuid)"
  log "formatting KRaft storage in $DATA_DIR (cluster id $cluster_id)"
  "$java" -Dlog4j2.configurationFile="$TOOLS_LOG4J" -cp "$KAFKA_LIBS/*" \
    kafka.tools.StorageTool format --cluster-id "$cluster_id" --config "$CONFIG_FILE" >"$LOG_DIR/format.log" 2>&1 || {
    show_log_tail "$LOG_DIR/format.log" 30
    die "formatting KRaft storage failed"
  }
}

wait_healthy() {
  local pid="$1" rc=0
  wait_until "the broker on $BOOTSTRAP" "$KAFKA_START_TIMEOUT" "$pid" healthy || rc=$?
  case "$rc" in
    0) return 0 ;;
    2)
      rm -f "$PID_FILE"
      show_log_tail "$STDOUT_LOG" 20
      show_log_tail "$SERVER_LOG" 40
      die "Kafka exited during start-up (logs: $LOG_DIR)"
      ;;
    *)
      show_log_tail "$SERVER_LOG" 40
      die "broker not healthy after ${KAFKA_START_TIMEOUT}s (still running as pid $pid; logs: $LOG_DIR; stop it with: $0 stop)"
      ;;
  esac
}

# With KAFKA_BROKERS set, the local broker is never started or stopped.
external_reachable() {
  local first="${KAFKA_BROKERS%%,*}"
  first="${first#*://}"
  port_open "${first%:*}" "${first##*:}"
}

start() {
  if external_broker; then
    if external_reachable; then
      log "KAFKA_BROKERS is set ($KAFKA_BROKERS): using that external broker, not starting a local one"
      return 0
    fi
    die "KAFKA_BROKERS is set ($KAFKA_BROKERS) but ${KAFKA_BROKERS%%,*} does not accept connections; unset it to run the local broker"
  fi
  local pid t0
  t0="$(now_s)"
  if pid="$(pid_alive "$PID_FILE" "$CONFIG_FILE")"; then
    if healthy; then
      log "already running (pid $pid) and healthy on $BOOTSTRAP; nothing to do"
      return 0
    fi
    log "already running (pid $pid) but not healthy yet"
    wait_healthy "$pid"
    log "Kafka $KAFKA_VERSION is up (pid $pid): KAFKA_BROKERS=$BOOTSTRAP"
    return 0
  fi
  rm -f "$PID_FILE"
  port_open "$KAFKA_HOST" "$KAFKA_PORT" &&
    die "port $KAFKA_PORT on $KAFKA_HOST is already in use by another process (set KAFKA_PORT, or KAFKA_BROKERS to use that broker)"
  port_open "$KAFKA_HOST" "$KAFKA_CONTROLLER_PORT" &&
    die "controller port $KAFKA_CONTROLLER_PORT on $KAFKA_HOST is already in use (set KAFKA_CONTROLLER_PORT)"

  fetch
  require_java 17
  write_config
  format_storage_if_needed

  log "starting Kafka $KAFKA_VERSION (KRaft, broker+controller) on $BOOTSTRAP, controller on $KAFKA_HOST:$KAFKA_CONTROLLER_PORT"
  local java
  java="$(java_bin)"
  # shellcheck disable=SC2086 # KAFKA_HEAP_OPTS is a list of JVM flags
  launch_detached "$PID_FILE" "$STDOUT_LOG" \
    "$java" $KAFKA_HEAP_OPTS \
    -server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 \
    -XX:+ExplicitGCInvokesConcurrent -Djava.awt.headless=true \
    -Dlog4j2.configurationFile="$BROKER_LOG4J" -Dkafka.logs.dir="$LOG_DIR" \
    -cp "$KAFKA_LIBS/*" kafka.Kafka "$CONFIG_FILE"
  pid="$(tr -dc '0-9' <"$PID_FILE")"
  wait_healthy "$pid"
  log "Kafka $KAFKA_VERSION is up (pid $pid) after $(elapsed_since "$t0")s: KAFKA_BROKERS=$BOOTSTRAP (logs: $LOG_DIR)"
}

# ---------------------------------------------------------- stop/status --

stop() {
  if external_broker; then
    log "KAFKA_BROKERS is set ($KAFKA_BROKERS): external broker, nothing to stop"
    return 0
  fi
  stop_pidfile "$PID_FILE" "$CONFIG_FILE" "$KAFKA_STOP_TIMEOUT"
}

status() {
  if external_broker; then
    if external_reachable; then
      log "external broker(s) KAFKA_BROKERS=$KAFKA_BROKERS (accepting connections)"
      return 0
    fi
    log "external broker(s) KAFKA_BROKERS=$KAFKA_BROKERS do NOT accept connections"
    return 1
  fi
  local pid
  if pid="$(pid_alive "$PID_FILE" "$CONFIG_FILE")"; then
    if healthy; then
      log "running (pid $pid), healthy: KAFKA_BROKERS=$BOOTSTRAP (Kafka $KAFKA_VERSION; data: $DATA_DIR; logs: $LOG_DIR)"
      return 0
    fi
    log "running (pid $pid) but NOT healthy on $BOOTSTRAP (logs: $LOG_DIR)"
    return 1
  fi
  log "not running"
  return 3
}

reset() {
  stop
  log "deleting broker data in $DATA_DIR"
  rm -rf "$DATA_DIR"
}

logs() {
  local n="${1:-100}"
  [[ -f "$SERVER_LOG" ]] || die "no log yet at $SERVER_LOG"
  tail -n "$n" "$SERVER_LOG"
}

# ------------------------------------------------------------ kafka tools --

# tool <candidate class>... -- [args]: runs the first class that exists against
# the local broker (or $KAFKA_BROKERS).
tool() {
  local -a candidates=()
  while [[ $# -gt 0 && "$1" != -- ]]; do
    candidates+=("$1")
    shift
  done
  [[ $# -gt 0 ]] && shift
  fetch --quiet >&2
  local cls
  cls="$(find_class "${candidates[@]}")"
  exec_tool "$cls" --bootstrap-server "${KAFKA_BROKERS:-$BOOTSTRAP}" "$@"
}

usage() {
  sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'
}

main() {
  local cmd="${1:-}"
  [[ $# -gt 0 ]] && shift
  case "$cmd" in
    fetch) fetch ;;
    brokers) printf '%s\n' "${KAFKA_BROKERS:-$BOOTSTRAP}" ;;
    start) start ;;
    stop) stop ;;
    restart) stop && start ;;
    status) status ;;
    reset) reset ;;
    logs) logs "$@" ;;
    console-consumer)
      [[ $# -ge 1 ]] || die "usage: $0 console-consumer <topic> [ConsoleConsumer args, e.g. --from-beginning --max-messages 10]"
      local topic="$1"
      shift
      tool org.apache.kafka.tools.consumer.ConsoleConsumer kafka.tools.ConsoleConsumer -- --topic "$topic" "$@"
      ;;
    console-producer)
      [[ $# -ge 1 ]] || die "usage: $0 console-producer <topic> [ConsoleProducer args]"
      local topic="$1"
      shift
      tool org.apache.kafka.tools.ConsoleProducer kafka.tools.ConsoleProducer -- --topic "$topic" "$@"
      ;;
    topics)
      tool org.apache.kafka.tools.TopicCommand kafka.admin.TopicCommand -- "$@"
      ;;
    consumer-groups)
      tool org.apache.kafka.tools.consumer.group.ConsumerGroupCommand kafka.admin.ConsumerGroupCommand -- "$@"
      ;;
    -h | --help | help) usage ;;
    *)
      usage >&2
      exit 2
      ;;
  esac
}

main "$@"
