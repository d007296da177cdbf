"""Fixtures of the real-provider tier (imported by name, like engine_fixtures: a
second conftest.py would shadow tests/conftest.py for `from conftest import`).

- `kube_binaries`: etcd, kube-apiserver, kube-controller-manager, kubectl and the
  pulumi-kubernetes plugin, built by the scripts (found through SPECQL_* variables set
  by scripts/test.sh, or in the cache). Missing ones skip the tier with the script to
  run, except in CI (`CI` set), where they fail it.
- `kube_cluster`: the control plane on 127.0.0.1 for the whole session, stopped after.
- `kube_env`: PULUMI_HOME with the plugin installed from the built file, KUBECONFIG,
  the passphrase; everything `specql deploy` needs to reach the cluster.
- `kube_crds`: the CRDs of the custom kinds the tier's manifests create (crds.py).
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "automation"))  # engine_fixtures

from kube_cluster import Binaries, Cluster, find_binaries, install_provider_plugin, start_cluster  # noqa: E402

from engine_fixtures import pulumi_bin_dir  # noqa: E402,F401 - pytest fixture

PASSPHRASE = "kube-tier-passphrase"


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"the kubernetes tier cannot run in CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def kube_binaries() -> Binaries:
    binaries, missing = find_binaries()
    if binaries is None:
        _unavailable("not built: " + "; ".join(missing))
    return binaries  # type: ignore[return-value]


@pytest.fixture(scope="session")
def kube_cluster(kube_binaries: Binaries, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    cluster = start_cluster(tmp_path_factory.mktemp("kube-control-plane"), kube_binaries)
    try:
        yield cluster
    finally:
        killed = cluster.stop()
        left = [process.name for process in cluster.processes if process.popen.poll() is None]
        assert not left, f"control-plane processes still running after stop: {left}"
        assert not killed, f"did not stop on SIGTERM (killed): {killed}"


@pytest.fixture(scope="session")
def kube_env(
    pulumi_bin_dir: Path, kube_binaries: Binaries, kube_cluster: Cluster, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, str]]:
    """The environment of every `specql deploy` the tier runs (set for the session)."""
    from specql_deploy.automation.plugins import sdk_plugin

    home = tmp_path_factory.mktemp("kube-pulumi-home")
    plugin = sdk_plugin("pulumi_kubernetes")
    install_provider_plugin(kube_binaries, home, plugin.version, {})
    env = {
        "PULUMI_HOME": str(home),
        "KUBECONFIG": str(kube_cluster.kubeconfig),
        "PULUMI_CONFIG_PASSPHRASE": PASSPHRASE,
        "PULUMI_SKIP_UPDATE_CHECK": "true",
    }
    patch = pytest.MonkeyPatch()
    for key, value in env.items():
        patch.setenv(key, value)
    patch.delenv("PULUMI_CONFIG_PASSPHRASE_FILE", raising=False)
    yield env
    patch.undo()


def offline_resources(manifest: Path) -> list[dict]:
    """`specql deploy preview --offline --json` of a manifest: what the program registers."""
    from typer.testing import CliRunner

    from specql_deploy.automation.cli import app

    result = CliRunner().invoke(app, ["deploy", "preview", str(manifest), "--offline", "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)["resources"]


@pytest.fixture(scope="session")
def kube_crds(kube_cluster: Cluster, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Structural CRDs (crds.py) for every custom kind the tier's manifests create."""
    from crds import crd_list, custom_kinds
    from kube_support import CASES, deployed_copy

    root = tmp_path_factory.mktemp("kube-crds")
    resources = [resource for case in CASES for resource in offline_resources(deployed_copy(case, root))]
    served = set(kube_cluster.kubectl("api-versions").stdout.split())
    kinds = custom_kinds(resources, served)
    assert {kind for _, _, kind in kinds} == {
        "Cluster",
        "ScheduledBackup",
        "ServiceMonitor",
        "PodMonitor",
        "PrometheusRule",
        "ClusterIssuer",
    }
    kube_cluster.kubectl("apply", "-f", "-", input=json.dumps(crd_list(kinds)))
    kube_cluster.kubectl(
        "wait",
        "--for=condition=Established",
        "--timeout=60s",
        "crd",
        "-l",
        "app.kubernetes.io/managed-by=specql-deploy-tests",
    )
    return kinds
