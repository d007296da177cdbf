"""Shared fixtures. Helpers live in `support.py` (import them from there)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from support import EXAMPLE_NAMES, EXAMPLES, ROOT, example_path, resolve_example  # noqa: E402,F401


@pytest.fixture
def examples_root() -> Path:
    return ROOT / "examples"
