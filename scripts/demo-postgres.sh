#!/usr/bin/env bash
# The chain a module author builds, on the ITCare emulator's postgres
# backend: apply an instance that is a real PostgreSQL server, connect with
# psql using the outputs, create a table, install an extension through
# Terraform (or OpenTofu: CLI=tofu) and see it in \dx, stop and start the
# instance, destroy it. The CLI uses the local provider build
# (dev_overrides), and the emulator, with every server it started, is
# stopped on exit.
ADDR=${DEMO_ADDR:-127.0.0.1:18788}
DEMO_EXAMPLE=demo-postgres
. "$(dirname "$0")/demo-lib.sh"
PSQL=$(command -v psql || ls /usr/lib/postgresql/*/bin/psql 2>/dev/null | sort -V | tail -n1 || true)
[ -n "$PSQL" ] || { echo "psql not found: run scripts/install-postgres.sh" >&2; exit 1; }

step "1. Start the ITCare emulator on $ADDR with -backend postgres"
start_emulator -backend postgres
grep '^Backend:' "$WORK/emulator.log"

step "2. Create the instance: a real PostgreSQL server ($CLI apply)"
tf apply -auto-approve | grep -E '^itcare_postgresql|^Apply complete'
out url
out ip_address

# What a module's next step does: connect with the outputs and the password.
URL=$(cli output -raw url 2>/dev/null)
export PGPASSWORD="$TF_VAR_admin_password" PGCONNECT_TIMEOUT=5
sql() { "$PSQL" -X -v ON_ERROR_STOP=1 "$URL" "$@"; }

step "3. Connect with psql \"\$($CLI output -raw url)\" and create a table"
sql -c "SELECT current_user, version()" -At | cut -c1-60
sql -q -c "CREATE TABLE notes (id serial PRIMARY KEY, body text)" \
  -c "INSERT INTO notes (body) VALUES ('emulated ITCare'), ('emulated itcare too'), ('something else')"
sql -c "SELECT * FROM notes"

step "4. Install pg_trgm through $CLI_NAME (extensions), then look with \\dx"
export TF_VAR_extensions='[{ database = "postgres", name = "pg_trgm" }]'
tf apply -auto-approve | grep -E 'Modifications complete|^Apply complete'
sql -c '\dx'
sql -c "SELECT body, round(similarity(body, 'emulated itcare')::numeric, 2) AS similarity FROM notes ORDER BY 2 DESC"
echo "The databases data source reads the server's catalogs:"
tf apply -refresh-only -auto-approve >/dev/null
out databases

step "5. Stop the instance through power_state: connections are refused"
export TF_VAR_power_state=stopped
tf apply -auto-approve | grep -E 'Modifications complete|^Apply complete'
if sql -c 'SELECT 1' >/dev/null 2>"$WORK/psql.err"; then echo "still accepting connections" >&2; exit 1; fi
grep -m1 -o 'Connection refused' "$WORK/psql.err"

step "6. Start it again: the data is still there"
export TF_VAR_power_state=running
tf apply -auto-approve | grep -E 'Modifications complete|^Apply complete'
sql -At -c "SELECT count(*) || ' notes' FROM notes"

step "7. Destroy: the server stops and its data directory is removed"
tf destroy -auto-approve | grep -E 'Destruction complete|^Destroy complete'
servers=$(curl -fsS "$EMU/_emulator/postgres" | grep -o '"servers":\[[^]]*\]')
[ "$servers" = '"servers":[]' ] && echo "The emulator runs no PostgreSQL server any more." || { echo "left behind: $servers" >&2; exit 1; }

step "8. Stop the emulator (done in $((SECONDS - START))s)"
