"""Kubernetes eject of every kubernetes example and variant, rendered once per session."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

# tests/exporters holds the shared validator helpers (validators.py).
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from k8s_export_support import (  # noqa: E402
    CASES,
    SECRET_VALUE,
    manifest_path,
    resolve_path,
    write_tree,
)


@dataclass(frozen=True)
class Ejected:
    resolved: Any
    graph: Any
    files: list
    root: Path

    @property
    def manifests(self) -> Path:
        return self.root / "infrastructure" / "kubernetes" / "manifests"

    @property
    def chart(self) -> Path:
        return self.root / "infrastructure" / "kubernetes" / "helm"


@pytest.fixture(scope="session")
def ejected(tmp_path_factory) -> dict[str, Ejected]:
    """case → its captured graph and kubernetes eject written to disk.

    Each app secret has a value in Pulumi config, so a leak would show in the files.
    """
    import pulumi.runtime.config as config
    from specql_deploy.automation.capture import capture
    from specql_deploy.exporters.base import ExportContext
    from specql_deploy.exporters.kubernetes import render

    base = tmp_path_factory.mktemp("k8s-eject")
    out: dict[str, Ejected] = {}
    for case in CASES:
        path = manifest_path(case, base / "manifests")
        resolved = resolve_path(path)
        keys = [f"{resolved.deployment.name}:{name}" for name in resolved.application.secrets]
        for key in keys:
            config.CONFIG.get()[key] = SECRET_VALUE
        try:
            graph = capture(resolved)
        finally:
            for key in keys:
                config.CONFIG.get().pop(key, None)
        files = render(resolved, ExportContext(manifest_path=path, resolved=resolved, graph_factory=lambda g=graph: g))
        out[case] = Ejected(resolved, graph, files, write_tree(files, base / "out" / case))
    return out
