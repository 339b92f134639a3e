#!/usr/bin/env bash
# Makes sure the PostgreSQL server binaries (initdb, postgres) are on this
# machine for the emulator's postgres backend and its tests: installs
# Debian's postgresql package with apt-get when they are missing.
#
# Without root (or passwordless sudo) or apt-get it only warns, and the
# postgres-backend tests skip themselves saying why. With
# ITCARE_REQUIRE_POSTGRES set (CI sets it), not being able to install is an
# error, so that CI never passes with those tests skipped.
set -euo pipefail

find_initdb() {
  local d
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    [ -x "$d/initdb" ] && { echo "$d"; return 0; }
  done
  if command -v initdb >/dev/null 2>&1; then
    dirname "$(readlink -f "$(command -v initdb)")"
    return 0
  fi
  return 1
}

give_up() {
  if [ -n "${ITCARE_REQUIRE_POSTGRES:-}" ]; then
    echo "install-postgres: $* (ITCARE_REQUIRE_POSTGRES is set)" >&2
    exit 1
  fi
  echo "install-postgres: $*; the postgres-backend tests will be skipped" >&2
  exit 0
}

if dir=$(find_initdb); then
  echo "install-postgres: PostgreSQL server binaries in $dir"
  exit 0
fi

command -v apt-get >/dev/null 2>&1 || give_up "initdb not found and apt-get unavailable: install the PostgreSQL server package"
SUDO=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO=(sudo -n)
  else
    give_up "initdb not found and installing it needs root: run 'sudo apt-get install postgresql'"
  fi
fi

echo "install-postgres: installing Debian's postgresql package"
APT=("${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -y -q --no-install-recommends)
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
# The emulator makes its own clusters: keep the package from creating (and
# starting) the default one, which postgresql-common's settings allow.
"${APT[@]}" install --no-upgrade postgresql-common
CC=/etc/postgresql-common/createcluster.conf
if [ -f "$CC" ]; then
  "${SUDO[@]}" sed -ri 's/^#?[[:space:]]*create_main_cluster[[:space:]]*=.*/create_main_cluster = false/' "$CC"
fi
"${APT[@]}" install postgresql

dir=$(find_initdb) || give_up "postgresql installed but initdb still not found"
echo "install-postgres: PostgreSQL server binaries in $dir"
