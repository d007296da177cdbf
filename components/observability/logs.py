"""Grafana's provisioning files, Loki's configuration and the log shipper's (Grafana Alloy).

Loki runs as one process with its index and chunks on the filesystem (TSDB, schema v13),
keeping logs for `monitoring.log_retention_days` (the compactor deletes older ones).
Alloy tails Docker's json-file logs on a Docker host (read-only), or the pods' logs
through the Kubernetes API on a cluster, and pushes them to Loki. Grafana gets Prometheus
(and Loki when logs go there, Tempo when tracing is on) as provisioned datasources.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ...program.building_blocks import DOCKER_CONTAINER_LOGS, LOKI_INDEX_PERIOD, LOKI_SCHEMA_FROM
from ...program.catalogue import PORTS
from .scrape import WORKSPACE_ENV
from .yaml_text import dump

if TYPE_CHECKING:
    from ...program.model import ResolvedDeployment

LOKI_DATA = "/loki"
"""Loki's data folder inside its container (a named volume on a Docker host)."""
DASHBOARDS_MOUNT = "/etc/grafana/dashboards"
"""Where Grafana reads the provisioned dashboard JSON files."""
KUBE_MONITORING_NAMESPACE = "monitoring"
"""kube-prometheus-stack's namespace (see components/kubernetes/addons.py)."""


def uses_loki(resolved: ResolvedDeployment) -> bool:
    return resolved.monitoring.log_aggregator == "loki"


def loki_url(resolved: ResolvedDeployment) -> str:
    if resolved.cloud == "kubernetes":
        return f"http://loki.{KUBE_MONITORING_NAMESPACE}.svc:{PORTS['loki']}"
    return f"http://loki:{PORTS['loki']}"


def loki_schema() -> dict[str, Any]:
    """Loki's one schema period: the TSDB index and chunks on the filesystem, schema v13."""
    period = {
        "from": LOKI_SCHEMA_FROM,
        "store": "tsdb",
        "object_store": "filesystem",
        "schema": "v13",
        "index": {"prefix": "index_", "period": LOKI_INDEX_PERIOD},
    }
    return {"configs": [period]}


def loki_limits(retention_days: int) -> dict[str, Any]:
    """How long Loki keeps logs (`monitoring.log_retention_days`)."""
    return {"retention_period": f"{retention_days * 24}h"}


def loki_compactor() -> dict[str, Any]:
    """The compactor applies the retention: it deletes chunks older than the period."""
    return {"retention_enabled": True, "delete_request_store": "filesystem"}


def loki_config(resolved: ResolvedDeployment) -> str:
    """Loki's configuration: single process, filesystem storage, retention from the manifest."""
    config: dict[str, Any] = {
        "auth_enabled": False,
        "server": {"http_listen_port": PORTS["loki"]},
        "common": {
            "path_prefix": LOKI_DATA,
            "replication_factor": 1,
            "ring": {"kvstore": {"store": "inmemory"}},
            "storage": {
                "filesystem": {"chunks_directory": f"{LOKI_DATA}/chunks", "rules_directory": f"{LOKI_DATA}/rules"}
            },
        },
        "schema_config": loki_schema(),
        "limits_config": loki_limits(resolved.monitoring.log_retention_days),
        "compactor": {"working_directory": f"{LOKI_DATA}/compactor", **loki_compactor()},
        "analytics": {"reporting_enabled": False},
    }
    return dump(config)


def _alloy_labels(resolved: ResolvedDeployment) -> str:
    return f'{{ deployment = "{resolved.deployment.name}", environment = "{resolved.deployment.environment}" }}'


def loki_push_url(resolved: ResolvedDeployment) -> str:
    return f"{loki_url(resolved)}/loki/api/v1/push"


