#!/usr/bin/env bash
# The project's venv, as both README commands need it: .venv with the package installed
# editable with its test extras, and the package's bytecode compiled once.
#
# pip compiles the bytecode of every wheel it installs, so an installed CLI never
# compiles its own sources at start-up; an editable install leaves that to the first
# run, and with PYTHONDONTWRITEBYTECODE set (as on CI machines) to every run: a sixth of
# `specql deploy validate`'s time. An edited module is recompiled in memory, so stale
# bytecode is only slower, never wrong.
#   scripts/install-venv.sh
set -euo pipefail
cd "$(dirname "$0")/.."
python=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$python" -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e '.[test]'
# the whole tree but the venv (pip compiled it) and git's own files
.venv/bin/python -m compileall -q -j 0 -x '/\.(venv|git)/' "$PWD" >/dev/null
