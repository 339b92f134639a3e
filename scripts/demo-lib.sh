# Sourced by the demo scripts: helpers, an emulator started on $ADDR that
# is stopped on exit whatever happens, and the CLI pointed at the local
# provider build (dev_overrides: no registry, no network).
# The caller sets ADDR before sourcing, and calls start_emulator.
#
# CLI=terraform (the default) runs the terraform on PATH; CLI=tofu runs
# OpenTofu $OPENTOFU_VERSION (default 1.12.6), which scripts/opentofu.sh
# builds once from its Go module into a cache outside the clone
# (TOFU=/path/to/tofu runs that binary instead). Either must be 1.11 or
# later.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BIN="$ROOT/bin"
CLI=${CLI:-terraform}
OPENTOFU_VERSION=${OPENTOFU_VERSION:-1.12.6}
case "$CLI" in
  terraform)
    CLI_BIN=$(command -v terraform) || { echo "terraform is not on PATH" >&2; exit 1; }
    # The host a source address without one ("cegedim-cloud/itcare") is on:
    # dev_overrides are keyed on the full address.
    REGISTRY=registry.terraform.io ;;
  tofu)
    CLI_BIN=${TOFU:-$("$ROOT/scripts/opentofu.sh" "$OPENTOFU_VERSION")}
    REGISTRY=registry.opentofu.org ;;
  *) echo "CLI must be terraform or tofu, not $CLI" >&2; exit 2 ;;
esac
# The CLI's own name for itself (Terraform or OpenTofu) and its version.
read -r CLI_NAME CLI_VERSION < <(TF_CLI_CONFIG_FILE=/dev/null "$CLI_BIN" version | sed -n '1s/^\([A-Za-z]*\) v\([0-9][0-9.]*\).*/\1 \2/p')
# The examples pass the password through an ephemeral variable into the
# write-only argument: both CLIs have them from 1.11 on.
IFS=. read -r major minor _ <<<"$CLI_VERSION"
if [ "${major:-0}" -lt 1 ] || { [ "$major" -eq 1 ] && [ "${minor:-0}" -lt 11 ]; }; then
  echo "the demo needs $CLI_NAME 1.11 or later (write-only arguments); $CLI_BIN is $CLI_NAME $CLI_VERSION" >&2
  exit 1
fi
EMU="http://$ADDR"
WORK=$(mktemp -d)
EMU_PID=""
START=$SECONDS

# Drops the "provider development overrides" warning box that dev_overrides
# prints on every command: it is expected here.
quiet() { sed -e '/Warning: Provider development overrides/,/releases\.$/d' -e '/^$/d'; }
step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
cli() { "$CLI_BIN" "$@"; }
tf() { cli "$@" -input=false -no-color 2>&1 | quiet; }
out() { cli output -no-color "$@" 2>&1 | quiet; }
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
# there and exports what the CLI and the provider need.
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

  echo "$(TF_CLI_CONFIG_FILE=/dev/null cli version | sed -n 1p) ($CLI_BIN), provider from $BIN"
  cat >"$WORK/terraformrc" <<RC
provider_installation {
  dev_overrides {
    "$REGISTRY/cegedim-cloud/itcare" = "$BIN"
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
