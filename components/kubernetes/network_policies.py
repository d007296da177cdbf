"""NetworkPolicies: nothing reaches a pod in the namespace unless a rule says so.

Admitted: the ingress controller to the application port (and to cert-manager's
HTTP-01 solver pods while a certificate is issued), the application to PostgreSQL,
the PostgreSQL instances and their operator to each other (replication, the
operator's health and failover calls), and, with kube-prometheus-stack, Prometheus
to the metrics endpoints. Egress is left open: the application may call
external APIs, and DNS must work.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from ...program.catalogue import PORTS
from .labels import NAMESPACE_NAME_LABEL, labels
from .options import inherited_depends

ACME_SOLVER_LABEL = "acme.cert-manager.io/http01-solver"
ACME_SOLVER_PORT = PORTS["acme-solver"]
"""Port of cert-manager's HTTP-01 solver pods."""


@dataclass(frozen=True)
class NetworkPoliciesArgs:
    """Who may open connections to which pods in the application's namespace."""

    namespace: str
    """Namespace the policies guard. Required."""
    app: str
    """Application name (policy names start with it). Required."""
    environment: str
    """Environment name (labels). Required."""
    app_pod_labels: Mapping[str, str]
    """Labels of the application's pods. Required."""
    app_port: int
    """Container port the application listens on. Required."""
    ingress_namespace: str
    """Namespace of the ingress controller. Required."""
    database_pod_labels: Mapping[str, str] | None = None
    """Labels of the PostgreSQL pods; `None` when there is no database. Defaults to `None`."""
    database_internal_ports: tuple[int, ...] = ()
    """Ports the database's operator and sibling instances use besides PostgreSQL. Defaults to none."""
    operator_namespace: str | None = None
    """Namespace of the database operator. Defaults to `None`."""
    acme_solver: bool = False
    """Admit the ingress controller to cert-manager's HTTP-01 solver pods. Defaults to `False`."""
    monitoring_namespace: str | None = None
    """Namespace of Prometheus, admitted to the metrics endpoints; `None`: no scraping. Defaults to `None`."""
    database_metrics_port: int | None = None
    """Port of the database's metrics exporter Prometheus may scrape. Defaults to `None`."""


def namespace_peer(namespace: str) -> dict[str, Any]:
    return {"namespaceSelector": {"matchLabels": {NAMESPACE_NAME_LABEL: namespace}}}


def tcp(*ports: int) -> list[dict[str, Any]]:
    return [{"protocol": "TCP", "port": port} for port in ports]


def policy_specs(args: NetworkPoliciesArgs) -> dict[str, dict[str, Any]]:
    """Policy name suffix → NetworkPolicy spec."""
    specs: dict[str, dict[str, Any]] = {
        # An empty pod selector with no rules denies every inbound connection in the namespace.
        "default-deny": {"podSelector": {}, "policyTypes": ["Ingress"]},
        "allow-ingress-controller": {
            "podSelector": {"matchLabels": dict(args.app_pod_labels)},
            "policyTypes": ["Ingress"],
            "ingress": [{"from": [namespace_peer(args.ingress_namespace)], "ports": tcp(args.app_port)}],
        },
    }
    if args.acme_solver:
        specs["allow-acme-solver"] = {
            "podSelector": {"matchLabels": {ACME_SOLVER_LABEL: "true"}},
            "policyTypes": ["Ingress"],
            "ingress": [{"from": [namespace_peer(args.ingress_namespace)], "ports": tcp(ACME_SOLVER_PORT)}],
        }
    if args.database_pod_labels:
        database = {"matchLabels": dict(args.database_pod_labels)}
        internal: list[dict[str, Any]] = [{"podSelector": database}]
        if args.operator_namespace:
            internal.append(namespace_peer(args.operator_namespace))
        specs["allow-app-to-database"] = {
            "podSelector": database,
            "policyTypes": ["Ingress"],
            "ingress": [
                {"from": [{"podSelector": {"matchLabels": dict(args.app_pod_labels)}}], "ports": tcp(PORTS["postgres"])}
            ],
        }
        specs["allow-database-internal"] = {
            "podSelector": database,
            "policyTypes": ["Ingress"],
            "ingress": [{"from": internal, "ports": tcp(PORTS["postgres"], *args.database_internal_ports)}],
        }
    if args.monitoring_namespace:
        specs["allow-monitoring-to-app"] = {
            "podSelector": {"matchLabels": dict(args.app_pod_labels)},
            "policyTypes": ["Ingress"],
            "ingress": [{"from": [namespace_peer(args.monitoring_namespace)], "ports": tcp(args.app_port)}],
        }
        if args.database_pod_labels and args.database_metrics_port:
            specs["allow-monitoring-to-database"] = {
                "podSelector": {"matchLabels": dict(args.database_pod_labels)},
                "policyTypes": ["Ingress"],
                "ingress": [
                    {"from": [namespace_peer(args.monitoring_namespace)], "ports": tcp(args.database_metrics_port)}
                ],
            }
    return specs


class NetworkPolicies(pulumi.ComponentResource):
    """Default-deny inbound traffic plus the few paths the application needs."""

    def __init__(self, name: str, args: NetworkPoliciesArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("specql:kubernetes:NetworkPolicies", name, None, opts)
        self.policies: dict[str, k8s.networking.v1.NetworkPolicy] = {}
        after = inherited_depends(opts)
        for suffix, spec in policy_specs(args).items():
            self.policies[suffix] = k8s.networking.v1.NetworkPolicy(
                f"{name}-{suffix}",
                metadata={
                    "name": f"{args.app}-{suffix}",
                    "namespace": args.namespace,
                    "labels": labels(args.app, "network-policy", args.environment),
                },
                spec=spec,
                opts=pulumi.ResourceOptions(parent=self, depends_on=after),
            )
        self.register_outputs({"policies": sorted(self.policies)})
