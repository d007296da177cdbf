"""ResolvedDeployment: the immutable, fully explicit model everything downstream reads.

Components, the offline capture and the exporters read only this model, never the raw
manifest, so they cannot disagree about a default. Each leaf has a dotted path
(``database.instance_class``) and an entry in :attr:`ResolvedDeployment.provenance`
saying where its value came from.

A leaf's global default is declared on the field itself, with its reason
(``Annotated[int, Default(20, "the RDS gp3 minimum")]``); :data:`.defaults.GLOBAL_DEFAULTS`
is read from these markers, so a setting and its default are written once, side by side.
Leaves without one get their value from a framework, a pattern's size table or the
resolution itself (the name, the environment).

Built on the CLI's start-up path, so its annotations are objects and its models build on
first use, as in :mod:`.spec`.
"""

from typing import Annotated, Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field

from .. import __version__
from .catalogue import (
    DATABASE_INSTANCES_BY_SIZE,
    PATTERN_CLOUD,
    environment_class,
    fargate_cpu_units,
    specql_requirement,
)
from .markers import Default, Derived

Source = Literal["user", "environment", "pattern", "framework", "default", "lock"]


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", use_attribute_docstrings=True, defer_build=True)


class Provenance(Frozen):
    """Where a resolved value came from and why it is what it is."""

    source: Source
    reason: str


class DeploymentInfo(Frozen):
    name: str
    """Application name; every resource name starts with it."""
    framework: Annotated[str, Default("fraiseql", "SpecQL's own GraphQL runtime")]
    """Application framework."""
    pattern: str
    """Deployment pattern."""
    version: Annotated[str, Default("latest", "images are tagged with the git SHA in CI; `latest` only for local runs")]
    """Application version (image tag)."""
    domain: Annotated[
        str | None,
        Default(
            None,
            "no domain: served on the load balancer's own DNS name",
            on={
                "docker": "no domain: Caddy serves plain HTTP on the host's address",
                "kubernetes": "no domain: the ingress answers plain HTTP on any host",
            },
        ),
    ]
    """Public domain, if any."""
    dns_zone: Annotated[
        str | None, Default(None, "DNS stays wherever the domain is hosted; `up` prints the validation CNAME")
    ]
    """Route 53 hosted zone holding the domain (None: DNS is managed elsewhere)."""
    host: Annotated[str | None, Default(None, "the local Docker engine")]
    """Docker host for hobby-project (None: local engine)."""
    environment: str
    """Environment (stack) this resolution is for."""
    environment_class: Literal["production", "non-production"]
    """Production-like environments get extra protection."""


class PlatformInfo(Frozen):
    provider: Annotated[str, Default("aws", "the only cloud with patterns today")]
    region: Annotated[str, Default("us-east-1", "the largest and cheapest AWS region")]
    dr_region: Annotated[str | None, Default(None, "no disaster-recovery region unless two `regions` are listed")]
    availability_zones: Annotated[int, Default(2, "two zones is the minimum an ALB and a multi-AZ database accept")]


class NetworkInfo(Frozen):
    vpc_cidr: Annotated[str, Default("10.0.0.0/16", "65,536 addresses: room for every subnet the patterns create")]
    nat_strategy: Annotated[
        Literal["none", "single", "one-per-az"],
        Default("single", "one NAT gateway (~$33/month) gives private subnets outbound access"),
    ]
    isolated_subnets: Annotated[bool, Default(False, "the database shares the private subnets")]
    flow_logs: Annotated[bool, Default(True, "VPC flow logs are the only record of who talked to what")]


