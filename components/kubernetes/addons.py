"""Cluster add-ons as Helm releases: ingress controller, cert-manager, PostgreSQL
operator, kube-prometheus-stack, and Loki with Grafana Alloy for the logs, each at the
chart version pinned in `program.catalogue.HELM_CHARTS`.

Add-ons are cluster-wide: a second copy of cert-manager or an operator in the same
cluster fights the first over its CRDs and webhooks. The manifest's
`kubernetes.existing_addons` names the ones a cluster already runs; those are skipped
and the objects that need them are created against the running copy.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import pulumi
import pulumi_kubernetes as k8s

from ...program.building_blocks import ALLOY_DATA, ALLOY_IMAGE_USER, KUBERNETES_LOKI_VOLUME
from ...program.catalogue import HELM_CHARTS, IMAGES
from ..observability.logs import KUBE_MONITORING_NAMESPACE, loki_compactor, loki_limits, loki_schema
from .options import inherited_depends

AddonRole = Literal["ingress-controller", "cert-manager", "database-operator", "monitoring", "logs"]

# The namespace each chart is installed in: the one its documentation uses, so a cluster
# that already runs the add-on (existing_addons) most likely has it there too.
ADDON_NAMESPACES: Mapping[str, str] = {
    "ingress-nginx": "ingress-nginx",
    "traefik": "traefik",
    "cert-manager": "cert-manager",
    "cloudnative-pg": "cnpg-system",
    "crunchy-pgo": "postgres-operator",
    "kube-prometheus-stack": KUBE_MONITORING_NAMESPACE,
    # Beside kube-prometheus-stack: Alloy's configuration and Grafana's datasource address
    # Loki there (`loki.monitoring.svc`), whichever of the two the cluster already runs.
    "loki": KUBE_MONITORING_NAMESPACE,
    "alloy": KUBE_MONITORING_NAMESPACE,
}

LOGS_CHARTS = ("loki", "alloy")
"""The `logs` role: Loki stores the logs, Alloy ships them (installed or skipped together)."""

ALLOY_RULES: Mapping[str, Mapping[str, Any]] = {
    # The chart writes `rbac.rules` then `rbac.clusterRules` into its ClusterRole, and needs
    # both lists non-empty: discovery watches pods, the log source reads their logs.
    "rules": {"apiGroups": [""], "resources": ["pods"], "verbs": ["get", "list", "watch"]},
    "clusterRules": {"apiGroups": [""], "resources": ["pods/log"], "verbs": ["get"]},
}
"""All Alloy may read: pods and their logs (the chart's default also grants secrets,
configmaps and nodes cluster-wide, which tailing logs never needs)."""

INGRESS_CHARTS: Mapping[str, str] = {"nginx": "ingress-nginx", "traefik": "traefik"}
"""Ingress class → the HELM_CHARTS key of its controller."""


@dataclass(frozen=True)
class LogsArgs:
    """What Loki and Alloy are installed with (`logs.aggregator: loki`)."""

    alloy_config: str
    """Alloy's configuration: the text the eject writes to `observability/alloy/config.alloy`. Required."""
    retention_days: int
    """Days Loki keeps logs (`monitoring.log_retention_days`). Required."""
    datasource: Mapping[str, Any]
    """Grafana's Loki datasource, added to kube-prometheus-stack's Grafana. Required."""


@dataclass(frozen=True)
class AddonsArgs:
    """Which add-ons the application needs and which the cluster already has."""

    ingress_class: Literal["nginx", "traefik"]
    """Ingress controller to install (`nginx`: ingress-nginx; `traefik`). Required."""
    cert_manager: bool
    """Install cert-manager (needed for Let's Encrypt certificates). Required."""
    database_operator: Literal["cloudnative-pg", "crunchy-pgo"]
    """PostgreSQL operator to install. Required."""
    monitoring: bool
    """Install kube-prometheus-stack (Prometheus, Alertmanager, Grafana). Required."""
    grafana: bool
    """Ship Grafana with kube-prometheus-stack. Required."""
    logs: LogsArgs | None
    """Install Loki and Alloy with these settings; `None`: no log aggregation. Required."""
    existing: frozenset[AddonRole] = field(default_factory=frozenset)
    """Add-on roles the cluster already runs; nothing is installed for them. Defaults to none."""

    def wanted(self) -> dict[AddonRole, tuple[str, ...]]:
        """Role → HELM_CHARTS keys of every add-on the application needs (installed or not)."""
        roles: dict[AddonRole, tuple[str, ...]] = {"ingress-controller": (INGRESS_CHARTS[self.ingress_class],)}
        if self.cert_manager:
            roles["cert-manager"] = ("cert-manager",)
        roles["database-operator"] = (self.database_operator,)
        if self.monitoring:
            roles["monitoring"] = ("kube-prometheus-stack",)
        if self.logs is not None:
            roles["logs"] = LOGS_CHARTS
        return roles

    def to_install(self) -> dict[AddonRole, tuple[str, ...]]:
        return {role: keys for role, keys in self.wanted().items() if role not in self.existing}


def _image_tag(role: str) -> str:
    """The tag of a pinned image (`grafana/loki:3.7.6` → `3.7.6`): the charts run what the hobby stack runs."""
    return IMAGES[role].rsplit(":", 1)[1]


