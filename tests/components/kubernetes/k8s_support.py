"""Kubernetes pattern variants and small helpers for the component tests (a uniquely
named module: several test folders have a conftest.py)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

# Beyond the shipped example: every operator, ingress class and cluster mode, a
# framework that needs a writable root, secrets, and add-ons the cluster already has.
VARIANTS = {
    "pgo-traefik-eks": """
        deployment:
          name: shop
          pattern: kubernetes
          framework: rails
          domain: shop.example.com
          cluster: create
          database:
            operator: crunchy-pgo
            size: large
            backup:
              frequency: hourly
              retention: 14
          ingress:
            class: traefik
        kubernetes:
          existing_addons: [monitoring, cert-manager]
        """,
    "plain-http-no-hpa": """
        deployment:
          name: notes
          pattern: kubernetes
          kubeconfig: /etc/specql/kubeconfig
          context: staging-cluster
          application:
            replicas: 2
            hpa: false
            cpu: 1
            memory: 1Gi
        environments:
          - name: staging
            variables:
              LOG_LEVEL: info
            secrets: [DATABASE_URL, STRIPE_API_KEY]
        """,
    "logs-existing": """
        deployment:
          name: board
          pattern: kubernetes
          domain: board.example.com
        kubernetes:
          existing_addons: [logs]
        """,
    "logs-none": """
        deployment:
          name: board
          pattern: kubernetes
          domain: board.example.com
          monitoring:
            logs:
              aggregator: none
        """,
}


def resolve_variant(name: str, tmp_dir: Path, environment: str | None = None):
    from specql_deploy.program.manifest import load
    from specql_deploy.program.resolve import resolve

    if name in VARIANTS:
        path = tmp_dir / name / "deployment.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(VARIANTS[name]))
    else:
        path = Path(__file__).resolve().parents[3] / "examples" / name / "deployment.yaml"
    manifest = load(path)
    return resolve(manifest.spec, environment, default_name=manifest.default_name)


@pytest.fixture(scope="module")
def captured(tmp_path_factory):
    """name → (resolved, ResourceGraph), each captured at most once per module."""
    from specql_deploy.capture import capture

    cache: dict[str, tuple] = {}
    tmp_dir = tmp_path_factory.mktemp("variants")

    def get(name: str):
        if name not in cache:
            resolved = resolve_variant(name, tmp_dir)
            cache[name] = (resolved, capture(resolved))
        return cache[name]

    return get


def one(graph, type_token: str):
    """The single resource of a type (fails if there are none or several)."""
    found = graph.of_type(type_token)
    assert len(found) == 1, f"{type_token}: {[r.name for r in found]}"
    return found[0]
