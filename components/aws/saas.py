"""How the AWS building blocks compose into a SaaS deployment (shared by two patterns).

`SmallSaas` and `ProductionSaas` differ only in the resolved values they receive
(zones, NAT strategy, sizes, protection, edge) and in whether a disaster-recovery
region is honoured; the wiring between the blocks lives here, once.

Child names: `<stack prefix>-<role>` (`shop-prod-net`, `shop-prod-db`); the DR copies
add `-dr`. These names are part of every URN: renaming one requires an alias.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pulumi
import pulumi_aws as aws

from ...program.building_blocks import DR_AVAILABILITY_ZONES, NO_NAT_INTERFACE_ENDPOINTS, RDS_APP_IAM_USER
from ._support import concat, partition, zone_names
from .cache import Cache, CacheArgs
from .database import Database, DatabaseArgs
from .edge import Edge, EdgeArgs
from .encryption import Encryption, EncryptionArgs
from .load_balancer import LoadBalancer, LoadBalancerArgs
from .log_archive import LogArchive, LogArchiveArgs
from .monitoring import CustomAlarm, Monitoring, MonitoringArgs
from .network import Network, NetworkArgs
from .secrets import Secrets, SecretsArgs
from .service import Service, ServiceArgs
from .storage import BucketSpec, ReplicaTarget, Storage, StorageArgs

if TYPE_CHECKING:
    from ...program.model import ResolvedDeployment

# CloudFront certificates and CLOUDFRONT-scope web ACLs exist only in us-east-1.
GLOBAL_REGION = "us-east-1"


@dataclass
class SaasParts:
    """The blocks of one composed deployment, for the pattern's outputs and tests."""

    provider: aws.Provider
    network: Network
    database: Database
    service: Service
    load_balancer: LoadBalancer
    cache: Cache | None = None
    storage: Storage | None = None
    edge: Edge | None = None
    dr_provider: aws.Provider | None = None
    dr_database: Database | None = None

    def stack_outputs(self) -> dict[str, pulumi.Output[Any]]:
        """URL, database endpoint, cluster and service names, image repository URL."""
        url = self.edge.url if self.edge is not None and self.edge.url is not None else self.load_balancer.url
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
                **{key: bucket.bucket for key, bucket in self.storage.buckets.items()})
        if self.dr_database is not None:
            outputs["dr_database_endpoint"] = self.dr_database.endpoint
        return outputs


def region_provider(parent: pulumi.Resource, name: str, region: str, tags: dict[str, str]) -> aws.Provider:
    """An explicit provider pinned to one region, tagging everything it creates."""
    return aws.Provider(name, region=region, default_tags={"tags": tags},
                        opts=pulumi.ResourceOptions(parent=parent))


