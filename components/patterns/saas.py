"""SaasPattern: the AWS building blocks composed into a SaaS deployment, one method per block.

`SmallSaas` and `ProductionSaas` are its two subclasses. They differ only in the
resolved values they receive (zones, NAT strategy, sizes, protection, edge) and in
:meth:`SaasPattern.disaster_recovery_region`, a hook only ProductionSaas enables; the
wiring between the blocks lives here, once.

What each block takes from the resolved model is a pure function next to it
(``network_settings(resolved)``...), so the block tests build a block from a resolved
example exactly as the pattern does, and no block repeats a resolved value as a
default of its own.

Child names: `<stack prefix>-<role>` (`shop-prod-net`, `shop-prod-db`); the DR copies
add `-dr`. These names are part of every URN: renaming one requires an alias.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, cast

import pulumi
import pulumi_aws as aws

from ...program.building_blocks import DR_AVAILABILITY_ZONES, NO_NAT_INTERFACE_ENDPOINTS, RDS_APP_IAM_USER
from ..aws.cache import Cache, CacheArgs
from ..aws.database import Database, DatabaseArgs
from ..aws.edge import Edge, EdgeArgs
from ..aws.encryption import Encryption, EncryptionArgs
from ..aws.load_balancer import LoadBalancer, LoadBalancerArgs
from ..aws.log_archive import LogArchive, LogArchiveArgs
from ..aws.monitoring import CustomAlarm, Monitoring, MonitoringArgs
from ..aws.network import Network, NetworkArgs
from ..aws.outputs import concat
from ..aws.regions import partition, zone_names
from ..aws.secrets import Secrets, SecretsArgs
from ..aws.service import Service, ServiceArgs
from ..aws.storage import BucketSpec, ReplicaTarget, Storage, StorageArgs

if TYPE_CHECKING:
    from ...program.model import ResolvedDeployment

# CloudFront certificates and CLOUDFRONT-scope web ACLs exist only in us-east-1.
GLOBAL_REGION = "us-east-1"


# ------------------------------------------------------- what each block takes from the model


def serves_https(resolved: ResolvedDeployment) -> bool:
    """HTTPS needs a domain for its certificate, and the load balancer asked for it."""
    return bool(resolved.deployment.domain) and resolved.load_balancer.https


def encryption_settings(resolved: ResolvedDeployment, region: str) -> dict[str, Any]:
    return {"region": region, "protect": resolved.is_production}


def network_settings(resolved: ResolvedDeployment) -> dict[str, Any]:
    region, network = resolved.platform.region, resolved.network
    return {
        "region": region,
        "availability_zones": zone_names(region, resolved.platform.availability_zones),
        "cidr": network.vpc_cidr,
        "nat_strategy": network.nat_strategy,
        "isolated_subnets": network.isolated_subnets,
        "flow_logs": network.flow_logs,
        "log_retention_days": resolved.monitoring.log_retention_days,
        "interface_endpoints": NO_NAT_INTERFACE_ENDPOINTS if network.nat_strategy == "none" else (),
    }


def dr_network_settings(resolved: ResolvedDeployment, dr_region: str) -> dict[str, Any]:
    """The DR region's VPC: only what a promotable replica needs (no NAT, no isolated tier)."""
    return {
        "region": dr_region,
        "availability_zones": zone_names(dr_region, DR_AVAILABILITY_ZONES),
        "cidr": resolved.network.vpc_cidr,
        "nat_strategy": "none",
        "isolated_subnets": False,
        "flow_logs": resolved.network.flow_logs,
        "log_retention_days": resolved.monitoring.log_retention_days,
        "interface_endpoints": (),
    }


def log_archive_settings(resolved: ResolvedDeployment) -> dict[str, Any]:
    return {
        "region": resolved.platform.region,
        "retention_days": resolved.monitoring.log_retention_days,
        "protect": resolved.is_production,
    }


