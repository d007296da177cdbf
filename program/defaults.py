"""The layered default tables, each entry with the reason for it.

Keys are dotted paths into :class:`program.model.ResolvedDeployment`. Resolution
layers these tables (global < framework < pattern < environment) under what the user
wrote; ``--explain`` prints the reason next to each value. The catalogues the tables
choose from are in :mod:`.catalogue`; values no manifest key controls are in
:mod:`.building_blocks`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from .catalogue import CONTAINER_SIZES, PATTERN_CLOUD, PRODUCTION_SAAS_SIZES, SMALL_SAAS_SIZES
from .frameworks import METRICS
from .markers import Default, Derived
from .model import ResolvedDeployment
from .versions import BASE_IMAGES, RUNTIME_VERSIONS

Table = Mapping[str, Default | Derived]


@dataclass(frozen=True)
class PatternInfo:
    """A deployment pattern: where it runs and what it defaults."""

    name: str
    summary: str
    defaults: Table = field(default_factory=dict)
    sizes: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    """size word → {database: instance class, cache: node type} (AWS) or (vCPU, MiB) (containers)."""

    @property
    def cloud(self) -> str:
        """`aws`, `docker` or `kubernetes`: which provider SDK builds it."""
        return PATTERN_CLOUD[self.name]


# --------------------------------------------------------------------------- global


def _d(value: Any, reason: str) -> Default:
    return Default(value, reason)


def model_defaults(model: type[BaseModel], prefix: str = "") -> dict[str, Default | Derived]:
    """Dotted path → the default declared on each field of the resolved model (its marker)."""
    found: dict[str, Default | Derived] = {}
    for name, info in model.model_fields.items():
        path = f"{prefix}{name}"
        annotation = info.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel) and not prefix:
            found.update(model_defaults(annotation, f"{path}."))
            continue
        markers = [item for item in info.metadata if isinstance(item, Default | Derived)]
        if markers:
            found[path] = markers[0]
    return found


GLOBAL_DEFAULTS: Table = model_defaults(ResolvedDeployment)
"""The global layer: every default declared on :class:`~.model.ResolvedDeployment`'s fields."""


# --------------------------------------------------------------------------- frameworks

FRAMEWORKS: Mapping[str, Table] = {
    "fraiseql": {
        "application.runtime": _d("python", "FraiseQL is a Python (FastAPI) framework"),
        "application.runtime_version": _d(RUNTIME_VERSIONS["fraiseql"].version, "FraiseQL targets Python 3.13+"),
        "application.port": _d(8000, "uvicorn's conventional port"),
        "application.command": _d(
            ("fraiseql", "run", "--host", "0.0.0.0", "--port", "8000"), "FraiseQL's server entry point"
        ),
        "application.health_check_path": _d("/health", "FraiseQL's health endpoint"),
        "application.build_system": _d("maturin", "FraiseQL's Rust extensions build with maturin"),
        "application.base_image": _d(BASE_IMAGES["fraiseql"].version, "glibc base for the Rust wheels"),
        "application.read_only_root": _d(True, "uvicorn writes nothing to disk"),
    },
    "django": {
        "application.runtime": _d("python", "Django is a Python framework"),
        "application.runtime_version": _d(
            RUNTIME_VERSIONS["django"].version, "the newest Python every Django 5 dependency supports"
        ),
        "application.port": _d(8000, "gunicorn's conventional port"),
        "application.command": _d(
            ("gunicorn", "app.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"),
            "gunicorn serves Django in production",
        ),
        "application.health_check_path": _d("/health/", "Django URLs end with a slash"),
        "application.build_system": _d("pip", "plain pip install of requirements"),
        "application.base_image": _d(BASE_IMAGES["django"].version, "small glibc base"),
        "application.read_only_root": _d(True, "gunicorn writes nothing to disk"),
    },
    "rails": {
        "application.runtime": _d("ruby", "Rails is a Ruby framework"),
        "application.runtime_version": _d(RUNTIME_VERSIONS["rails"].version, "the Ruby current Rails releases target"),
        "application.port": _d(3000, "Puma's conventional port"),
        "application.command": _d(("bundle", "exec", "puma", "-C", "config/puma.rb"), "Puma serves Rails"),
        "application.health_check_path": _d("/up", "Rails 7.1+ health check route"),
        "application.build_system": _d("bundler", "gems install with bundler"),
        "application.base_image": _d(BASE_IMAGES["rails"].version, "small glibc base"),
        "application.read_only_root": _d(False, "Rails writes to tmp/ and log/"),
    },
    "nodejs": {
        "application.runtime": _d("nodejs", "a Node.js application"),
        "application.runtime_version": _d(
            RUNTIME_VERSIONS["nodejs"].version, "the active Node.js LTS (Node.js 20 reached end of life in April 2026)"
        ),
        "application.port": _d(3000, "the Node.js convention"),
        "application.command": _d(("node", "dist/index.js"), "runs the built bundle"),
        "application.health_check_path": _d("/health", "the common convention"),
        "application.build_system": _d("npm", "npm ci from package-lock.json"),
        "application.base_image": _d(BASE_IMAGES["nodejs"].version, "small base with the LTS runtime"),
        "application.read_only_root": _d(True, "a built bundle writes nothing to disk"),
    },
}