class DatabaseInfo(Frozen):
    engine: Annotated[str, Default("postgresql", "SpecQL generates PostgreSQL schemas")]
    version: Annotated[
        str,
        Default(
            "16",
            "current PostgreSQL major supported by RDS and the operators",
            on={
                "docker": "the PostgreSQL major of the pinned postgres image",
                "kubernetes": "the PostgreSQL major of the operator's pinned image",
            },
        ),
    ]
    size: Annotated[
        str,
        Default(
            "small",
            "start small; resizing RDS is one setting and a few minutes",
            on={
                "docker": "start small; a bigger size is one setting and a restart of the PostgreSQL container",
                "kubernetes": "start small; a bigger size is one setting and a rolling restart of the instances",
            },
        ),
    ]
    instance_class: str | None
    """RDS instance class (AWS patterns)."""
    cpu: float | None
    """vCPU per PostgreSQL container (Docker and Kubernetes patterns)."""
    memory_mib: int | None
    """MiB per PostgreSQL container (Docker and Kubernetes patterns)."""
    storage_gb: Annotated[
        int,
        Default(
            20,
            "the RDS gp3 minimum; storage autoscaling grows it",
            on={
                "kubernetes": "a 20 GiB volume per PostgreSQL instance; raise it to grow them (if the storage class allows)"
            },
        ),
    ]
    max_storage_gb: Annotated[
        int,
        Derived(
            ("database.storage_gb",),
            lambda gb: gb * 5,
            "storage autoscaling up to 5x the allocation avoids a full disk at 3 a.m.",
        ),
    ]
    multi_az: Annotated[bool, Default(False, "a standby doubles the database cost")]
    read_replicas: Annotated[int, Default(0, "replicas only pay off for read-heavy load")]
    backup_frequency: Annotated[
        str,
        Default(
            "daily",
            "RDS takes one automated snapshot a day plus transaction logs",
            on={
                "docker": "one pg_dump a day, at the start of the backup window",
                "kubernetes": "one base backup a day, at the start of the backup window",
            },
        ),
    ]
    backup_retention_days: Annotated[
        int,
        Default(
            7,
            "a week of point-in-time recovery is free up to the database size",
            on={"docker": "a week of daily dumps kept on the host", "kubernetes": "a week of backups kept"},
        ),
    ]
    backup_window: Annotated[
        str,
        Default(
            "03:00-04:00",
            "UTC night, before the maintenance window",
            on={"docker": "UTC night, when the app is quietest", "kubernetes": "UTC night, when the app is quietest"},
        ),
    ]
    backup_destination: Annotated[
        str | None, Default(None, "dumps stay on the host unless the manifest names an off-site bucket")
    ]
    """`s3://bucket/prefix` receiving a copy of every dump (hobby-project), or None."""
    backup_endpoint: Annotated[str | None, Default(None, "AWS S3 unless an S3-compatible endpoint is given")]
    """S3-compatible endpoint of the destination (None: AWS S3)."""
    backup_region: Annotated[str, Default("us-east-1", "S3's default region; `auto` suits Cloudflare R2")]
    """Region of the destination bucket."""
    maintenance_window: Annotated[
        str,
        Default(
            "mon:04:30-mon:05:30",
            "early Monday UTC, half an hour after the backup window: RDS refuses windows that touch",
        ),
    ]
    deletion_protection: Annotated[bool, Default(False, "non-production stacks are torn down and rebuilt often")]
    final_snapshot: Annotated[bool, Default(False, "non-production stacks: a snapshot per destroy piles up cost")]
    performance_insights: Annotated[bool, Default(True, "7 days of Performance Insights are free")]
    performance_insights_retention_days: Annotated[int, Default(7, "the free tier")]
    monitoring_interval: Annotated[int, Default(60, "enhanced monitoring every minute costs cents a month")]
    iam_auth: Annotated[bool, Default(True, "lets the application use short-lived IAM tokens instead of passwords")]
    log_exports: Annotated[tuple[str, ...], Default(("postgresql", "upgrade"), "query and upgrade logs in CloudWatch")]
    max_connections: Annotated[int, Default(200, "room for the application's pools and a migration")]
    log_min_duration_ms: Annotated[int, Default(1000, "log queries slower than a second")]
    operator: Annotated[str, Default("cloudnative-pg", "the CNCF PostgreSQL operator")]
    instances: Annotated[
        int,
        Derived(
            ("database.size",),
            lambda size: DATABASE_INSTANCES_BY_SIZE[size],
            lambda size: f"size {size}: {DATABASE_INSTANCES_BY_SIZE[size]} PostgreSQL instance(s) in the cluster",
        ),
    ]


