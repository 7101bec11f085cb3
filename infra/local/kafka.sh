#!/usr/bin/env bash
# Local single-node Apache Kafka (KRaft, combined broker+controller) run from
# Apache Kafka's own jars, fetched from Maven Central with mvn.
#
# usage: infra/local/kafka.sh <command> [args]
#   fetch                          download the jars into the cache (no-op if cached)
#   start                          fetch if needed, format storage on first run, start, wait until healthy
#   stop                           SIGTERM, wait, SIGKILL after KAFKA_STOP_TIMEOUT (no-op if not running)
#   kill                           SIGKILL this clone's broker (by its pid file; a crash, for the fault
#                                  suite), wait until it is gone; never touches another broker
#   status                         exit 0 if running and healthy, 1 if running but unhealthy, 3 if stopped
#   brokers                        print the bootstrap address to use ($KAFKA_BROKERS or the local one)
#   restart                        stop + start
#   reset                          stop and delete the broker's data (topics, offsets)
#   logs [N]                       print the last N (default 100) lines of the broker log
#   console-consumer <topic> [..]  Kafka's own console consumer (extra args passed through)
#   console-producer <topic> [..]  Kafka's own console producer (reads stdin)
#   topics [..]                    Kafka's topic command, e.g. topics --create --topic t --partitions 3
#   consumer-groups [..]           Kafka's consumer group command, e.g. consumer-groups --describe --all-groups
#   acls [..]                      Kafka's ACL command, e.g. acls --list
#   sasl-env                       print the SCRAM/TLS listeners' addresses, credentials file and CA as
#                                  COFFEEBUDDY_KAFKA_* variables (up.sh adds them to .local/env)
#
# Listeners (all on 127.0.0.1): PLAINTEXT on KAFKA_PORT, the local admin path (its anonymous
# principal is a super user: tests, provisioning, the local stack); SASL_PLAINTEXT (SCRAM-SHA-256
# and -512) on KAFKA_SASL_PORT and SASL_SSL on KAFKA_SSL_PORT, where Kafka's StandardAuthorizer
# applies the ACLs of packages/contracts/ACL.md to each service principal and denies the rest.
# Every principal of SCRAM_USERS below gets a generated password, kept in
# $COFFEEBUDDY_STATE/kafka/scram-users (name=password lines); the SSL listener's certificate is
# signed by a CA generated into $COFFEEBUDDY_STATE/kafka/tls/ca.pem.
#
# environment:
#   KAFKA_BROKERS          if set, an external broker is used: start only checks that it accepts
#                          connections, stop does nothing, and the console/admin commands use it
#   KAFKA_VERSION          Kafka version to fetch and run (default 4.4.0)
#   KAFKA_PORT             client listener port on 127.0.0.1 (default 19092)
#   KAFKA_CONTROLLER_PORT  KRaft controller listener port on 127.0.0.1 (default 19093)
#   KAFKA_SASL_PORT        SASL_PLAINTEXT (SCRAM) listener port (default KAFKA_PORT + 2)
#   KAFKA_SSL_PORT         SASL_SSL (SCRAM over TLS) listener port (default KAFKA_PORT + 3)
#   KAFKA_HEAP_OPTS        JVM heap flags (default "-Xms256m -Xmx512m")
#   KAFKA_START_TIMEOUT    seconds to wait for the broker to become healthy (default 240: the
#                          machine may be shared and busy; a healthy broker ends the wait at once)
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
KAFKA_SASL_PORT="${KAFKA_SASL_PORT:-$((KAFKA_PORT + 2))}"
KAFKA_SSL_PORT="${KAFKA_SSL_PORT:-$((KAFKA_PORT + 3))}"
KAFKA_HEAP_OPTS="${KAFKA_HEAP_OPTS:--Xms256m -Xmx512m}"
KAFKA_START_TIMEOUT="${KAFKA_START_TIMEOUT:-240}"
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
SCRAM_FILE="$STATE_DIR/scram-users"
TLS_DIR="$STATE_DIR/tls"

# The service principals of packages/contracts/src/acl.ts (SERVICES), as SCRAM users. The ACL
# test names any service missing here.
SCRAM_USERS=(
  coffeebuddy-slack-gateway
  coffeebuddy-runs-service
  coffeebuddy-orders-service
  coffeebuddy-admin-service
  coffeebuddy-reminder-worker
)

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