# ----------------------------------------------------------------------------- patterns


def _metrics_reason(framework: str) -> str:
    metrics = METRICS.get(framework)
    return metrics.reason if metrics else f"{framework} has no known metrics endpoint"


_ECR_TAG = _d(
    "unreleased",
    "ECR tags are immutable: a moving tag such as `latest` can be pushed once only, so the service "
    "names no image until CI deploys a commit's (`--version <sha>`)",
)
"""What an AWS stack's service runs before a release is given: a tag nothing is pushed as."""

PATTERNS: Mapping[str, PatternInfo] = {
    "hobby-project": PatternInfo(
        name="hobby-project",
        summary="one Docker host: PostgreSQL, the app and Caddy with automatic TLS",
        sizes=CONTAINER_SIZES,
        defaults={
            "application.instances": _d(1, "one container on one host"),
            "application.cpu": _d(0.5, "a container limit that leaves room for PostgreSQL on a small VPS"),
            "application.autoscale": _d(False, "one host cannot scale out"),
            "network.nat_strategy": _d("none", "no VPC on a single host"),
            "network.flow_logs": _d(False, "no VPC on a single host"),
            "monitoring.level": _d("basic", "Prometheus and Uptime Kuma cover one host"),
            "monitoring.stack": _d("prometheus", "runs beside the app, no cloud account needed"),
            "monitoring.log_aggregator": _d(
                "docker",
                "Docker's json-file driver keeps each container's logs, rotated, on the host; "
                "`logs.aggregator: loki` adds Loki, Alloy and Grafana",
            ),
            "monitoring.prometheus": Derived(
                ("deployment.framework",),
                lambda _framework: True,
                lambda framework: f"Prometheus runs beside the app; {_metrics_reason(framework)}",
            ),
            "monitoring.container_insights": _d(False, "no ECS on a Docker host"),
            "monitoring.log_retention_days": _d(7, "Docker's local log driver keeps a week"),
            "security.certificate_provider": _d("letsencrypt", "Caddy obtains certificates automatically"),
            "security.secrets_manager": _d("env-file", "a 0600 env file on the host; values from Pulumi secrets"),
            "security.kms_key": _d(False, "no KMS on a Docker host"),
            "load_balancer.certificate": _d("letsencrypt", "Caddy's automatic HTTPS"),
            "load_balancer.access_logs": _d(False, "Caddy logs to stdout"),
        },
    ),
    "small-saas": PatternInfo(
        name="small-saas",
        summary="AWS for an MVP: ECS Fargate behind an ALB, RDS (single-AZ outside production), one NAT gateway",
        sizes=SMALL_SAAS_SIZES,
        defaults={
            "deployment.version": _ECR_TAG,
            "database.deletion_protection": _d(
                True,
                "AWS refuses to delete the database by mistake; a confirmed `specql deploy destroy` lifts it first",
            ),
        },
    ),
    "production-saas": PatternInfo(
        name="production-saas",
        summary="AWS with high availability: multi-AZ RDS with replicas, autoscaling ECS, CloudFront and WAF",
        sizes=PRODUCTION_SAAS_SIZES,
        defaults={
            "deployment.version": _ECR_TAG,
            "platform.availability_zones": _d(3, "three zones keep quorum through one zone outage"),
            "network.nat_strategy": _d("one-per-az", "each zone keeps outbound access when another fails"),
            "network.isolated_subnets": _d(True, "the database and cache live in subnets with no route out"),
            "database.size": _d("large", "steady CPU for production load"),
            "database.storage_gb": _d(100, "room for growth and gp3 baseline throughput"),
            "database.multi_az": _d(True, "automatic failover to a standby in another zone"),
            "database.read_replicas": _d(1, "offloads reads and is a warm spare"),
            "database.backup_frequency": _d("continuous", "point-in-time recovery to the second"),
            "database.backup_retention_days": _d(30, "a month of recovery points for audits and mistakes"),
            "database.deletion_protection": _d(
                True,
                "AWS refuses to delete the database by mistake; a confirmed `specql deploy destroy` lifts it first",
            ),
            "database.final_snapshot": _d(True, "a last snapshot before any deletion"),
            "database.monitoring_interval": _d(15, "finer enhanced monitoring for incident response"),
            "application.instances": _d(3, "one task per zone"),
            "application.cpu": _d(1, "steady CPU for production requests"),
            "application.memory_mib": _d(2048, "pairs with 1 vCPU on Fargate"),
            "application.autoscale_max": _d(50, "scale out for launches; caps a runaway bill"),
            "cache.enabled": _d(True, "sessions and hot queries in Redis"),
            "cache.replicas": _d(1, "a replica in another zone for failover"),
            "cache.snapshot_retention_days": _d(7, "a week of cache snapshots"),
            "storage.enabled": _d(True, "S3 for file storage"),
            "edge.cdn": _d(True, "CloudFront caches static responses close to users"),
            "edge.waf": _d(True, "AWS managed rules block common attacks"),
            "monitoring.level": _d("enterprise", "every alarm, dashboard and tracing"),
            "monitoring.tracing": _d(True, "X-Ray tracing across the service"),
        },
    ),
    "kubernetes": PatternInfo(
        name="kubernetes",
        summary="any Kubernetes cluster: Deployment, Ingress with cert-manager, a PostgreSQL operator",
        sizes=CONTAINER_SIZES,
        defaults={
            "database.size": _d("medium", "two PostgreSQL instances for failover"),
            "application.instances": _d(3, "spread over nodes for availability"),
            "application.cpu": _d(0.5, "a modest request; the HPA adds pods under load"),
            "application.autoscale": _d(False, "the HorizontalPodAutoscaler scales pods"),
            "application.hpa": _d(True, "pods scale with CPU"),
            "application.autoscale_max": _d(10, "the HPA's ceiling"),
            "monitoring.stack": _d("kube-prometheus-stack", "Prometheus, Alertmanager and Grafana for the cluster"),
            "monitoring.log_aggregator": _d(
                "loki", "cluster-local log aggregation: Loki, and Grafana Alloy shipping the pods' logs"
            ),
            "monitoring.prometheus": Derived(
                ("deployment.framework",),
                lambda _framework: True,
                lambda framework: f"kube-prometheus-stack scrapes the cluster; {_metrics_reason(framework)}",
            ),
            "monitoring.grafana": _d(True, "ships with kube-prometheus-stack"),
            "monitoring.container_insights": _d(False, "Prometheus covers the pods"),
            "security.certificate_provider": _d("letsencrypt", "cert-manager with Let's Encrypt"),
            "security.kms_key": _d(False, "only with an EKS cluster"),
        },
    ),
}


