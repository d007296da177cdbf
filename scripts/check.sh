#!/usr/bin/env bash
# The habits CI enforces before the tests: ruff (lint and format) and mypy.
#   scripts/check.sh          (scripts/test.sh runs it first)
set -euo pipefail
cd "$(dirname "$0")/.."
python=${PYTHON:-.venv/bin/python}
"$python" -m ruff check .
"$python" -m ruff format --check .
# mypy reads the package as it installs (pyproject's package-dir), laid out in build/typecheck
"$python" scripts/package_tree.py build/typecheck >/dev/null
"$python" -m mypy
