"""ResolvedDeployment: the immutable, fully explicit model everything downstream reads.

Components, the offline capture and the exporters read only this model, never the raw
manifest, so they cannot disagree about a default. Each leaf has a dotted path
(``database.instance_class``) and an entry in :attr:`ResolvedDeployment.provenance`
saying where its value came from.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from .defaults import PATTERNS, fargate_cpu_units

Source = Literal["user", "environment", "pattern", "framework", "default", "lock"]


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", use_attribute_docstrings=True)


class Provenance(Frozen):
    """Where a resolved value came from and why it is what it is."""

    source: Source
    reason: str


class DeploymentInfo(Frozen):
    name: str
    """Application name; every resource name starts with it."""
    framework: str
    """Application framework."""
    pattern: str
    """Deployment pattern."""
    version: str
    """Application version (image tag)."""
    domain: str | None
    """Public domain, if any."""
    dns_zone: str | None
    """Route 53 hosted zone holding the domain (None: DNS is managed elsewhere)."""
    host: str | None
    """Docker host for hobby-project (None: local engine)."""
    environment: str
    """Environment (stack) this resolution is for."""
    environment_class: Literal["production", "non-production"]
    """Production-like environments get extra protection."""


class PlatformInfo(Frozen):
    provider: str
    region: str
    dr_region: str | None
    availability_zones: int


class NetworkInfo(Frozen):
    vpc_cidr: str
    nat_strategy: Literal["none", "single", "one-per-az"]
    isolated_subnets: bool
    flow_logs: bool


class DatabaseInfo(Frozen):
    engine: str
    version: str
    size: str
    instance_class: str | None
    """RDS instance class (AWS patterns)."""
    cpu: float | None
    """vCPU per PostgreSQL container (Docker and Kubernetes patterns)."""
    memory_mib: int | None
    """MiB per PostgreSQL container (Docker and Kubernetes patterns)."""
    storage_gb: int
    max_storage_gb: int
    multi_az: bool
    read_replicas: int
    backup_frequency: str
    backup_retention_days: int
    backup_window: str
    backup_destination: str | None
    """`s3://bucket/prefix` receiving a copy of every dump (hobby-project), or None."""
    backup_endpoint: str | None
    """S3-compatible endpoint of the destination (None: AWS S3)."""
    backup_region: str
    """Region of the destination bucket."""
    maintenance_window: str
    deletion_protection: bool
    final_snapshot: bool
    performance_insights: bool
    performance_insights_retention_days: int
    monitoring_interval: int
    iam_auth: bool
    log_exports: tuple[str, ...]
    max_connections: int
    log_min_duration_ms: int
    operator: str
    instances: int


class ApplicationInfo(Frozen):
    runtime: str
    runtime_version: str
    port: int
    command: tuple[str, ...]
    health_check_path: str
    health_check_interval: int
    health_check_timeout: int
    healthy_threshold: int
    unhealthy_threshold: int
    build_system: str
    base_image: str
    read_only_root: bool
    instances: int
    cpu: float
    memory_mib: int
    autoscale: bool
    autoscale_min: int
    autoscale_max: int
    target_cpu: int
    target_memory: int | None
    hpa: bool
    image: str | None
    variables: dict[str, str]
    """Plain environment variables of the active environment."""
    secrets: tuple[str, ...]
    """Names of secrets the application reads from the secrets manager."""

    @property
    def cpu_units(self) -> int:
        """ECS CPU units (1 vCPU = 1024)."""
        return fargate_cpu_units(self.cpu)


class CacheInfo(Frozen):
    enabled: bool
    engine: str
    engine_version: str
    size: str
    node_type: str | None
    replicas: int
    cluster_mode: bool
    automatic_failover: bool
    snapshot_retention_days: int


class BucketInfo(Frozen):
    name: str
    versioning: bool
    lifecycle_days: int | None


class StorageInfo(Frozen):
    enabled: bool
    buckets: tuple[BucketInfo, ...]
    noncurrent_version_days: int


class LoadBalancerInfo(Frozen):
    type: str
    https: bool
    certificate: str
    idle_timeout: int
    access_logs: bool
    deletion_protection: bool


class EdgeInfo(Frozen):
    cdn: bool
    waf: bool
    ddos_protection: bool


class AlarmInfo(Frozen):
    name: str
    metric: str
    comparison: Literal[">", ">=", "<", "<="]
    threshold: float
    percent: bool
    duration_seconds: int
    channel: str
    email: str | None


class MonitoringInfo(Frozen):
    level: Literal["basic", "standard", "enterprise"]
    stack: str
    log_aggregator: str
    log_retention_days: int
    alarm_emails: tuple[str, ...]
    alarms: tuple[AlarmInfo, ...]
    container_insights: bool
    prometheus: bool
    grafana: bool
    tracing: bool


class SecurityInfo(Frozen):
    ssl: bool
    certificate_provider: str
    secrets_manager: str
    encryption_at_rest: bool
    kms_key: bool


class CicdEnvironmentInfo(Frozen):
    name: str
    auto_deploy: bool
    approval_required: bool


class CicdInfo(Frozen):
    provider: str
    main_branch: str
    environments: tuple[CicdEnvironmentInfo, ...]
    migrations_auto_run: bool
    rollback_on_failure: bool


class KubernetesInfo(Frozen):
    cluster: Literal["existing", "create"]
    kubeconfig: str | None
    context: str | None
    namespace: str
    ingress_class: str
    tls: Literal["cert-manager", "none"]
    existing_addons: tuple[str, ...]


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
        return PATTERNS[self.deployment.pattern].cloud

    @property
    def is_production(self) -> bool:
        return self.deployment.environment_class == "production"

    def without_deletion_protection(self) -> ResolvedDeployment:
        """The deployment with the cloud's own deletion protection off: what a confirmed
        `specql deploy destroy` applies to the protected resources before deleting them.

        Deletion protection is there to stop a deletion from the console, an API call or
        a stray `tofu destroy`; a destroy the user confirmed is the one deletion it must
        let through. Pulumi's `protect` (production data) is a separate guard and stays.
        """
        return self.model_copy(update={
            "database": self.database.model_copy(update={"deletion_protection": False}),
            "load_balancer": self.load_balancer.model_copy(update={"deletion_protection": False}),
        })

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

    def flat(self) -> dict[str, Any]:
        """Dotted path → JSON-ready value, in path order (for --explain and the lock)."""
        data = self.model_dump(mode="json", exclude={"provenance", "environments"})
        flat: dict[str, Any] = {}
        for section, values in data.items():
            for key, value in values.items():
                flat[f"{section}.{key}"] = value
        return flat
