#!/usr/bin/env bash
# Install the validators that are not Python wheels of the project's own environment,
# and print the path of the binary.
#
#   scripts/install-validators.sh           checkov, in its own virtual environment
#   scripts/install-validators.sh --caddy   caddy, built from the Go module proxy
#
# Why checkov gets a separate venv: it depends on bc-python-hcl2, which installs the
# same `hcl2` import name as python-hcl2 (used by the tests to parse ejected HCL); in
# one environment the two overwrite each other. Tests find the binary through
# $SPECQL_CHECKOV or the default path printed here.
#
# Why caddy is built: the tests run `caddy validate` and `caddy fmt` on the generated
# Caddyfiles, and no package registry this project's CI reaches ships the binary; its
# Go source is on the module proxy. The version is the one the generated compose files
# run (IMAGES["caddy"] in program/catalogue.py). Tests find it through $SPECQL_CADDY.
#
#   CHECKOV_VERSION  override the pinned checkov version
#   CADDY_VERSION    override the caddy version (defaults to the pinned image's)
#   SPECQL_CACHE     cache root (defaults to ~/.cache/specql-deploy)
#   PYTHON           interpreter (defaults to python3)
set -euo pipefail

python_bin="${PYTHON:-python3}"
cache="${SPECQL_CACHE:-$HOME/.cache/specql-deploy}"
log() { printf 'install-validators: %s\n' "$*" >&2; }

install_checkov() {
  # Pinned so a scan next month applies the same checks as today's.
  local version="${CHECKOV_VERSION:-3.3.30}"
  local venv="$cache/checkov-venv"
  local installed
  installed="$("$venv/bin/python" -c 'import importlib.metadata as m; print(m.version("checkov"))' 2>/dev/null || true)"
  if [ ! -x "$venv/bin/checkov" ] || [ "$installed" != "$version" ]; then
    log "installing checkov $version into $venv"
    "$python_bin" -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "checkov==$version" >&2
  fi
  printf '%s\n' "$venv/bin/checkov"
}

install_caddy() {
  local version="${CADDY_VERSION:-}"
  if [ -z "$version" ]; then
    # caddy:2.9.1-alpine -> 2.9.1
    version="$("$python_bin" -c 'from specql_deploy.program.catalogue import IMAGES; print(IMAGES["caddy"].split(":")[1].split("-")[0])')"
  fi
  local bin_dir="$cache/caddy-$version/bin"
  if [ ! -x "$bin_dir/caddy" ]; then
    command -v go >/dev/null || { log "Go is required to build caddy (apt-get install golang or https://go.dev/dl)"; exit 1; }
    log "building caddy v$version from the Go module proxy into $bin_dir"
    mkdir -p "$bin_dir"
    GOBIN="$bin_dir" GOFLAGS=-mod=mod go install "github.com/caddyserver/caddy/v2/cmd/caddy@v$version" >&2
  fi
  printf '%s\n' "$bin_dir/caddy"
}

case "${1:-}" in
  "") install_checkov ;;
  --caddy) install_caddy ;;
  *) log "unknown option ${1}; use no option (checkov) or --caddy"; exit 2 ;;
esac
