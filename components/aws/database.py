"""Database: RDS PostgreSQL with its subnet group, security group and tuned parameters."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pulumi
import pulumi_aws as aws

from ...program.building_blocks import (
    RDS_CA_CERT_IDENTIFIER,
    RDS_DATABASE_NAME,
    RDS_LOG_STATEMENT,
    RDS_MASTER_USERNAME,
    RDS_STORAGE_TYPE,
    RDS_WORK_MEM_KB,
)
from ...program.catalogue import PORTS, RDS_MONITORING_INTERVALS
from .children import child, name_tag, stateful
from .firewall import DataStoreAccess, data_tier_group
from .policies import assume_role_policy
from .regions import partition

if TYPE_CHECKING:
    from ...program.model import ResolvedDeployment


@dataclass(frozen=True)
class DatabaseArgs:
    """Arguments of :class:`Database`."""

    vpc_id: pulumi.Input[str]
    """VPC of the database. Required."""
    subnet_ids: Sequence[pulumi.Input[str]]
    """Subnets of the DB subnet group (isolated or private). Required."""
    kms_key_arn: pulumi.Input[str]
    """Key encrypting storage, Performance Insights, logs and the master secret. Required."""
    region: str
    """Region of the database (names its log groups' key grant). Required."""
    engine_version: str
    """PostgreSQL major version; minor versions upgrade automatically. Required."""
    instance_class: str
    """RDS instance class. Required."""
    storage_gb: int
    """Allocated gp3 storage. Required."""
    max_storage_gb: int
    """Storage autoscaling ceiling. Required."""
    multi_az: bool
    """Synchronous standby in another zone. Required."""
    read_replicas: int
    """Same-region read replicas. Required."""
    backup_retention_days: int
    """Days of automated backups and point-in-time recovery. Required."""
    backup_window: str
    """Daily backup window (UTC). Required."""
    maintenance_window: str
    """Weekly maintenance window (UTC). Required."""
    deletion_protection: bool
    """Refuse API deletion. Required."""
    final_snapshot: bool
    """Take a snapshot before deletion. Required."""
    performance_insights: bool
    """Performance Insights, encrypted with the key. Required."""
    performance_insights_retention_days: int
    """Days of Performance Insights history. Required."""
    monitoring_interval: int
    """Enhanced monitoring interval in seconds (0 turns it off). Required."""
    iam_auth: bool
    """IAM database authentication. Required."""
    log_exports: tuple[str, ...]
    """Logs exported to CloudWatch. Defaults to `("postgresql", "upgrade")`. Required."""
    log_retention_days: int
    """Days the exported logs are kept. Required."""
    max_connections: int
    """`max_connections` parameter. Required."""
    log_min_duration_ms: int
    """Log statements slower than this. Required."""
    protect: bool
    """Protect the instances and keep them when the stack is destroyed. Required."""
    monitoring_role_arn: pulumi.Input[str] | None = None
    """Reuse an enhanced-monitoring role (IAM is global). Defaults to `None`: one is created."""
    replicate_source_db: pulumi.Input[str] | None = None
    """ARN of a primary in another region: this database is then its cross-region replica.
    Defaults to `None` (a primary)."""

    def __post_init__(self) -> None:
        if self.max_storage_gb < self.storage_gb:
            raise ValueError("`max_storage_gb` must be at least `storage_gb`")
        if self.monitoring_interval not in RDS_MONITORING_INTERVALS:
            raise ValueError(f"`monitoring_interval` must be one of {', '.join(map(str, RDS_MONITORING_INTERVALS))}")


def parameter_family(engine_version: str) -> str:
    """RDS parameter group family of a PostgreSQL version (`16.4` → `postgres16`)."""
    return f"postgres{engine_version.split('.')[0]}"


def tuned_parameters(max_connections: int, log_min_duration_ms: int) -> list[dict[str, str]]:
    """PostgreSQL settings for GraphQL-over-views workloads, with TLS forced.

    Memory settings are in 8 kB pages: `DBInstanceClassMemory` is bytes, so /32768 is
    a quarter of RAM for shared buffers and /16384 half of it for the planner's cache.
    """
    static = "pending-reboot"
    return [
        {"name": "max_connections", "value": str(max_connections), "apply_method": static},
        {"name": "shared_buffers", "value": "{DBInstanceClassMemory/32768}", "apply_method": static},
        {"name": "effective_cache_size", "value": "{DBInstanceClassMemory/16384}", "apply_method": "immediate"},
        {"name": "work_mem", "value": str(RDS_WORK_MEM_KB), "apply_method": "immediate"},
        {"name": "random_page_cost", "value": "1.1", "apply_method": "immediate"},
        {"name": "rds.force_ssl", "value": "1", "apply_method": "immediate"},
        {"name": "log_statement", "value": RDS_LOG_STATEMENT, "apply_method": "immediate"},
        {"name": "log_min_duration_statement", "value": str(log_min_duration_ms), "apply_method": "immediate"},
        {"name": "log_connections", "value": "1", "apply_method": "immediate"},
        {"name": "log_disconnections", "value": "1", "apply_method": "immediate"},
    ]


class Database(pulumi.ComponentResource):
    """RDS PostgreSQL that only the application can reach, with no password in any input.

    RDS generates the master password and keeps it in Secrets Manager, encrypted with
    the deployment's key (`manage_master_user_password`); the application reads it from
    there or uses IAM authentication. The exported log groups are created up front so
    they are encrypted and expire, which the ones RDS would create are not.
    """

    instance: aws.rds.Instance
    replicas: list[aws.rds.Instance]
    security_group: aws.ec2.SecurityGroup
    endpoint: pulumi.Output[str]
    address: pulumi.Output[str]
    port: int = PORTS["postgres"]
    database_name: str = RDS_DATABASE_NAME
    master_username: str = RDS_MASTER_USERNAME
    monitoring_role_arn: pulumi.Input[str] | None

    def __init__(self, name: str, args: DatabaseArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("specql:aws:Database", name, None, opts)
        identifier = f"{name}-postgres".lower()  # RDS identifiers are lower case
        is_replica = args.replicate_source_db is not None

        subnet_group = aws.rds.SubnetGroup(
            f"{name}-subnets",
            name=f"{name}-subnets".lower(),
            description=f"{name}: data subnets",
            subnet_ids=args.subnet_ids,
            tags=name_tag(f"{name}-subnets"),
            opts=child(self),
        )
        # Clients admit themselves with their own rules (a DR replica has none until promoted).
        self.security_group = security_group = data_tier_group(self, f"{name}-sg", args.vpc_id, "PostgreSQL")
        parameters = aws.rds.ParameterGroup(
            f"{name}-params",
            description=f"{name}: tuned PostgreSQL settings, TLS forced, statement logging",
            family=parameter_family(args.engine_version),
            parameters=tuned_parameters(args.max_connections, args.log_min_duration_ms),
            opts=child(self),
        )
        log_groups = [
            aws.cloudwatch.LogGroup(
                f"{name}-log-{kind}",
                name=f"/aws/rds/instance/{identifier}/{kind}",
                retention_in_days=args.log_retention_days,
                kms_key_id=args.kms_key_arn,
                opts=child(self),
            )
            for kind in args.log_exports
        ]
        self.monitoring_role_arn = args.monitoring_role_arn
        if args.monitoring_interval and self.monitoring_role_arn is None:
            role = aws.iam.Role(
                f"{name}-monitoring-role",
                assume_role_policy=assume_role_policy("monitoring.rds.amazonaws.com"),
                opts=child(self),
            )
            aws.iam.RolePolicyAttachment(
                f"{name}-monitoring-policy",
                role=role.name,
                policy_arn=f"arn:{partition(args.region)}:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole",
                opts=child(self),
            )
            self.monitoring_role_arn = role.arn

        common = {
            "instance_class": args.instance_class,
            "storage_type": RDS_STORAGE_TYPE,
            "storage_encrypted": True,
            "kms_key_id": args.kms_key_arn,
            "max_allocated_storage": args.max_storage_gb,
            "vpc_security_group_ids": [security_group.id],
            "parameter_group_name": parameters.name,
            "publicly_accessible": False,
            "iam_database_authentication_enabled": args.iam_auth,
            "enabled_cloudwatch_logs_exports": list(args.log_exports),
            "performance_insights_enabled": args.performance_insights,
            "performance_insights_kms_key_id": args.kms_key_arn if args.performance_insights else None,
            "performance_insights_retention_period": (
                args.performance_insights_retention_days if args.performance_insights else None
            ),
            "monitoring_interval": args.monitoring_interval,
            "monitoring_role_arn": self.monitoring_role_arn if args.monitoring_interval else None,
            "auto_minor_version_upgrade": True,
            "copy_tags_to_snapshot": True,
            "ca_cert_identifier": RDS_CA_CERT_IDENTIFIER,
            "deletion_protection": args.deletion_protection,
            "maintenance_window": args.maintenance_window,
        }
        if is_replica:
            self.instance = aws.rds.Instance(
                f"{name}-primary",
                identifier=identifier,
                replicate_source_db=args.replicate_source_db,
                db_subnet_group_name=subnet_group.name,
                multi_az=args.multi_az,
                skip_final_snapshot=True,
                tags=name_tag(identifier),
                opts=stateful(self, args.protect, depends_on=log_groups),
                **common,
            )
        else:
            self.instance = aws.rds.Instance(
                f"{name}-primary",
                identifier=identifier,
                engine="postgres",
                engine_version=args.engine_version,
                allocated_storage=args.storage_gb,
                db_name=RDS_DATABASE_NAME,
                username=RDS_MASTER_USERNAME,
                manage_master_user_password=True,
                master_user_secret_kms_key_id=args.kms_key_arn,
                db_subnet_group_name=subnet_group.name,
                multi_az=args.multi_az,
                backup_retention_period=args.backup_retention_days,
                backup_window=args.backup_window,
                delete_automated_backups=not args.final_snapshot,
                skip_final_snapshot=not args.final_snapshot,
                final_snapshot_identifier=f"{identifier}-final" if args.final_snapshot else None,
                tags=name_tag(identifier),
                opts=stateful(self, args.protect, depends_on=log_groups),
                **common,
            )
        self.replicas = [
            aws.rds.Instance(
                f"{name}-replica-{index}",
                identifier=f"{identifier}-replica-{index}",
                replicate_source_db=self.instance.identifier,
                multi_az=False,
                skip_final_snapshot=True,
                tags=name_tag(f"{identifier}-replica-{index}"),
                opts=stateful(self, args.protect),
                **common,
            )
            for index in range(args.read_replicas)
        ]
        self.endpoint = self.instance.endpoint
        self.address = self.instance.address
        self.register_outputs(
            {
                "endpoint": self.endpoint,
                "arn": self.instance.arn,
                "replica_endpoints": [replica.endpoint for replica in self.replicas],
            }
        )

    @property
    def access(self) -> DataStoreAccess:
        """What a client needs to admit itself into the database's group."""
        return DataStoreAccess(self.security_group.id, self.port, "PostgreSQL")

    @property
    def master_secret_arn(self) -> pulumi.Output[str | None]:
        """ARN of the Secrets Manager secret RDS keeps the master password in."""
        return self.instance.master_user_secrets.apply(first_secret_arn)


def first_secret_arn(secrets: Sequence[aws.rds.outputs.InstanceMasterUserSecret] | None) -> str | None:
    """The first managed secret's ARN from `master_user_secrets` (None before creation)."""
    return secrets[0].secret_arn if secrets else None


# ------------------------------------------------ what the block takes from the model


def instance_settings(resolved: ResolvedDeployment) -> dict[str, Any]:
    """What the primary and its DR replica share: a promoted replica must be the same database
    (class, storage, Multi-AZ, protection, monitoring, logs), so one list serves both."""
    db_info = resolved.database
    return {
        "engine_version": db_info.version,
        "instance_class": resolved.require("database.instance_class"),
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
