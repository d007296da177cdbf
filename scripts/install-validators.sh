#!/usr/bin/env bash
# Install checkov in its own virtual environment and print the path of its binary.
#
# Why a separate venv: checkov depends on bc-python-hcl2, which installs the same
# `hcl2` import name as python-hcl2 (used by the tests to parse ejected HCL); in one
# environment the two overwrite each other. Tests find the binary through
# $SPECQL_CHECKOV or the default path this script prints.
#
# Usage: scripts/install-validators.sh
#   CHECKOV_VERSION  override the pinned version
#   SPECQL_CACHE     cache root (defaults to ~/.cache/specql-deploy)
#   PYTHON           interpreter for the venv (defaults to python3)
set -euo pipefail

# Pinned so a scan next month applies the same checks as today's.
version="${CHECKOV_VERSION:-3.3.30}"
python_bin="${PYTHON:-python3}"
cache="${SPECQL_CACHE:-$HOME/.cache/specql-deploy}"
venv="$cache/checkov-venv"
checkov="$venv/bin/checkov"

installed_version() {
  "$venv/bin/python" -c 'import importlib.metadata as m; print(m.version("checkov"))' 2>/dev/null || true
}

if [ ! -x "$checkov" ] || [ "$(installed_version)" != "$version" ]; then
  printf 'install-validators: installing checkov %s into %s\n' "$version" "$venv" >&2
  "$python_bin" -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "checkov==$version" >&2
fi

printf '%s\n' "$checkov"
