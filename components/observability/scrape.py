"""``prometheus.yml``: what Prometheus scrapes, per pattern.

- Docker host: the application at its framework's metrics path, postgres-exporter, node
  exporter, Caddy's metrics site and Prometheus itself, by service name on the private
  networks; the alert rules from ``alerts.yml`` beside it.
- Kubernetes: the same jobs through Kubernetes service discovery in the namespace (what
  the ServiceMonitor and PodMonitor ask kube-prometheus-stack for, for a Prometheus of
  your own).
- AWS: the collector beside the application in its task scrapes it on localhost and
  remote-writes to the Amazon Managed Service for Prometheus workspace (SigV4); the rules
  are loaded into the workspace instead.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ...program.building_blocks import PROMETHEUS_SCRAPE_INTERVAL_SECONDS
from ...program.catalogue import APP_METRICS, PORTS
from ...program.frameworks import serves_metrics
from ..docker.app_names import app_services
from .yaml_text import dump

if TYPE_CHECKING:
    from ...program.model import ResolvedDeployment

RULE_FILE = "alerts.yml"
"""The rules file, beside prometheus.yml (Prometheus reads relative paths from the config's folder)."""
WORKSPACE_PLACEHOLDER = "WORKSPACE_ID"
"""Stands for the workspace id in the ejected AWS prometheus.yml, a config for a Prometheus of
your own (Prometheus expands no environment variable there); the stack's own collector gets
the real endpoint. `specql deploy outputs` or `tofu output -raw prometheus_workspace_id` shows it."""
WORKSPACE_ENV = "AMP_WORKSPACE_ID"
"""The environment variable Grafana's datasource provisioning reads the workspace id from
(Grafana expands `${NAME}` in provisioning files)."""


def app_metrics_port(resolved: ResolvedDeployment) -> int:
    """Port the application serves metrics on: its framework's exporter port, or its own."""
    return int(APP_METRICS[resolved.deployment.framework]["port"] or resolved.application.port)


def app_metrics_path(resolved: ResolvedDeployment) -> str:
    return str(APP_METRICS[resolved.deployment.framework]["path"])


def _static(job: str, target: str, path: str | None = None) -> dict[str, Any]:
    config: dict[str, Any] = {"job_name": job}
    if path is not None:
        config["metrics_path"] = path
    config["static_configs"] = [{"targets": [target]}]
    return config


def _global(resolved: ResolvedDeployment) -> dict[str, Any]:
    return {
        "scrape_interval": f"{PROMETHEUS_SCRAPE_INTERVAL_SECONDS}s",
        "evaluation_interval": f"{PROMETHEUS_SCRAPE_INTERVAL_SECONDS}s",
        "external_labels": {"deployment": resolved.deployment.name, "environment": resolved.deployment.environment},
    }


def docker_jobs(resolved: ResolvedDeployment) -> list[dict[str, Any]]:
    port = app_metrics_port(resolved)
    app = (
        [
            {
                "job_name": "app",
                "metrics_path": app_metrics_path(resolved),
                "static_configs": [{"targets": [f"{name}:{port}" for name in app_services(resolved)]}],
            }
        ]
        if serves_metrics(resolved.deployment.framework)
        else []
    )
    jobs = [
        *app,
        _static("postgres", f"postgres-exporter:{PORTS['postgres-exporter']}"),
        _static("node", f"node-exporter:{PORTS['node-exporter']}"),
        _static("caddy", f"caddy:{PORTS['caddy-metrics']}"),
        _static("prometheus", f"localhost:{PORTS['prometheus']}"),
    ]
    return jobs


def _keep(label: str, value: str) -> dict[str, Any]:
    return {"source_labels": [label], "regex": value, "action": "keep"}


def kubernetes_jobs(resolved: ResolvedDeployment) -> list[dict[str, Any]]:
    namespace = resolved.kubernetes.namespace
    app = resolved.deployment.name
    discovery = {"namespaces": {"names": [namespace]}}
    metrics_port = APP_METRICS[resolved.deployment.framework]["port"]
    app_keep = [_keep("__meta_kubernetes_service_name", app)]
    if metrics_port is None:
        app_keep.append(_keep("__meta_kubernetes_endpoint_port_name", "http"))
    else:
        app_keep.append(
            {
                "source_labels": ["__address__"],
                "regex": "([^:]+)(?::\\d+)?",
                "replacement": f"$1:{metrics_port}",
                "target_label": "__address__",
            }
        )
    common = [
        {"source_labels": ["__meta_kubernetes_namespace"], "target_label": "namespace"},
        {"source_labels": ["__meta_kubernetes_pod_name"], "target_label": "pod"},
    ]
    jobs = [
        {
            "job_name": app,
            "metrics_path": app_metrics_path(resolved),
            "kubernetes_sd_configs": [{"role": "endpoints", **discovery}],
            "relabel_configs": [*app_keep, *common],
        }
    ]
    if not serves_metrics(resolved.deployment.framework):
        jobs = []
    if resolved.database.operator == "cloudnative-pg":
        jobs.append(
            {
                "job_name": f"{app}-db",
                "kubernetes_sd_configs": [{"role": "pod", **discovery}],
                "relabel_configs": [
                    _keep("__meta_kubernetes_pod_label_cnpg_io_cluster", f"{app}-db"),
                    _keep("__meta_kubernetes_pod_container_port_name", "metrics"),
                    *common,
                ],
            }
        )
    return jobs


def aws_jobs(resolved: ResolvedDeployment) -> list[dict[str, Any]]:
    return [_static("app", f"localhost:{app_metrics_port(resolved)}", app_metrics_path(resolved))]


def remote_write_url(region: str, workspace: str = WORKSPACE_PLACEHOLDER) -> str:
    return f"https://aps-workspaces.{region}.amazonaws.com/workspaces/{workspace}/api/v1/remote_write"


def prometheus_config(resolved: ResolvedDeployment) -> dict[str, Any]:
    """prometheus.yml as data."""
    config: dict[str, Any] = {"global": _global(resolved)}
    if resolved.cloud == "aws":
        region = resolved.platform.region
        config["scrape_configs"] = aws_jobs(resolved)
        config["remote_write"] = [{"url": remote_write_url(region), "sigv4": {"region": region}}]
        return config
    config["rule_files"] = [RULE_FILE]
    config["scrape_configs"] = docker_jobs(resolved) if resolved.cloud == "docker" else kubernetes_jobs(resolved)
    return config


def collector_config(resolved: ResolvedDeployment, remote_write_url: str) -> str:
    """The AWS collector's configuration (AWS Distro for OpenTelemetry): the same scrape
    jobs as the ejected prometheus.yml, remote-written to the workspace with SigV4."""
    region = resolved.platform.region
    config = {
        "extensions": {"sigv4auth": {"region": region, "service": "aps"}},
        "receivers": {"prometheus": {"config": {"global": _global(resolved), "scrape_configs": aws_jobs(resolved)}}},
        "exporters": {"prometheusremotewrite": {"endpoint": remote_write_url, "auth": {"authenticator": "sigv4auth"}}},
        "service": {
            "extensions": ["sigv4auth"],
            "pipelines": {"metrics": {"receivers": ["prometheus"], "exporters": ["prometheusremotewrite"]}},
        },
    }
    return dump(config)


def prometheus_text(resolved: ResolvedDeployment) -> str:
    return dump(prometheus_config(resolved))
