"""Which resolved settings a pattern builds from, for `resolve` and `--explain`.

Every pattern resolves the whole model (one shape for the lock, the exporters and the
JSON), but a setting only matters where something reads it: RDS's maintenance window
means nothing on a Docker host, the ingress class nothing on ECS. ``APPLIES`` names,
per path or section, the patterns that build from it; the views leave the others out,
so what `resolve` shows is what the pattern does.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from .model import Provenance, ResolvedDeployment

Applies = Callable[[ResolvedDeployment], bool]


def _aws(resolved: ResolvedDeployment) -> bool:
    return resolved.cloud == "aws"


def _aws_account(resolved: ResolvedDeployment) -> bool:
    """AWS patterns, and the kubernetes pattern when it creates its EKS cluster."""
    return resolved.cloud == "aws" or (resolved.cloud == "kubernetes" and resolved.kubernetes.cluster == "create")


def _docker(resolved: ResolvedDeployment) -> bool:
    return resolved.cloud == "docker"


def _kubernetes(resolved: ResolvedDeployment) -> bool:
    return resolved.cloud == "kubernetes"


def _containers(resolved: ResolvedDeployment) -> bool:
    """PostgreSQL and Prometheus in containers: the Docker host and the cluster."""
    return resolved.cloud in ("docker", "kubernetes")


def _scaled(resolved: ResolvedDeployment) -> bool:
    """ECS autoscaling or the HorizontalPodAutoscaler."""
    return resolved.cloud in ("aws", "kubernetes")


def _alerting(resolved: ResolvedDeployment) -> bool:
    """SNS email subscriptions, or Alertmanager's receivers."""
    return resolved.cloud in ("aws", "kubernetes")


def _volume_or_rds(resolved: ResolvedDeployment) -> bool:
    """RDS storage, or the operator's volume per instance (the Docker host's volume has no size)."""
    return resolved.cloud in ("aws", "kubernetes")


def _aws_or_caddy(resolved: ResolvedDeployment) -> bool:
    """ACM on the load balancer, or Caddy's Let's Encrypt on the Docker host."""
    return resolved.cloud in ("aws", "docker")


def _kept_logs(resolved: ResolvedDeployment) -> bool:
    """Log retention: CloudWatch, Docker's log driver, Loki, or an EKS cluster's logs (on a
    cluster of yours without Loki, nothing here keeps logs)."""
    return (
        resolved.cloud != "kubernetes"
        or resolved.kubernetes.cluster == "create"
        or resolved.monitoring.log_aggregator == "loki"
    )


def _dr_region(resolved: ResolvedDeployment) -> bool:
    return resolved.deployment.pattern == "production-saas"


APPLIES: Mapping[str, Applies] = {
    "deployment.dns_zone": _aws,
    "deployment.host": _docker,
    "platform.": _aws_account,
    "platform.dr_region": _dr_region,
    "network.": _aws_account,
    "network.isolated_subnets": _aws,
    "database.instance_class": _aws,
    "database.cpu": _containers,
    "database.memory_mib": _containers,
    "database.storage_gb": _volume_or_rds,
    "database.max_storage_gb": _aws,
    "database.multi_az": _aws,
    "database.read_replicas": _aws,
    "database.maintenance_window": _aws,
    "database.deletion_protection": _volume_or_rds,
    "database.final_snapshot": _aws,
    "database.performance_insights": _aws,
    "database.performance_insights_retention_days": _aws,
    "database.monitoring_interval": _aws,
    "database.iam_auth": _aws,
    "database.log_exports": _aws,
    "database.operator": _kubernetes,
    "database.instances": _kubernetes,
    "database.backup_destination": _docker,
    "database.backup_endpoint": _docker,
    "database.backup_region": _docker,
    "application.healthy_threshold": _scaled,
    "application.autoscale": _aws,
    "application.autoscale_min": _scaled,
    "application.autoscale_max": _scaled,
    "application.target_cpu": _scaled,
    "application.target_memory": _scaled,
    "application.hpa": _kubernetes,
    "cache.": _aws,
    "storage.": _aws,
    "load_balancer.": _aws,
    "load_balancer.certificate": _aws_or_caddy,
    "edge.": _aws,
    "monitoring.level": _aws_or_caddy,
    "monitoring.log_retention_days": _kept_logs,
    "monitoring.alarm_emails": _alerting,
    "monitoring.alarms": _aws,
    "monitoring.container_insights": _aws,
    "monitoring.tracing": _aws,
    "monitoring.prometheus": _containers,
    "monitoring.grafana": _containers,
    "security.kms_key": _aws_account,
    "security.encryption_at_rest": _aws,
    "kubernetes.": _kubernetes,
}
"""Dotted path, or a section ending in `.`, → the patterns that build from it (the exact
path wins over its section). A path listed nowhere applies to every pattern."""


def applies(resolved: ResolvedDeployment, path: str) -> bool:
    """Whether the deployment's pattern builds anything from ``path``."""
    rule = APPLIES.get(path) or APPLIES.get(path.split(".", 1)[0] + ".")
    return rule is None or rule(resolved)


def explained(resolved: ResolvedDeployment) -> dict[str, tuple[Any, Provenance]]:
    """Path → (JSON-ready value, provenance), for the paths the pattern builds from."""
    fallback = Provenance(source="default", reason="")
    return {
        path: (value, resolved.provenance.get(path, fallback))
        for path, value in resolved.flat().items()
        if applies(resolved, path)
    }
