# ruff: noqa: F811 - fixtures imported from kube_fixtures are redefined as arguments
"""The ejected Kubernetes files against the same real API server.

`specql deploy eject --only kubernetes` writes `infrastructure/kubernetes/manifests/`
(plain YAML) and `infrastructure/kubernetes/helm/` (a chart). Both must be accepted by
the server as they are: `kubectl apply --dry-run=server` runs every object through
validation and admission without storing it. The namespace is created for real first
(a server-side dry run of a namespaced object needs its namespace to exist), and
deleted after.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from kube_cluster import Cluster, wait_until
from kube_fixtures import kube_binaries, kube_cluster, kube_crds  # noqa: F401 - pytest fixtures
from kube_support import CASES, Case, deploy, deployed_copy

pytestmark = pytest.mark.kube

NAMESPACE = "myapp-prod"


def helm_binary() -> str:
    helm = os.environ.get("SPECQL_HELM")
    if helm and Path(helm).is_file():
        return helm
    if os.environ.get("CI"):
        pytest.fail("SPECQL_HELM is not set in CI (scripts/install-helm.sh builds helm)")
    pytest.skip("helm is not built: run scripts/install-helm.sh and set SPECQL_HELM")


@pytest.fixture(scope="module", params=CASES, ids=[case.name for case in CASES])
def ejected(request, kube_cluster: Cluster, kube_crds, tmp_path_factory) -> Iterator[Path]:
    case: Case = request.param
    root = tmp_path_factory.mktemp(f"eject-{case.name}")
    manifest = deployed_copy(case, root)
    out = root / "generated"
    result = deploy("eject", str(manifest), "-o", str(out), "--only", "kubernetes")
    assert result.exit_code == 0, result.output
    kubernetes = out / "infrastructure" / "kubernetes"
    assert not kube_cluster.exists("namespace", NAMESPACE), "a namespace of another test is still there"
    kube_cluster.kubectl("apply", "-f", str(kubernetes / "manifests" / "00-namespace.yaml"))
    yield kubernetes
    kube_cluster.kubectl("delete", "namespace", NAMESPACE, "--wait=true", "--timeout=120s")
    wait_until(lambda: not kube_cluster.exists("namespace", NAMESPACE), 120, f"namespace {NAMESPACE} to go")


def dry_run(cluster: Cluster, *source: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return cluster.kubectl("apply", "--dry-run=server", *source, input=stdin)


def applied_names(output: str) -> set[str]:
    """`kind.group/name` of every object kubectl reports (`... created (server dry run)`)."""
    return {line.split()[0] for line in output.splitlines() if "(server dry run)" in line}


def test_manifests_apply_with_server_side_dry_run(ejected: Path, kube_cluster: Cluster):
    manifests = ejected / "manifests"
    files = sorted(manifests.glob("*.yaml"))
    assert files, "no manifest files ejected"
    result = dry_run(kube_cluster, "-f", str(manifests))
    names = applied_names(result.stdout)
    expected = sum(text.count("\nkind: ") + text.startswith("kind: ") for text in (file.read_text() for file in files))
    assert len(names) == expected, result.stdout
    assert any(name.startswith("deployment.apps/") for name in names)
    # Pod Security `restricted` has nothing to say about the pod template
    assert "would violate PodSecurity" not in result.stderr, result.stderr


def test_helm_chart_renders_objects_the_server_accepts(ejected: Path, kube_cluster: Cluster, tmp_path: Path):
    helm = helm_binary()
    rendered = subprocess.run(
        [helm, "template", "myapp", str(ejected / "helm")], capture_output=True, text=True, timeout=120, check=False
    )
    assert rendered.returncode == 0, rendered.stderr
    result = dry_run(kube_cluster, "-f", "-", stdin=rendered.stdout)
    chart_names = applied_names(result.stdout)
    plain_names = applied_names(dry_run(kube_cluster, "-f", str(ejected / "manifests")).stdout)
    assert chart_names == plain_names  # the chart's defaults render exactly the plain manifests
    assert "would violate PodSecurity" not in result.stderr, result.stderr