def compose_saas(parent: pulumi.ComponentResource, name: str, resolved: ResolvedDeployment, *,
                 allow_dr: bool) -> SaasParts:
    """Instantiate every block for `resolved` under `parent`."""
    region = resolved.platform.region
    protect = resolved.is_production
    tags = resolved.tags()
    provider = region_provider(parent, f"{name}-aws", region, tags)
    opts = pulumi.ResourceOptions(parent=parent, providers=[provider])
    account_id = aws.get_caller_identity_output(opts=pulumi.InvokeOptions(provider=provider)).account_id
    app, db_info, monitoring = resolved.application, resolved.database, resolved.monitoring
    retention = monitoring.log_retention_days

    keys = Encryption(f"{name}-kms", EncryptionArgs(account_id=account_id, region=region, protect=protect), opts)
    key = keys.key_arn
    network = Network(f"{name}-net", NetworkArgs(
        region=region,
        availability_zones=zone_names(region, resolved.platform.availability_zones),
        cidr=resolved.network.vpc_cidr,
        nat_strategy=resolved.network.nat_strategy,
        isolated_subnets=resolved.network.isolated_subnets,
        flow_logs=resolved.network.flow_logs,
        log_retention_days=retention,
        kms_key_arn=key,
        interface_endpoints=NO_NAT_INTERFACE_ENDPOINTS if resolved.network.nat_strategy == "none" else (),
    ), opts)
    https = bool(resolved.deployment.domain) and resolved.load_balancer.https

    needs_logs = resolved.load_balancer.access_logs or resolved.storage.enabled
    logs = LogArchive(f"{name}-logarchive", LogArchiveArgs(
        region=region, account_id=account_id, retention_days=retention,
        protect=protect), opts) if needs_logs else None

    database = Database(f"{name}-db", DatabaseArgs(
        vpc_id=network.vpc_id,
        subnet_ids=network.data_subnet_ids,
        kms_key_arn=key,
        region=region,
        read_replicas=db_info.read_replicas,
        backup_retention_days=db_info.backup_retention_days,
        backup_window=db_info.backup_window,
        maintenance_window=db_info.maintenance_window,
        final_snapshot=db_info.final_snapshot,
        **_instance_settings(resolved),
    ), opts)

    cache = None
    if resolved.cache.enabled:
        cache_info = resolved.cache
        cache = Cache(f"{name}-cache", CacheArgs(
            vpc_id=network.vpc_id,
            subnet_ids=network.data_subnet_ids,
                kms_key_arn=key,
            engine_version=cache_info.engine_version,
            node_type=_required(cache_info.node_type, "cache.node_type"),
            replicas=cache_info.replicas,
            cluster_mode=cache_info.cluster_mode,
            automatic_failover=cache_info.automatic_failover,
            snapshot_retention_days=cache_info.snapshot_retention_days,
            log_retention_days=retention,
            protect=protect,
        ), opts)

    dr_region = resolved.platform.dr_region if allow_dr else None
    dr_provider = dr_key = None
    if dr_region:
        dr_provider = region_provider(parent, f"{name}-aws-dr", dr_region, tags)
        dr_key = Encryption(f"{name}-dr-kms", EncryptionArgs(account_id=account_id, region=dr_region, protect=protect),
                            pulumi.ResourceOptions(parent=parent, providers=[dr_provider])).key_arn

    storage = None
    if resolved.storage.enabled:
        assert logs is not None
        storage = Storage(f"{name}-storage", StorageArgs(
            buckets=tuple(BucketSpec(b.name, b.versioning, b.lifecycle_days) for b in resolved.storage.buckets),
            kms_key_arn=key,
            log_bucket=logs.delivery_bucket,
            noncurrent_version_days=resolved.storage.noncurrent_version_days,
            protect=protect,
            replica=ReplicaTarget(dr_provider, dr_key) if dr_provider is not None and dr_key is not None else None,
        ), opts)

    certificate = resolved.load_balancer.certificate
    zone_id = dns_zone_id(resolved.deployment.dns_zone, provider) if https and resolved.deployment.dns_zone else None
    load_balancer = LoadBalancer(f"{name}-lb", LoadBalancerArgs(
        vpc_id=network.vpc_id,
        subnet_ids=network.public_subnet_ids,
        vpc_cidr=resolved.network.vpc_cidr,
        app_port=app.port,
        domain=resolved.deployment.domain if https else None,
        certificate_arn=certificate if https and certificate.startswith("arn:") else None,
        health_check_path=app.health_check_path,
        health_check_interval=app.health_check_interval,
        health_check_timeout=app.health_check_timeout,
        healthy_threshold=app.healthy_threshold,
        unhealthy_threshold=app.unhealthy_threshold,
        idle_timeout=resolved.load_balancer.idle_timeout,
        access_logs_bucket=logs.delivery_bucket if logs is not None and resolved.load_balancer.access_logs else None,
        dns_zone_id=zone_id,
        deletion_protection=resolved.load_balancer.deletion_protection,
        cdn_only=resolved.edge.cdn,
        waf=resolved.edge.waf,
        waf_log_kms_key_arn=key,
        waf_log_retention_days=retention,
    ), opts)

    secrets = Secrets(f"{name}-secrets", SecretsArgs(names=app.secrets, kms_key_arn=key), opts) \
        if app.secrets else None
    environment, injected, secret_arns = _application_settings(resolved, database, cache, storage, secrets)
    service = Service(f"{name}-app", ServiceArgs(
        region=region,
        subnet_ids=network.private_subnet_ids,
        vpc_id=network.vpc_id,
        vpc_cidr=resolved.network.vpc_cidr,
        load_balancer_security_group_id=load_balancer.security_group.id,
        data_stores=tuple(store.access for store in (database, cache) if store is not None),
        target_group_arn=load_balancer.target_group.arn,
        kms_key_arn=key,
        version=resolved.deployment.version,
        image=app.image,
        port=app.port,
        command=app.command,
        cpu_units=app.cpu_units,
        memory_mib=app.memory_mib,
        health_check_path=app.health_check_path,
        health_check_interval=app.health_check_interval,
        health_check_timeout=app.health_check_timeout,
        read_only_root=app.read_only_root,
        desired_count=app.instances,
        autoscale=app.autoscale,
        autoscale_min=app.autoscale_min,
        autoscale_max=app.autoscale_max,
        target_cpu=app.target_cpu,
        target_memory=app.target_memory,
        container_insights=monitoring.container_insights,
        log_retention_days=retention,
        environment=environment,
        secrets=injected,
        secret_arns=secret_arns,
        task_policy_statements=_task_statements(resolved, account_id, database, storage, key),
        depends_on=load_balancer.listeners,
        protect=protect,
    ), opts)

    edge = None
    if resolved.edge.cdn or resolved.edge.ddos_protection:
        global_provider = provider
        waf_key: pulumi.Input[str] = key
        if resolved.edge.cdn and region != GLOBAL_REGION:
            global_provider = region_provider(parent, f"{name}-aws-global", GLOBAL_REGION, tags)
            waf_key = Encryption(f"{name}-kms-global", EncryptionArgs(
                account_id=account_id, region=GLOBAL_REGION, protect=protect),
                pulumi.ResourceOptions(parent=parent, providers=[global_provider])).key_arn
        edge = Edge(f"{name}-edge", EdgeArgs(
            load_balancer_arn=load_balancer.arn,
            load_balancer_dns_name=load_balancer.dns_name,
            waf_log_kms_key_arn=waf_key,
            global_provider=global_provider,
            cdn=resolved.edge.cdn,
            waf=resolved.edge.waf,
            ddos_protection=resolved.edge.ddos_protection,
            domain=resolved.deployment.domain if https else None,
            origin_https=https,
            dns_zone_id=zone_id if resolved.edge.cdn else None,
            log_retention_days=retention,
        ), opts)

    Monitoring(f"{name}-monitoring", MonitoringArgs(
        region=region,
        kms_key_arn=key,
        cluster_name=service.cluster_name,
        service_name=service.service_name,
        load_balancer_arn_suffix=load_balancer.arn_suffix,
        target_group_arn_suffix=load_balancer.target_group.arn_suffix,
        database_identifier=database.instance.identifier,
        database_storage_gb=db_info.storage_gb,
        database_max_connections=db_info.max_connections,
        replica_identifiers=tuple(replica.identifier for replica in database.replicas),
        cache_id=_first_cache_node(cache, resolved.cache.cluster_mode) if cache is not None else None,
        level=monitoring.level,
        emails=monitoring.alarm_emails,
        custom_alarms=tuple(
            CustomAlarm(a.name, a.metric, a.comparison, a.threshold, a.percent, a.duration_seconds, a.email)
            for a in monitoring.alarms),
    ), opts)

    parts = SaasParts(provider=provider, network=network, database=database, service=service,
                      load_balancer=load_balancer, cache=cache, storage=storage, edge=edge)
    if dr_region and dr_provider is not None and dr_key is not None:
        parts.dr_provider = dr_provider
        parts.dr_database = _disaster_recovery(parent, name, resolved, dr_region, dr_provider, dr_key, database)
    return parts


