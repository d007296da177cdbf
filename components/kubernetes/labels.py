"""Labels and annotations every Kubernetes object of the pattern carries.

Naming rule: Kubernetes objects carry explicit `metadata.name`s (no Pulumi auto-name
suffix) so the ejected manifests and the Helm chart name the very same objects the
program manages; the Pulumi resource names are `<component name>-<role>`.
"""

from __future__ import annotations

from collections.abc import Mapping

# Well-known label keys (https://kubernetes.io/docs/concepts/overview/working-with-objects/common-labels/).
NAME_LABEL = "app.kubernetes.io/name"
INSTANCE_LABEL = "app.kubernetes.io/instance"
COMPONENT_LABEL = "app.kubernetes.io/component"
PART_OF_LABEL = "app.kubernetes.io/part-of"
MANAGED_BY_LABEL = "app.kubernetes.io/managed-by"
# Set by the API server on every namespace since Kubernetes 1.21: selects a namespace by name.
NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name"


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


def checkov_skips(skips: Mapping[str, str]) -> dict[str, str]:
    """checkov's inline-suppression annotations (`checkov.io/skip1: CKV_K8S_xx=reason`).

    Only for findings that are deliberate, each with its reason; the reason travels
    with the object into the ejected manifests.
    """
    return {
        f"checkov.io/skip{index}": f"{check}={reason}"
        for index, (check, reason) in enumerate(sorted(skips.items()), start=1)
    }
