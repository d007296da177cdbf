"""The application on Kubernetes: ServiceAccount, Secret, Deployment, Service,
HorizontalPodAutoscaler and PodDisruptionBudget.

The pod is locked down the way the kubernetes benchmarks ask (checkov's CKV_K8S
checks): a non-root UID, no privilege escalation, every capability dropped, the
runtime's seccomp profile, no service-account token, a read-only root filesystem
where the framework writes nothing to disk (an emptyDir at /tmp covers libraries that
need scratch space), probes on the health path, and resources with limits.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from ...program.building_blocks import APP_RUN_AS_ID
from ...program.catalogue import PORTS
from .labels import checkov_skips, labels, selector_labels
from .options import inherited_depends
from .quantities import resources

SERVICE_PORT = PORTS["http"]
"""Port the Service listens on; it forwards to the container's port."""
DATABASE_URL = "DATABASE_URL"


@dataclass(frozen=True)
class DatabaseRef:
    """Where the application finds its connection string."""

    secret_name: str
    """Secret the database operator writes (`<cluster>-app`). Required."""
    key: str = "uri"
    """Key of the full connection URI in that Secret. Defaults to `uri`."""


@dataclass(frozen=True)
class ApplicationArgs:
    """One stateless application Deployment and what surrounds it."""

    namespace: str
    """Namespace the objects live in. Required."""
    app: str
    """Application name: the name of the Deployment, Service and ServiceAccount. Required."""
    environment: str
    """Environment name (labels). Required."""
    image: str
    """Container image reference (`repository:tag`). Required."""
    port: int
    """Port the application listens on. Required."""
    command: tuple[str, ...]
    """Container command; empty runs the image's entry point. Required."""
    replicas: int
    """Pods when the HPA is off; the HPA's minimum when it is on. Required."""
    cpu: float
    """vCPU per pod (request and limit). Required."""
    memory_mib: int
    """MiB per pod (request and limit). Required."""
    health_check_path: str
    """HTTP path of the readiness and liveness probes. Required."""
    probe_period_seconds: int
    """Seconds between probes. Required."""
    probe_timeout_seconds: int
    """Seconds a probe may take. Required."""
    healthy_threshold: int
    """Successful readiness probes before a pod gets traffic. Required."""
    unhealthy_threshold: int
    """Failed probes before a pod leaves the Service (readiness) or restarts (liveness). Required."""
    read_only_root: bool
    """Mount the root filesystem read-only (the framework writes nothing to disk). Required."""
    hpa: bool
    """Create a HorizontalPodAutoscaler. Required."""
    hpa_max: int
    """The HPA's ceiling. Required."""
    target_cpu: int
    """Average CPU utilisation (%) the HPA keeps. Required."""
    target_memory: int | None
    """Average memory utilisation (%) the HPA also keeps, if set. Required."""
    variables: Mapping[str, str] = field(default_factory=dict)
    """Plain environment variables. Defaults to none."""
    secrets: tuple[str, ...] = ()
    """Secret environment variable names; values come from Pulumi config secrets of the
    same name (`pulumi config set --secret NAME`). Defaults to none."""
    database: DatabaseRef | None = None
    """Operator-written Secret holding `DATABASE_URL`. Defaults to `None` (no database)."""

    @property
    def secret_name(self) -> str:
        return f"{self.app}-secrets"

    def stored_secrets(self) -> tuple[str, ...]:
        """Secret names this stack stores (DATABASE_URL comes from the operator instead)."""
        return tuple(name for name in self.secrets if not (self.database and name == DATABASE_URL))


def image_tag(image: str) -> str:
    """The tag of an image reference (`latest` when none is given)."""
    last = image.rsplit("/", 1)[-1]
    return last.split(":", 1)[1] if ":" in last and "@" not in last else ("" if "@" in last else "latest")