# write_config [file]: the broker's configuration (default: where the broker reads it).
write_config() {
  mkdir -p "$DATA_DIR" "$LOG_DIR"
  cat >"${1:-$CONFIG_FILE}" <<EOF
# GENERATED by infra/local/kafka.sh on every start; edit the script, not this file.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@$KAFKA_HOST:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://$KAFKA_HOST:$KAFKA_PORT,SASL_PLAINTEXT://$KAFKA_HOST:$KAFKA_SASL_PORT,SASL_SSL://$KAFKA_HOST:$KAFKA_SSL_PORT,CONTROLLER://$KAFKA_HOST:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://$KAFKA_HOST:$KAFKA_PORT,SASL_PLAINTEXT://$KAFKA_HOST:$KAFKA_SASL_PORT,SASL_SSL://$KAFKA_HOST:$KAFKA_SSL_PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL
log.dirs=$DATA_DIR

# SCRAM for the service principals (users are created by this script); TLS with a local CA.
sasl.enabled.mechanisms=SCRAM-SHA-256,SCRAM-SHA-512
listener.name.sasl_plaintext.scram-sha-256.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
listener.name.sasl_ssl.ssl.keystore.type=PEM
listener.name.sasl_ssl.ssl.keystore.location=$TLS_DIR/broker.pem

# ACLs apply to authenticated principals; the PLAINTEXT and CONTROLLER listeners' anonymous
# principal is the local admin (both listen on 127.0.0.1 only).
authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
super.users=User:ANONYMOUS
allow.everyone.if.no.acl.found=false

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
  log "formatting KRaft storage in $DATA_DIR (cluster id $cluster_id), with the SCRAM users"
  # A new cluster gets its SCRAM users in the bootstrap metadata (KIP-900): no extra JVM later.
  local -a scram=() user password
  : >"$SCRAM_FILE.new"
  for user in "${SCRAM_USERS[@]}"; do
    password="$(openssl rand -hex 24)"
    scram+=(--add-scram "SCRAM-SHA-256=[name=$user,password=$password]" --add-scram "SCRAM-SHA-512=[name=$user,password=$password]")
    printf '%s=%s\n' "$user" "$password" >>"$SCRAM_FILE.new"
  done
  "$java" -Dlog4j2.configurationFile="$TOOLS_LOG4J" -cp "$KAFKA_LIBS/*" \
    kafka.tools.StorageTool format --cluster-id "$cluster_id" --config "$CONFIG_FILE" "${scram[@]}" >"$LOG_DIR/format.log" 2>&1 || {
    show_log_tail "$LOG_DIR/format.log" 30
    die "formatting KRaft storage failed"
  }
  mv "$SCRAM_FILE.new" "$SCRAM_FILE"
}

# The SSL listener's key and certificate (for 127.0.0.1 and localhost), signed by a local CA
# whose certificate clients trust through KAFKA_SSL_CA_FILE. Made once per state directory.
ensure_tls() {
  [[ -f "$TLS_DIR/broker.pem" && -f "$TLS_DIR/ca.pem" ]] && return 0
  require_cmd openssl
  mkdir -p "$TLS_DIR"
  chmod 700 "$TLS_DIR"
  log "creating a local CA and the broker's TLS certificate in $TLS_DIR"
  (
    cd "$TLS_DIR"
    openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=CoffeeBuddy local Kafka CA" \
      -keyout ca.key -out ca.pem 2>/dev/null
    openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" -keyout broker.key -out broker.csr 2>/dev/null
    printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n' >broker.ext
    openssl x509 -req -in broker.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 3650 \
      -extfile broker.ext -out broker.crt 2>/dev/null
    # Kafka's PEM key store: the unencrypted PKCS#8 key, then the certificate chain.
    openssl pkcs8 -topk8 -nocrypt -in broker.key -out broker.pk8
    cat broker.pk8 broker.crt ca.pem >broker.pem.new
    mv broker.pem.new broker.pem
    rm -f broker.csr broker.ext broker.pk8 ca.srl
  ) || die "creating the TLS certificates in $TLS_DIR failed"
}

