"""Plain Kubernetes manifests from the captured program: one file per kind, in apply order.

The objects are the `kubernetes:*` resources the Pulumi program registers, with the
inputs the engine would send (apiVersion, kind, metadata, spec), so `kubectl apply`
creates exactly what `specql deploy up` creates. Helm releases become documented
`helm upgrade --install` commands instead (they are not manifests), and Secrets are
left out: their values never leave the secrets store, and the README shows the
`kubectl create secret` command that makes them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import yaml

from ...program.building_blocks import YAML_LINE_WIDTH

# Apply order: the namespace first, then what pods need, then what needs CRDs from the
# add-ons; `kubectl apply -f DIR` goes by file name.
APPLY_PHASES: tuple[tuple[str, ...], ...] = (
    ("Namespace",),
    ("ServiceAccount", "ConfigMap"),
    ("Service",),
    ("Deployment", "HorizontalPodAutoscaler", "PodDisruptionBudget"),
    ("NetworkPolicy",),
    ("ClusterIssuer", "Ingress"),
    ("Cluster|PostgresCluster", "ScheduledBackup"),
    ("ServiceMonitor", "PodMonitor", "PrometheusRule"),
)
"""Kinds in apply order: a file is `<phase><position>-<kind>.yaml` (`31-horizontalpodautoscaler`);
`A|B` are alternatives at one position (the two operators' clusters)."""


def kind_order(kind: str) -> str:
    """The two-digit prefix that orders a kind's file; kinds not listed come after every phase."""
    for phase, kinds in enumerate(APPLY_PHASES):
        for position, names in enumerate(kinds):
            if kind in names.split("|"):
                return f"{phase}{position}"
    return f"{len(APPLY_PHASES) + 1}0"


HELM_RELEASE = "kubernetes:helm.sh/v3:Release"
SECRET = "kubernetes:core/v1:Secret"
TOP_KEYS = ("apiVersion", "kind", "metadata")


@dataclass(frozen=True)
class KindFile:
    """One manifest file: every object of one kind."""

    kind: str
    stem: str
    """File name without extension (`30-deployment`)."""
    objects: tuple[dict[str, Any], ...]


@dataclass(frozen=True)
class AddonRelease:
    """A Helm release the program installs, as a `helm` command needs it."""

    name: str
    chart: str
    version: str
    repository: str | None
    namespace: str
    values: Mapping[str, Any]


@dataclass(frozen=True)
class StackSecret:
    """A Secret the program fills from Pulumi secrets: its name and keys, never its values."""

    name: str
    namespace: str
    keys: tuple[str, ...]


def is_manifest_resource(resource: Any) -> bool:
    return (
        resource.custom
        and resource.type.startswith("kubernetes:")
        and resource.type not in (HELM_RELEASE, SECRET)
        and "kind" in resource.inputs
    )


def kubernetes_object(inputs: Mapping[str, Any]) -> dict[str, Any]:
    """The object as the API server takes it: apiVersion, kind, metadata first, every
    other key sorted (the engine's wire format keeps no order; files must be stable)."""
    ordered = {key: _sorted(inputs[key]) for key in TOP_KEYS if key in inputs}
    ordered.update(
        {key: _sorted(inputs[key]) for key in sorted(inputs) if key not in TOP_KEYS and inputs[key] is not None}
    )
    return ordered


def _sorted(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {key: _sorted(value[key]) for key in sorted(value)}
    if isinstance(value, list):
        return [_sorted(item) for item in value]
    return value


def kind_files(resources: Iterable[Any]) -> list[KindFile]:
    """Objects grouped by kind, files in apply order, objects sorted by namespace and name."""
    by_kind: dict[str, list[dict[str, Any]]] = {}
    for resource in resources:
        if not is_manifest_resource(resource):
            continue
        if resource.secret_paths:
            raise ValueError(
                f"{resource.name}: a manifest object holds secret inputs ({', '.join(resource.secret_paths)})"
            )
        obj = kubernetes_object(resource.inputs)
        by_kind.setdefault(obj["kind"], []).append(obj)
    files = []
    for kind, objects in by_kind.items():
        objects.sort(key=lambda obj: (obj["metadata"].get("namespace", ""), obj["metadata"]["name"]))
        files.append(KindFile(kind=kind, stem=f"{kind_order(kind)}-{kind.lower()}", objects=tuple(objects)))
    return sorted(files, key=lambda file: file.stem)


def addon_releases(resources: Iterable[Any]) -> list[AddonRelease]:
    releases = []
    for resource in resources:
        if resource.type != HELM_RELEASE:
            continue
        inputs = resource.inputs
        releases.append(
            AddonRelease(
                name=inputs.get("name", resource.name),
                chart=inputs["chart"],
                version=inputs["version"],
                repository=(inputs.get("repositoryOpts") or {}).get("repo"),
                namespace=inputs["namespace"],
                values=inputs.get("values") or {},
            )
        )
    return releases


def stack_secrets(resources: Iterable[Any]) -> list[StackSecret]:
    secrets = []
    for resource in resources:
        if resource.type != SECRET:
            continue
        metadata = resource.inputs.get("metadata", {})
        data = {**(resource.inputs.get("data") or {}), **(resource.inputs.get("stringData") or {})}
        secrets.append(
            StackSecret(name=metadata["name"], namespace=metadata.get("namespace", "default"), keys=tuple(sorted(data)))
        )
    return secrets


def flat_values(values: Mapping[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    """Nested Helm values as `--set` pairs (`crds.enabled`, True)."""
    pairs: list[tuple[str, Any]] = []
    for key, value in values.items():
        path = f"{prefix}.{key}" if prefix else key
        if isinstance(value, Mapping) and value:
            pairs.extend(flat_values(value, path))
        else:
            pairs.append((path, value))
    return pairs


def helm_command(release: AddonRelease, files: Mapping[str, str] | None = None) -> str:
    """The `helm upgrade --install` of a release: scalars as `--set`, lists as `--set-json`,
    and a text the eject also writes as `--set-file` of that file (`files`: text → path)."""
    parts = [f"helm upgrade --install {release.name} {release.chart}"]
    if release.repository:
        parts.append(f"--repo {release.repository}")
    parts.append(f"--version {release.version}")
    parts.append(f"--namespace {release.namespace} --create-namespace --atomic")
    for path, value in flat_values(release.values):
        if isinstance(value, str) and files and value in files:
            parts.append(f"--set-file {path}={files[value]}")
        elif isinstance(value, list):
            parts.append(f"--set-json '{path}={json.dumps(value, separators=(',', ':'))}'")
        elif isinstance(value, str) and ("\n" in value or "," in value):
            raise ValueError(f"{release.name}: the value of {path} cannot be written as --set")
        else:
            text = str(value).lower() if isinstance(value, bool) else str(value)
            parts.append(f"--set {path}={text}")
    return " \\\n    ".join(parts)


def dump_documents(objects: Iterable[Mapping[str, Any]]) -> str:
    """YAML documents separated by `---`, keys in the order given."""
    return "---\n".join(
        yaml.safe_dump(dict(obj), sort_keys=False, default_flow_style=False, width=YAML_LINE_WIDTH) for obj in objects
    )