def deployment_skips(args: ApplicationArgs) -> dict[str, str]:
    """The checkov findings this Deployment accepts on purpose, with the reasons."""
    skips = {
        "CKV_K8S_43": "the image is deployed by its immutable release tag, which CI sets to the git SHA",
        "CKV_K8S_35": "twelve-factor configuration: the application reads DATABASE_URL and its secrets from the environment",
    }
    if image_tag(args.image) == "latest":
        skips["CKV_K8S_14"] = "`latest` is the local-run tag; CI deploys the git SHA tag"
    if not args.read_only_root:
        skips["CKV_K8S_22"] = "the framework writes to its own tmp and log directories"
    return skips


def container_env(args: ApplicationArgs) -> list[dict[str, Any]]:
    """Plain variables, then DATABASE_URL from the operator's Secret, then the stack's secrets."""
    env: list[dict[str, Any]] = [{"name": key, "value": value} for key, value in sorted(args.variables.items())]
    if args.database:
        env.append(
            {
                "name": DATABASE_URL,
                "valueFrom": {"secretKeyRef": {"name": args.database.secret_name, "key": args.database.key}},
            }
        )
    env.extend(
        {"name": name, "valueFrom": {"secretKeyRef": {"name": args.secret_name, "key": name}}}
        for name in args.stored_secrets()
    )
    return env


def probe(args: ApplicationArgs, *, success_threshold: int) -> dict[str, Any]:
    return {
        "httpGet": {"path": args.health_check_path, "port": "http"},
        "periodSeconds": args.probe_period_seconds,
        "timeoutSeconds": args.probe_timeout_seconds,
        "successThreshold": success_threshold,
        "failureThreshold": args.unhealthy_threshold,
    }


def pod_spec(args: ApplicationArgs) -> dict[str, Any]:
    """The pod: one hardened container (camelCase, as the API and the manifests spell it)."""
    container: dict[str, Any] = {
        "name": args.app,
        "image": args.image,
        "imagePullPolicy": "Always",
        "ports": [{"name": "http", "containerPort": args.port, "protocol": "TCP"}],
        "env": container_env(args),
        "resources": resources(args.cpu, args.memory_mib),
        "readinessProbe": probe(args, success_threshold=args.healthy_threshold),
        # Kubernetes requires successThreshold 1 for liveness probes.
        "livenessProbe": probe(args, success_threshold=1),
        "securityContext": {
            "allowPrivilegeEscalation": False,
            "privileged": False,
            "readOnlyRootFilesystem": args.read_only_root,
            "runAsNonRoot": True,
            "runAsUser": APP_RUN_AS_ID,
            "runAsGroup": APP_RUN_AS_ID,
            "capabilities": {"drop": ["ALL"]},
            "seccompProfile": {"type": "RuntimeDefault"},
        },
        "volumeMounts": [{"name": "tmp", "mountPath": "/tmp"}],
    }
    if args.command:
        container["command"] = list(args.command)
    if not container["env"]:
        del container["env"]
    return {
        "serviceAccountName": args.app,
        "automountServiceAccountToken": False,
        "securityContext": {
            "runAsNonRoot": True,
            "runAsUser": APP_RUN_AS_ID,
            "runAsGroup": APP_RUN_AS_ID,
            "fsGroup": APP_RUN_AS_ID,
            "seccompProfile": {"type": "RuntimeDefault"},
        },
        "containers": [container],
        "volumes": [{"name": "tmp", "emptyDir": {}}],
        # Spread replicas over nodes so one node failure takes at most a share of them.
        "topologySpreadConstraints": [
            {
                "maxSkew": 1,
                "topologyKey": "kubernetes.io/hostname",
                "whenUnsatisfiable": "ScheduleAnyway",
                "labelSelector": {"matchLabels": selector_labels(args.app, "api")},
            }
        ],
    }


def deployment_spec(args: ApplicationArgs) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "selector": {"matchLabels": selector_labels(args.app, "api")},
        "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 0, "maxSurge": 1}},
        "template": {
            "metadata": {"labels": labels(args.app, "api", args.environment)},
            "spec": pod_spec(args),
        },
    }
    if not args.hpa:
        # With an HPA the replica count is its to set; a fixed one would undo its scaling on every update.
        spec["replicas"] = args.replicas
    return spec


