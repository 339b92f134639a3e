#!/usr/bin/env bash
# The main job on the ITCare emulator: start it, point Terraform at the
# local provider build (dev_overrides: no registry), apply examples/demo,
# show what was created, destroy it and stop the emulator.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN="$ROOT/bin"
ADDR=${DEMO_ADDR:-127.0.0.1:18787}
WORK=$(mktemp -d)
EMU_PID=""

# Drops the "provider development overrides" warning box that dev_overrides
# prints on every command: it is expected here.
quiet() { sed -e '/Warning: Provider development overrides/,/releases\.$/d' -e '/^$/d'; }
step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
cleanup() {
  if [ -n "$EMU_PID" ] && kill -0 "$EMU_PID" 2>/dev/null; then
    kill "$EMU_PID" 2>/dev/null || true
    wait "$EMU_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

[ -x "$BIN/terraform-provider-itcare" ] && [ -x "$BIN/itcare-emulator" ] || { echo "run 'make build' first" >&2; exit 1; }

step "Starting the ITCare emulator on $ADDR (actions take 2s)"
"$BIN/itcare-emulator" -addr "$ADDR" -action-duration 2s \
  -client-id demo -client-secret demo-secret >"$WORK/emulator.log" 2>&1 &
EMU_PID=$!
for _ in $(seq 1 50); do
  curl -fsS "http://$ADDR/itcare/health" >/dev/null 2>&1 && break
  sleep 0.1
done
curl -fsS "http://$ADDR/itcare/health" >/dev/null || { cat "$WORK/emulator.log"; exit 1; }

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
export ITCARE_API_URL="http://$ADDR/itcare"
export ITCARE_TOKEN_URL="http://$ADDR/auth/realms/cloud/protocol/openid-connect/token"
export ITCARE_CLIENT_ID=demo ITCARE_CLIENT_SECRET=demo-secret
export ITCARE_POLL_INTERVAL_MAX=1s
export TF_VAR_admin_password="Demo-Passw0rd!2026"

mkdir -p "$WORK/demo"
cp "$ROOT"/examples/demo/*.tf "$WORK/demo/"
cd "$WORK/demo"

step "terraform apply: create a PostgreSQL instance"
terraform apply -auto-approve -input=false -no-color 2>&1 | quiet

step "What was created (terraform output)"
terraform output -no-color 2>&1 | quiet

step "terraform plan after apply: nothing left to do"
terraform plan -detailed-exitcode -input=false -no-color >/dev/null && echo "No changes."

step "terraform destroy (deletion_protection is off in this demo)"
terraform destroy -auto-approve -input=false -no-color 2>&1 | quiet | tail -n 3

step "Stopping the emulator"
