#!/usr/bin/env bash
# Headless Chromium for the browser test of the Slack emulator's page (tests/e2e).
#
#   infra/local/chromium.sh ensure   print the path of a Chromium binary, installing Debian's
#                                    `chromium` package first when there is none (idempotent)
#   infra/local/chromium.sh path     print the path, or fail, without installing anything
#
# Looks for $CHROMIUM_PATH, then chromium, chromium-browser, google-chrome-stable and
# google-chrome on PATH. Installing needs root (or password-less sudo) and apt-get; where that
# is not possible it stops with one line saying what to do. No browser is ever downloaded
# from anywhere but the distribution's package repository.
set -euo pipefail

log() { printf '[chromium] %s\n' "$*" >&2; }

find_chromium() {
  if [[ -n "${CHROMIUM_PATH:-}" ]]; then
    [[ -x "$CHROMIUM_PATH" ]] || { log "CHROMIUM_PATH=$CHROMIUM_PATH is not an executable file"; return 2; }
    printf '%s\n' "$CHROMIUM_PATH"
    return 0
  fi
  local name
  for name in chromium chromium-browser google-chrome-stable google-chrome; do
    if command -v "$name" >/dev/null 2>&1; then
      command -v "$name"
      return 0
    fi
  done
  return 1
}

apt_install() {
  local -a as_root=()
  if [[ "$(id -u)" != 0 ]]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
      as_root=(sudo -n)
    else
      log "Chromium is not installed and installing it needs root: run 'sudo apt-get install chromium' (or set CHROMIUM_PATH to a Chromium or Chrome binary), then run again"
      return 1
    fi
  fi
  command -v apt-get >/dev/null 2>&1 || {
    log "Chromium is not installed and this system has no apt-get: install Chromium with your package manager (or set CHROMIUM_PATH to a Chromium or Chrome binary), then run again"
    return 1
  }
  local -a apt=("${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 -y -q)
  log "installing Debian's $* package(s) (apt-get install; once)"
  # A machine whose package lists were never fetched does not know the package yet.
  if ! "${apt[@]}" install --no-install-recommends "$@" >/dev/null 2>&1; then
    "${apt[@]}" update >/dev/null 2>&1 || true
    "${apt[@]}" install --no-install-recommends "$@" >/dev/null || {
      log "apt-get install $* failed (see the lines above): install it by hand or set CHROMIUM_PATH"
      return 1
    }
  fi
}

# Screenshots show emoji (☕ 📝) only with a colour emoji font; best effort, never fatal.
ensure_emoji_font() {
  command -v fc-list >/dev/null 2>&1 || return 0
  fc-list 2>/dev/null | grep -qi 'emoji' && return 0
  if [[ "$(id -u)" != 0 ]] && ! sudo -n true 2>/dev/null; then return 0; fi
  apt_install fonts-noto-color-emoji || log "no emoji font (fonts-noto-color-emoji): screenshots show boxes for emoji"
}

ensure() {
  local found status=0
  found="$(find_chromium)" || status=$?
  if ((status == 2)); then return 1; fi
  if ((status != 0)); then
    apt_install chromium fonts-noto-color-emoji || return 1
    found="$(find_chromium)" || { log "chromium was installed but is not on PATH"; return 1; }
  fi
  ensure_emoji_font
  "$found" --version >/dev/null 2>&1 || { log "$found does not run (try: $found --version)"; return 1; }
  printf '%s\n' "$found"
}

case "${1:-}" in
  ensure) ensure ;;
  path) find_chromium || { log "no Chromium found: bash infra/local/chromium.sh ensure installs it"; exit 1; } ;;
  *)
    echo "usage: $0 ensure|path" >&2
    exit 2
    ;;
esac
