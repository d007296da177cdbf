"""Scrape targets for kube-prometheus-stack: a ServiceMonitor for the application's
metrics endpoint and a PodMonitor for PostgreSQL's exporter (CloudNativePG).

Both carry the `release` label kube-prometheus-stack selects monitors by in its default
configuration, so an existing installation finds them too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from ...program.building_blocks import PROMETHEUS_SCRAPE_INTERVAL_SECONDS
from ...program.catalogue import PORTS
from .labels import labels
from .options import inherited_depends

MONITORING_API = "monitoring.coreos.com/v1"
RELEASE_LABEL = {"release": "kube-prometheus-stack"}
CNPG_METRICS_PORT = PORTS["cloudnative-pg-metrics"]
"""Port of the exporter built into every CloudNativePG instance."""


@dataclass(frozen=True)
class MetricsArgs:
    """What Prometheus scrapes in the application's namespace."""

    namespace: str
    """Namespace of the application. Required."""
    app: str
    """Application name (monitor names start with it). Required."""
    environment: str
    """Environment name (labels). Required."""
    service_labels: dict[str, str]
    """Labels selecting the application's Service. Required."""
    metrics_path: str | None
    """Path the application serves Prometheus metrics on (`program.frameworks.METRICS`);
    `None`: the framework serves none, so no ServiceMonitor. Required."""
    service_port: str = "http"
    """Name of the Service port serving metrics. Defaults to `http`."""
    database_pod_labels: dict[str, str] | None = None
    """Labels of CloudNativePG pods to scrape; `None`: no database monitor. Defaults to `None`."""
    interval_seconds: int = PROMETHEUS_SCRAPE_INTERVAL_SECONDS
    """Seconds between scrapes. Defaults to `30`."""


def service_monitor_spec(args: MetricsArgs) -> dict[str, Any]:
    return {
        "selector": {"matchLabels": dict(args.service_labels)},
        "namespaceSelector": {"matchNames": [args.namespace]},
        "endpoints": [{"port": args.service_port, "path": args.metrics_path, "interval": f"{args.interval_seconds}s"}],
    }


def pod_monitor_spec(args: MetricsArgs) -> dict[str, Any]:
    return {
        "selector": {"matchLabels": dict(args.database_pod_labels or {})},
        "namespaceSelector": {"matchNames": [args.namespace]},
        "podMetricsEndpoints": [{"port": "metrics", "interval": f"{args.interval_seconds}s"}],
    }


class Metrics(pulumi.ComponentResource):
    """ServiceMonitor and PodMonitor objects for the Prometheus Operator."""

    def __init__(self, name: str, args: MetricsArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("specql:kubernetes:Metrics", name, None, opts)
        child = pulumi.ResourceOptions(parent=self, depends_on=inherited_depends(opts))
        object_labels = {**labels(args.app, "metrics", args.environment), **RELEASE_LABEL}
        self.service_monitor: k8s.apiextensions.CustomResource | None = None
        if args.metrics_path:
            self.service_monitor = k8s.apiextensions.CustomResource(
                f"{name}-app",
                api_version=MONITORING_API,
                kind="ServiceMonitor",
                metadata={"name": args.app, "namespace": args.namespace, "labels": object_labels},
                spec=service_monitor_spec(args),
                opts=child,
            )
        self.pod_monitor: k8s.apiextensions.CustomResource | None = None
        if args.database_pod_labels:
            self.pod_monitor = k8s.apiextensions.CustomResource(
                f"{name}-database",
                api_version=MONITORING_API,
                kind="PodMonitor",
                metadata={"name": f"{args.app}-db", "namespace": args.namespace, "labels": object_labels},
                spec=pod_monitor_spec(args),
                opts=child,
            )
        self.register_outputs({"service_monitor": args.app})
