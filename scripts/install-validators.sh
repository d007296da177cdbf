#!/usr/bin/env bash
# Install the validators that are not Python wheels of the project's own environment,
# and print the path of the binary.
#
#   scripts/install-validators.sh           checkov, in its own virtual environment
#   scripts/install-validators.sh --caddy   caddy, built from the Go module proxy
#   scripts/install-validators.sh --ansible ansible-playbook and ansible-lint, in their own venv
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
# Why ansible gets a separate venv: the `ansible` package (which bundles the collections
# the generated playbooks use: ansible.posix, community.general) and ansible-lint pin
# their own ansible-core, jinja2 and ruamel.yaml; the project's venv must not follow
# them. `ansible` 12.3.0, the newest release for Python 3.11 (ansible-core 2.19), installs
# every collection from PyPI, so nothing is fetched from Galaxy. Tests find the folder of
# its binaries through $SPECQL_ANSIBLE.
#
#   CHECKOV_VERSION  override the pinned checkov version
#   ANSIBLE_VERSION  override the pinned ansible (collections bundle) version
#   ANSIBLE_LINT_VERSION  override the pinned ansible-lint version
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

install_ansible() {
  # Pinned so a lint next month applies the same rules as today's.
  local version="${ANSIBLE_VERSION:-12.3.0}"
  local lint_version="${ANSIBLE_LINT_VERSION:-26.10.1}"
  local venv="$cache/ansible-$version-lint-$lint_version"
  # The stamp is written last: an interrupted install is started again, never half used.
  if [ ! -f "$venv/.installed" ]; then
    log "installing ansible $version and ansible-lint $lint_version into $venv"
    rm -rf "$venv"
    "$python_bin" -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
      "ansible==$version" "ansible-lint==$lint_version" >&2
    touch "$venv/.installed"
  fi
  printf '%s\n' "$venv/bin"
}

case "${1:-}" in
  "") install_checkov ;;
  --caddy) install_caddy ;;
  --ansible) install_ansible ;;
  *) log "unknown option ${1}; use no option (checkov), --caddy or --ansible"; exit 2 ;;
esac