def alloy_config(resolved: ResolvedDeployment, push_url: str | None = None) -> str:
    """Grafana Alloy's configuration (its own syntax): collect the logs, label them, push to
    Loki (the stack's own, or `push_url`: the Ansible playbook's Loki variable)."""
    push = push_url or loki_push_url(resolved)
    if resolved.cloud == "kubernetes":
        namespace = resolved.kubernetes.namespace
        source = [
            'discovery.kubernetes "pods" {',
            '  role = "pod"',
            "  namespaces {",
            f'    names = ["{namespace}"]',
            "  }",
            "}",
            "",
            'loki.source.kubernetes "pods" {',
            "  targets    = discovery.kubernetes.pods.targets",
            "  forward_to = [loki.process.labels.receiver]",
            "}",
        ]
        stages: list[str] = []
    else:
        source = [
            'local.file_match "docker" {',
            f'  path_targets = [{{ "__path__" = "{DOCKER_CONTAINER_LOGS}/*/*-json.log" }}]',
            "}",
            "",
            'loki.source.file "docker" {',
            "  targets    = local.file_match.docker.targets",
            "  forward_to = [loki.process.labels.receiver]",
            "}",
        ]
        stages = ["  stage.docker {}", ""]
    lines = [
        *source,
        "",
        'loki.process "labels" {',
        *stages,
        "  stage.static_labels {",
        f"    values = {_alloy_labels(resolved)}",
        "  }",
        "",
        "  forward_to = [loki.write.default.receiver]",
        "}",
        "",
        'loki.write "default" {',
        "  endpoint {",
        f'    url = "{push}"',
        "  }",
        "}",
    ]
    return "\n".join(lines) + "\n"


def prometheus_datasource(resolved: ResolvedDeployment) -> dict[str, Any]:
    source: dict[str, Any] = {"name": "Prometheus", "type": "prometheus", "uid": "prometheus", "access": "proxy"}
    if resolved.cloud == "aws":
        region = resolved.platform.region
        source["url"] = f"https://aps-workspaces.{region}.amazonaws.com/workspaces/${{{WORKSPACE_ENV}}}"
        source["jsonData"] = {"sigV4Auth": True, "sigV4AuthType": "default", "sigV4Region": region}
    elif resolved.cloud == "kubernetes":
        source["url"] = f"http://kube-prometheus-stack-prometheus.{KUBE_MONITORING_NAMESPACE}.svc:{PORTS['prometheus']}"
    else:
        source["url"] = f"http://prometheus:{PORTS['prometheus']}"
    source["isDefault"] = True
    source["editable"] = False
    return source


def loki_datasource(resolved: ResolvedDeployment) -> dict[str, Any]:
    """Grafana's Loki datasource (provisioned on a Docker host, a chart value in a cluster)."""
    return {
        "name": "Loki",
        "type": "loki",
        "uid": "loki",
        "access": "proxy",
        "url": loki_url(resolved),
        "editable": False,
    }


def datasources(resolved: ResolvedDeployment) -> str:
    """Grafana's datasource provisioning file."""
    sources = [prometheus_datasource(resolved)]
    if uses_loki(resolved):
        sources.append(loki_datasource(resolved))
    if resolved.cloud == "aws":
        region = resolved.platform.region
        sources.append(
            {
                "name": "CloudWatch",
                "type": "cloudwatch",
                "uid": "cloudwatch",
                "jsonData": {"authType": "default", "defaultRegion": region},
                "editable": False,
            }
        )
    if resolved.monitoring.tracing and resolved.cloud != "aws":
        sources.append(
            {
                "name": "Tempo",
                "type": "tempo",
                "uid": "tempo",
                "access": "proxy",
                "url": f"http://tempo:{PORTS['tempo']}",
                "editable": False,
            }
        )
    return dump({"apiVersion": 1, "datasources": sources})


def dashboard_provider() -> str:
    """Grafana's dashboard provisioning file: load the JSON files of the dashboards folder."""
    provider = {
        "name": "specql-deploy",
        "type": "file",
        "disableDeletion": True,
        "allowUiUpdates": False,
        "options": {"path": DASHBOARDS_MOUNT, "foldersFromFilesStructure": False},
    }
    return dump({"apiVersion": 1, "providers": [provider]})
