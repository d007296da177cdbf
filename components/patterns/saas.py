"""SaasPattern: the AWS building blocks composed into a SaaS deployment, one method per block.

`SmallSaas` and `ProductionSaas` are its two subclasses. They differ only in the
resolved values they receive (zones, NAT strategy, sizes, protection, edge) and in
:meth:`SaasPattern.disaster_recovery_region`, a hook only ProductionSaas enables; the
wiring between the blocks lives here, once.

What each block takes from the resolved model is a pure function next to the block's
arguments (``network_settings(resolved)`` in ``aws/network.py``...), so the block tests
build a block from a resolved example exactly as the pattern does, no block repeats a
resolved value as a default of its own, and a new setting a block reads is added in
that block's file.

Child names: `<stack prefix>-<role>` (`shop-prod-net`, `shop-prod-db`); the DR copies
add `-dr`. These names are part of every URN: renaming one requires an alias.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, cast

import pulumi
import pulumi_aws as aws

from ...program.building_blocks import RDS_APP_IAM_USER
from ..aws.cache import Cache, CacheArgs, cache_settings
from ..aws.database import Database, DatabaseArgs, database_settings, dr_database_settings
from ..aws.edge import Edge, EdgeArgs, edge_settings
from ..aws.encryption import Encryption, EncryptionArgs, encryption_settings
from ..aws.load_balancer import LoadBalancer, LoadBalancerArgs, load_balancer_settings, serves_https
from ..aws.log_archive import LogArchive, LogArchiveArgs, log_archive_settings
from ..aws.managed_prometheus import ManagedPrometheus, ManagedPrometheusArgs, managed_prometheus_settings
from ..aws.monitoring import Monitoring, MonitoringArgs, monitoring_settings
from ..aws.network import Network, NetworkArgs, dr_network_settings, network_settings
from ..aws.outputs import concat
from ..aws.regions import partition
from ..aws.secrets import Secrets, SecretsArgs
from ..aws.service import Service, ServiceArgs, service_settings
from ..aws.storage import ReplicaTarget, Storage, StorageArgs, storage_settings
from ..observability.scrape import collector_config

if TYPE_CHECKING:
    from ...program.model import ResolvedDeployment

# CloudFront certificates and CLOUDFRONT-scope web ACLs exist only in us-east-1.
GLOBAL_REGION = "us-east-1"


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
    monitoring: Monitoring

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
        self.prometheus = self.managed_prometheus_block()
        self.service = self.service_block()
        self.edge = self.edge_block()
        self.monitoring = self.monitoring_block()
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
                metrics_collector=self._collector_config(),
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

    def managed_prometheus_block(self) -> ManagedPrometheus | None:
        """`metrics.prometheus`: an Amazon Managed Service for Prometheus workspace with the alert rules."""
        if not self.resolved.monitoring.prometheus:
            return None
        return ManagedPrometheus(
            f"{self.name}-prometheus",
            ManagedPrometheusArgs(kms_key_arn=self.key, **managed_prometheus_settings(self.resolved)),
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
        outputs["alerts_topic_arn"] = self.monitoring.topic.arn
        if self.cache is not None:
            outputs["cache_endpoint"] = self.cache.endpoint
        if self.storage is not None:
            outputs["buckets"] = pulumi.Output.all(
                **{key: bucket.bucket for key, bucket in self.storage.buckets.items()}
            )
        if self.dr_database is not None:
            outputs["dr_database_endpoint"] = self.dr_database.endpoint
        if self.prometheus is not None:
            outputs["prometheus_workspace_id"] = self.prometheus.workspace_id
            outputs["prometheus_remote_write_url"] = self.prometheus.remote_write_url
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

    def _collector_config(self) -> pulumi.Output[str] | None:
        """The collector beside the app, remote-writing to the workspace (with `metrics.prometheus`)."""
        if self.prometheus is None:
            return None
        resolved = self.resolved
        return self.prometheus.remote_write_url.apply(lambda url: collector_config(resolved, url))

    def _task_statements(self) -> list[dict[str, Any]]:
        """The application's own permissions: IAM login to its database, its buckets' objects."""
        resolved, database, storage = self.resolved, self.database, self.storage
        statements: list[dict[str, Any]] = []
        part = partition(resolved.platform.region)
        if self.prometheus is not None:
            statements.append(
                {
                    "Sid": "PrometheusRemoteWrite",
                    "Effect": "Allow",
                    "Action": "aps:RemoteWrite",
                    "Resource": self.prometheus.workspace_arn,
                }
            )
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
