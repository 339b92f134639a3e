#!/usr/bin/env bash
# Usage: scripts/opentofu.sh VERSION   (e.g. 1.12.6)
#
# Builds OpenTofu VERSION from its Go module and prints the path of the tofu
# binary on stdout (progress goes to stderr), so that
#   TOFU=$(scripts/opentofu.sh 1.12.6)
# works. The binary lives in a cache outside the clone,
#   ${ITCARE_OPENTOFU_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/terraform-provider-itcare/opentofu}/VERSION/tofu
# and is reused when it is there and `tofu version` names VERSION: every
# clone, and CI on the same machine, builds each version once.
#
# Only Go modules are downloaded (through the Go module proxy); no release
# binary. `go install .../cmd/tofu@VERSION` refuses OpenTofu because its
# go.mod has a replace directive, so the module is built as the main module:
# a writable copy of its directory in the module cache, built there as
# OpenTofu's release builds are (-trimpath, version.dev=no, no cgo). The
# first build takes a few minutes on two cores; -trimpath keeps Go's build
# cache valid for the next one. GOTOOLCHAIN stays local: a Go older than
# OpenTofu's go.mod asks for is an error, not a toolchain download.
set -euo pipefail

usage() { echo "usage: $0 VERSION (e.g. 1.12.6)" >&2; exit 2; }
[ $# -eq 1 ] || usage
VERSION=${1#v}
[[ $VERSION =~ ^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$ ]] || usage

CACHE=${ITCARE_OPENTOFU_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/terraform-provider-itcare/opentofu}
DIR="$CACHE/$VERSION"
TOFU="$DIR/tofu"
MODULE=github.com/opentofu/opentofu

# reports_version BINARY: true when `BINARY version` names VERSION exactly.
reports_version() {
  local out
  # The whole output, not a pipe into head: with pipefail, a binary that is
  # still writing when head exits would fail the check.
  out=$(TF_CLI_CONFIG_FILE=/dev/null CHECKPOINT_DISABLE=1 "$1" version 2>/dev/null) || return 1
  [ "${out%%$'\n'*}" = "OpenTofu v$VERSION" ]
}

mkdir -p "$DIR"
# Two builds of one version at once (two clones, a developer and CI) would
# only waste time: the second waits for the first and reuses its binary.
if command -v flock >/dev/null; then
  exec 9>"$DIR/.lock"
  flock 9
fi

if [ -x "$TOFU" ] && reports_version "$TOFU"; then
  echo "OpenTofu $VERSION: cached" >&2
  echo "$TOFU"
  exit 0
fi

export GOTOOLCHAIN=local GOFLAGS="-mod=mod -buildvcs=false" CGO_ENABLED=0
WORK=$(mktemp -d "${TMPDIR:-/tmp}/opentofu-$VERSION.XXXXXX")
trap 'chmod -R u+w "$WORK" 2>/dev/null; rm -rf "$WORK"' EXIT

echo "OpenTofu $VERSION: downloading the Go module $MODULE@v$VERSION" >&2
# Outside any module, so that no go.mod or go.sum of a clone is touched.
json=$(cd "$WORK" && go mod download -json "$MODULE@v$VERSION") || { echo "$json" >&2; exit 1; }
src=$(printf '%s\n' "$json" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p')
[ -n "$src" ] && [ -d "$src" ] || { echo "go mod download gave no directory:" >&2; echo "$json" >&2; exit 1; }

# The module cache is read-only: build in a writable copy.
cp -R "$src" "$WORK/src"
chmod -R u+w "$WORK/src"

echo "OpenTofu $VERSION: building $TOFU (a few minutes the first time)" >&2
start=$SECONDS
# The build's own output (a line per module downloaded) is shown only when
# it fails.
if ! (cd "$WORK/src" && go build -trimpath \
  -ldflags "-s -w -X '$MODULE/version.dev=no'" \
  -o "$WORK/tofu" ./cmd/tofu) >"$WORK/build.log" 2>&1; then
  cat "$WORK/build.log" >&2
  echo "OpenTofu $VERSION: the build failed" >&2
  exit 1
fi
reports_version "$WORK/tofu" || {
  echo "the binary built reports another version than $VERSION:" >&2
  TF_CLI_CONFIG_FILE=/dev/null "$WORK/tofu" version >&2 || true
  exit 1
}
mv -f "$WORK/tofu" "$TOFU"
echo "OpenTofu $VERSION: built in $((SECONDS - start))s" >&2
echo "$TOFU"