def _loki_values(logs: LogsArgs) -> dict[str, Any]:
    # One process with its index and chunks on a volume (the chart's monolithic mode), no
    # gateway, caches, canary or test pods: what a single cluster's logs need.
    return {
        "deploymentMode": "Monolithic",
        "loki": {
            # One tenant; only pods in the cluster reach the ClusterIP Service.
            "auth_enabled": False,
            "commonConfig": {"replication_factor": 1},
            "storage": {"type": "filesystem"},
            "schemaConfig": loki_schema(),
            "limits_config": loki_limits(logs.retention_days),
            "compactor": loki_compactor(),
            "analytics": {"reporting_enabled": False},
            "image": {"tag": _image_tag("loki")},
        },
        "singleBinary": {"replicas": 1, "persistence": {"enabled": True, "size": KUBERNETES_LOKI_VOLUME}},
        "read": {"replicas": 0},
        "write": {"replicas": 0},
        "backend": {"replicas": 0},
        "gateway": {"enabled": False},
        "chunksCache": {"enabled": False},
        "resultsCache": {"enabled": False},
        "lokiCanary": {"enabled": False},
        "test": {"enabled": False},
        "sidecar": {"rules": {"enabled": False}},
    }


def _alloy_values(logs: LogsArgs) -> dict[str, Any]:
    # One Alloy reads the pods' logs through the API (loki.source.kubernetes): no DaemonSet,
    # no host paths, no root, so it meets the `restricted` Pod Security Standard.
    return {
        "alloy": {
            # The chart's ConfigMap holds the very text the eject writes (observability/alloy;
            # the chart passes it through `tpl`, which leaves a text without `{{` unchanged).
            "configMap": {"create": True, "content": logs.alloy_config},
            "storagePath": ALLOY_DATA,
            "enableReporting": False,
            "securityContext": {
                "runAsNonRoot": True,
                "runAsUser": ALLOY_IMAGE_USER,
                "runAsGroup": ALLOY_IMAGE_USER,
                "allowPrivilegeEscalation": False,
                "capabilities": {"drop": ["ALL"]},
                "seccompProfile": {"type": "RuntimeDefault"},
            },
        },
        "image": {"tag": _image_tag("alloy")},
        "controller": {"type": "deployment", "replicas": 1},
        # Read pods and their logs, nothing else (the configuration discovers only the
        # application's namespace). A ClusterRole, not a Role there: the release must not
        # create objects in a namespace the application's own manifests or chart create later.
        "rbac": {key: [dict(rule)] for key, rule in ALLOY_RULES.items()},
        # The PodLogs CRD is for a config that reads it; this one does not.
        "crds": {"create": False},
    }


def chart_values(key: str, args: AddonsArgs) -> dict[str, Any]:
    """Helm values per chart: only what differs from the chart's defaults, and why."""
    if key == "ingress-nginx":
        # Snippet annotations let any Ingress author inject nginx config (CVE-2021-25742).
        return {
            "controller": {
                "allowSnippetAnnotations": False,
                "ingressClassResource": {"name": "nginx", "default": False},
            }
        }
    if key == "traefik":
        return {"ingressClass": {"enabled": True, "isDefaultClass": False, "name": "traefik"}}
    if key == "cert-manager":
        # The chart installs the CRDs the ClusterIssuer needs only when asked.
        return {"crds": {"enabled": True}}
    if key == "kube-prometheus-stack":
        if not args.grafana:
            return {"grafana": {"enabled": False}}
        # the dashboards are ConfigMaps in the application's namespace, not the chart's
        grafana: dict[str, Any] = {"enabled": True, "sidecar": {"dashboards": {"searchNamespace": "ALL"}}}
        if args.logs is not None:
            grafana["additionalDataSources"] = [dict(args.logs.datasource)]
        return {"grafana": grafana}
    if key == "loki" and args.logs is not None:
        return _loki_values(args.logs)
    if key == "alloy" and args.logs is not None:
        return _alloy_values(args.logs)
    return {}


def addon_namespace(args: AddonsArgs, role: AddonRole) -> str | None:
    """Namespace of the add-on that fills a role (installed here or already there)."""
    keys = args.wanted().get(role)
    return ADDON_NAMESPACES[keys[0]] if keys else None


class Addons(pulumi.ComponentResource):
    """Helm releases of the add-ons the application needs, skipping those that exist."""

    releases: dict[str, k8s.helm.v3.Release]
    """HELM_CHARTS key → release, for add-ons installed by this stack."""

    def __init__(self, name: str, args: AddonsArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("specql:kubernetes:Addons", name, None, opts)
        self.args = args
        self.releases = {}
        after = inherited_depends(opts)
        for key in (key for keys in args.to_install().values() for key in keys):
            chart, version, repository = HELM_CHARTS[key]
            oci = repository.startswith("oci://")
            self.releases[key] = k8s.helm.v3.Release(
                f"{name}-{key}",
                name=key,
                chart=f"{repository}/{chart}" if oci else chart,
                version=version,
                repository_opts=None if oci else {"repo": repository},
                namespace=ADDON_NAMESPACES[key],
                create_namespace=True,
                values=chart_values(key, args),
                # An add-on half installed is worse than none: roll back on failure.
                atomic=True,
                opts=pulumi.ResourceOptions(parent=self, depends_on=after),
            )
        self.register_outputs(
            {
                "installed": sorted(self.releases),
                "existing": sorted(args.existing),
            }
        )

    def ready(self, role: AddonRole) -> list[pulumi.Resource]:
        """What an object needing this role's CRDs or webhooks must wait for (nothing if
        the cluster already runs it)."""
        return [self.releases[key] for key in self.args.to_install().get(role, ())]

    def namespace(self, role: AddonRole) -> str | None:
        return addon_namespace(self.args, role)