def instance_settings(resolved: ResolvedDeployment) -> dict[str, Any]:
    """What the primary and its DR replica share: a promoted replica must be the same database
    (class, storage, Multi-AZ, protection, monitoring, logs), so one list serves both."""
    db_info = resolved.database
    return {
        "engine_version": db_info.version,
        "instance_class": _required(db_info.instance_class, "database.instance_class"),
        "storage_gb": db_info.storage_gb,
        "max_storage_gb": db_info.max_storage_gb,
        "multi_az": db_info.multi_az,
        "deletion_protection": db_info.deletion_protection,
        "performance_insights": db_info.performance_insights,
        "performance_insights_retention_days": db_info.performance_insights_retention_days,
        "monitoring_interval": db_info.monitoring_interval,
        "iam_auth": db_info.iam_auth,
        "log_exports": db_info.log_exports,
        "log_retention_days": resolved.monitoring.log_retention_days,
        "max_connections": db_info.max_connections,
        "log_min_duration_ms": db_info.log_min_duration_ms,
        "protect": resolved.is_production,
    }


def database_settings(resolved: ResolvedDeployment) -> dict[str, Any]:
    """The primary: the shared instance settings plus its replicas and backups."""
    db_info = resolved.database
    return {
        "region": resolved.platform.region,
        "read_replicas": db_info.read_replicas,
        "backup_retention_days": db_info.backup_retention_days,
        "backup_window": db_info.backup_window,
        "maintenance_window": db_info.maintenance_window,
        "final_snapshot": db_info.final_snapshot,
        **instance_settings(resolved),
    }


def dr_database_settings(resolved: ResolvedDeployment, dr_region: str) -> dict[str, Any]:
    """The cross-region replica: the primary's settings in the DR region, without replicas of its
    own (a replica's backups follow its primary)."""
    return {**database_settings(resolved), "region": dr_region, "read_replicas": 0}


def cache_settings(resolved: ResolvedDeployment) -> dict[str, Any]:
    cache = resolved.cache
    return {
        "engine_version": cache.engine_version,
        "node_type": _required(cache.node_type, "cache.node_type"),
        "replicas": cache.replicas,
        "cluster_mode": cache.cluster_mode,
        "automatic_failover": cache.automatic_failover,
        "snapshot_retention_days": cache.snapshot_retention_days,
        "log_retention_days": resolved.monitoring.log_retention_days,
        "protect": resolved.is_production,
    }


def storage_settings(resolved: ResolvedDeployment) -> dict[str, Any]:
    return {
        "buckets": tuple(BucketSpec(b.name, b.versioning, b.lifecycle_days) for b in resolved.storage.buckets),
        "noncurrent_version_days": resolved.storage.noncurrent_version_days,
        "protect": resolved.is_production,
    }


def load_balancer_settings(resolved: ResolvedDeployment) -> dict[str, Any]:
    app, https = resolved.application, serves_https(resolved)
    certificate = resolved.load_balancer.certificate
    return {
        "vpc_cidr": resolved.network.vpc_cidr,
        "app_port": app.port,
        "domain": resolved.deployment.domain if https else None,
        "certificate_arn": certificate if https and certificate.startswith("arn:") else None,
        "health_check_path": app.health_check_path,
        "health_check_interval": app.health_check_interval,
        "health_check_timeout": app.health_check_timeout,
        "healthy_threshold": app.healthy_threshold,
        "unhealthy_threshold": app.unhealthy_threshold,
        "idle_timeout": resolved.load_balancer.idle_timeout,
        "deletion_protection": resolved.load_balancer.deletion_protection,
        "cdn_only": resolved.edge.cdn,
        "waf": resolved.edge.waf,
        "waf_log_retention_days": resolved.monitoring.log_retention_days,
    }


def service_settings(resolved: ResolvedDeployment) -> dict[str, Any]:
    app = resolved.application
    return {
        "region": resolved.platform.region,
        "vpc_cidr": resolved.network.vpc_cidr,
        "version": resolved.deployment.version,
        "image": app.image,
        "port": app.port,
        "command": app.command,
        "cpu_units": app.cpu_units,
        "memory_mib": app.memory_mib,
        "health_check_path": app.health_check_path,
        "health_check_interval": app.health_check_interval,
        "health_check_timeout": app.health_check_timeout,
        "read_only_root": app.read_only_root,
        "desired_count": app.instances,
        "autoscale": app.autoscale,
        "autoscale_min": app.autoscale_min,
        "autoscale_max": app.autoscale_max,
        "target_cpu": app.target_cpu,
        "target_memory": app.target_memory,
        "container_insights": resolved.monitoring.container_insights,
        "log_retention_days": resolved.monitoring.log_retention_days,
        "protect": resolved.is_production,
    }


