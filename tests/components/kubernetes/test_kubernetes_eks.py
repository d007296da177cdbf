"""EksCluster for `cluster: create`: private nodes, encrypted secrets, provider on its kubeconfig."""

from __future__ import annotations

import json

import pytest

from specql_deploy.components.kubernetes.eks_cluster import EksClusterArgs, kubeconfig

from k8s_support import captured, one  # noqa: F401  (captured is a fixture)


def test_eks_cluster_in_private_subnets_with_a_managed_node_group(captured):
    # GIVEN cluster: create
    resolved, graph = captured("pgo-traefik-eks")
    private = {r.urn for r in graph.of_type("aws:ec2/subnet:Subnet") if "private" in r.name}
    assert len(private) == resolved.platform.availability_zones
    cluster = one(graph, "aws:eks/cluster:Cluster")
    nodes = one(graph, "aws:eks/nodeGroup:NodeGroup")
    # THEN control plane and nodes sit in the private subnets only
    assert private <= set(cluster.dependencies) and private <= set(nodes.dependencies)
    assert len(cluster.inputs["vpcConfig"]["subnetIds"]) == len(private)
    assert cluster.inputs["encryptionConfig"]["resources"] == ["secrets"]
    assert set(cluster.inputs["enabledClusterLogTypes"]) >= {"api", "audit"}
    scaling = nodes.inputs["scalingConfig"]
    assert scaling["minSize"] == scaling["desiredSize"] >= resolved.platform.availability_zones
    assert scaling["maxSize"] > scaling["desiredSize"]
    # AND the AWS resources go through an explicit AWS provider in the manifest's region
    aws_provider = one(graph, "pulumi:providers:aws")
    assert aws_provider.inputs["region"] == resolved.platform.region
    assert cluster.provider == aws_provider.urn


def test_kubernetes_provider_uses_the_eks_kubeconfig_and_waits_for_nodes(captured):
    _, graph = captured("pgo-traefik-eks")
    provider = one(graph, "pulumi:providers:kubernetes")
    cluster = one(graph, "aws:eks/cluster:Cluster")
    nodes = one(graph, "aws:eks/nodeGroup:NodeGroup")
    assert cluster.urn in provider.dependencies
    assert "kubeconfig" in provider.secret_paths
    namespace = one(graph, "kubernetes:core/v1:Namespace")
    assert nodes.urn in namespace.dependencies
    assert all(nodes.urn in r.dependencies for r in graph.of_type("kubernetes:helm.sh/v3:Release"))
    assert graph.outputs["kubeconfig"] == "[secret]"


def test_existing_cluster_uses_the_manifest_kubeconfig_and_context(captured):
    _, graph = captured("plain-http-no-hpa")
    provider = one(graph, "pulumi:providers:kubernetes")
    assert provider.inputs["kubeconfig"] == "/etc/specql/kubeconfig"
    assert provider.inputs["context"] == "staging-cluster"
    assert graph.of_type("aws:eks/cluster:Cluster") == []


def test_kubeconfig_authenticates_with_short_lived_tokens():
    config = json.loads(kubeconfig("c1", "https://x", "Q0E=", "eu-west-1"))
    user = config["users"][0]["user"]
    assert set(user) == {"exec"}
    assert user["exec"]["args"] == ["eks", "get-token", "--cluster-name", "c1", "--region", "eu-west-1"]
    assert config["current-context"] == "c1"


def test_eks_needs_two_zones():
    with pytest.raises(ValueError, match="availability_zones"):
        EksClusterArgs(
            region="us-east-1",
            availability_zones=1,
            vpc_cidr="10.0.0.0/16",
            nat_strategy="single",
            flow_logs=True,
            log_retention_days=365,
            node_count=2,
            deletion_protection=False,
        )
