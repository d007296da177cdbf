"""The `kubernetes` pattern: the application, its PostgreSQL cluster and the add-ons they
need, on an existing cluster (your kubeconfig) or on an EKS cluster created here.

Every Kubernetes object goes through one explicit provider, so a stack never touches
whatever cluster the ambient kubeconfig happens to point at unless the manifest says
`cluster: existing` without a kubeconfig or context.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pulumi
import pulumi_kubernetes as k8s

from ..kubernetes.addons import Addons, AddonsArgs, LogsArgs
from ..kubernetes.application import Application, ApplicationArgs, DatabaseRef
from ..kubernetes.ingress import Ingress, IngressArgs
from ..kubernetes.labels import labels, selector_labels
from ..kubernetes.metrics import CNPG_METRICS_PORT, Metrics, MetricsArgs
from ..kubernetes.network_policies import NetworkPolicies, NetworkPoliciesArgs
from ..kubernetes.postgres_cluster import PostgresCluster, PostgresClusterArgs
from ..observability import alloy_config, dashboards, rules_document, uses_loki
from ..observability.logs import loki_datasource

if TYPE_CHECKING:
    from ...program.model import ResolvedDeployment

# Pod Security Standards the namespace enforces: every pod this pattern creates
# (application, PostgreSQL, ACME solver) meets `restricted`.
POD_SECURITY = "restricted"


def image_of(resolved: ResolvedDeployment) -> str:
    """The image to run: the manifest's, else the one the generated Dockerfile builds."""
    return resolved.application.image or f"{resolved.deployment.name}:{resolved.deployment.version}"


def addons_args(resolved: ResolvedDeployment) -> AddonsArgs:
    return AddonsArgs(
        ingress_class=resolved.kubernetes.ingress_class,  # type: ignore[arg-type]
        cert_manager=resolved.kubernetes.tls == "cert-manager",
        database_operator=resolved.database.operator,  # type: ignore[arg-type]
        monitoring=resolved.monitoring.stack == "kube-prometheus-stack",
        grafana=resolved.monitoring.grafana,
        logs=logs_args(resolved),
        existing=frozenset(resolved.kubernetes.existing_addons),  # type: ignore[arg-type]
    )


def logs_args(resolved: ResolvedDeployment) -> LogsArgs | None:
    """Loki and Alloy when the logs go to Loki (the pattern's default)."""
    if not uses_loki(resolved):
        return None
    return LogsArgs(
        alloy_config=alloy_config(resolved),
        retention_days=resolved.monitoring.log_retention_days,
        datasource=loki_datasource(resolved),
    )


def postgres_args(resolved: ResolvedDeployment) -> PostgresClusterArgs:
    database = resolved.database
    return PostgresClusterArgs(
        namespace=resolved.kubernetes.namespace,
        app=resolved.deployment.name,
        environment=resolved.deployment.environment,
        operator=database.operator,  # type: ignore[arg-type]
        version=database.version,
        instances=database.instances,
        cpu=resolved.require("database.cpu"),
        memory_mib=resolved.require("database.memory_mib"),
        storage_gb=database.storage_gb,
        backup_frequency=database.backup_frequency,  # type: ignore[arg-type]
        backup_window=database.backup_window,
        backup_retention_days=database.backup_retention_days,
        max_connections=database.max_connections,
        log_min_duration_ms=database.log_min_duration_ms,
        deletion_protection=database.deletion_protection,
    )


def application_args(resolved: ResolvedDeployment, database: DatabaseRef | None) -> ApplicationArgs:
    app = resolved.application
    return ApplicationArgs(
        namespace=resolved.kubernetes.namespace,
        app=resolved.deployment.name,
        environment=resolved.deployment.environment,
        image=image_of(resolved),
        port=app.port,
        command=app.command,
        replicas=app.autoscale_min if app.hpa else app.instances,
        cpu=app.cpu,
        memory_mib=app.memory_mib,
        health_check_path=app.health_check_path,
        probe_period_seconds=app.health_check_interval,
        probe_timeout_seconds=app.health_check_timeout,
        healthy_threshold=app.healthy_threshold,
        unhealthy_threshold=app.unhealthy_threshold,
        read_only_root=app.read_only_root,
        hpa=app.hpa,
        hpa_max=app.autoscale_max,
        target_cpu=app.target_cpu,
        target_memory=app.target_memory,
        variables=dict(app.variables),
        secrets=app.secrets,
        database=database,
    )


def ingress_args(resolved: ResolvedDeployment, application: Application) -> IngressArgs:
    emails = resolved.monitoring.alarm_emails
    return IngressArgs(
        namespace=resolved.kubernetes.namespace,
        app=resolved.deployment.name,
        environment=resolved.deployment.environment,
        service_name=application.service_name,
        service_port=application.service_port,
        ingress_class=resolved.kubernetes.ingress_class,
        host=resolved.deployment.domain,
        tls=resolved.kubernetes.tls == "cert-manager",
        acme_email=emails[0] if emails else None,
    )