def edge_settings(resolved: ResolvedDeployment) -> dict[str, Any]:
    https = serves_https(resolved)
    return {
        "cdn": resolved.edge.cdn,
        "waf": resolved.edge.waf,
        "ddos_protection": resolved.edge.ddos_protection,
        "domain": resolved.deployment.domain if https else None,
        "origin_https": https,
        "log_retention_days": resolved.monitoring.log_retention_days,
    }


def monitoring_settings(resolved: ResolvedDeployment) -> dict[str, Any]:
    monitoring = resolved.monitoring
    return {
        "region": resolved.platform.region,
        "database_storage_gb": resolved.database.storage_gb,
        "database_max_connections": resolved.database.max_connections,
        "level": monitoring.level,
        "emails": monitoring.alarm_emails,
        "custom_alarms": tuple(
            CustomAlarm(a.name, a.metric, a.comparison, a.threshold, a.percent, a.duration_seconds, a.email)
            for a in monitoring.alarms
        ),
    }


# ------------------------------------------------------------------------------ the pattern


def region_provider(parent: pulumi.Resource, name: str, region: str, tags: dict[str, str]) -> aws.Provider:
    """An explicit provider pinned to one region, tagging everything it creates."""
    return aws.Provider(name, region=region, default_tags={"tags": tags}, opts=pulumi.ResourceOptions(parent=parent))


def dns_zone_id(zone: str, provider: aws.Provider) -> pulumi.Output[str]:
    """The id of the public Route 53 hosted zone named `zone` (it must exist in the account)."""
    return aws.route53.get_zone_output(
        name=zone, private_zone=False, opts=pulumi.InvokeOutputOptions(provider=provider)
    ).zone_id


