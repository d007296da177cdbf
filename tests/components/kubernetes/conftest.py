"""Kubernetes pattern variants, captured offline once per test module."""

from __future__ import annotations

import pytest
from k8s_support import resolve_variant


@pytest.fixture(scope="module")
def captured(tmp_path_factory):
    """name → (resolved, ResourceGraph), each captured at most once per module."""
    from specql_deploy.automation.capture import capture

    cache: dict[str, tuple] = {}
    tmp_dir = tmp_path_factory.mktemp("variants")

    def get(name: str):
        if name not in cache:
            resolved = resolve_variant(name, tmp_dir)
            cache[name] = (resolved, capture(resolved))
        return cache[name]

    return get
