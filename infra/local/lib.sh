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
# shellcheck disable=SC2034 # used by the scripts that source this file
MVN_DEPENDENCY_PLUGIN="org.apache.maven.plugins:maven-dependency-plugin:3.8.1"

# All messages go to stderr (like postgres.sh), so stdout carries only data
# (addresses from `url`/`brokers`, messages from the console consumer).
log() { printf '[%s] %s\n' "${SERVICE_NAME:-local}" "$*" >&2; }
warn() { printf '[%s] WARNING: %s\n' "${SERVICE_NAME:-local}" "$*" >&2; }
die() {
  printf '[%s] ERROR: %s\n' "${SERVICE_NAME:-local}" "$*" >&2
  exit 1
}

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

# Runs mvn with its full output going to the file $1 and prints short progress
# lines to stderr instead: every 20 MB downloaded in total, every 20 MB of a
# single large download, and a total at the end. (Not in batch mode: Maven
# only reports per-file transfer progress in interactive mode.) Returns mvn's
# exit status.
mvn_quiet() {
  local mvn_log="$1"
  shift
  require_cmd mvn "e.g. apt-get install maven"
  mkdir -p "$(dirname "$mvn_log")"
  local rc=0
  mvn -Dstyle.color=never "$@" </dev/null 2>&1 | tee "$mvn_log" | awk -v tag="${SERVICE_NAME:-local}" '
    BEGIN { RS = "[\r\n]+"; step = 20; next_total = step; next_big = step }
    function say(msg) { printf "[%s]   %s\n", tag, msg > "/dev/stderr"; fflush("/dev/stderr") }
    function to_mb(v, unit) {
      if (unit == "B") return v / 1048576
      if (unit == "kB") return v / 1024
      if (unit == "GB") return v * 1024
      return v
    }
    /^Progress \([0-9]+\): [0-9.]+\/[0-9.]+ MB/ {
      split($3, xy, "/"); x = xy[1] + 0; y = xy[2] + 0
      if (y >= 2 * step && x >= next_big) {
        say(sprintf("... %d / %d MB of a large file", x, y))
        while (next_big <= x) next_big += step
        big = 1
      }
      next
    }
    /Downloaded from [^:]+: / {
      n++; next_big = step
      size = $0; sub(/.*\(/, "", size); split(size, f, " ")
      mb += to_mb(f[1] + 0, f[2])
      if (big) { big = 0; while (next_total <= mb) next_total += step }
      if (mb >= next_total) {
        say(sprintf("... %d MB downloaded so far (%d files)", mb, n))
        while (next_total <= mb) next_total += step
      }
    }
    END { if (n > 0) say(sprintf("downloaded %d files (%.1f MB) from Maven", n, mb)) }
  ' || rc=$?
  # with pipefail, a failing mvn makes the pipeline fail
  return "$rc"
}

# Is something accepting TCP connections on host:port? (bash /dev/tcp, no nc needed)
port_open() {
  local host="$1" port="$2"
  # shellcheck disable=SC2016 # expanded by the inner shell
  timeout 3 bash -c 'exec 3<>"/dev/tcp/$0/$1"' "$host" "$port" >/dev/null 2>&1
}

# wait_until DESCRIPTION TIMEOUT PID CHECK_FN: polls CHECK_FN every second until
# it succeeds (0), the process PID exits (2) or TIMEOUT seconds pass (1).
# Prints one progress line every 5 seconds (line-based, so output from
# scripts started side by side by up.sh stays readable).
wait_until() {
  local what="$1" timeout="$2" pid="$3" check="$4" t0 elapsed next=5
  t0="$(date +%s)"
  log "waiting for $what (timeout ${timeout}s)"
  while :; do
    kill -0 "$pid" 2>/dev/null || return 2
    "$check" && return 0
    elapsed=$(($(date +%s) - t0))
    ((elapsed >= timeout)) && return 1
    if ((elapsed >= next)); then
      log "  still waiting for $what (${elapsed}s)"
      next=$((next + 5))
    fi
    sleep 1
  done
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
      warn "still running after ${timeout}s; sending SIGKILL to $pid"
      kill -KILL "$pid" 2>/dev/null || true
      sleep 0.5
      break
    fi
    if ((waited > 0 && waited % 10 == 0)); then log "still stopping ($((waited / 2))s)"; fi
    sleep 0.5
    waited=$((waited + 1))
  done
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

# Moves FILE to FILE.1 when it is larger than 20 MB (a log appended to by
# launch_detached across restarts).
rotate_log() {
  local file="$1" size
  [[ -f "$file" ]] || return 0
  size="$(wc -c <"$file")"
  if ((size > 20 * 1024 * 1024)); then
    mv -f "$file" "$file.1"
  fi
}

# Launches a command detached from this shell (own session, no stdin, output
# appended to OUT) and writes its pid to PIDFILE.
launch_detached() {
  local pidfile="$1" out="$2"
  shift 2
  mkdir -p "$(dirname "$pidfile")" "$(dirname "$out")"
  rotate_log "$out"
  printf '\n===== %s starting: %s =====\n' "$(date -Is)" "$*" >>"$out"
  rm -f "$pidfile"
  local -a detach=(nohup)
  command -v setsid >/dev/null 2>&1 && detach+=(setsid)
  # The inner shell records its own pid and then execs the command, so the pid
  # file holds the JVM's pid whether or not setsid had to fork.
  # shellcheck disable=SC2016 # $$ and $@ are expanded by the inner shell
  "${detach[@]}" bash -c 'printf "%s\n" "$$" >"$0"; exec "$@"' "$pidfile" "$@" >>"$out" 2>&1 </dev/null &
  local _
  for _ in 1 2 3 4 5 6 7 8 9 10; do
    [[ -s "$pidfile" ]] && return 0
    sleep 0.1
  done
  [[ -s "$pidfile" ]] || die "failed to launch $1 (see $out)"
}