def _disaster_recovery(parent: pulumi.ComponentResource, name: str, resolved: ResolvedDeployment, dr_region: str,
                       dr_provider: aws.Provider, dr_key: pulumi.Input[str], primary: Database) -> Database:
    """A cross-region read replica in the DR region's key and its own VPC, ready to be promoted.

    It mirrors the primary's Multi-AZ: a promoted replica becomes the production
    database at once, and converting it to Multi-AZ during a regional outage would
    leave it on one zone just when the deployment can least afford it.
    """
    opts = pulumi.ResourceOptions(parent=parent, providers=[dr_provider])
    network = Network(f"{name}-dr-net", NetworkArgs(
        region=dr_region,
        availability_zones=zone_names(dr_region, DR_AVAILABILITY_ZONES),
        cidr=resolved.network.vpc_cidr,
        nat_strategy="none",
        isolated_subnets=False,
        flow_logs=resolved.network.flow_logs,
        log_retention_days=resolved.monitoring.log_retention_days,
        kms_key_arn=dr_key,
    ), opts)
    replica = Database(f"{name}-dr-db", DatabaseArgs(
        vpc_id=network.vpc_id,
        subnet_ids=network.private_subnet_ids,
        kms_key_arn=dr_key,
        region=dr_region,
        monitoring_role_arn=primary.monitoring_role_arn,
        replicate_source_db=primary.instance.arn,
        **_instance_settings(resolved),
    ), pulumi.ResourceOptions(parent=parent, providers=[dr_provider], depends_on=[primary]))
    return replica


