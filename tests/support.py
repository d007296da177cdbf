"""Helpers shared by tests: the example manifests and a resolver for them.

A plain module (not conftest.py) so that `from support import ...` never depends on
which conftest pytest happened to import first.
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*/deployment.yaml"))
EXAMPLE_NAMES = [path.parent.name for path in EXAMPLES]
AWS_EXAMPLES = ["full-manifest", "phase2-extended", "production-saas", "small-saas"]


def example_path(name: str) -> Path:
    return ROOT / "examples" / name / "deployment.yaml"


def resolve_example(name: str, environment: str | None = None):
    from specql_deploy.program.manifest import load
    from specql_deploy.program.resolve import resolve

    manifest = load(example_path(name))
    return resolve(manifest.spec, environment, default_name=manifest.default_name)


def venv_tool(name: str) -> str | None:
    """A console script next to the running interpreter (the project's venv), else on PATH.

    The test command runs `.venv/bin/python -m pytest` without activating the venv, so
    console scripts from the test extras are not on PATH.
    """
    import shutil
    import sys

    candidate = Path(sys.executable).parent / name
    return str(candidate) if candidate.exists() else shutil.which(name)
