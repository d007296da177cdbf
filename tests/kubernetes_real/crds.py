"""Minimal structural CRDs for the custom resources the program creates, generated here.

The add-ons that own these CRDs (CloudNativePG, cert-manager, kube-prometheus-stack)
come as Helm charts from remote repositories this machine cannot reach, and no
registry it reaches ships their CRD files. So the tier generates, from the program's
own offline capture, one CRD per custom kind with the real group, version, kind,
plural and scope (namespaced when the object has a namespace) and a schema that keeps
`spec` as written (`x-kubernetes-preserve-unknown-fields`).

What that proves: the objects reach the API server under the group, version, kind
and scope the operators serve, are stored, updated and deleted through the real
provider. What it does not prove: that their `spec` passes the operators' own
OpenAPI schemas — the generated schema accepts any `spec`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

MANAGED_BY = {"app.kubernetes.io/managed-by": "specql-deploy-tests"}


def custom_kinds(resources: Iterable[Mapping[str, Any]], served: set[str]) -> dict[tuple[str, str, str], bool]:
    """(group, version, kind) → namespaced, for every object whose apiVersion the server
    does not serve yet (`served`: the apiVersions it does, `apps/v1`, `v1`, ...)."""
    kinds: dict[tuple[str, str, str], bool] = {}
    for resource in resources:
        inputs = resource.get("inputs") or {}
        api_version, kind = inputs.get("apiVersion"), inputs.get("kind")
        if not api_version or not kind or "/" not in api_version or api_version in served:
            continue
        group, version = api_version.split("/", 1)
        namespaced = bool((inputs.get("metadata") or {}).get("namespace"))
        kinds[(group, version, kind)] = kinds.get((group, version, kind), False) or namespaced
    return kinds


def crd(group: str, version: str, kind: str, namespaced: bool) -> dict[str, Any]:
    plural = kind.lower() + "s"
    open_object = {"type": "object", "x-kubernetes-preserve-unknown-fields": True}
    return {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": f"{plural}.{group}", "labels": dict(MANAGED_BY)},
        "spec": {
            "group": group,
            "scope": "Namespaced" if namespaced else "Cluster",
            "names": {"plural": plural, "singular": kind.lower(), "kind": kind, "listKind": f"{kind}List"},
            "versions": [
                {
                    "name": version,
                    "served": True,
                    "storage": True,
                    "schema": {
                        "openAPIV3Schema": {
                            "type": "object",
                            "properties": {"spec": open_object, "status": open_object},
                        }
                    },
                }
            ],
        },
    }


def crd_list(kinds: Mapping[tuple[str, str, str], bool]) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "List",
        "items": [
            crd(group, version, kind, namespaced) for (group, version, kind), namespaced in sorted(kinds.items())
        ],
    }
