#!/usr/bin/env bash
# The main job on the ITCare emulator, step by step: create an instance, resize
# it in place, install an extension, read the data sources, import an
# instance made "in the console", destroy everything. Terraform (or
# OpenTofu: CLI=tofu) uses the local provider build (dev_overrides: no
# registry, no network), and the emulator is stopped on exit, whatever
# happens.
ADDR=${DEMO_ADDR:-127.0.0.1:18787}
DEMO_EXAMPLE=demo
. "$(dirname "$0")/demo-lib.sh"

step "1. Start the ITCare emulator on $ADDR (each action takes 1s)"
start_emulator
echo "API $EMU/itcare, admin API $EMU/_emulator/"

step "2. Create a PostgreSQL 15 instance ($CLI apply)"
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

step "5. What the resource and the data sources say ($CLI output)"
out

step "6. A plan now: nothing left to do"
if cli plan -detailed-exitcode -input=false -no-color >/dev/null 2>&1; then echo "No changes."; else echo "unexpected changes" >&2; exit 1; fi

step "7. Someone creates legacydb01 in the ITCare console (the emulator's admin API)"
curl -fsS -X POST "$EMU/_emulator/instances" -H 'Content-Type: application/json' -d '{
  "name": "legacydb01", "serviceId": 1001, "networkId": 2001, "area": "EB-QA",
  "trigram": "LEG", "nodeSizing": "2cpu4gb", "diskSize": 40, "topology": "STANDALONE",
  "postgreVersion": "14", "admPassword": "Legacy-Passw0rd!2026"
}' | sed -E 's/.*"id":([0-9]+),.*"name":"([a-z0-9]+)".*/created instance \1 (\2)/'

step "8. Import it by name: an import block, and its configuration written by $CLI_NAME"
cat >import.tf <<'TF'
import {
  to = itcare_postgresql.legacy
  id = "legacydb01"
}
TF
tf plan -generate-config-out=generated.tf | grep -E 'Preparing import|^Plan:'
grep -E '^resource|^  (name|node_sizing|version|deletion_protection) ' generated.tf
tf apply -auto-approve | grep -E '^Apply complete'
if cli plan -detailed-exitcode -input=false -no-color >/dev/null 2>&1; then echo "Plan after import: no changes."; else echo "unexpected changes after import" >&2; exit 1; fi

step "9. Destroy: deletion_protection stops it for the imported instance, until turned off"
tf plan -destroy | grep -E 'Error: PostgreSQL Instance Protected' || true
sed -i.bak 's/deletion_protection *= true/deletion_protection = false/' generated.tf
tf apply -auto-approve | grep -E '^Apply complete'
tf destroy -auto-approve | grep -E 'Destruction complete|^Destroy complete'
left=$(curl -fsS "$EMU/_emulator/instances")
[ "$left" = "[]" ] && echo "The emulator holds no instance any more." || { echo "left behind: $left" >&2; exit 1; }

step "10. Stop the emulator (done in $((SECONDS - START))s)"
