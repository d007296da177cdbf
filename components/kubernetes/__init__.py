"""Kubernetes building blocks (pulumi-kubernetes), composed by the `kubernetes` pattern.

Each module holds one ComponentResource and its frozen args. `EksCluster` is not
re-exported: it imports pulumi-aws, which only `cluster: create` needs.
"""

from .addons import Addons, AddonsArgs
from .application import Application, ApplicationArgs, DatabaseRef
from .ingress import Ingress, IngressArgs
from .metrics import Metrics, MetricsArgs
from .network_policies import NetworkPolicies, NetworkPoliciesArgs
from .postgres_cluster import PostgresCluster, PostgresClusterArgs

__all__ = [
    # cluster add-ons (Helm releases)
    "Addons",
    "AddonsArgs",
    # workload
    "Application",
    "ApplicationArgs",
    "DatabaseRef",
    "Ingress",
    "IngressArgs",
    "NetworkPolicies",
    "NetworkPoliciesArgs",
    # observability
    "Metrics",
    "MetricsArgs",
    # data
    "PostgresCluster",
    "PostgresClusterArgs",
]