class KubernetesApp(pulumi.ComponentResource):
    """Namespace, add-ons, PostgreSQL, application, ingress, metrics and network policies."""

    def __init__(self, name: str, resolved: ResolvedDeployment, opts: pulumi.ResourceOptions | None = None):
        super().__init__("specql:patterns:KubernetesApp", name, None, opts)
        settings = resolved.kubernetes
        app, environment = resolved.deployment.name, resolved.deployment.environment
        cluster_ready: list[pulumi.Resource] = []

        self.eks = None
        if settings.cluster == "create":
            self.eks = _create_eks(name, resolved, self)
            cluster_ready = [self.eks.node_group]
            self.provider = k8s.Provider(
                f"{name}-k8s", kubeconfig=self.eks.kubeconfig, opts=pulumi.ResourceOptions(parent=self)
            )
        else:
            self.provider = k8s.Provider(
                f"{name}-k8s",
                kubeconfig=settings.kubeconfig,
                context=settings.context,
                opts=pulumi.ResourceOptions(parent=self),
            )

        def options(*depends: pulumi.Resource) -> pulumi.ResourceOptions:
            return pulumi.ResourceOptions(parent=self, providers=[self.provider], depends_on=[*cluster_ready, *depends])

        self.namespace = k8s.core.v1.Namespace(
            f"{name}-namespace",
            metadata={
                "name": settings.namespace,
                "labels": {
                    **labels(app, "namespace", environment),
                    "pod-security.kubernetes.io/enforce": POD_SECURITY,
                    "pod-security.kubernetes.io/warn": POD_SECURITY,
                },
            },
            # Deleting a namespace deletes everything in it, the database included.
            opts=pulumi.ResourceOptions(
                parent=self,
                provider=self.provider,
                depends_on=cluster_ready,
                protect=resolved.database.deletion_protection,
            ),
        )

        self.addons = Addons(f"{name}-addons", addons_args(resolved), options())
        self.database = PostgresCluster(
            f"{name}-postgres",
            postgres_args(resolved),
            options(self.namespace, *self.addons.ready("database-operator")),
        )
        self.application = Application(
            f"{name}-app",
            application_args(resolved, DatabaseRef(self.database.app_secret_name)),
            options(self.namespace),
        )
        self.ingress = Ingress(
            f"{name}-ingress",
            ingress_args(resolved, self.application),
            options(self.namespace),
            cert_manager=self.addons.ready("cert-manager"),
        )
        scraped = resolved.monitoring.prometheus and resolved.monitoring.stack == "kube-prometheus-stack"
        cnpg = resolved.database.operator == "cloudnative-pg"
        self.metrics: Metrics | None = None
        if scraped:
            self.metrics = Metrics(
                f"{name}-metrics",
                MetricsArgs(
                    namespace=settings.namespace,
                    app=app,
                    environment=environment,
                    service_labels=selector_labels(app, "api"),
                    framework=resolved.deployment.framework,
                    rule_groups=tuple(rules_document(resolved)["groups"]),
                    dashboards=dashboards(resolved) if resolved.monitoring.grafana else {},
                    database_pod_labels=self.database.pod_labels if cnpg else None,
                ),
                options(self.namespace, *self.addons.ready("monitoring")),
            )
        self.network_policies = NetworkPolicies(
            f"{name}-netpol",
            NetworkPoliciesArgs(
                namespace=settings.namespace,
                app=app,
                environment=environment,
                app_pod_labels=self.application.pod_labels,
                app_port=resolved.application.port,
                ingress_namespace=self.addons.namespace("ingress-controller") or "",
                database_pod_labels=self.database.pod_labels,
                database_internal_ports=self.database.operator_ports,
                operator_namespace=self.addons.namespace("database-operator"),
                acme_solver=settings.tls == "cert-manager",
                monitoring_namespace=self.addons.namespace("monitoring") if scraped else None,
                database_metrics_port=CNPG_METRICS_PORT if cnpg else None,
            ),
            options(self.namespace),
        )
        self.register_outputs(self.stack_outputs())

    def stack_outputs(self) -> dict[str, Any]:
        """Name → value exported by the stack (`specql deploy outputs`)."""
        outputs: dict[str, Any] = {
            "namespace": self.namespace.metadata.name,
            "service": self.application.service_name,
            "database_cluster": self.database.cluster_name,
            "database_secret": self.database.app_secret_name,
        }
        if self.ingress.url:
            outputs["url"] = self.ingress.url
        if self.eks is not None:
            outputs["cluster_name"] = self.eks.cluster_name
            outputs["kubeconfig"] = self.eks.kubeconfig
        return outputs


def _create_eks(name: str, resolved: ResolvedDeployment, parent: pulumi.Resource):
    """The EKS cluster and its own AWS provider (imported here: only `create` needs pulumi-aws)."""
    import pulumi_aws as aws

    from ..kubernetes.eks_cluster import EksCluster, EksClusterArgs

    platform, network = resolved.platform, resolved.network
    aws_provider = aws.Provider(
        f"{name}-aws",
        region=platform.region,
        default_tags={"tags": resolved.tags()},
        opts=pulumi.ResourceOptions(parent=parent),
    )
    zones = platform.availability_zones
    return EksCluster(
        f"{name}-eks",
        EksClusterArgs(
            region=platform.region,
            availability_zones=zones,
            vpc_cidr=network.vpc_cidr,
            nat_strategy=network.nat_strategy,
            flow_logs=network.flow_logs,
            log_retention_days=resolved.monitoring.log_retention_days,
            node_count=max(zones, resolved.database.instances),
            deletion_protection=resolved.is_production,
        ),
        opts=pulumi.ResourceOptions(parent=parent, providers=[aws_provider]),
    )
