#!/usr/bin/env bash
# The main job on the ITCare emulator, step by step: create an instance, resize
# it in place, install an extension, read the data sources, import an
# instance made "in the console", destroy everything. Terraform uses the
# local provider build (dev_overrides: no registry, no network), and the
# emulator is stopped on exit, whatever happens.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN="$ROOT/bin"
ADDR=${DEMO_ADDR:-127.0.0.1:18787}
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
    kill "$EMU_PID" 2>/dev/null || true
    wait "$EMU_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

[ -x "$BIN/terraform-provider-itcare" ] && [ -x "$BIN/itcare-emulator" ] || { echo "run 'make build' first" >&2; exit 1; }

step "1. Start the ITCare emulator on $ADDR (each action takes 1s)"
"$BIN/itcare-emulator" -addr "$ADDR" -action-duration 1s \
  -client-id demo -client-secret demo-secret >"$WORK/emulator.log" 2>&1 &
EMU_PID=$!
for _ in $(seq 1 50); do
  curl -fsS "$EMU/itcare/health" >/dev/null 2>&1 && break
  sleep 0.1
done
curl -fsS "$EMU/itcare/health" >/dev/null || { cat "$WORK/emulator.log"; exit 1; }
echo "API $EMU/itcare, admin API $EMU/_emulator/"

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
cp "$ROOT"/examples/demo/*.tf "$WORK/demo/"
cd "$WORK/demo"

step "2. Create a PostgreSQL 15 instance (terraform apply)"
tf apply -auto-approve | grep -E '^itcare_postgresql|^Apply complete'
out sizing

step "3. Resize it in place: node_sizing 2cpu4gb -> 4cpu8gb"
export TF_VAR_node_sizing=4cpu8gb
tf plan | sed -n -e '/update in-place/p' -e '/~ node_sizing/p' -e '/^Plan:/p' \
  -e '/Warning: Planned/,/interruption/{/^ *[0-9][0-9]*:/d;/with itcare/d;/on main.tf/d;p}' 
tf apply -auto-approve | grep -E '^Apply complete'
out sizing

step "4. Install an extension in place: pg_trgm in database postgres"
export TF_VAR_extensions='[{ database = "postgres", name = "pg_trgm" }]'
tf apply -auto-approve | grep -E 'Modifications complete|^Apply complete'

step "5. What the resource and the data sources say (terraform output)"
out

step "6. A plan now: nothing left to do"
if terraform plan -detailed-exitcode -input=false -no-color >/dev/null 2>&1; then echo "No changes."; else echo "unexpected changes" >&2; exit 1; fi

step "7. Someone creates legacydb01 in the ITCare console (the emulator's admin API)"
curl -fsS -X POST "$EMU/_emulator/instances" -H 'Content-Type: application/json' -d '{
  "name": "legacydb01", "serviceId": 1001, "networkId": 2001, "area": "EB-QA",
  "trigram": "LEG", "nodeSizing": "2cpu4gb", "diskSize": 40, "topology": "STANDALONE",
  "postgreVersion": "14", "admPassword": "Legacy-Passw0rd!2026"
}' | sed -E 's/.*"id":([0-9]+),.*"name":"([a-z0-9]+)".*/created instance \1 (\2)/'

step "8. Import it by name: an import block, and its configuration written by Terraform"
cat >import.tf <<'TF'
import {
  to = itcare_postgresql.legacy
  id = "legacydb01"
}
TF
tf plan -generate-config-out=generated.tf | grep -E 'Preparing import|^Plan:'
grep -E '^resource|^  (name|node_sizing|version|deletion_protection) ' generated.tf
tf apply -auto-approve | grep -E '^Apply complete'
if terraform plan -detailed-exitcode -input=false -no-color >/dev/null 2>&1; then echo "Plan after import: no changes."; else echo "unexpected changes after import" >&2; exit 1; fi

step "9. Destroy: deletion_protection stops it for the imported instance, until turned off"
tf plan -destroy | grep -E 'Error: PostgreSQL Instance Protected' || true
sed -i.bak 's/deletion_protection *= true/deletion_protection = false/' generated.tf
tf apply -auto-approve | grep -E '^Apply complete'
tf destroy -auto-approve | grep -E 'Destruction complete|^Destroy complete'
left=$(curl -fsS "$EMU/_emulator/instances")
[ "$left" = "[]" ] && echo "The emulator holds no instance any more." || { echo "left behind: $left" >&2; exit 1; }

step "10. Stop the emulator (done in $((SECONDS - START))s)"
