#!/usr/bin/env bash
# Set up a development environment from a fresh clone and run the main job once:
# an offline preview of the small-saas example (no cloud account, no engine).
#   scripts/setup.sh [MANIFEST]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-venv.sh
manifest=${1:-examples/small-saas/deployment.yaml}
.venv/bin/specql deploy validate "$manifest"
.venv/bin/specql deploy preview "$manifest" --offline
echo
echo "Ready. Activate with: . .venv/bin/activate   then try: specql deploy resolve $manifest --explain"
