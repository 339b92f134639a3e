# Sourced by the demo scripts: helpers, an emulator started on $ADDR that
# is stopped on exit whatever happens, and Terraform pointed at the local
# provider build (dev_overrides: no registry, no network).
# The caller sets ADDR before sourcing, and calls start_emulator.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BIN="$ROOT/bin"
EMU="http://$ADDR"
WORK=$(mktemp -d)
EMU_PID=""
START=$SECONDS

# Drops the "provider development overrides" warning box that dev_overrides
# prints on every command: it is expected here.
quiet() { sed -e '/Warning: Provider development overrides/,/releases\.$/d' -e '/^$/d'; }
step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
tf() { terraform "$@" -input=false -no-color 2>&1 | quiet; }
out() { terraform output -no-color "$@" 2>&1 | quiet; }
cleanup() {
  if [ -n "$EMU_PID" ] && kill -0 "$EMU_PID" 2>/dev/null; then
    # SIGTERM: the emulator stops whatever it started (PostgreSQL servers
    # on the postgres backend) and removes their data.
    kill "$EMU_PID" 2>/dev/null || true
    wait "$EMU_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

[ -x "$BIN/terraform-provider-itcare" ] && [ -x "$BIN/itcare-emulator" ] || { echo "run 'make build' first" >&2; exit 1; }

# start_emulator [FLAGS…] starts the emulator with 1s actions and waits
# for it; then copies examples/$DEMO_EXAMPLE into a working directory, cds
# there and exports what Terraform and the provider need.
start_emulator() {
  "$BIN/itcare-emulator" -addr "$ADDR" -action-duration 1s \
    -client-id demo -client-secret demo-secret "$@" >"$WORK/emulator.log" 2>&1 &
  EMU_PID=$!
  for _ in $(seq 1 50); do
    curl -fsS "$EMU/itcare/health" >/dev/null 2>&1 && break
    kill -0 "$EMU_PID" 2>/dev/null || break
    sleep 0.1
  done
  curl -fsS "$EMU/itcare/health" >/dev/null 2>&1 || { cat "$WORK/emulator.log"; exit 1; }

  cat >"$WORK/terraformrc" <<RC
provider_installation {
  dev_overrides {
    "cegedim-cloud/itcare" = "$BIN"
  }
  direct {}
}
RC
  export TF_CLI_CONFIG_FILE="$WORK/terraformrc"
  export TF_IN_AUTOMATION=1 CHECKPOINT_DISABLE=1
  export ITCARE_API_URL="$EMU/itcare"
  export ITCARE_TOKEN_URL="$EMU/auth/realms/cloud/protocol/openid-connect/token"
  export ITCARE_CLIENT_ID=demo ITCARE_CLIENT_SECRET=demo-secret
  export ITCARE_POLL_INTERVAL_MAX=1s
  export TF_VAR_admin_password="Demo-Passw0rd!2026"

  mkdir -p "$WORK/demo"
  cp "$ROOT/examples/$DEMO_EXAMPLE"/*.tf "$WORK/demo/"
  cd "$WORK/demo"
}