class ApplicationInfo(Frozen):
    runtime: str
    runtime_version: str
    port: int
    command: tuple[str, ...]
    health_check_path: str
    health_check_interval: Annotated[
        int,
        Default(
            30,
            "the ALB default",
            on={
                "docker": "Docker's own default HEALTHCHECK interval",
                "kubernetes": "a failing pod is noticed within a minute and a half (three probes)",
            },
        ),
    ]
    health_check_timeout: Annotated[
        int,
        Default(
            5,
            "the ALB default",
            on={
                "docker": "a health endpoint slower than five seconds is in trouble",
                "kubernetes": "a health endpoint slower than five seconds is in trouble",
            },
        ),
    ]
    healthy_threshold: Annotated[int, Default(2, "two passes before traffic arrives")]
    unhealthy_threshold: Annotated[
        int,
        Default(
            3,
            "three failures before a task is replaced",
            on={
                "docker": "three failures mark the container unhealthy",
                "kubernetes": "three failures take the pod out of the Service (readiness) or restart it (liveness)",
            },
        ),
    ]
    build_system: str
    base_image: str
    read_only_root: bool
    instances: Annotated[int, Default(2, "two copies survive one failing task")]
    cpu: Annotated[float, Default(0.25, "the smallest Fargate task; enough for an idle-most-of-the-day API")]
    memory_mib: Annotated[
        int,
        Default(
            512,
            "room for a Python or Node.js API; pairs with 0.25 vCPU on Fargate",
            on={"docker": "room for a Python or Node.js API", "kubernetes": "room for a Python or Node.js API"},
        ),
    ]
    autoscale: Annotated[bool, Default(True, "scale on load instead of paying for the peak all day")]
    autoscale_min: Annotated[
        int, Derived(("application.instances",), lambda count: count, "never scale below the instance count")
    ]
    autoscale_max: Annotated[
        int,
        Derived(
            ("application.instances",),
            lambda count: max(count * 2, 4),
            "twice the instance count (at least 4) caps the bill",
        ),
    ]
    target_cpu: Annotated[int, Default(70, "headroom for spikes while scaling out")]
    target_memory: Annotated[int | None, Default(None, "memory scaling only when asked")]
    hpa: Annotated[bool, Default(False, "HorizontalPodAutoscaler only on kubernetes")]
    image: Annotated[str | None, Default(None, "built from the generated Dockerfile")]
    variables: dict[str, str]
    """Plain environment variables of the active environment."""
    secrets: tuple[str, ...]
    """Names of secrets the application reads from the secrets manager."""

    @property
    def cpu_units(self) -> int:
        """ECS CPU units (1 vCPU = 1024)."""
        return fargate_cpu_units(self.cpu)


class CacheInfo(Frozen):
    enabled: Annotated[bool, Default(False, "no cache unless the manifest has one")]
    engine: Annotated[str, Default("redis", "encryption in transit and AUTH")]
    engine_version: Annotated[str, Default("7.1", "current ElastiCache Redis OSS major")]
    size: Annotated[str, Default("small", "sessions and small caches fit in the smallest node")]
    node_type: str | None
    replicas: Annotated[int, Default(0, "one node; the cache is rebuilt from the database")]
    cluster_mode: Annotated[bool, Default(False, "one shard is simpler and enough below ~25 GB")]
    automatic_failover: Annotated[
        bool, Derived(("cache.replicas",), lambda replicas: replicas > 0, "failover needs a replica")
    ]
    snapshot_retention_days: Annotated[int, Default(1, "one daily snapshot to rebuild from")]


class BucketInfo(Frozen):
    name: str
    versioning: Annotated[bool, Default(True, "an overwrite or a delete by mistake can be undone")]
    lifecycle_days: Annotated[int | None, Default(None, "objects stay until the application deletes them")]


def item_defaults(model: type[BaseModel]) -> dict[str, Any]:
    """Field → default value, for the fields of a list item that declare one."""
    found = {}
    for name, info in model.model_fields.items():
        marker = next((item for item in info.metadata if isinstance(item, Default)), None)
        if marker is not None:
            found[name] = marker.value
    return found


def default_bucket(name: str) -> dict[str, Any]:
    """A bucket with every setting at its default."""
    return {"name": name, **item_defaults(BucketInfo)}


class StorageInfo(Frozen):
    enabled: Annotated[bool, Default(False, "no buckets unless the manifest has a storage section")]
    buckets: Annotated[
        tuple[BucketInfo, ...], Default((default_bucket("uploads"),), "one private bucket for user uploads")
    ]
    noncurrent_version_days: Annotated[int, Default(30, "old object versions expire after a month")]


class LoadBalancerInfo(Frozen):
    type: Annotated[str, Default("application", "HTTP routing, health checks and TLS termination")]
    https: Annotated[
        bool,
        Derived(("deployment.domain",), lambda domain: domain is not None, "HTTPS needs a domain for its certificate"),
    ]
    certificate: Annotated[str, Default("acm", "free certificates renewed by AWS")]
    idle_timeout: Annotated[int, Default(60, "the ALB default")]
    access_logs: Annotated[bool, Default(True, "who called what, kept in a private bucket")]
    deletion_protection: Annotated[
        bool,
        Default(
            True, "AWS refuses to delete the entry point by mistake; a confirmed `specql deploy destroy` lifts it first"
        ),
    ]


