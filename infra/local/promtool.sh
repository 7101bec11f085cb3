#!/usr/bin/env bash
# Prints the path of a `promtool` binary, fetching it on first use from Debian's `prometheus`
# package (downloaded and unpacked into the cache; nothing is installed or started).
#
#   infra/local/promtool.sh            # path of promtool
#   infra/local/promtool.sh check metrics < metrics.txt
set -euo pipefail
cache="${COFFEEBUDDY_CACHE:-$HOME/.cache/coffeebuddy}/promtool"
bin="$cache/root/usr/bin/promtool"

if command -v promtool >/dev/null 2>&1; then
  bin="$(command -v promtool)"
elif [[ ! -x "$bin" ]]; then
  echo "[promtool] fetching Debian's prometheus package for promtool (first run only, ~19 MB)" >&2
  mkdir -p "$cache/download"
  (
    cd "$cache/download"
    if ! apt-get download prometheus >/dev/null 2>&1; then
      # The package lists may be missing on a fresh machine.
      apt-get update >/dev/null 2>&1 || true
      apt-get download prometheus >&2
    fi
  )
  dpkg-deb -x "$(ls -t "$cache"/download/prometheus_*.deb | head -n 1)" "$cache/root"
  rm -rf "$cache/download"
  [[ -x "$bin" ]] || { echo "[promtool] promtool not found in the package" >&2; exit 1; }
fi

if (( $# == 0 )); then echo "$bin"; else exec "$bin" "$@"; fi
