# ruff: noqa: F811 - fixtures imported from kube_fixtures are redefined as arguments
"""The control plane the tier deploys to is a real one: the version built, server-side
validation that refuses an invalid object, and Pod Security admission that refuses a
pod breaking `restricted`. Without these, "the server accepted it" would prove nothing.
"""

from __future__ import annotations

import json
import subprocess

import pytest
from kube_cluster import Cluster, wait_until
from kube_fixtures import kube_binaries, kube_cluster  # noqa: F401 - pytest fixtures

pytestmark = pytest.mark.kube

CHECK_NAMESPACE = "admission-check"


def test_api_server_is_the_version_built(kube_cluster: Cluster):
    assert kube_cluster.version.startswith("v1.34."), kube_cluster.version
    client = json.loads(kube_cluster.kubectl("version", "--client", "-o", "json").stdout)
    assert client["clientVersion"]["gitVersion"] == kube_cluster.version
    etcd = subprocess.run(
        [str(kube_cluster.binaries.etcd_bin / "etcd"), "--version"],
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    ).stdout
    assert "etcd Version: 3.6." in etcd


@pytest.fixture(scope="module")
def restricted_namespace(kube_cluster: Cluster):
    namespace = {
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": {"name": CHECK_NAMESPACE, "labels": {"pod-security.kubernetes.io/enforce": "restricted"}},
    }
    kube_cluster.kubectl("apply", "-f", "-", input=json.dumps(namespace))
    wait_until(
        lambda: kube_cluster.exists("serviceaccount", "default", "-n", CHECK_NAMESPACE),
        60,
        "the namespace's default ServiceAccount",
    )
    yield CHECK_NAMESPACE
    kube_cluster.kubectl("delete", "namespace", CHECK_NAMESPACE, "--wait=true", "--timeout=120s")


def pod(security: dict) -> str:
    return json.dumps(
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "check", "namespace": CHECK_NAMESPACE},
            "spec": {"containers": [{"name": "c", "image": "example:1", "securityContext": security}]},
        }
    )


def test_pod_security_admission_refuses_a_pod_breaking_restricted(kube_cluster: Cluster, restricted_namespace):
    refused = kube_cluster.kubectl(
        "apply", "--dry-run=server", "-f", "-", input=pod({"allowPrivilegeEscalation": True}), check=False
    )
    assert refused.returncode != 0
    assert 'violates PodSecurity "restricted:latest"' in refused.stderr, refused.stderr
    compliant = {
        "runAsNonRoot": True,
        "allowPrivilegeEscalation": False,
        "capabilities": {"drop": ["ALL"]},
        "seccompProfile": {"type": "RuntimeDefault"},
    }
    kube_cluster.kubectl("apply", "--dry-run=server", "-f", "-", input=pod(compliant))


def test_server_side_validation_refuses_an_invalid_object(kube_cluster: Cluster, restricted_namespace):
    deployment = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "invalid", "namespace": CHECK_NAMESPACE},
        "spec": {
            "selector": {"matchLabels": {"a": "b"}},
            "template": {
                "metadata": {"labels": {"a": "b"}},
                "spec": {
                    "containers": [
                        {
                            "name": "c",
                            "image": "example:1",
                            "livenessProbe": {"httpGet": {"path": "/", "port": 80}, "successThreshold": 2},
                        }
                    ]
                },
            },
        },
    }
    refused = kube_cluster.kubectl("apply", "--dry-run=server", "-f", "-", input=json.dumps(deployment), check=False)
    assert refused.returncode != 0
    assert "livenessProbe.successThreshold: Invalid value: 2: must be 1" in refused.stderr, refused.stderr
