#!/usr/bin/env bash
# Build (once, cached) the Debian root the Ansible tier runs the generated playbooks
# against with `ansible-playbook --check` over a chroot connection, and print its path.
#
#   scripts/install-debian-chroot.sh
#
# What it holds: a minimal Debian 12 (bookworm, what the hobby-project host runs) from
# the Debian mirror with debootstrap, plus what a freshly provisioned VPS has or what the
# playbooks install (openssh-server, sudo, python3 and python3-apt for Ansible's apt
# module, and the packages the playbooks manage), so check mode can read their real
# configuration files instead of guessing. Needs root (debootstrap and chroot do).
#
#   DEBIAN_SUITE   override the suite (defaults to bookworm)
#   DEBIAN_MIRROR  override the mirror (defaults to http://deb.debian.org/debian)
#   SPECQL_CACHE   cache root (defaults to ~/.cache/specql-deploy)
set -euo pipefail
cd "$(dirname "$0")/.."
suite="${DEBIAN_SUITE:-bookworm}"
mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
cache="${SPECQL_CACHE:-$HOME/.cache/specql-deploy}"
log() { printf 'install-debian-chroot: %s\n' "$*" >&2; }

packages="$("${PYTHON:-.venv/bin/python}" -c 'from specql_deploy.program.catalogue import ANSIBLE_TEST_HOST_PACKAGES as p; print(",".join(p))')"
root="$cache/debian-$suite"
[ "$(id -u)" = 0 ] || [ -f "$root.packages" ] || { log "debootstrap and chroot need root"; exit 1; }
if [ ! -f "$root.debootstrap" ]; then
  if ! command -v debootstrap >/dev/null 2>&1; then
    apt-get install -y -q debootstrap >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q debootstrap >/dev/null; }
  fi
  log "building a Debian $suite root in $root"
  rm -rf "$root" "$root.packages"
  mkdir -p "$cache"
  debootstrap --variant=minbase --include=python3 "$suite" "$root" "$mirror" >&2
  # No service may start inside the chroot while packages install or the playbooks run.
  printf '#!/bin/sh\nexit 101\n' > "$root/usr/sbin/policy-rc.d"
  chmod 755 "$root/usr/sbin/policy-rc.d"
  touch "$root.debootstrap"
fi
# The packages follow program/catalogue.py: a changed list installs what is new, in place.
if [ "$(cat "$root.packages" 2>/dev/null)" != "$packages" ]; then
  log "installing into $root: $packages"
  chroot "$root" apt-get update -q >&2
  # shellcheck disable=SC2086 # one word per package
  DEBIAN_FRONTEND=noninteractive chroot "$root" apt-get install -y -q --no-install-recommends ${packages//,/ } >&2
  printf '%s' "$packages" > "$root.packages"
fi
printf '%s\n' "$root"
