"""Helpers for the Kubernetes exporter tests (a uniquely named module: several test
folders have a conftest.py): manifest variants, rendering to disk, the helm binary."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[3]
# tests/exporters holds the shared validator helpers (validators.py).
if str(Path(__file__).resolve().parents[1]) not in sys.path:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
KUBERNETES_EXAMPLES = sorted(
    path.parent.name
    for path in (ROOT / "examples").glob("*/deployment.yaml")
    if re.search(r"^\s*pattern:\s*kubernetes\b", path.read_text(), re.MULTILINE)
)
OTHER_EXAMPLES = sorted(
    path.parent.name
    for path in (ROOT / "examples").glob("*/deployment.yaml")
    if path.parent.name not in KUBERNETES_EXAMPLES
)

# Variants beyond the examples: PGO, traefik, EKS, rails (writable root), secrets, no TLS.
VARIANTS = {
    "pgo-traefik-eks": """
        deployment:
          name: shop
          pattern: kubernetes
          framework: rails
          version: "2.4.1"
          domain: shop.example.com
          cluster: create
          database:
            operator: crunchy-pgo
            size: large
          ingress:
            class: traefik
        kubernetes:
          existing_addons: [monitoring]
        """,
    "plain-http-secrets": """
        deployment:
          name: notes
          pattern: kubernetes
          framework: nodejs
          application:
            replicas: 2
            hpa: false
        environments:
          - name: staging
            variables:
              LOG_LEVEL: info
            secrets: [DATABASE_URL, STRIPE_API_KEY]
        """,
}
CASES = [*KUBERNETES_EXAMPLES, *VARIANTS]
SECRET_VALUE = "sk_live_must_never_reach_a_file"


def manifest_path(name: str, tmp_dir: Path) -> Path:
    if name in VARIANTS:
        path = tmp_dir / name / "deployment.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(VARIANTS[name]))
        return path
    return ROOT / "examples" / name / "deployment.yaml"


def resolve_path(path: Path):
    from specql_deploy.program.manifest import load
    from specql_deploy.program.resolve import resolve

    manifest = load(path)
    return resolve(manifest.spec, None, default_name=manifest.default_name)


def write_tree(files: Iterable[Any], root: Path) -> Path:
    for file in files:
        target = root / file.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(file.content)
    return root


def documents(paths: Iterable[Path]) -> dict[tuple[str, str | None, str], dict]:
    """(kind, namespace, name) → object over every YAML document of the files."""
    found: dict[tuple[str, str | None, str], dict] = {}
    for path in paths:
        for document in yaml.safe_load_all(path.read_text()):
            if document:
                key = (document["kind"], document["metadata"].get("namespace"), document["metadata"]["name"])
                assert key not in found, f"{key} twice"
                found[key] = document
    return found


def helm_binary() -> str:
    """$SPECQL_HELM, else where scripts/install-helm.sh builds the pinned version."""
    explicit = os.environ.get("SPECQL_HELM")
    if explicit:
        if not Path(explicit).exists():
            pytest.fail(f"SPECQL_HELM={explicit} does not exist", pytrace=False)
        return explicit
    script = (ROOT / "scripts" / "install-helm.sh").read_text()
    version = re.search(r"HELM_VERSION:-(v[0-9.]+)", script).group(1)
    cache = Path(os.environ.get("SPECQL_CACHE", Path.home() / ".cache" / "specql-deploy"))
    default = cache / f"helm-{version}" / "bin" / "helm"
    if not default.exists():
        message = "helm is not installed (run scripts/install-helm.sh, or set SPECQL_HELM)"
        if os.environ.get("CI"):
            pytest.fail(message + "; CI must run every validator", pytrace=False)
        pytest.skip(message)
    return str(default)


def helm(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([helm_binary(), *args], capture_output=True, text=True, timeout=120, check=False)


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

    from specql_deploy.capture import capture
    from specql_deploy.exporters.contract import ExportContext
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
