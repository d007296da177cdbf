"""PostgreSQL run by an operator: a CloudNativePG `Cluster` or a Crunchy PGO
`PostgresCluster`, sized from the manifest, with scheduled backups.

The operator, not Pulumi, creates the application's credentials: CloudNativePG writes
them to the Secret `<cluster>-app`, PGO to `<cluster>-pguser-<user>`; both hold a
ready connection string under the key `uri`, which the application reads as
`DATABASE_URL`. No database password ever passes through Pulumi state.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import pulumi
import pulumi_kubernetes as k8s

from ...program.catalogue import IMAGES, PORTS, POSTGRES_OPERATOR_PORTS
from .labels import labels
from .options import inherited_depends
from .quantities import daily_time, resources

CNPG_API = "postgresql.cnpg.io/v1"
PGO_API = "postgres-operator.crunchydata.com/v1beta1"
# The label each operator puts on every pod of a cluster (NetworkPolicies select by it).
CLUSTER_POD_LABEL = {"cloudnative-pg": "cnpg.io/cluster", "crunchy-pgo": "postgres-operator.crunchydata.com/cluster"}
DATABASE_NAME = "app"
"""Database and owner role the operators create for the application."""


@dataclass(frozen=True)
class PostgresClusterArgs:
    """A PostgreSQL cluster for one application."""

    namespace: str
    """Namespace the cluster lives in (the application's). Required."""
    app: str
    """Application name; the cluster is `<app>-db`. Required."""
    environment: str
    """Environment name (labels). Required."""
    operator: Literal["cloudnative-pg", "crunchy-pgo"]
    """Which operator runs it. Required."""
    version: str
    """PostgreSQL major version. Required."""
    instances: int
    """PostgreSQL instances (one primary, the rest streaming replicas). Required."""
    cpu: float
    """vCPU per instance. Required."""
    memory_mib: int
    """MiB per instance. Required."""
    storage_gb: int
    """Data volume per instance, GiB. Required."""
    backup_frequency: Literal["hourly", "daily", "weekly", "continuous"]
    """How often a base backup is taken. Required."""
    backup_window: str
    """UTC window (`HH:MM-HH:MM`) whose start is the backup time. Required."""
    backup_retention_days: int
    """Days backups are kept (PGO's pgBackRest expires older ones). Required."""
    max_connections: int
    """PostgreSQL `max_connections`. Required."""
    log_min_duration_ms: int
    """Queries slower than this are logged. Required."""
    deletion_protection: bool
    """Protect the cluster object in Pulumi and keep it in the cluster if the stack is
    destroyed (production data). Required."""

    @property
    def cluster_name(self) -> str:
        return f"{self.app}-db"


def backup_cron(frequency: str, window: str, *, seconds: bool) -> str:
    """Cron schedule of base backups; `continuous` still takes a daily base backup (the
    WAL stream in between is the operator's job). CloudNativePG's cron has a seconds field."""
    hour, minute = daily_time(window)
    fields = {
        "hourly": f"{minute} * * * *",
        "daily": f"{minute} {hour} * * *",
        "continuous": f"{minute} {hour} * * *",
        "weekly": f"{minute} {hour} * * 0",
    }[frequency]
    return f"0 {fields}" if seconds else fields


def postgres_parameters(args: PostgresClusterArgs) -> dict[str, str]:
    """PostgreSQL settings both operators pass through (values are strings in both CRDs)."""
    return {
        "max_connections": str(args.max_connections),
        "log_min_duration_statement": str(args.log_min_duration_ms),
    }


def cnpg_image(version: str) -> str:
    """CloudNativePG's PostgreSQL image: the exact tag pinned in IMAGES when `version` is
    its major, so a rebuild next month runs the same minor; any other major (or a minor
    the manifest names) gets CloudNativePG's image of that tag from the same repository."""
    pinned = IMAGES["cloudnative-pg-postgres"]
    repository, tag = pinned.rsplit(":", 1)
    return pinned if tag.split(".")[0] == version else f"{repository}:{version}"


def cnpg_cluster_spec(args: PostgresClusterArgs) -> dict[str, Any]:
    return {
        "instances": args.instances,
        "imageName": cnpg_image(args.version),
        "primaryUpdateStrategy": "unsupervised",
        "enableSuperuserAccess": False,
        "bootstrap": {"initdb": {"database": DATABASE_NAME, "owner": DATABASE_NAME}},
        "postgresql": {"parameters": postgres_parameters(args)},
        "storage": {"size": f"{args.storage_gb}Gi"},
        "resources": resources(args.cpu, args.memory_mib),
        # One instance per node, so a node failure takes at most one copy.
        "affinity": {"enablePodAntiAffinity": True, "topologyKey": "kubernetes.io/hostname"},
        # Backups as CSI volume snapshots: no object store or credentials needed; the
        # cluster's default VolumeSnapshotClass is used.
        "backup": {"volumeSnapshot": {"online": True}},
    }


def cnpg_scheduled_backup_spec(args: PostgresClusterArgs) -> dict[str, Any]:
    return {
        "schedule": backup_cron(args.backup_frequency, args.backup_window, seconds=True),
        "method": "volumeSnapshot",
        "backupOwnerReference": "self",
        "immediate": True,
        "cluster": {"name": args.cluster_name},
    }


def pgo_cluster_spec(args: PostgresClusterArgs) -> dict[str, Any]:
    volume = {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": f"{args.storage_gb}Gi"}}}
    return {
        "postgresVersion": int(args.version),
        "instances": [
            {
                "name": "instance1",
                "replicas": args.instances,
                "dataVolumeClaimSpec": volume,
                "resources": resources(args.cpu, args.memory_mib),
            }
        ],
        "users": [{"name": DATABASE_NAME, "databases": [DATABASE_NAME]}],
        "patroni": {"dynamicConfiguration": {"postgresql": {"parameters": postgres_parameters(args)}}},
        "backups": {
            "pgbackrest": {
                "global": {
                    "repo1-retention-full": str(args.backup_retention_days),
                    "repo1-retention-full-type": "time",
                },
                "repos": [
                    {
                        "name": "repo1",
                        "schedules": {"full": backup_cron(args.backup_frequency, args.backup_window, seconds=False)},
                        "volume": {"volumeClaimSpec": volume},
                    }
                ],
            }
        },
    }


class PostgresCluster(pulumi.ComponentResource):
    """An operator-managed PostgreSQL cluster and its backup schedule."""

    cluster_name: str
    app_secret_name: str
    """Secret the operator writes the application's credentials to (key `uri`)."""
    pod_labels: dict[str, str]
    """Labels that select every PostgreSQL pod of this cluster."""
    operator_ports: tuple[int, ...]
    """Ports the operator and sibling instances reach the pods on, besides PostgreSQL."""

    def __init__(self, name: str, args: PostgresClusterArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("specql:kubernetes:PostgresCluster", name, None, opts)
        after = inherited_depends(opts)
        # Deleting the cluster object deletes its volumes: production keeps it through a destroy.
        stateful = pulumi.ResourceOptions(
            parent=self, depends_on=after, protect=args.deletion_protection, retain_on_delete=args.deletion_protection
        )
        metadata = {
            "name": args.cluster_name,
            "namespace": args.namespace,
            "labels": labels(args.app, "database", args.environment),
        }
        self.cluster_name = args.cluster_name
        self.pod_labels = {CLUSTER_POD_LABEL[args.operator]: args.cluster_name}
        self.operator_ports = POSTGRES_OPERATOR_PORTS[args.operator]
        self.port = PORTS["postgres"]
        if args.operator == "cloudnative-pg":
            self.cluster = k8s.apiextensions.CustomResource(
                f"{name}-cluster",
                api_version=CNPG_API,
                kind="Cluster",
                metadata=metadata,
                spec=cnpg_cluster_spec(args),
                opts=stateful,
            )
            self.scheduled_backup = k8s.apiextensions.CustomResource(
                f"{name}-backup",
                api_version=CNPG_API,
                kind="ScheduledBackup",
                metadata={**metadata, "name": f"{args.cluster_name}-backup"},
                spec=cnpg_scheduled_backup_spec(args),
                opts=pulumi.ResourceOptions(parent=self, depends_on=[*after, self.cluster]),
            )
            self.app_secret_name = f"{args.cluster_name}-app"
        else:
            self.cluster = k8s.apiextensions.CustomResource(
                f"{name}-cluster",
                api_version=PGO_API,
                kind="PostgresCluster",
                metadata=metadata,
                spec=pgo_cluster_spec(args),
                opts=stateful,
            )
            self.app_secret_name = f"{args.cluster_name}-pguser-{DATABASE_NAME}"
        self.register_outputs(
            {
                "cluster_name": self.cluster_name,
                "app_secret_name": self.app_secret_name,
            }
        )
