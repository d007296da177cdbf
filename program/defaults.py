"""Every default specql-deploy applies, in one place, each with the reason for it.

Keys are dotted paths into :class:`program.model.ResolvedDeployment`. Resolution
layers these tables (global < framework < pattern < environment) under what the user
wrote; ``--explain`` prints the reason next to each value. A :class:`Derived` default is
computed from other resolved values (the instance class from the size, the autoscale
floor from the instance count).

Nothing else in the code base hard-codes a size, a count or a retention.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Default:
    """A literal default and the one-line reason for it."""

    value: Any
    reason: str


@dataclass(frozen=True)
class Derived:
    """A default computed from other resolved values (named in ``inputs``)."""

    inputs: tuple[str, ...]
    compute: Callable[..., Any]
    reason: str | Callable[..., str]

    def explain(self, *values: Any) -> str:
        return self.reason(*values) if callable(self.reason) else self.reason


Table = Mapping[str, Default | Derived]


@dataclass(frozen=True)
class PatternInfo:
    """A deployment pattern: where it runs and what it defaults."""

    name: str
    cloud: str
    """`aws`, `docker` or `kubernetes`: which provider SDK builds it."""
    summary: str
    defaults: Table = field(default_factory=dict)
    sizes: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    """size word → {database: instance class, cache: node type} (AWS) or (vCPU, MiB) (containers)."""


# ------------------------------------------------------------------------ AWS catalogue

AWS_REGIONS: tuple[str, ...] = (
    "af-south-1", "ap-east-1", "ap-east-2", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3",
    "ap-south-1", "ap-south-2", "ap-southeast-1", "ap-southeast-2", "ap-southeast-3",
    "ap-southeast-4", "ap-southeast-5", "ap-southeast-6", "ap-southeast-7", "ca-central-1",
    "ca-west-1", "cn-north-1", "cn-northwest-1", "eu-central-1", "eu-central-2", "eu-north-1",
    "eu-south-1", "eu-south-2", "eu-west-1", "eu-west-2", "eu-west-3", "il-central-1",
    "me-central-1", "me-south-1", "mx-central-1", "sa-east-1", "us-east-1", "us-east-2",
    "us-gov-east-1", "us-gov-west-1", "us-west-1", "us-west-2",
)


def _gib_steps(low: int, high: int, step: int = 1) -> tuple[int, ...]:
    return tuple(gib * 1024 for gib in range(low, high + 1, step))


# Fargate task sizes (CPU units → allowed memory in MiB), from the ECS task size table.
FARGATE_MEMORY_BY_CPU: Mapping[int, tuple[int, ...]] = {
    256: (512, 1024, 2048),
    512: _gib_steps(1, 4),
    1024: _gib_steps(2, 8),
    2048: _gib_steps(4, 16),
    4096: _gib_steps(8, 30),
    8192: _gib_steps(16, 60, 4),
    16384: _gib_steps(32, 120, 8),
}


def fargate_cpu_units(vcpu: float) -> int:
    """vCPU as Fargate CPU units (1 vCPU = 1024), the keys of ``FARGATE_MEMORY_BY_CPU``."""
    return round(vcpu * 1024)


def fargate_memory_hint(cpu_units: int, memory_mib: int) -> str:
    """Explain a rejected cpu/memory pair and name the nearest valid choices."""
    allowed = FARGATE_MEMORY_BY_CPU[cpu_units]
    shown = ", ".join(_mib_text(mib) for mib in allowed) if len(allowed) <= 6 else (
        f"{_mib_text(allowed[0])} to {_mib_text(allowed[-1])} in {_mib_text(allowed[1] - allowed[0])} steps"
    )
    fitting_cpu = [units for units, memories in FARGATE_MEMORY_BY_CPU.items() if memory_mib in memories]
    other = f", or cpu {fitting_cpu[0] / 1024:g} to keep {_mib_text(memory_mib)}" if fitting_cpu else ""
    return (
        f"Fargate cannot run {_mib_text(memory_mib)} with {cpu_units / 1024:g} vCPU; "
        f"that cpu takes memory {shown}{other}"
    )


def _mib_text(mib: int) -> str:
    return f"{mib // 1024}Gi" if mib % 1024 == 0 else f"{mib}Mi"


# Size words → AWS classes. small-saas favours burstable Graviton classes (cheapest that
# run PostgreSQL well); production-saas uses general-purpose classes with steady CPU.
SMALL_SAAS_SIZES = {
    "small": {"database": "db.t4g.micro", "cache": "cache.t4g.micro"},
    "medium": {"database": "db.t4g.medium", "cache": "cache.t4g.small"},
    "large": {"database": "db.t4g.large", "cache": "cache.t4g.medium"},
    "xlarge": {"database": "db.m7g.xlarge", "cache": "cache.m7g.large"},
}
PRODUCTION_SAAS_SIZES = {
    "small": {"database": "db.m7g.large", "cache": "cache.m7g.large"},
    "medium": {"database": "db.m7g.xlarge", "cache": "cache.m7g.xlarge"},
    "large": {"database": "db.r7g.xlarge", "cache": "cache.r7g.large"},
    "xlarge": {"database": "db.r7g.2xlarge", "cache": "cache.r7g.xlarge"},
}
# Kubernetes and Docker sizes are container resources (vCPU, MiB), not instance classes.
CONTAINER_SIZES = {
    "small": {"database": (0.5, 1024), "cache": (0.25, 256)},
    "medium": {"database": (1, 2048), "cache": (0.5, 512)},
    "large": {"database": (2, 8192), "cache": (1, 2048)},
    "xlarge": {"database": (4, 16384), "cache": (2, 4096)},
}
DATABASE_INSTANCES_BY_SIZE = {"small": 1, "medium": 2, "large": 3, "xlarge": 3}

# Images pinned to exact tags so a rebuild next month is the same stack.
IMAGES: Mapping[str, str] = {
    "postgres": "postgres:16.6-alpine3.21",
    "redis": "redis:7.4.2-alpine3.21",
    "caddy": "caddy:2.9.1-alpine",
    "prometheus": "prom/prometheus:v3.1.0",
    "uptime-kuma": "louislam/uptime-kuma:1.23.16-alpine",
    # Copies the dumps off the host (S3 or any S3-compatible store).
    "rclone": "rclone/rclone:1.68.2",
    # CloudNativePG's operand image for the default PostgreSQL major (`database.version` 16).
    "cloudnative-pg-postgres": "ghcr.io/cloudnative-pg/postgresql:16.6",
    # Development compose only: MinIO speaks the S3 API, so the same SDK code runs locally...
    "minio": "minio/minio:RELEASE.2025-04-22T22-12-26Z",
    # ...and its client creates the manifest's buckets once.
    "minio-client": "minio/mc:RELEASE.2025-04-16T18-13-26Z",
    # FraiseQL's Rust extensions compile with this toolchain, copied into the Dockerfile's
    # build stage instead of piping rustup from the network.
    "rust": "rust:1.83.0-slim-bookworm",
}

# Helm charts pinned so `up` next month installs what was previewed today.
HELM_CHARTS: Mapping[str, tuple[str, str, str]] = {
    # name: (chart, version, repository)
    "cloudnative-pg": ("cloudnative-pg", "0.23.0", "https://cloudnative-pg.github.io/charts"),
    "crunchy-pgo": ("pgo", "5.7.2", "oci://registry.developers.crunchydata.com/crunchydata"),
    "ingress-nginx": ("ingress-nginx", "4.12.0", "https://kubernetes.github.io/ingress-nginx"),
    "traefik": ("traefik", "34.1.0", "https://traefik.github.io/charts"),
    "cert-manager": ("cert-manager", "v1.16.3", "https://charts.jetstack.io"),
    "kube-prometheus-stack": ("kube-prometheus-stack", "68.3.0", "https://prometheus-community.github.io/helm-charts"),
}


# --------------------------------------------------------------------------- global

def _d(value: Any, reason: str) -> Default:
    return Default(value, reason)


GLOBAL_DEFAULTS: Table = {
    "deployment.framework": _d("fraiseql", "SpecQL's own GraphQL runtime"),
    "deployment.version": _d("latest", "images are tagged with the git SHA in CI; `latest` only for local runs"),
    "deployment.domain": _d(None, "no domain: served on the load balancer's own DNS name"),
    "deployment.dns_zone": _d(None, "DNS stays wherever the domain is hosted; `up` prints the validation CNAME"),
    "deployment.host": _d(None, "the local Docker engine"),
    "platform.provider": _d("aws", "the only cloud with patterns today"),
    "platform.region": _d("us-east-1", "the largest and cheapest AWS region"),
    "platform.dr_region": _d(None, "no disaster-recovery region unless two `regions` are listed"),
    "platform.availability_zones": _d(2, "two zones is the minimum an ALB and a multi-AZ database accept"),
    "network.vpc_cidr": _d("10.0.0.0/16", "65,536 addresses: room for every subnet the patterns create"),
    "network.nat_strategy": _d("single", "one NAT gateway (~$33/month) gives private subnets outbound access"),
    "network.isolated_subnets": _d(False, "the database shares the private subnets"),
    "network.flow_logs": _d(True, "VPC flow logs are the only record of who talked to what"),
    "database.engine": _d("postgresql", "SpecQL generates PostgreSQL schemas"),
    "database.version": _d("16", "current PostgreSQL major supported by RDS and the operators"),
    "database.size": _d("small", "start small; resizing RDS is one setting and a few minutes"),
    "database.storage_gb": _d(20, "the RDS gp3 minimum; storage autoscaling grows it"),
    "database.max_storage_gb": Derived(("database.storage_gb",), lambda gb: gb * 5,
                                       "storage autoscaling up to 5x the allocation avoids a full disk at 3 a.m."),
    "database.multi_az": _d(False, "a standby doubles the database cost"),
    "database.read_replicas": _d(0, "replicas only pay off for read-heavy load"),
    "database.backup_frequency": _d("daily", "RDS takes one automated snapshot a day plus transaction logs"),
    "database.backup_retention_days": _d(7, "a week of point-in-time recovery is free up to the database size"),
    "database.backup_window": _d("03:00-04:00", "UTC night, before the maintenance window"),
    "database.backup_destination": _d(None, "dumps stay on the host unless the manifest names an off-site bucket"),
    "database.backup_endpoint": _d(None, "AWS S3 unless an S3-compatible endpoint is given"),
    "database.backup_region": _d("us-east-1", "S3's default region; `auto` suits Cloudflare R2"),
    "database.maintenance_window": _d("mon:04:30-mon:05:30", "early Monday UTC, half an hour after the backup "
                                                            "window: RDS refuses windows that touch"),
    "database.deletion_protection": _d(False, "non-production stacks are torn down and rebuilt often"),
    "database.final_snapshot": _d(False, "non-production stacks: a snapshot per destroy piles up cost"),
    "database.performance_insights": _d(True, "7 days of Performance Insights are free"),
    "database.performance_insights_retention_days": _d(7, "the free tier"),
    "database.monitoring_interval": _d(60, "enhanced monitoring every minute costs cents a month"),
    "database.iam_auth": _d(True, "lets the application use short-lived IAM tokens instead of passwords"),
    "database.log_exports": _d(("postgresql", "upgrade"), "query and upgrade logs in CloudWatch"),
    "database.max_connections": _d(200, "room for the application's pools and a migration"),
    "database.log_min_duration_ms": _d(1000, "log queries slower than a second"),
    "database.operator": _d("cloudnative-pg", "the CNCF PostgreSQL operator"),
    "database.instances": Derived(("database.size",), lambda size: DATABASE_INSTANCES_BY_SIZE[size],
                                  lambda size: f"size {size}: {DATABASE_INSTANCES_BY_SIZE[size]} PostgreSQL instance(s) in the cluster"),
    "application.instances": _d(2, "two copies survive one failing task"),
    "application.cpu": _d(0.25, "the smallest Fargate task; enough for an idle-most-of-the-day API"),
    "application.memory_mib": _d(512, "pairs with 0.25 vCPU on Fargate"),
    "application.health_check_interval": _d(30, "the ALB default"),
    "application.health_check_timeout": _d(5, "the ALB default"),
    "application.healthy_threshold": _d(2, "two passes before traffic arrives"),
    "application.unhealthy_threshold": _d(3, "three failures before a task is replaced"),
    "application.autoscale": _d(True, "scale on load instead of paying for the peak all day"),
    "application.autoscale_min": Derived(("application.instances",), lambda count: count,
                                         "never scale below the instance count"),
    "application.autoscale_max": Derived(("application.instances",), lambda count: max(count * 2, 4),
                                         "twice the instance count (at least 4) caps the bill"),
    "application.target_cpu": _d(70, "headroom for spikes while scaling out"),
    "application.target_memory": _d(None, "memory scaling only when asked"),
    "application.hpa": _d(False, "HorizontalPodAutoscaler only on kubernetes"),
    "application.image": _d(None, "built from the generated Dockerfile"),
    "cache.enabled": _d(False, "no cache unless the manifest has one"),
    "cache.engine": _d("redis", "encryption in transit and AUTH"),
    "cache.engine_version": _d("7.1", "current ElastiCache Redis OSS major"),
    "cache.size": _d("small", "sessions and small caches fit in the smallest node"),
    "cache.replicas": _d(0, "one node; the cache is rebuilt from the database"),
    "cache.cluster_mode": _d(False, "one shard is simpler and enough below ~25 GB"),
    "cache.automatic_failover": Derived(("cache.replicas",), lambda replicas: replicas > 0,
                                        "failover needs a replica"),
    "cache.snapshot_retention_days": _d(1, "one daily snapshot to rebuild from"),
    "storage.enabled": _d(False, "no buckets unless the manifest has a storage section"),
    "storage.buckets": _d(({"name": "uploads", "versioning": True, "lifecycle_days": None},),
                          "one private bucket for user uploads"),
    "storage.noncurrent_version_days": _d(30, "old object versions expire after a month"),
    "load_balancer.type": _d("application", "HTTP routing, health checks and TLS termination"),
    "load_balancer.https": Derived(("deployment.domain",), lambda domain: domain is not None,
                                   "HTTPS needs a domain for its certificate"),
    "load_balancer.certificate": _d("acm", "free certificates renewed by AWS"),
    "load_balancer.idle_timeout": _d(60, "the ALB default"),
    "load_balancer.access_logs": _d(True, "who called what, kept in a private bucket"),
    "load_balancer.deletion_protection": _d(True, "AWS refuses to delete the entry point by mistake; a confirmed "
                                                  "`specql deploy destroy` lifts it first"),
    "edge.cdn": _d(False, "CloudFront only pays off with global or static traffic"),
    "edge.waf": _d(False, "WAF costs ~$10/month plus requests"),
    "edge.ddos_protection": _d(False, "Shield Advanced costs $3,000/month"),
    "monitoring.level": _d("standard", "core alarms, a dashboard, database and cache alarms"),
    "monitoring.stack": _d("cloudwatch", "no servers to run"),
    "monitoring.log_aggregator": _d("cloudwatch", "ECS and RDS ship logs there with no agent"),
    "monitoring.log_retention_days": _d(365, "a year of logs, what audits ask for; storing them costs cents"),
    "monitoring.alarms": _d((), "the level's built-in alarms only"),
    "monitoring.alarm_emails": _d((), "no email subscribers: alarms go to the SNS topic only"),
    "monitoring.container_insights": _d(True, "per-task CPU and memory for ECS"),
    "monitoring.prometheus": _d(False, "CloudWatch already collects the metrics"),
    "monitoring.grafana": _d(False, "the CloudWatch dashboard suffices"),
    "monitoring.tracing": _d(False, "tracing is for enterprise monitoring"),
    "security.ssl": _d(True, "HTTPS wherever there is a domain"),
    "security.certificate_provider": _d("aws-acm", "free certificates renewed by AWS"),
    "security.secrets_manager": _d("aws-secrets", "rotation and IAM-scoped access"),
    "security.encryption_at_rest": _d(True, "free, and protects every backup"),
    "security.kms_key": _d(True, "a customer-managed key per deployment, so access can be revoked"),
    "cicd.provider": _d("github-actions", "the CI most users already have"),
    "cicd.main_branch": _d("main", "GitHub's default branch"),
    "cicd.environments": _d(({"name": "staging", "auto_deploy": True, "approval_required": False},
                             {"name": "production", "auto_deploy": False, "approval_required": True}),
                            "staging on every merge, production after approval"),
    "cicd.migrations_auto_run": _d(False, "migrations run after a human approves"),
    "cicd.rollback_on_failure": _d(True, "a failed smoke test rolls back to the last image"),
    "kubernetes.cluster": _d("existing", "use the cluster your kubeconfig points at"),
    "kubernetes.kubeconfig": _d(None, "the default kubeconfig"),
    "kubernetes.context": _d(None, "the current context"),
    "kubernetes.namespace": Derived(("deployment.name", "deployment.environment"),
                                    lambda name, env: f"{name}-{env}"[:63].rstrip("-"),
                                    "one namespace per deployment and environment"),
    "kubernetes.ingress_class": _d("nginx", "the most common ingress controller"),
    "kubernetes.tls": Derived(("deployment.domain",), lambda domain: "cert-manager" if domain else "none",
                              "Let's Encrypt certificates need a domain"),
    "kubernetes.existing_addons": _d((), "install every add-on the pattern needs"),
}


# --------------------------------------------------------------------------- frameworks

FRAMEWORKS: Mapping[str, Table] = {
    "fraiseql": {
        "application.runtime": _d("python", "FraiseQL is a Python (FastAPI) framework"),
        "application.runtime_version": _d("3.13", "FraiseQL targets Python 3.13+"),
        "application.port": _d(8000, "uvicorn's conventional port"),
        "application.command": _d(("fraiseql", "run", "--host", "0.0.0.0", "--port", "8000"), "FraiseQL's server entry point"),
        "application.health_check_path": _d("/health", "FraiseQL's health endpoint"),
        "application.build_system": _d("maturin", "FraiseQL's Rust extensions build with maturin"),
        "application.base_image": _d("python:3.13-slim-bookworm", "glibc base for the Rust wheels"),
        "application.read_only_root": _d(True, "uvicorn writes nothing to disk"),
    },
    "django": {
        "application.runtime": _d("python", "Django is a Python framework"),
        "application.runtime_version": _d("3.12", "the newest Python every Django 5 dependency supports"),
        "application.port": _d(8000, "gunicorn's conventional port"),
        "application.command": _d(("gunicorn", "app.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"), "gunicorn serves Django in production"),
        "application.health_check_path": _d("/health/", "Django URLs end with a slash"),
        "application.build_system": _d("pip", "plain pip install of requirements"),
        "application.base_image": _d("python:3.12-slim-bookworm", "small glibc base"),
        "application.read_only_root": _d(True, "gunicorn writes nothing to disk"),
    },
    "rails": {
        "application.runtime": _d("ruby", "Rails is a Ruby framework"),
        "application.runtime_version": _d("3.3", "the Ruby current Rails releases target"),
        "application.port": _d(3000, "Puma's conventional port"),
        "application.command": _d(("bundle", "exec", "puma", "-C", "config/puma.rb"), "Puma serves Rails"),
        "application.health_check_path": _d("/up", "Rails 7.1+ health check route"),
        "application.build_system": _d("bundler", "gems install with bundler"),
        "application.base_image": _d("ruby:3.3-slim-bookworm", "small glibc base"),
        "application.read_only_root": _d(False, "Rails writes to tmp/ and log/"),
    },
    "nodejs": {
        "application.runtime": _d("nodejs", "a Node.js application"),
        "application.runtime_version": _d("20", "the active Node.js LTS"),
        "application.port": _d(3000, "the Node.js convention"),
        "application.command": _d(("node", "dist/index.js"), "runs the built bundle"),
        "application.health_check_path": _d("/health", "the common convention"),
        "application.build_system": _d("npm", "npm ci from package-lock.json"),
        "application.base_image": _d("node:20-alpine", "small base with the LTS runtime"),
        "application.read_only_root": _d(True, "a built bundle writes nothing to disk"),
    },
}


# ----------------------------------------------------------------------------- patterns

PATTERNS: Mapping[str, PatternInfo] = {
    "hobby-project": PatternInfo(
        name="hobby-project",
        cloud="docker",
        summary="one Docker host: PostgreSQL, the app and Caddy with automatic TLS",
        sizes=CONTAINER_SIZES,
        defaults={
            "application.instances": _d(1, "one container on one host"),
            "application.cpu": _d(0.5, "a container limit that leaves room for PostgreSQL on a small VPS"),
            "application.memory_mib": _d(512, "fits a 2 GB VPS beside PostgreSQL"),
            "application.autoscale": _d(False, "one host cannot scale out"),
            "network.nat_strategy": _d("none", "no VPC on a single host"),
            "network.flow_logs": _d(False, "no VPC on a single host"),
            "monitoring.level": _d("basic", "Prometheus and Uptime Kuma cover one host"),
            "monitoring.stack": _d("prometheus", "runs beside the app, no cloud account needed"),
            "monitoring.log_aggregator": _d("loki", "no CloudWatch on a Docker host"),
            "monitoring.prometheus": _d(True, "FraiseQL exposes Prometheus metrics"),
            "monitoring.container_insights": _d(False, "no ECS on a Docker host"),
            "monitoring.log_retention_days": _d(7, "Docker's local log driver keeps a week"),
            "security.certificate_provider": _d("letsencrypt", "Caddy obtains certificates automatically"),
            "security.secrets_manager": _d("env-file", "a 0600 env file on the host; values from Pulumi secrets"),
            "security.kms_key": _d(False, "no KMS on a Docker host"),
            "load_balancer.type": _d("application", "Caddy reverse proxy"),
            "load_balancer.certificate": _d("letsencrypt", "Caddy's automatic HTTPS"),
            "load_balancer.access_logs": _d(False, "Caddy logs to stdout"),
        },
    ),
    "small-saas": PatternInfo(
        name="small-saas",
        cloud="aws",
        summary="AWS for an MVP: ECS Fargate behind an ALB, RDS (single-AZ outside production), one NAT gateway",
        sizes=SMALL_SAAS_SIZES,
        defaults={
            "platform.availability_zones": _d(2, "the minimum for an ALB"),
            "network.nat_strategy": _d("single", "one NAT gateway; an AZ outage only cuts outbound traffic"),
            "database.size": _d("small", "db.t4g.micro: about $12/month"),
            "database.backup_retention_days": _d(7, "a week of point-in-time recovery"),
            "database.deletion_protection": _d(True, "AWS refuses to delete the database by mistake; a "
                                                        "confirmed `specql deploy destroy` lifts it first"),
            "application.instances": _d(2, "two tasks in two zones survive one failure"),
            "application.autoscale_max": Derived(("application.instances",), lambda count: max(count * 2, 4),
                                                 "small-saas caps scale-out at twice the instances (at least 4)"),
            "monitoring.level": _d("standard", "core alarms plus a dashboard"),
            "monitoring.log_retention_days": _d(365, "a year of logs for audits; storage is $0.03/GB-month, ingestion dominates the bill"),
        },
    ),
    "production-saas": PatternInfo(
        name="production-saas",
        cloud="aws",
        summary="AWS with high availability: multi-AZ RDS with replicas, autoscaling ECS, CloudFront and WAF",
        sizes=PRODUCTION_SAAS_SIZES,
        defaults={
            "platform.availability_zones": _d(3, "three zones keep quorum through one zone outage"),
            "network.nat_strategy": _d("one-per-az", "each zone keeps outbound access when another fails"),
            "network.isolated_subnets": _d(True, "the database and cache live in subnets with no route out"),
            "database.size": _d("large", "steady CPU for production load"),
            "database.storage_gb": _d(100, "room for growth and gp3 baseline throughput"),
            "database.multi_az": _d(True, "automatic failover to a standby in another zone"),
            "database.read_replicas": _d(1, "offloads reads and is a warm spare"),
            "database.backup_frequency": _d("continuous", "point-in-time recovery to the second"),
            "database.backup_retention_days": _d(30, "a month of recovery points for audits and mistakes"),
            "database.deletion_protection": _d(True, "AWS refuses to delete the database by mistake; a "
                                                        "confirmed `specql deploy destroy` lifts it first"),
            "database.final_snapshot": _d(True, "a last snapshot before any deletion"),
            "database.performance_insights_retention_days": _d(7, "the free tier; raise for long investigations"),
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
            "monitoring.log_retention_days": _d(365, "a year of logs for audits and incident reviews"),
            "monitoring.tracing": _d(True, "X-Ray tracing across the service"),
        },
    ),
    "kubernetes": PatternInfo(
        name="kubernetes",
        cloud="kubernetes",
        summary="any Kubernetes cluster: Deployment, Ingress with cert-manager, a PostgreSQL operator",
        sizes=CONTAINER_SIZES,
        defaults={
            "database.size": _d("medium", "two PostgreSQL instances for failover"),
            "application.instances": _d(3, "spread over nodes for availability"),
            "application.cpu": _d(0.5, "a modest request; the HPA adds pods under load"),
            "application.memory_mib": _d(512, "a modest request for an API pod"),
            "application.autoscale": _d(False, "the HorizontalPodAutoscaler scales pods"),
            "application.hpa": _d(True, "pods scale with CPU"),
            "application.autoscale_max": _d(10, "the HPA's ceiling"),
            "network.nat_strategy": _d("single", "used only when an EKS cluster is created"),
            "monitoring.stack": _d("kube-prometheus-stack", "Prometheus, Alertmanager and Grafana for the cluster"),
            "monitoring.log_aggregator": _d("loki", "cluster-local log aggregation"),
            "monitoring.prometheus": _d(True, "scraped by kube-prometheus-stack"),
            "monitoring.grafana": _d(True, "ships with kube-prometheus-stack"),
            "monitoring.container_insights": _d(False, "Prometheus covers the pods"),
            "security.certificate_provider": _d("letsencrypt", "cert-manager with Let's Encrypt"),
            "security.secrets_manager": _d("aws-secrets", "Kubernetes Secrets made from Pulumi secrets"),
            "security.kms_key": _d(False, "only with an EKS cluster"),
        },
    ),
}


# ------------------------------------------------------------------------- environments

PRODUCTION_NAMES = frozenset({"production", "prod", "prd", "live"})


def environment_class(name: str) -> str:
    """`production` for production-like names, else `non-production`."""
    return "production" if name in PRODUCTION_NAMES else "non-production"


ENVIRONMENT_DEFAULTS: Mapping[str, Table] = {
    "production": {
        "database.multi_az": _d(True, "production data must survive the loss of an availability zone"),
        "database.deletion_protection": _d(True, "production data must survive a mistaken destroy"),
        "database.final_snapshot": _d(True, "a last snapshot before any deletion in production"),
        "load_balancer.deletion_protection": _d(True, "the production entry point must not vanish by mistake"),
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
                ("database.size",), lambda size: sizes[size]["database"],
                lambda size: f"{info.name} maps size {size} to {sizes[size]['database']}"),
            "cache.node_type": Derived(
                ("cache.size",), lambda size: sizes[size]["cache"],
                lambda size: f"{info.name} maps size {size} to {sizes[size]['cache']}"),
            "database.cpu": Default(None, "RDS sizes by instance class"),
            "database.memory_mib": Default(None, "RDS sizes by instance class"),
        }
    return {
        "database.instance_class": Default(None, "PostgreSQL runs in containers, not RDS"),
        "cache.node_type": Default(None, "Redis runs in a container, not ElastiCache"),
        "database.cpu": Derived(("database.size",), lambda size: sizes[size]["database"][0],
                                lambda size: f"size {size}: {sizes[size]['database'][0]} vCPU per PostgreSQL instance"),
        "database.memory_mib": Derived(("database.size",), lambda size: sizes[size]["database"][1],
                                       lambda size: f"size {size}: {sizes[size]['database'][1]} MiB per PostgreSQL instance"),
    }


# ---------------------------------------------- building blocks: values no manifest key controls
#
# Settings the components apply that the manifest has no key for. They live here, with
# the reason for each, so that nothing under components/ hard-codes a size, a count, a
# window, a threshold, a version or an image (tests/program/test_defaults_single_source.py).

# -- AWS: encryption (KMS)
# 30 days is the longest KMS waiting period: the most time to undo a mistaken deletion.
KMS_KEY_DELETION_WINDOW_DAYS = 30

# -- AWS: network (VPC)
# Each subnet is the VPC prefix plus 5 bits, so a /16 gives /21 subnets (2,048 addresses)...
VPC_SUBNET_EXTRA_BITS = 5
# ...and each tier owns a block of eight of them: room for up to eight zones per tier.
VPC_TIER_FIRST_SUBNET: Mapping[str, int] = {"public": 0, "private": 8, "isolated": 16}

# -- AWS: database (RDS PostgreSQL)
# gp3 gives 3,000 IOPS baseline at any size, cheaper than gp2 for the same volume.
RDS_STORAGE_TYPE = "gp3"
# The RSA 2048 CA is the current default RDS certificate authority, valid until 2061.
RDS_CA_CERT_IDENTIFIER = "rds-ca-rsa2048-g1"
# The database the application connects to: one database per stack.
RDS_DATABASE_NAME = "app"
# The admin login; RDS generates its password and keeps it in Secrets Manager.
RDS_MASTER_USERNAME = "app_admin"
# The login the application uses with IAM authentication (created by a migration with
# `CREATE USER app_iam; GRANT rds_iam TO app_iam;`), so the master login keeps its password.
RDS_APP_IAM_USER = "app_iam"
# Schema changes are always logged (auditable, no row data); slow queries by duration.
RDS_LOG_STATEMENT = "ddl"
# 16 MiB per sort or hash: JSONB-heavy GraphQL queries sort in memory instead of on disk.
RDS_WORK_MEM_KB = 16384

# -- AWS: cache (ElastiCache Redis)
# Two shards spread keys and writes when cluster mode is asked for (one shard is plain mode).
REDIS_CLUSTER_SHARDS = 2
# 64 alphanumeric characters: well above Redis AUTH's 16-character minimum, no forbidden symbols.
REDIS_AUTH_TOKEN_LENGTH = 64
# Cache snapshots run before the database backup window (03:00-04:00 UTC)...
REDIS_SNAPSHOT_WINDOW = "02:00-03:00"
# ...and maintenance waits for a quiet Sunday morning (UTC), after every backup.
REDIS_MAINTENANCE_WINDOW = "sun:05:00-sun:06:00"

# -- AWS: S3 buckets (storage and log archive)
# Incomplete multipart uploads are garbage after a week and still cost storage.
S3_ABORT_MULTIPART_DAYS = 7
# Log objects are written once; a replaced or deleted version is kept one day for mistakes.
S3_NONCURRENT_LOG_VERSION_DAYS = 1

# -- AWS: secrets (Secrets Manager)
# 30 days (the maximum) to restore a secret deleted by mistake.
SECRETS_RECOVERY_WINDOW_DAYS = 30

# -- AWS: deletion protection
# Inputs through which AWS refuses a delete (RDS instances, load balancers): a confirmed
# `destroy` turns them off on exactly those resources first (Pulumi and deploy.sh alike).
DELETION_PROTECTION_INPUTS: tuple[str, ...] = ("deletionProtection", "enableDeletionProtection")

# -- AWS: load balancer (ALB)
# TLS 1.2 and 1.3 only, forward-secret ciphers: the current AWS-recommended policy.
ALB_SSL_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06"
# ACM's validation CNAME: a minute, so a corrected record is seen quickly.
CERTIFICATE_VALIDATION_TTL_SECONDS = 60
# Draining: 30 s lets in-flight GraphQL requests finish without slowing deploys.
ALB_DEREGISTRATION_DELAY_SECONDS = 30

# -- AWS: edge (CloudFront, WAF)
# 2,000 requests per 5 minutes from one IP is far above a person, well below a flood.
WAF_RATE_LIMIT_PER_5_MINUTES = 2000
# North America and Europe edge locations: the cheapest price class.
CLOUDFRONT_PRICE_CLASS = "PriceClass_100"
# TLS 1.2 with modern ciphers for viewers (only possible with a custom certificate).
CLOUDFRONT_VIEWER_TLS_POLICY = "TLSv1.2_2021"
# Browsers remember HTTPS-only for a year (the HSTS preload minimum); CloudFront and Caddy send it.
HSTS_MAX_AGE_SECONDS = 31_536_000

# -- AWS: service (ECS Fargate, ECR, autoscaling)
# The last 30 images cover a month of daily deploys: enough to roll back, bounded cost.
ECR_KEEP_IMAGES = 30
# Tasks get a minute to boot before failed ALB health checks count against them.
ECS_HEALTH_CHECK_GRACE_SECONDS = 60
# Scale out after a minute of load...
ECS_SCALE_OUT_COOLDOWN_SECONDS = 60
# ...scale in only after five quiet minutes.
ECS_SCALE_IN_COOLDOWN_SECONDS = 300
# The container's own health check starts after 30 s...
ECS_CONTAINER_HEALTH_START_SECONDS = 30
# ...and marks the container unhealthy after three failures in a row.
ECS_CONTAINER_HEALTH_RETRIES = 3

# -- AWS: monitoring (thresholds of the built-in CloudWatch alarms)
# 80% CPU sustained for the evaluation leaves time to scale before saturation.
ALARM_CPU_PERCENT = 80.0
# 80% memory, for the same reason.
ALARM_MEMORY_PERCENT = 80.0
# Ten 5xx responses within one period is an incident, not a stray error...
ALARM_ALB_5XX_COUNT = 10.0
# ...a five-minute period, summed, so a short burst of errors counts as much as a trickle.
ALARM_ALB_5XX_PERIOD_SECONDS = 300
# Alarm at 80% of max_connections: pools exhaust before the database does.
ALARM_CONNECTIONS_PERCENT = 80.0
# Below 10% free storage autoscaling may not keep up with a bulk load.
ALARM_FREE_STORAGE_PERCENT = 10.0
# p99 above two seconds is slow for an API.
ALARM_LATENCY_P99_SECONDS = 2.0
# Database I/O latency above 20 ms means the disk is the bottleneck.
ALARM_DB_IO_LATENCY_SECONDS = 0.02
# A replica more than 5 minutes behind serves stale reads.
ALARM_REPLICA_LAG_SECONDS = 300.0
# Alarms look at one-minute periods...
ALARM_PERIOD_SECONDS = 60
# ...and fire after five of them in breach.
ALARM_EVALUATION_PERIODS = 5

# -- AWS: SaaS wiring (disaster recovery, networks without NAT)
# The DR region's VPC spans two zones: enough for a DB subnet group, half the cost of three.
DR_AVAILABILITY_ZONES = 2
# Without NAT, tasks reach the registry, their logs and their secrets through these
# interface endpoints (S3, where image layers live, has its gateway endpoint already).
NO_NAT_INTERFACE_ENDPOINTS: tuple[str, ...] = ("ecr.api", "ecr.dkr", "logs", "secretsmanager")

# -- Docker: the hobby-project stack on one host
# Generated PostgreSQL password: 32 letters and digits, ~190 bits.
DOCKER_DB_PASSWORD_LENGTH = 32
# json-file log rotation: at most 50 MB of logs per container, so logs never fill the disk
# of a small VPS (Docker keeps them forever by default).
DOCKER_LOG_ROTATION: tuple[tuple[str, str], ...] = (("max-size", "10m"), ("max-file", "5"))
# `database.backup_frequency` → seconds between two `pg_dump` runs. A single Docker host
# has no WAL archive: the closest it gets to `continuous` is hourly.
DOCKER_BACKUP_INTERVAL_SECONDS: Mapping[str, int] = {
    "hourly": 3600,
    "daily": 86400,
    "weekly": 604800,
    "continuous": 3600,
}
# The off-site copy runs hourly: a new dump leaves the host within the hour, and listing
# the bucket 730 times a month costs under a cent.
DOCKER_OFFSITE_COPY_INTERVAL_SECONDS = 3600
# `nobody:nogroup`: helpers that only read files run without any privilege of the image's root.
DOCKER_UNPRIVILEGED_USER = "65534:65534"
# PostgreSQL answers pg_isready within a second once up: check every 10 s, give it 30 s
# to start, and call it unhealthy after five failures in a row.
DOCKER_POSTGRES_HEALTH: Mapping[str, int] = {"interval_s": 10, "timeout_s": 5, "retries": 5, "start_period_s": 30}
# CPU (vCPU) and memory (MiB) caps of the hobby stack's helper containers, so a runaway
# sidecar can never starve PostgreSQL or the app on a small VPS; each fits its usual load.
DOCKER_SIDECAR_LIMITS: Mapping[str, tuple[float, int]] = {
    "caddy": (0.25, 128),  # a reverse proxy for one app idles under 30 MiB
    "backup": (0.5, 256),  # pg_dump streams; memory does not grow with the database
    "backup-offsite": (0.25, 128),  # rclone copies one new file an hour
    "prometheus": (0.5, 512),  # a few thousand series for one host
    "uptime-kuma": (0.25, 256),  # a handful of HTTP checks
}
# Slack added to a health check's own worst case before `up` gives up waiting on a container.
DOCKER_WAIT_MARGIN_SECONDS = 30
# ssh options for a remote engine (`ssh://user@server`): never wait for a password prompt
# (fail fast in CI), give up on an unreachable VPS in 15 s, and keep long image builds and
# pulls alive through NAT (a probe every 30 s, four missed before hanging up). Host keys
# stay strictly checked.
DOCKER_SSH_OPTIONS: tuple[str, ...] = (
    "-o", "BatchMode=yes",
    "-o", "ConnectTimeout=15",
    "-o", "ServerAliveInterval=30",
    "-o", "ServerAliveCountMax=4",
)
# Prometheus scrapes (and evaluates rules) every 30 s: fine-grained enough for a dashboard,
# light on a small host and on the cluster (Docker and Kubernetes patterns alike).
PROMETHEUS_SCRAPE_INTERVAL_SECONDS = 30

# -- Docker compose (the ejected files)
# Compose health checks of the data services probe often, so `depends_on: service_healthy`
# starts the app seconds after PostgreSQL is ready.
COMPOSE_HEALTHCHECK: Mapping[str, str | int] = {"interval": "10s", "timeout": "5s", "retries": 5, "start_period": "20s"}

# -- GitHub Actions (the ejected workflows)
# Minutes per job: a hung step fails in minutes instead of burning the 6-hour default.
CI_JOB_TIMEOUT_MINUTES: Mapping[str, int] = {"test": 20, "preview": 20, "build": 30, "deploy": 45, "rollback": 30}
# The smoke test retries twelve times while a new revision passes its health checks...
CI_SMOKE_RETRIES = 12
# ...10 s apart: two minutes in all...
CI_SMOKE_RETRY_DELAY_SECONDS = 10
# ...and gives each request 10 s to answer.
CI_SMOKE_MAX_TIME_SECONDS = 10
# The test job's throwaway PostgreSQL is ready in seconds: probe every 5 s, ten tries.
CI_POSTGRES_HEALTH_OPTIONS = "--health-interval 5s --health-timeout 5s --health-retries 10"

# -- Frameworks: migrations
# Framework → the command that applies pending migrations inside the application image.
MIGRATION_COMMANDS: Mapping[str, tuple[str, ...]] = {
    "fraiseql": ("fraiseql", "migrate", "up"),
    "django": ("python", "manage.py", "migrate", "--noinput"),
    "rails": ("bundle", "exec", "rails", "db:migrate"),
    "nodejs": ("npm", "run", "migrate"),
}

# -- Kubernetes: EKS (`cluster: create`)
# t3.large (2 vCPU, 8 GiB) fits the application pods, two PostgreSQL instances and the
# add-ons with headroom; general purpose, no burst-credit surprises at this size.
EKS_NODE_INSTANCE_TYPE = "t3.large"
# Nodes never go below one per zone (the PodDisruptionBudget and anti-affinity need
# somewhere to move pods), and the group may grow to twice that for rollouts and HPA peaks.
EKS_NODE_MAX_FACTOR = 2
# Control-plane logs shipped to CloudWatch: who called the API and how they authenticated.
EKS_CONTROL_PLANE_LOGS: tuple[str, ...] = ("api", "audit", "authenticator")

# -- Kubernetes: the application's pods
# A fixed unprivileged UID/GID above 10000, so it maps to no user on the node (CKV_K8S_40);
# the generated Dockerfile creates its application user with the same ids.
APP_RUN_AS_ID = 10001