class EdgeInfo(Frozen):
    cdn: Annotated[bool, Default(False, "CloudFront only pays off with global or static traffic")]
    waf: Annotated[bool, Default(False, "WAF costs ~$10/month plus requests")]
    ddos_protection: Annotated[bool, Default(False, "Shield Advanced costs $3,000/month")]


class AlarmInfo(Frozen):
    name: str
    metric: str
    comparison: Annotated[
        Literal[">", ">=", "<", "<="], Default(">", "an alarm type names what rises: CPU, errors, connections")
    ]
    threshold: Annotated[float, Default(80.0, "80% leaves time to act before the resource saturates")]
    percent: bool
    duration_seconds: Annotated[int, Default(300, "five minutes in breach is a trend, not a spike")]
    channel: Annotated[str, Default("email", "every team has an inbox; slack and sns need more setup")]
    email: str | None


class MonitoringInfo(Frozen):
    level: Annotated[
        Literal["basic", "standard", "enterprise"],
        Default("standard", "core alarms, a dashboard, database and cache alarms"),
    ]
    stack: Annotated[str, Default("cloudwatch", "no servers to run")]
    log_aggregator: Annotated[str, Default("cloudwatch", "ECS and RDS ship logs there with no agent")]
    log_retention_days: Annotated[int, Default(365, "a year of logs, what audits ask for; storing them costs cents")]
    alarm_emails: Annotated[
        tuple[str, ...],
        Default(
            (),
            "no email subscribers: alarms go to the SNS topic only",
            on={"kubernetes": "no email receivers: alerts stay in Alertmanager"},
        ),
    ]
    alarms: Annotated[tuple[AlarmInfo, ...], Default((), "the level's built-in alarms only")]
    container_insights: Annotated[bool, Default(True, "per-task CPU and memory for ECS")]
    prometheus: Annotated[bool, Default(False, "CloudWatch already collects the metrics")]
    grafana: Annotated[
        bool,
        Default(
            False,
            "the CloudWatch dashboard suffices",
            on={"docker": "Prometheus's own UI (through an SSH tunnel) shows the metrics of one host"},
        ),
    ]
    tracing: Annotated[bool, Default(False, "tracing is for enterprise monitoring")]


class SecurityInfo(Frozen):
    ssl: Annotated[bool, Default(True, "HTTPS wherever there is a domain")]
    certificate_provider: Annotated[str, Default("aws-acm", "free certificates renewed by AWS")]
    secrets_manager: Annotated[
        str,
        Default(
            "aws-secrets",
            "rotation and IAM-scoped access on AWS",
            on={"kubernetes": "Kubernetes Secrets made from Pulumi secrets (Secrets Manager only with an EKS cluster)"},
        ),
    ]
    encryption_at_rest: Annotated[bool, Default(True, "free, and protects every backup")]
    kms_key: Annotated[bool, Default(True, "a customer-managed key per deployment, so access can be revoked")]


class CicdEnvironmentInfo(Frozen):
    name: str
    auto_deploy: bool
    approval_required: bool


def cicd_environment(
    name: str, auto_deploy: bool | None = None, approval_required: bool | None = None
) -> dict[str, Any]:
    """A pipeline stage: production waits for a reviewer, every other stage deploys on merge."""
    production = environment_class(name) == "production"
    return {
        "name": name,
        "auto_deploy": auto_deploy if auto_deploy is not None else not production,
        "approval_required": approval_required if approval_required is not None else production,
    }


class CicdInfo(Frozen):
    provider: Annotated[str, Default("github-actions", "the CI most users already have")]
    main_branch: Annotated[str, Default("main", "GitHub's default branch")]
    environments: Annotated[
        tuple[CicdEnvironmentInfo, ...],
        Default(
            (cicd_environment("staging"), cicd_environment("production")),
            "staging on every merge, production after approval",
        ),
    ]
    migrations_auto_run: Annotated[bool, Default(False, "migrations run after a human approves")]
    rollback_on_failure: Annotated[bool, Default(True, "a failed smoke test rolls back to the last image")]
    specql_source: Annotated[
        str,
        Default(
            specql_requirement(__version__),
            "the tag of the release that ejected the workflows; specql-deploy is not on PyPI",
        ),
    ]
    """The pip requirement CI installs specql-deploy from."""
    specql_index: Annotated[str | None, Default(None, "pip's own index; the default source is a git tag")]
    """Package index (`--index-url`) CI installs specql-deploy from, if any."""