def hpa_metrics(args: ApplicationArgs) -> list[dict[str, Any]]:
    metrics = [
        {
            "type": "Resource",
            "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": args.target_cpu}},
        }
    ]
    if args.target_memory is not None:
        metrics.append(
            {
                "type": "Resource",
                "resource": {
                    "name": "memory",
                    "target": {"type": "Utilization", "averageUtilization": args.target_memory},
                },
            }
        )
    return metrics


class Application(pulumi.ComponentResource):
    """A stateless application Deployment with its Service, autoscaler and disruption budget."""

    service_name: str
    service_port: int
    pod_labels: dict[str, str]
    """Labels that select the application's pods."""

    def __init__(self, name: str, args: ApplicationArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("specql:kubernetes:Application", name, None, opts)
        after = inherited_depends(opts)
        child = pulumi.ResourceOptions(parent=self, depends_on=after)
        object_labels = labels(args.app, "api", args.environment)
        self.pod_labels = selector_labels(args.app, "api")
        self.service_name = args.app
        self.service_port = SERVICE_PORT

        def metadata(object_name: str, annotations: Mapping[str, str] | None = None) -> dict[str, Any]:
            meta: dict[str, Any] = {"name": object_name, "namespace": args.namespace, "labels": object_labels}
            if annotations:
                meta["annotations"] = dict(annotations)
            return meta

        self.service_account = k8s.core.v1.ServiceAccount(
            f"{name}-sa", metadata=metadata(args.app), automount_service_account_token=False, opts=child
        )

        depends: list[pulumi.Resource] = [*after, self.service_account]
        self.secret: k8s.core.v1.Secret | None = None
        if args.stored_secrets():
            self.secret = k8s.core.v1.Secret(
                f"{name}-secrets",
                metadata=metadata(args.secret_name),
                type="Opaque",
                string_data=secret_values(args.stored_secrets()),
                opts=child,
            )
            depends.append(self.secret)

        self.deployment = k8s.apps.v1.Deployment(
            f"{name}-deployment",
            metadata=metadata(args.app, checkov_skips(deployment_skips(args))),
            spec=deployment_spec(args),
            opts=pulumi.ResourceOptions(parent=self, depends_on=depends),
        )

        self.service = k8s.core.v1.Service(
            f"{name}-service",
            metadata=metadata(args.app),
            spec={
                "type": "ClusterIP",
                "selector": self.pod_labels,
                "ports": [{"name": "http", "port": SERVICE_PORT, "targetPort": "http", "protocol": "TCP"}],
            },
            opts=child,
        )

        self.autoscaler: k8s.autoscaling.v2.HorizontalPodAutoscaler | None = None
        if args.hpa:
            self.autoscaler = k8s.autoscaling.v2.HorizontalPodAutoscaler(
                f"{name}-hpa",
                metadata=metadata(args.app),
                spec={
                    "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": args.app},
                    "minReplicas": args.replicas,
                    "maxReplicas": args.hpa_max,
                    "metrics": hpa_metrics(args),
                },
                opts=pulumi.ResourceOptions(parent=self, depends_on=[*after, self.deployment]),
            )

        # Voluntary disruptions (node drains, upgrades) take one pod at a time.
        self.disruption_budget = k8s.policy.v1.PodDisruptionBudget(
            f"{name}-pdb",
            metadata=metadata(args.app),
            spec={"maxUnavailable": 1, "selector": {"matchLabels": self.pod_labels}},
            opts=child,
        )

        self.register_outputs({"service_name": self.service_name, "deployment": self.deployment.metadata.name})


def secret_values(names: tuple[str, ...]) -> dict[str, pulumi.Output[str]]:
    """Secret values from Pulumi config secrets; a missing one is left out with a warning
    (the pod then waits with CreateContainerConfigError until it is set and `up` runs again)."""
    config = pulumi.Config()
    values: dict[str, pulumi.Output[str]] = {}
    for name in names:
        value = config.get_secret(name)
        if value is None:
            pulumi.log.warn(
                f"secret {name} has no value: set it with `pulumi config set --secret {name}` "
                "(or `specql deploy` secrets) before the application can start"
            )
            continue
        values[name] = value
    return values
