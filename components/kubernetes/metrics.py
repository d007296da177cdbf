"""What kube-prometheus-stack needs from the application's namespace: a ServiceMonitor
for the application's metrics endpoint, a PodMonitor for PostgreSQL's exporter
(CloudNativePG), the alert rules as a PrometheusRule and the Grafana dashboards as
ConfigMaps.

The monitors and the rule carry the `release` label kube-prometheus-stack selects them by
in its default configuration, so an existing installation finds them too; the rule's
groups are the ejected ``observability/prometheus/alerts.yml`` and the ConfigMaps hold the
ejected dashboard JSON files, labelled for Grafana's dashboard sidecar.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from ...program.building_blocks import GRAFANA_DASHBOARD_LABEL, PROMETHEUS_SCRAPE_INTERVAL_SECONDS
from ...program.catalogue import APP_METRICS, PORTS
from ...program.frameworks import serves_metrics
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
    framework: str
    """Application framework: where it serves metrics (`program.catalogue.APP_METRICS`). Required."""
    rule_groups: tuple[Mapping[str, Any], ...]
    """Alert rule groups (those of the ejected alerts.yml) for the PrometheusRule. Required."""
    dashboards: Mapping[str, str] = field(default_factory=dict)
    """Dashboard file name → Grafana JSON, one ConfigMap each; empty: no Grafana. Defaults to none."""
    service_port: str = "http"
    """Name of the Service port serving metrics. Defaults to `http`."""
    database_pod_labels: dict[str, str] | None = None
    """Labels of CloudNativePG pods to scrape; `None`: no database monitor. Defaults to `None`."""
    interval_seconds: int = PROMETHEUS_SCRAPE_INTERVAL_SECONDS
    """Seconds between scrapes. Defaults to `30`."""


def service_monitor_spec(args: MetricsArgs) -> dict[str, Any]:
    metrics = APP_METRICS[args.framework]
    endpoint: dict[str, Any] = {"path": metrics["path"], "interval": f"{args.interval_seconds}s"}
    if metrics["port"] is None:
        endpoint["port"] = args.service_port
    else:
        # the framework's exporter listens on a port of its own, which the Service does not expose
        endpoint["targetPort"] = metrics["port"]
    return {
        "selector": {"matchLabels": dict(args.service_labels)},
        "namespaceSelector": {"matchNames": [args.namespace]},
        "endpoints": [endpoint],
    }


def prometheus_rule_spec(args: MetricsArgs) -> dict[str, Any]:
    return {"groups": [dict(group) for group in args.rule_groups]}


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
        if serves_metrics(args.framework):
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
        self.prometheus_rule = k8s.apiextensions.CustomResource(
            f"{name}-rules",
            api_version=MONITORING_API,
            kind="PrometheusRule",
            metadata={"name": f"{args.app}-alerts", "namespace": args.namespace, "labels": object_labels},
            spec=prometheus_rule_spec(args),
            opts=child,
        )
        key, value = GRAFANA_DASHBOARD_LABEL
        self.dashboards: dict[str, k8s.core.v1.ConfigMap] = {}
        for file_name, text in sorted(args.dashboards.items()):
            stem = file_name.removesuffix(".json")
            self.dashboards[file_name] = k8s.core.v1.ConfigMap(
                f"{name}-dashboard-{stem}",
                metadata={
                    "name": f"{args.app}-dashboard-{stem}",
                    "namespace": args.namespace,
                    "labels": {**labels(args.app, "dashboard", args.environment), key: value},
                },
                data={file_name: text},
                opts=child,
            )
        self.register_outputs({"service_monitor": args.app, "prometheus_rule": f"{args.app}-alerts"})