class KubernetesInfo(Frozen):
    cluster: Annotated[Literal["existing", "create"], Default("existing", "use the cluster your kubeconfig points at")]
    kubeconfig: Annotated[str | None, Default(None, "the default kubeconfig")]
    context: Annotated[str | None, Default(None, "the current context")]
    namespace: Annotated[
        str,
        Derived(
            ("deployment.name", "deployment.environment"),
            lambda name, env: f"{name}-{env}"[:63].rstrip("-"),
            "one namespace per deployment and environment",
        ),
    ]
    ingress_class: Annotated[
        str,
        Default("traefik", "a maintained ingress controller (ingress-nginx was retired in March 2026)"),
    ]
    tls: Annotated[
        Literal["cert-manager", "none"],
        Derived(
            ("deployment.domain",),
            lambda domain: "cert-manager" if domain else "none",
            "Let's Encrypt certificates need a domain",
        ),
    ]
    existing_addons: Annotated[tuple[str, ...], Default((), "install every add-on the pattern needs")]


class ResolvedDeployment(Frozen):
    """Every setting of one deployment in one environment, explicit, with provenance."""

    deployment: DeploymentInfo
    platform: PlatformInfo
    network: NetworkInfo
    database: DatabaseInfo
    application: ApplicationInfo
    cache: CacheInfo
    storage: StorageInfo
    load_balancer: LoadBalancerInfo
    edge: EdgeInfo
    monitoring: MonitoringInfo
    security: SecurityInfo
    cicd: CicdInfo
    kubernetes: KubernetesInfo
    environments: tuple[str, ...]
    """Every environment the manifest declares (one stack each)."""
    provenance: dict[str, Provenance]
    """Dotted path → where the value came from."""
    warnings: tuple[str, ...] = Field(default=(), exclude=True)
    """Values resolution changed from what the manifest asked, one `field.path: message`
    each; the CLI prints them on stderr. Not part of the dumped model."""

    @property
    def name(self) -> str:
        return self.deployment.name

    @property
    def stack_prefix(self) -> str:
        """`<name>-<environment>`: the prefix of every cloud resource name, unique per stack."""
        return f"{self.deployment.name}-{self.deployment.environment}"

    @property
    def cloud(self) -> str:
        """`aws`, `docker` or `kubernetes`: the pattern's provider, which decides the SDK, plugins and CI steps."""
        return PATTERN_CLOUD[self.deployment.pattern]

    @property
    def is_production(self) -> bool:
        return self.deployment.environment_class == "production"

    def without_deletion_protection(self) -> Self:
        """The deployment with the cloud's own deletion protection off: what a confirmed
        `specql deploy destroy` applies to the protected resources before deleting them.

        Deletion protection is there to stop a deletion from the console, an API call or
        a stray `tofu destroy`; a destroy the user confirmed is the one deletion it must
        let through. Pulumi's `protect` (production data) is a separate guard and stays.
        """
        return self.model_copy(
            update={
                "database": self.database.model_copy(update={"deletion_protection": False}),
                "load_balancer": self.load_balancer.model_copy(update={"deletion_protection": False}),
            }
        )

    def tags(self) -> dict[str, str]:
        """Tags every taggable resource carries, merged from one place."""
        return {
            "Project": self.deployment.name,
            "Environment": self.deployment.environment,
            "Pattern": self.deployment.pattern,
            "ManagedBy": "specql-deploy",
        }

    def value(self, path: str) -> Any:
        """The value at a dotted path (``database.instance_class``)."""
        node: Any = self
        for part in path.split("."):
            node = getattr(node, part)
        return node

    def require(self, path: str) -> Any:
        """The value at a dotted path that the pattern must have resolved (a size class, a
        container size); a missing one is a bug in the tables, named by its path."""
        value = self.value(path)
        if value is None:
            raise ValueError(f"{path} is not resolved for the {self.deployment.pattern} pattern")
        return value

    def flat(self) -> dict[str, Any]:
        """Dotted path → JSON-ready value, in path order (for --explain and the lock)."""
        data = self.model_dump(mode="json", exclude={"provenance", "environments"})
        flat: dict[str, Any] = {}
        for section, values in data.items():
            for key, value in values.items():
                flat[f"{section}.{key}"] = value
        return flat
