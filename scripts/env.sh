# shellcheck shell=bash
# For your own shell, after scripts/run.sh or scripts/install.sh:
#
#   source scripts/env.sh
#
# puts the project's Node.js 24 and pnpm first on PATH (the machine's node is left alone when it
# already is Node 24) and exports the local stack's addresses from .local/env, so `pnpm …`,
# the benchmarks and the Kafka tools run exactly as the scripts run them.
_env_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=lib/toolchain.sh
source "$_env_root/scripts/lib/toolchain.sh"
if use_toolchain && [[ -f "${COFFEEBUDDY_STATE:-$_env_root/.local}/env" ]]; then
  set -a
  # shellcheck disable=SC1091
  source "${COFFEEBUDDY_STATE:-$_env_root/.local}/env"
  set +a
fi
unset _env_root
