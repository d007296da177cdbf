"""Cluster add-ons as Helm releases: ingress controller, cert-manager, PostgreSQL
operator and kube-prometheus-stack, each at the chart version pinned in
`program.catalogue.HELM_CHARTS`.

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

from ...program.catalogue import HELM_CHARTS
from .options import inherited_depends

AddonRole = Literal["ingress-controller", "cert-manager", "database-operator", "monitoring"]

# The namespace each chart is installed in: the one its documentation uses, so a cluster
# that already runs the add-on (existing_addons) most likely has it there too.
ADDON_NAMESPACES: Mapping[str, str] = {
    "ingress-nginx": "ingress-nginx",
    "traefik": "traefik",
    "cert-manager": "cert-manager",
    "cloudnative-pg": "cnpg-system",
    "crunchy-pgo": "postgres-operator",
    "kube-prometheus-stack": "monitoring",
}

INGRESS_CHARTS: Mapping[str, str] = {"nginx": "ingress-nginx", "traefik": "traefik"}
"""Ingress class → the HELM_CHARTS key of its controller."""


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
    existing: frozenset[AddonRole] = field(default_factory=frozenset)
    """Add-on roles the cluster already runs; nothing is installed for them. Defaults to none."""

    def wanted(self) -> dict[AddonRole, str]:
        """Role → HELM_CHARTS key of every add-on the application needs (installed or not)."""
        roles: dict[AddonRole, str] = {"ingress-controller": INGRESS_CHARTS[self.ingress_class]}
        if self.cert_manager:
            roles["cert-manager"] = "cert-manager"
        roles["database-operator"] = self.database_operator
        if self.monitoring:
            roles["monitoring"] = "kube-prometheus-stack"
        return roles

    def to_install(self) -> dict[AddonRole, str]:
        return {role: key for role, key in self.wanted().items() if role not in self.existing}


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
        return {"grafana": {"enabled": True, "sidecar": {"dashboards": {"searchNamespace": "ALL"}}}}
    return {}


def addon_namespace(args: AddonsArgs, role: AddonRole) -> str | None:
    """Namespace of the add-on that fills a role (installed here or already there)."""
    key = args.wanted().get(role)
    return ADDON_NAMESPACES[key] if key else None


class Addons(pulumi.ComponentResource):
    """Helm releases of the add-ons the application needs, skipping those that exist."""

    releases: dict[str, k8s.helm.v3.Release]
    """HELM_CHARTS key → release, for add-ons installed by this stack."""

    def __init__(self, name: str, args: AddonsArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("specql:kubernetes:Addons", name, None, opts)
        self.args = args
        self.releases = {}
        after = inherited_depends(opts)
        for _role, key in args.to_install().items():
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
        key = self.args.to_install().get(role)
        return [self.releases[key]] if key else []

    def namespace(self, role: AddonRole) -> str | None:
        return addon_namespace(self.args, role)