def dns_zone_id(zone: str, provider: aws.Provider) -> pulumi.Output[str]:
    """The id of the public Route 53 hosted zone named `zone` (it must exist in the account)."""
    return aws.route53.get_zone_output(name=zone, private_zone=False,
                                       opts=pulumi.InvokeOutputOptions(provider=provider)).zone_id


def _instance_settings(resolved: ResolvedDeployment) -> dict[str, Any]:
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


def _application_settings(
    resolved: ResolvedDeployment, database: Database, cache: Cache | None, storage: Storage | None,
    secrets: Secrets | None,
) -> tuple[dict[str, pulumi.Input[str]], dict[str, pulumi.Input[str]], list[pulumi.Input[str]]]:
    """Environment variables, injected secrets and the secret ARNs the task may read."""
    environment: dict[str, pulumi.Input[str]] = dict(resolved.application.variables)
    environment.update({
        "AWS_REGION": resolved.platform.region,
        "DATABASE_HOST": database.address,
        "DATABASE_PORT": str(database.port),
        "DATABASE_NAME": database.database_name,
        "DATABASE_USER": database.master_username,
        "DATABASE_SSLMODE": "require",
    })
    if resolved.database.iam_auth:
        environment["DATABASE_IAM_USER"] = RDS_APP_IAM_USER
    master_secret = database.master_secret_arn
    injected: dict[str, pulumi.Input[str]] = {
        "DATABASE_PASSWORD": master_secret.apply(lambda arn: f"{arn}:password::" if arn else None),
    }
    secret_arns: list[pulumi.Input[str]] = [master_secret]
    if cache is not None:
        environment.update({"REDIS_HOST": cache.endpoint, "REDIS_PORT": str(cache.port), "REDIS_TLS": "true"})
        injected["REDIS_AUTH_TOKEN"] = cache.auth_secret.arn
        secret_arns.append(cache.auth_secret.arn)
    if storage is not None:
        for key, bucket in storage.buckets.items():
            environment[f"S3_BUCKET_{key.upper().replace('-', '_')}"] = bucket.bucket
    if secrets is not None:
        for secret_name, arn in secrets.arns.items():
            injected[secret_name] = arn
            secret_arns.append(arn)
    return environment, injected, secret_arns


def _task_statements(resolved: ResolvedDeployment, account_id: pulumi.Input[str], database: Database,
                     storage: Storage | None, key: pulumi.Input[str]) -> list[dict[str, Any]]:
    """The application's own permissions: IAM login to its database, its buckets' objects."""
    statements: list[dict[str, Any]] = []
    part = partition(resolved.platform.region)
    if resolved.database.iam_auth:
        statements.append({
            "Sid": "DatabaseIamLogin",
            "Effect": "Allow",
            "Action": "rds-db:connect",
            "Resource": concat(
                "arn:", part, ":rds-db:", resolved.platform.region, ":", account_id, ":dbuser:",
                database.instance.resource_id, "/", RDS_APP_IAM_USER),
        })
    if storage is not None and storage.buckets:
        arns = [bucket.arn for bucket in storage.buckets.values()]
        statements += [
            {"Sid": "ListBuckets", "Effect": "Allow", "Action": "s3:ListBucket", "Resource": arns},
            {"Sid": "ReadWriteObjects", "Effect": "Allow",
             "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
             "Resource": [concat(arn, "/*") for arn in arns]},
            {"Sid": "UseBucketKey", "Effect": "Allow", "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
             "Resource": key},
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