# ------------------------------------------------------------------------- environments

ENVIRONMENT_DEFAULTS: Mapping[str, Table] = {
    "production": {
        "database.multi_az": _d(True, "production data must survive the loss of an availability zone"),
        "database.deletion_protection": _d(True, "production data must survive a mistaken destroy"),
        "database.final_snapshot": _d(True, "a last snapshot before any deletion in production"),
    },
    "non-production": {},
}

DEFAULT_ENVIRONMENT = Default("dev", "the stack used when the manifest lists no environments")


def size_defaults(info: PatternInfo) -> Table:
    """Size words become instance classes (AWS) or container resources (Docker, Kubernetes)."""
    sizes = info.sizes
    if info.cloud == "aws":
        return {
            "database.instance_class": Derived(
                ("database.size",),
                lambda size: sizes[size]["database"],
                lambda size: f"{info.name} maps size {size} to {sizes[size]['database']}",
            ),
            "cache.node_type": Derived(
                ("cache.size",),
                lambda size: sizes[size]["cache"],
                lambda size: f"{info.name} maps size {size} to {sizes[size]['cache']}",
            ),
            "database.cpu": Default(None, "RDS sizes by instance class"),
            "database.memory_mib": Default(None, "RDS sizes by instance class"),
        }
    return {
        "database.instance_class": Default(None, "PostgreSQL runs in containers, not RDS"),
        "cache.node_type": Default(None, "Redis runs in a container, not ElastiCache"),
        "database.cpu": Derived(
            ("database.size",),
            lambda size: sizes[size]["database"][0],
            lambda size: f"size {size}: {sizes[size]['database'][0]} vCPU per PostgreSQL instance",
        ),
        "database.memory_mib": Derived(
            ("database.size",),
            lambda size: sizes[size]["database"][1],
            lambda size: f"size {size}: {sizes[size]['database'][1]} MiB per PostgreSQL instance",
        ),
    }
