"""Shared fixtures: example manifests and a resolver for them."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*/deployment.yaml"))
EXAMPLE_NAMES = [path.parent.name for path in EXAMPLES]


def example_path(name: str) -> Path:
    return ROOT / "examples" / name / "deployment.yaml"


def resolve_example(name: str, environment: str | None = None):
    from specql_deploy.program.manifest import load
    from specql_deploy.program.resolve import resolve

    manifest = load(example_path(name))
    return resolve(manifest.spec, environment, default_name=manifest.default_name)


@pytest.fixture
def examples_root() -> Path:
    return ROOT / "examples"
