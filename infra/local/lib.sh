# shellcheck shell=bash
# Shared helpers for infra/local/*.sh. Sourced, not executed.
#
# Conventions:
#   cache (downloads, outside git): ${COFFEEBUDDY_CACHE:-$HOME/.cache/coffeebuddy}
#   state (data, logs, pid files):  ${COFFEEBUDDY_STATE:-<repo>/.local}

LOCAL_INFRA_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$LOCAL_INFRA_DIR/../.." && pwd)"
CACHE_ROOT="${COFFEEBUDDY_CACHE:-${HOME:?HOME is not set}/.cache/coffeebuddy}"
STATE_ROOT="${COFFEEBUDDY_STATE:-$REPO_ROOT/.local}"
export LOCAL_INFRA_DIR REPO_ROOT CACHE_ROOT STATE_ROOT

# The Maven dependency plugin bound by default in Maven 3.8 is 2.8; pin a modern one.
MVN_DEPENDENCY_PLUGIN="org.apache.maven.plugins:maven-dependency-plugin:3.8.1"

_ts() { date +%H:%M:%S; }
log() { printf '[%s] %s: %s\n' "$(_ts)" "${SERVICE_NAME:-local}" "$*"; }
warn() { printf '[%s] %s: WARNING: %s\n' "$(_ts)" "${SERVICE_NAME:-local}" "$*" >&2; }
die() { printf '[%s] %s: ERROR: %s\n' "$(_ts)" "${SERVICE_NAME:-local}" "$*" >&2; exit 1; }

# Seconds since the epoch with millisecond precision, for timing messages.
now_s() { date +%s.%N; }
elapsed_since() { awk -v a="$1" -v b="$(now_s)" 'BEGIN { printf "%.1f", b - a }'; }

java_bin() {
  if [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" ]]; then
    printf '%s\n' "$JAVA_HOME/bin/java"
  elif command -v java >/dev/null 2>&1; then
    command -v java
  else
    die "java not found (need Java 17+); install a JDK or set JAVA_HOME"
  fi
}

# Fails unless the JVM is at least the given feature version.
require_java() {
  local min="$1" java ver
  java="$(java_bin)"
  ver="$("$java" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ { print $2; exit }')"
  ver="${ver%%.*}"
  [[ "$ver" =~ ^[0-9]+$ ]] || die "could not determine the Java version of $java"
  ((ver >= min)) || die "$java is Java $ver, but Java $min+ is required"
}

require_cmd() {
  command -v "$1" >/dev/null 2>&1 || die "'$1' is required but not installed${2:+ ($2)}"
}

# Runs mvn in batch mode and prints one short line per downloaded jar/archive
# instead of Maven's full output; the full output goes to $1. Returns mvn's
# exit status.
mvn_quiet() {
  local mvn_log="$1"
  shift
  require_cmd mvn "e.g. apt-get install maven"
  mkdir -p "$(dirname "$mvn_log")"
  local rc=0
  mvn -B "$@" 2>&1 | tee "$mvn_log" | awk '
    /Downloaded from [^:]+: .*\.(jar|tar\.gz|zip) \(/ {
      url = $0; sub(/.*Downloaded from [^:]+: /, "", url)
      size = url; sub(/^[^(]*\(/, "", size); sub(/ at .*/, "", size); sub(/\)$/, "", size)
      sub(/ \(.*/, "", url); n = split(url, parts, "/")
      printf "    downloaded %s (%s)\n", parts[n], size; fflush()
    }
    /BUILD FAILURE|\[ERROR\]/ { print "    " $0; fflush() }
  ' || rc=$?
  # with pipefail, a failing mvn makes the pipeline fail
  return "$rc"
}

# Is something accepting TCP connections on host:port? (bash /dev/tcp, no nc needed)
port_open() {
  local host="$1" port="$2"
  (exec 3<>"/dev/tcp/$host/$port") >/dev/null 2>&1
}

# pid_alive PIDFILE PATTERN: prints the pid and succeeds if the pid file points at
# a live process whose command line contains PATTERN (guards against pid reuse).
pid_alive() {
  local pidfile="$1" pattern="$2" pid
  [[ -f "$pidfile" ]] || return 1
  pid="$(tr -dc '0-9' <"$pidfile")"
  [[ -n "$pid" ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  if [[ -r "/proc/$pid/cmdline" ]]; then
    tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "$pattern" || return 1
  fi
  printf '%s\n' "$pid"
}

# stop_pidfile PIDFILE PATTERN TIMEOUT_SECONDS
# SIGTERM, wait up to TIMEOUT, then SIGKILL. No-op if not running.
stop_pidfile() {
  local pidfile="$1" pattern="$2" timeout="$3" pid waited=0
  if ! pid="$(pid_alive "$pidfile" "$pattern")"; then
    if [[ -f "$pidfile" ]]; then
      rm -f "$pidfile"
      log "not running (removed stale pid file)"
    else
      log "not running"
    fi
    return 0
  fi
  log "stopping (pid $pid, SIGTERM, waiting up to ${timeout}s)"
  kill -TERM "$pid" 2>/dev/null || true
  while kill -0 "$pid" 2>/dev/null; do
    if ((waited >= timeout * 2)); then
      printf '\n'
      warn "still running after ${timeout}s; sending SIGKILL to $pid"
      kill -KILL "$pid" 2>/dev/null || true
      sleep 0.5
      break
    fi
    if ((waited > 0 && waited % 2 == 0)); then printf '.'; fi
    sleep 0.5
    waited=$((waited + 1))
  done
  ((waited > 2)) && printf '\n'
  rm -f "$pidfile"
  log "stopped"
}

# Prints the last lines of a log file to stderr, framed.
show_log_tail() {
  local file="$1" lines="${2:-40}"
  [[ -f "$file" ]] || return 0
  {
    printf -- '----- last %s lines of %s -----\n' "$lines" "$file"
    tail -n "$lines" "$file"
    printf -- '----- end of %s -----\n' "$file"
  } >&2
}

# Launches a command detached from this shell (own session, no stdin, output
# appended to OUT) and writes its pid to PIDFILE.
launch_detached() {
  local pidfile="$1" out="$2"
  shift 2
  mkdir -p "$(dirname "$pidfile")" "$(dirname "$out")"
  printf '\n===== %s starting: %s =====\n' "$(date -Is)" "$*" >>"$out"
  if command -v setsid >/dev/null 2>&1; then
    nohup setsid "$@" >>"$out" 2>&1 </dev/null &
  else
    nohup "$@" >>"$out" 2>&1 </dev/null &
  fi
  printf '%s\n' "$!" >"$pidfile"
}
