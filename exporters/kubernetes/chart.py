"""A Helm chart whose templates, with their default values, render the plain manifests.

The templates are the manifests with a few leaves replaced by `{{ .Values.x | toJson }}`
(JSON is valid YAML, so numbers stay numbers and strings stay strings), and values.yaml
holds exactly the leaves taken out. `helm template` with the defaults therefore gives
back the very objects `kubectl apply -f manifests/` creates, and a team can change
replicas, image, resources or host without touching a template.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .manifests import KindFile, dump_documents

Path = tuple[str | int, ...]


@dataclass(frozen=True)
class Knob:
    """One value a chart user may change: where it sits in values.yaml and in the objects."""

    values_path: tuple[str, ...]
    """Path in values.yaml (`image`, `tag`)."""
    description: str
    """Comment written above the key in values.yaml."""
    kind: str
    """Kind of the objects it applies to."""
    object_path: Path
    """Path of the leaf inside each object of that kind."""
    expression: str | None = None
    """Template expression rendering the leaf; defaults to `.Values.<values_path>`."""
    extract: Callable[[Any], Any] | None = None
    """Turns the leaf into the default value (the image reference into its tag, ...)."""
    template: bool = True
    """Replace the leaf in the template (False: the value only feeds another knob's expression)."""

    @property
    def reference(self) -> str:
        return ".Values." + ".".join(self.values_path)


def _image_repository(image: str) -> str:
    return image.rsplit(":", 1)[0] if ":" in image.rsplit("/", 1)[-1] else image


def _image_tag(image: str) -> str:
    return image.rsplit(":", 1)[1] if ":" in image.rsplit("/", 1)[-1] else "latest"


CONTAINER: Path = ("spec", "template", "spec", "containers", 0)
KNOBS: tuple[Knob, ...] = (
    Knob(("namespace",), "Namespace every namespaced object lives in.", "*", ("metadata", "namespace")),
    Knob(("namespace",), "", "Namespace", ("metadata", "name")),
    Knob(
        ("image", "repository"),
        "Application image repository.",
        "Deployment",
        (*CONTAINER, "image"),
        expression='printf "%s:%s" .Values.image.repository .Values.image.tag',
        extract=_image_repository,
    ),
    Knob(
        ("image", "tag"),
        "Image tag: CI sets the git SHA.",
        "Deployment",
        (*CONTAINER, "image"),
        extract=_image_tag,
        template=False,
    ),
    Knob(
        ("replicas",),
        "Pods when no HorizontalPodAutoscaler manages the Deployment.",
        "Deployment",
        ("spec", "replicas"),
    ),
    Knob(
        ("resources",),
        "CPU and memory per application pod (limits equal requests).",
        "Deployment",
        (*CONTAINER, "resources"),
    ),
    Knob(
        ("autoscaling", "minReplicas"),
        "Fewest pods the autoscaler keeps.",
        "HorizontalPodAutoscaler",
        ("spec", "minReplicas"),
    ),
    Knob(
        ("autoscaling", "maxReplicas"),
        "Most pods the autoscaler starts.",
        "HorizontalPodAutoscaler",
        ("spec", "maxReplicas"),
    ),
    Knob(
        ("ingress", "className"),
        "IngressClass of the controller that serves the application.",
        "Ingress",
        ("spec", "ingressClassName"),
    ),
    Knob(("ingress", "host"), "Public host name.", "Ingress", ("spec", "rules", 0, "host")),
    Knob(("ingress", "host"), "", "Ingress", ("spec", "tls", 0, "hosts", 0)),
    Knob(
        ("database", "instances"),
        "PostgreSQL instances: one primary, the rest streaming replicas.",
        "Cluster",
        ("spec", "instances"),
    ),
    Knob(("database", "storage"), "Data volume per PostgreSQL instance.", "Cluster", ("spec", "storage", "size")),
    Knob(("database", "resources"), "CPU and memory per PostgreSQL instance.", "Cluster", ("spec", "resources")),
    Knob(("database", "instances"), "", "PostgresCluster", ("spec", "instances", 0, "replicas")),
    Knob(
        ("database", "storage"),
        "",
        "PostgresCluster",
        ("spec", "instances", 0, "dataVolumeClaimSpec", "resources", "requests", "storage"),
    ),
    Knob(("database", "resources"), "", "PostgresCluster", ("spec", "instances", 0, "resources")),
)


def _get(obj: Any, path: Path) -> Any:
    for step in path:
        if isinstance(step, int):
            if not isinstance(obj, list) or step >= len(obj):
                return _MISSING
        elif not isinstance(obj, dict) or step not in obj:
            return _MISSING
        obj = obj[step]
    return obj


def _set(obj: Any, path: Path, value: Any) -> None:
    for step in path[:-1]:
        obj = obj[step]
    obj[path[-1]] = value


_MISSING = object()


def _applies(knob: Knob, obj: Mapping[str, Any]) -> bool:
    if knob.kind == "*":
        return "namespace" in obj.get("metadata", {})
    return obj["kind"] == knob.kind


def chart_values(files: Sequence[KindFile]) -> dict[str, Any]:
    """values.yaml content: each knob's value as the objects have it (first object wins)."""
    values: dict[str, Any] = {}
    for knob in KNOBS:
        for file in files:
            for obj in file.objects:
                leaf = _get(obj, knob.object_path) if _applies(knob, obj) else _MISSING
                if leaf is _MISSING:
                    continue
                node = values
                for key in knob.values_path[:-1]:
                    node = node.setdefault(key, {})
                node.setdefault(knob.values_path[-1], knob.extract(leaf) if knob.extract else leaf)
    return values


def template_text(file: KindFile, values: Mapping[str, Any]) -> str:
    """The manifest file with every knob's leaf replaced by a template expression."""
    replacements: dict[str, str] = {}
    objects = []
    for obj in file.objects:
        templated = copy.deepcopy(obj)
        for knob in KNOBS:
            if not knob.template or not _applies(knob, obj) or _get(obj, knob.object_path) is _MISSING:
                continue
            if _get_values(values, knob.values_path) is _MISSING:
                continue
            token = f"SPECQL_TEMPLATE_{len(replacements)}"
            replacements[token] = "{{ " + (knob.expression or knob.reference) + " | toJson }}"
            _set(templated, knob.object_path, token)
        objects.append(templated)
    text = literal_braces(dump_documents(objects))
    for token, expression in replacements.items():
        text = text.replace(token, expression)
    return text


def literal_braces(text: str) -> str:
    """Text with every `{{` and `}}` made literal for Go templates (the Grafana dashboards'
    legend formats, `{{job}}`, would otherwise be template actions)."""
    return re.sub(r"\{\{|\}\}", lambda match: '{{ "' + match.group() + '" }}', text)


def _get_values(values: Mapping[str, Any], path: tuple[str, ...]) -> Any:
    node: Any = values
    for key in path:
        if not isinstance(node, Mapping) or key not in node:
            return _MISSING
        node = node[key]
    return node


def values_yaml(values: Mapping[str, Any]) -> str:
    """values.yaml with a comment above every documented key (JSON scalars are valid YAML)."""
    descriptions = {knob.values_path: knob.description for knob in KNOBS if knob.description}
    lines: list[str] = []

    def emit(node: Mapping[str, Any], prefix: tuple[str, ...], indent: int) -> None:
        pad = "  " * indent
        for key, value in node.items():
            path = (*prefix, key)
            if path in descriptions:
                lines.append(f"{pad}# {descriptions[path]}")
            if isinstance(value, Mapping):
                lines.append(f"{pad}{key}:")
                emit(value, path, indent + 1)
            else:
                lines.append(f"{pad}{key}: {json.dumps(value)}")

    emit(values, (), 0)
    return "\n".join(lines) + "\n"
