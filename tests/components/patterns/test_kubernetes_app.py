"""KubernetesApp: the pattern component, its children and its stack outputs."""

from __future__ import annotations

import textwrap

import pytest

from specql_deploy.capture import capture
from specql_deploy.program.manifest import load
from specql_deploy.program.resolve import resolve

EXAMPLE = """
deployment:
  name: blog
  pattern: kubernetes
  domain: blog.example.com
  namespace: blog-prod
"""


@pytest.fixture(scope="module")
def graph(tmp_path_factory):
    path = tmp_path_factory.mktemp("blog") / "deployment.yaml"
    path.write_text(textwrap.dedent(EXAMPLE))
    manifest = load(path)
    return capture(resolve(manifest.spec, None, default_name=manifest.default_name))


def test_pattern_component_holds_one_component_per_concern(graph):
    root = graph.of_type("specql:patterns:KubernetesApp")
    assert [r.name for r in root] == ["blog-dev"]
    children = {r.type for r in graph.children(root[0].urn)}
    assert {
        "specql:kubernetes:Addons",
        "specql:kubernetes:Application",
        "specql:kubernetes:Ingress",
        "specql:kubernetes:PostgresCluster",
        "specql:kubernetes:NetworkPolicies",
        "specql:kubernetes:Metrics",
        "pulumi:providers:kubernetes",
        "kubernetes:core/v1:Namespace",
    } <= children
    assert "specql:kubernetes:EksCluster" not in children


def test_every_object_lives_in_the_manifest_namespace(graph):
    namespaced = [
        r
        for r in graph.resources
        if r.custom and r.type.startswith("kubernetes:") and "namespace" in r.inputs.get("metadata", {})
    ]
    assert namespaced
    assert {r.inputs["metadata"]["namespace"] for r in namespaced} == {"blog-prod"}


def test_stack_outputs(graph):
    assert graph.outputs == {
        "database_cluster": "blog-db",
        "database_secret": "blog-db-app",
        "namespace": "blog-prod",
        "service": "blog",
        "url": "https://blog.example.com",
    }