# Brokers formatted before SCRAM users existed here (or a user added to SCRAM_USERS later) get
# the missing users through Kafka's config command (the admin API, as the local admin).
ensure_scram_users() {
  local user password cls mechanism
  touch "$SCRAM_FILE"
  for user in "${SCRAM_USERS[@]}"; do
    grep -q "^$user=" "$SCRAM_FILE" && continue
    password="$(openssl rand -hex 24)"
    cls="${cls:-$(find_class org.apache.kafka.tools.ConfigCommand kafka.admin.ConfigCommand)}"
    log "creating SCRAM user $user"
    # One mechanism per request: Kafka refuses two changes to one user's credentials in one.
    for mechanism in SCRAM-SHA-256 SCRAM-SHA-512; do
      run_tool 60 "$cls" --bootstrap-server "$BOOTSTRAP" --alter --entity-type users --entity-name "$user" \
        --add-config "$mechanism=[password=$password]" >/dev/null ||
        die "creating SCRAM user $user ($mechanism) failed"
    done
    printf '%s=%s\n' "$user" "$password" >>"$SCRAM_FILE"
  done
}

sasl_env() {
  external_broker && return 0
  printf 'COFFEEBUDDY_KAFKA_SASL_BROKERS=%s\n' "$KAFKA_HOST:$KAFKA_SASL_PORT"
  printf 'COFFEEBUDDY_KAFKA_SASL_SSL_BROKERS=%s\n' "$KAFKA_HOST:$KAFKA_SSL_PORT"
  printf 'COFFEEBUDDY_KAFKA_SCRAM_USERS=%s\n' "$SCRAM_FILE"
  printf 'COFFEEBUDDY_KAFKA_CA_FILE=%s\n' "$TLS_DIR/ca.pem"
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
  # A broker started by an older version of this script (without the SCRAM listeners, say) is
  # restarted with the configuration this one writes.
  if pid="$(pid_alive "$PID_FILE" "$CONFIG_FILE")"; then
    write_config "$CONFIG_FILE.next"
    if ! cmp -s "$CONFIG_FILE" "$CONFIG_FILE.next"; then
      log "the running broker (pid $pid) has an older configuration; restarting it with the current one"
      stop_pidfile "$PID_FILE" "$CONFIG_FILE" "$KAFKA_STOP_TIMEOUT"
    fi
    rm -f "$CONFIG_FILE.next"
  fi
  if pid="$(pid_alive "$PID_FILE" "$CONFIG_FILE")"; then
    if healthy; then
      ensure_scram_users
      log "already running (pid $pid) and healthy on $BOOTSTRAP; nothing to do"
      return 0
    fi
    log "already running (pid $pid) but not healthy yet"
    wait_healthy "$pid"
    ensure_scram_users
    log "Kafka $KAFKA_VERSION is up (pid $pid): KAFKA_BROKERS=$BOOTSTRAP"
    return 0
  fi
  rm -f "$PID_FILE"
  port_open "$KAFKA_HOST" "$KAFKA_PORT" &&
    die "port $KAFKA_PORT on $KAFKA_HOST is already in use by another process (set KAFKA_PORT, or KAFKA_BROKERS to use that broker)"
  port_open "$KAFKA_HOST" "$KAFKA_CONTROLLER_PORT" &&
    die "controller port $KAFKA_CONTROLLER_PORT on $KAFKA_HOST is already in use (set KAFKA_CONTROLLER_PORT)"
  port_open "$KAFKA_HOST" "$KAFKA_SASL_PORT" &&
    die "SASL port $KAFKA_SASL_PORT on $KAFKA_HOST is already in use (set KAFKA_SASL_PORT)"
  port_open "$KAFKA_HOST" "$KAFKA_SSL_PORT" &&
    die "SSL port $KAFKA_SSL_PORT on $KAFKA_HOST is already in use (set KAFKA_SSL_PORT)"

  fetch
  require_java 17
  ensure_tls
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
  ensure_scram_users
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

# kill: a crash of this clone's broker, whatever KAFKA_BROKERS says (the fault suite sets it to this
# broker's address): SIGKILL the pid in $PID_FILE, only if that process runs our configuration.
kill_broker() {
  local pid waited=0
  if ! pid="$(pid_alive "$PID_FILE" "$CONFIG_FILE")"; then
    log "not running"
    return 0
  fi
  log "SIGKILL (pid $pid)"
  kill -KILL "$pid"
  while kill -0 "$pid" 2>/dev/null; do
    ((waited += 1))
    [[ $waited -gt 300 ]] && die "pid $pid still alive 30 s after SIGKILL"
    sleep 0.1
  done
  log "killed"
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
    kill) kill_broker ;;
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
    acls)
      tool org.apache.kafka.tools.AclCommand kafka.admin.AclCommand -- "$@"
      ;;
    sasl-env) sasl_env ;;
    -h | --help | help) usage ;;
    *)
      usage >&2
      exit 2
      ;;
  esac
}

main "$@"
