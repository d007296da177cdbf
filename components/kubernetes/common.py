"""Small pure helpers the Kubernetes components share (no resources are created here).

Naming rule: Kubernetes objects carry explicit `metadata.name`s (no Pulumi auto-name
suffix) so the ejected manifests and the Helm chart name the very same objects the
program manages; the Pulumi resource names are `<component name>-<role>`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...program.catalogue import PORTS

# Well-known label keys (https://kubernetes.io/docs/concepts/overview/working-with-objects/common-labels/).
NAME_LABEL = "app.kubernetes.io/name"
INSTANCE_LABEL = "app.kubernetes.io/instance"
COMPONENT_LABEL = "app.kubernetes.io/component"
PART_OF_LABEL = "app.kubernetes.io/part-of"
MANAGED_BY_LABEL = "app.kubernetes.io/managed-by"
# Set by the API server on every namespace since Kubernetes 1.21: selects a namespace by name.
NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name"

POSTGRES_PORT = PORTS["postgres"]


def selector_labels(app: str, component: str) -> dict[str, str]:
    """The immutable labels a Deployment or Service selects its pods by."""
    return {NAME_LABEL: app, COMPONENT_LABEL: component}


def labels(app: str, component: str, environment: str) -> dict[str, str]:
    """Every label an object carries: the selector labels plus ownership."""
    return {
        **selector_labels(app, component),
        INSTANCE_LABEL: f"{app}-{environment}",
        PART_OF_LABEL: app,
        MANAGED_BY_LABEL: "specql-deploy",
    }


def cpu_quantity(vcpu: float) -> str:
    """vCPU as a Kubernetes quantity: `0.5` → `500m`, `2` → `2`."""
    millicores = int(round(vcpu * 1000))
    return str(millicores // 1000) if millicores % 1000 == 0 else f"{millicores}m"


def memory_quantity(mib: int) -> str:
    """MiB as a Kubernetes quantity: `512` → `512Mi`, `2048` → `2Gi`."""
    return f"{mib // 1024}Gi" if mib % 1024 == 0 else f"{mib}Mi"


def resources(vcpu: float, memory_mib: int) -> dict[str, Any]:
    """Container resources with limits equal to requests (Guaranteed QoS: never evicted first,
    never throttled below what was scheduled)."""
    amounts = {"cpu": cpu_quantity(vcpu), "memory": memory_quantity(memory_mib)}
    return {"requests": dict(amounts), "limits": dict(amounts)}


def checkov_skips(skips: Mapping[str, str]) -> dict[str, str]:
    """checkov's inline-suppression annotations (`checkov.io/skip1: CKV_K8S_xx=reason`).

    Only for findings that are deliberate, each with its reason; the reason travels
    with the object into the ejected manifests.
    """
    return {f"checkov.io/skip{index}": f"{check}={reason}"
            for index, (check, reason) in enumerate(sorted(skips.items()), start=1)}


def daily_time(window: str) -> tuple[int, int]:
    """(hour, minute) at which a `HH:MM-HH:MM` window opens."""
    start = window.split("-", 1)[0]
    hour, minute = start.split(":")
    return int(hour), int(minute)


def inherited_depends(opts: Any) -> list[Any]:
    """The `depends_on` a component was given, for its children to wait on too.

    Pulumi does not pass a component's `depends_on` down: without this, a CRD-backed
    child (a CloudNativePG `Cluster`) would be sent before the operator release that
    installs its CRD, and every object before its namespace.
    """
    depends = getattr(opts, "depends_on", None) if opts is not None else None
    if depends is None:
        return []
    return list(depends) if isinstance(depends, (list, tuple)) else [depends]