class SaasPattern(pulumi.ComponentResource):
    """Every AWS block for `resolved`, in one region (plus us-east-1 for a CDN, and the DR
    region when :meth:`disaster_recovery_region` names one).

    It creates one explicit AWS provider for `platform.region` (tagging every resource
    with `resolved.tags()`) and passes it to its children, so nothing depends on the
    ambient AWS configuration. Each block is one method, called in dependency order.
    """

    component_type: ClassVar[str]
    """The pattern's Pulumi type token (part of every child's URN)."""

    cache: Cache | None
    storage: Storage | None
    edge: Edge | None
    dr_provider: aws.Provider | None
    dr_database: Database | None

    def __init__(self, name: str, resolved: ResolvedDeployment, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(self.component_type, name, None, opts)
        self.name, self.resolved = name, resolved
        self.region = resolved.platform.region
        self.tags = resolved.tags()
        self.provider = region_provider(self, f"{name}-aws", self.region, self.tags)
        self.opts = pulumi.ResourceOptions(parent=self, providers=[self.provider])
        self.account_id = aws.get_caller_identity_output(opts=pulumi.InvokeOptions(provider=self.provider)).account_id

        self.key = self.encryption_block(f"{name}-kms", self.region, self.opts)
        self.network = self.network_block()
        self.logs = self.log_archive_block()
        self.database = self.database_block()
        self.cache = self.cache_block()
        dr_region = self.disaster_recovery_region()
        self.dr_provider, dr_key = self.dr_key_block(dr_region) if dr_region else (None, None)
        self.storage = self.storage_block(dr_key)
        self.zone_id = (
            dns_zone_id(resolved.deployment.dns_zone, self.provider)
            if serves_https(resolved) and resolved.deployment.dns_zone
            else None
        )
        self.load_balancer = self.load_balancer_block()
        self.secrets = self.secrets_block()
        self.service = self.service_block()
        self.edge = self.edge_block()
        self.monitoring_block()
        self.dr_database = (
            self.dr_database_block(dr_region, dr_key)
            if dr_region and self.dr_provider is not None and dr_key is not None
            else None
        )
        self.register_outputs(self.stack_outputs())

    # -- hooks

    def disaster_recovery_region(self) -> str | None:
        """The region of a cross-region database replica: none unless a pattern enables it."""
        return None

    # -- blocks, in dependency order

    def encryption_block(self, name: str, region: str, opts: pulumi.ResourceOptions) -> pulumi.Output[str]:
        """A customer-managed key for `region`; its ARN."""
        return Encryption(
            name, EncryptionArgs(account_id=self.account_id, **encryption_settings(self.resolved, region)), opts
        ).key_arn

    def network_block(self) -> Network:
        return Network(
            f"{self.name}-net", NetworkArgs(**network_settings(self.resolved), kms_key_arn=self.key), self.opts
        )

    def log_archive_block(self) -> LogArchive | None:
        """The bucket for load balancer access logs and S3 server access logs, when either is on."""
        resolved = self.resolved
        if not (resolved.load_balancer.access_logs or resolved.storage.enabled):
            return None
        return LogArchive(
            f"{self.name}-logarchive",
            LogArchiveArgs(account_id=self.account_id, **log_archive_settings(resolved)),
            self.opts,
        )

    def database_block(self) -> Database:
        return Database(
            f"{self.name}-db",
            DatabaseArgs(
                vpc_id=self.network.vpc_id,
                subnet_ids=self.network.data_subnet_ids,
                kms_key_arn=self.key,
                **database_settings(self.resolved),
            ),
            self.opts,
        )

    def cache_block(self) -> Cache | None:
        if not self.resolved.cache.enabled:
            return None
        return Cache(
            f"{self.name}-cache",
            CacheArgs(
                vpc_id=self.network.vpc_id,
                subnet_ids=self.network.data_subnet_ids,
                kms_key_arn=self.key,
                **cache_settings(self.resolved),
            ),
            self.opts,
        )

    def dr_key_block(self, dr_region: str) -> tuple[aws.Provider, pulumi.Output[str]]:
        """The DR region's provider and key (the DR database and the bucket replicas use them)."""
        provider = region_provider(self, f"{self.name}-aws-dr", dr_region, self.tags)
        key = self.encryption_block(
            f"{self.name}-dr-kms", dr_region, pulumi.ResourceOptions(parent=self, providers=[provider])
        )
        return provider, key

    def storage_block(self, dr_key: pulumi.Output[str] | None) -> Storage | None:
        if not self.resolved.storage.enabled:
            return None
        assert self.logs is not None  # storage turns the log archive on
        replica = (
            ReplicaTarget(self.dr_provider, dr_key) if self.dr_provider is not None and dr_key is not None else None
        )
        return Storage(
            f"{self.name}-storage",
            StorageArgs(
                kms_key_arn=self.key,
                log_bucket=self.logs.delivery_bucket,
                replica=replica,
                **storage_settings(self.resolved),
            ),
            self.opts,
        )

    def load_balancer_block(self) -> LoadBalancer:
        resolved, logs = self.resolved, self.logs
        return LoadBalancer(
            f"{self.name}-lb",
            LoadBalancerArgs(
                vpc_id=self.network.vpc_id,
                subnet_ids=self.network.public_subnet_ids,
                access_logs_bucket=logs.delivery_bucket
                if logs is not None and resolved.load_balancer.access_logs
                else None,
                dns_zone_id=self.zone_id,
                waf_log_kms_key_arn=self.key,
                **load_balancer_settings(resolved),
            ),
            self.opts,
        )

    def secrets_block(self) -> Secrets | None:
        names = self.resolved.application.secrets
        return (
            Secrets(f"{self.name}-secrets", SecretsArgs(names=names, kms_key_arn=self.key), self.opts)
            if names
            else None
        )

    def service_block(self) -> Service:
        environment, injected, secret_arns = self._application_settings()
        return Service(
            f"{self.name}-app",
            ServiceArgs(
                subnet_ids=self.network.private_subnet_ids,
                vpc_id=self.network.vpc_id,
                load_balancer_security_group_id=self.load_balancer.security_group.id,
                data_stores=tuple(store.access for store in (self.database, self.cache) if store is not None),
                target_group_arn=self.load_balancer.target_group.arn,
                kms_key_arn=self.key,
                environment=environment,
                secrets=injected,
                secret_arns=secret_arns,
                task_policy_statements=self._task_statements(),
                depends_on=self.load_balancer.listeners,
                **service_settings(self.resolved),
            ),
            self.opts,
        )

    def edge_block(self) -> Edge | None:
        resolved = self.resolved
        if not (resolved.edge.cdn or resolved.edge.ddos_protection):
            return None
        global_provider = self.provider
        waf_key: pulumi.Input[str] = self.key
        if resolved.edge.cdn and self.region != GLOBAL_REGION:
            global_provider = region_provider(self, f"{self.name}-aws-global", GLOBAL_REGION, self.tags)
            waf_key = self.encryption_block(
                f"{self.name}-kms-global",
                GLOBAL_REGION,
                pulumi.ResourceOptions(parent=self, providers=[global_provider]),
            )
        return Edge(
            f"{self.name}-edge",
            EdgeArgs(
                load_balancer_arn=self.load_balancer.arn,
                load_balancer_dns_name=self.load_balancer.dns_name,
                waf_log_kms_key_arn=waf_key,
                global_provider=global_provider,
                dns_zone_id=self.zone_id if resolved.edge.cdn else None,
                **edge_settings(resolved),
            ),
            self.opts,
        )

    def monitoring_block(self) -> Monitoring:
        cache = self.cache
        return Monitoring(
            f"{self.name}-monitoring",
            MonitoringArgs(
                kms_key_arn=self.key,
                cluster_name=self.service.cluster_name,
                service_name=self.service.service_name,
                load_balancer_arn_suffix=self.load_balancer.arn_suffix,
                target_group_arn_suffix=self.load_balancer.target_group.arn_suffix,
                database_identifier=self.database.instance.identifier,
                replica_identifiers=tuple(replica.identifier for replica in self.database.replicas),
                cache_id=_first_cache_node(cache, self.resolved.cache.cluster_mode) if cache is not None else None,
                **monitoring_settings(self.resolved),
            ),
            self.opts,
        )

    def dr_database_block(self, dr_region: str, dr_key: pulumi.Output[str]) -> Database:
        """A cross-region read replica in the DR region's key and its own VPC, ready to be promoted.

        It mirrors the primary's Multi-AZ: a promoted replica becomes the production
        database at once, and converting it to Multi-AZ during a regional outage would
        leave it on one zone just when the deployment can least afford it.
        """
        assert self.dr_provider is not None
        opts = pulumi.ResourceOptions(parent=self, providers=[self.dr_provider])
        network = Network(
            f"{self.name}-dr-net",
            NetworkArgs(**dr_network_settings(self.resolved, dr_region), kms_key_arn=dr_key),
            opts,
        )
        primary = self.database
        return Database(
            f"{self.name}-dr-db",
            DatabaseArgs(
                vpc_id=network.vpc_id,
                subnet_ids=network.private_subnet_ids,
                kms_key_arn=dr_key,
                monitoring_role_arn=primary.monitoring_role_arn,
                replicate_source_db=primary.instance.arn,
                **dr_database_settings(self.resolved, dr_region),
            ),
            pulumi.ResourceOptions(parent=self, providers=[self.dr_provider], depends_on=[primary]),
        )

    # -- outputs

    def stack_outputs(self) -> dict[str, pulumi.Output[Any]]:
        """URL, database endpoints, cluster and service names, image repository URL."""
        edge = self.edge
        url = edge.url if edge is not None and edge.url is not None else self.load_balancer.url
        outputs: dict[str, pulumi.Output[Any]] = {
            "url": url,
            "load_balancer_dns_name": self.load_balancer.dns_name,
            "database_endpoint": self.database.endpoint,
            "cluster_name": self.service.cluster_name,
            "service_name": self.service.service_name,
            "ecr_repository_url": self.service.repository.repository_url,
            "vpc_id": self.network.vpc_id,
        }
        if self.cache is not None:
            outputs["cache_endpoint"] = self.cache.endpoint
        if self.storage is not None:
            outputs["buckets"] = pulumi.Output.all(
                **{key: bucket.bucket for key, bucket in self.storage.buckets.items()}
            )
        if self.dr_database is not None:
            outputs["dr_database_endpoint"] = self.dr_database.endpoint
        return outputs

    # -- wiring between blocks

    def _application_settings(
        self,
    ) -> tuple[dict[str, pulumi.Input[str]], dict[str, pulumi.Input[str]], list[pulumi.Input[str]]]:
        """Environment variables, injected secrets and the secret ARNs the task may read."""
        resolved, database, cache = self.resolved, self.database, self.cache
        environment: dict[str, pulumi.Input[str]] = dict(resolved.application.variables)
        environment.update(
            {
                "AWS_REGION": resolved.platform.region,
                "DATABASE_HOST": database.address,
                "DATABASE_PORT": str(database.port),
                "DATABASE_NAME": database.database_name,
                "DATABASE_USER": database.master_username,
                "DATABASE_SSLMODE": "require",
            }
        )
        if resolved.database.iam_auth:
            environment["DATABASE_IAM_USER"] = RDS_APP_IAM_USER
        # None before RDS created the secret (and under mocks): the task definition then waits
        master_secret = cast("pulumi.Output[str]", database.master_secret_arn)
        injected: dict[str, pulumi.Input[str]] = {
            "DATABASE_PASSWORD": master_secret.apply(lambda arn: cast(str, f"{arn}:password::" if arn else None)),
        }
        secret_arns: list[pulumi.Input[str]] = [master_secret]
        if cache is not None:
            environment.update({"REDIS_HOST": cache.endpoint, "REDIS_PORT": str(cache.port), "REDIS_TLS": "true"})
            injected["REDIS_AUTH_TOKEN"] = cache.auth_secret.arn
            secret_arns.append(cache.auth_secret.arn)
        if self.storage is not None:
            for key, bucket in self.storage.buckets.items():
                environment[f"S3_BUCKET_{key.upper().replace('-', '_')}"] = bucket.bucket
        if self.secrets is not None:
            for secret_name, arn in self.secrets.arns.items():
                injected[secret_name] = arn
                secret_arns.append(arn)
        return environment, injected, secret_arns

    def _task_statements(self) -> list[dict[str, Any]]:
        """The application's own permissions: IAM login to its database, its buckets' objects."""
        resolved, database, storage = self.resolved, self.database, self.storage
        statements: list[dict[str, Any]] = []
        part = partition(resolved.platform.region)
        if resolved.database.iam_auth:
            statements.append(
                {
                    "Sid": "DatabaseIamLogin",
                    "Effect": "Allow",
                    "Action": "rds-db:connect",
                    "Resource": concat(
                        "arn:",
                        part,
                        ":rds-db:",
                        resolved.platform.region,
                        ":",
                        self.account_id,
                        ":dbuser:",
                        database.instance.resource_id,
                        "/",
                        RDS_APP_IAM_USER,
                    ),
                }
            )
        if storage is not None and storage.buckets:
            arns = [bucket.arn for bucket in storage.buckets.values()]
            statements += [
                {"Sid": "ListBuckets", "Effect": "Allow", "Action": "s3:ListBucket", "Resource": arns},
                {
                    "Sid": "ReadWriteObjects",
                    "Effect": "Allow",
                    "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
                    "Resource": [concat(arn, "/*") for arn in arns],
                },
                {
                    "Sid": "UseBucketKey",
                    "Effect": "Allow",
                    "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
                    "Resource": self.key,
                },
            ]
        return statements


def _first_cache_node(cache: Cache, cluster_mode: bool) -> pulumi.Output[str]:
    """The first node's id (`<group>-001`, or `<group>-0001-001` in cluster mode): ElastiCache
    publishes engine metrics per node."""
    suffix = "-0001-001" if cluster_mode else "-001"
    return concat(cache.replication_group.id, suffix)


def _required(value: str | None, path: str) -> str:
    if value is None:
        raise ValueError(f"{path} is not resolved for an AWS pattern")
    return value
