#!/usr/bin/env bash
# Usage: scripts/testacc-tofu.sh VERSION...   (make testacc-tofu)
#
# Runs a representative set of acceptance tests under each OpenTofu VERSION,
# built or found by scripts/opentofu.sh: create, update, import (with
# generated configuration) and destroy; every data source; the write-only
# password and the secrets that must never leak (skipped, by name, where
# the version lacks write-only arguments, and then the test of how such a
# version refuses it runs instead); fault tests (a create whose action
# fails; a destroy whose action fails, after which OpenTofu 1.10 drops the
# sensitive marks from the state); the provider's credential errors;
# deletion_protection on every path, with the provider as its own process
# through dev_overrides; the emulator guide's module under `tofu test`.
# TOFU_ACC_RUN replaces the set (a go test -run pattern).
#
# Each run's log starts with the CLI's version; the summary keeps the
# version line, one line per test (with the reason of each skip and what a
# test did differently on that version) and the time taken. A failing run
# prints its whole log.
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 1 ] || { echo "usage: $0 VERSION..." >&2; exit 2; }

RUN=${TOFU_ACC_RUN:-'^(TestAccPostgreSQL_basic|TestAccPostgreSQL_updateSizingAndMonitoring|TestAccPostgreSQL(Databases|Extensions|Networks|Nodes|Versions)?DataSource_basic|TestAccPostgreSQLDataSources_sameApply|TestAccPostgreSQL_writeOnlyNeedsACapableCLI|TestAccReliability_secretsNeverLeak|TestAccPostgreSQL_createActionFails|TestAccReliability_failedDestroyKeepsSensitiveMarks|TestAccPostgreSQL_protectionOnEveryPath|TestAccProvider_.*|TestAccGuide_emulatorTestCommand)$'}

LOG=$(mktemp -d)
trap 'rm -rf "$LOG"' EXIT
for v in "$@"; do
  tofu=$(./scripts/opentofu.sh "$v")
  echo "==> $(TF_CLI_CONFIG_FILE=/dev/null "$tofu" version | sed -n 1p) ($tofu)"
  log="$LOG/$v.log"
  start=$SECONDS
  if TF_ACC=1 TF_ACC_TERRAFORM_PATH="$tofu" go test -count=1 -v -timeout 15m -run "$RUN" ./internal/provider/ >"$log" 2>&1; then
    # The version the tests saw, each test's result, and every line a test
    # logged about this version: why it skipped, what it left out or did
    # differently.
    grep -E '^ *--- (PASS|SKIP|FAIL)|OpenTofu v[0-9]|^ok ' "$log"
    echo "OpenTofu $v: passed in $((SECONDS - start))s"
  else
    cat "$log"
    echo "OpenTofu $v: FAILED after $((SECONDS - start))s" >&2
    exit 1
  fi
done
