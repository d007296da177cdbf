"""The ResourceGraph: every resource a Pulumi program registers, as plain data.

It is the shared input of the offline preview, the cost estimate, the OpenTofu
exporter and the Kubernetes exporter: what they show is what the program actually
declares, so they cannot drift from `specql deploy up`. :mod:`.mocks` fills it by
running the program under recording mocks.

Each :class:`CapturedResource` keeps its inputs as the engine receives them
(camelCase). Secret inputs are kept, marked by path in ``secret_paths``, so a viewer
can mask them and an exporter can turn them into sensitive variables.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

MASK = "[secret]"
"""What a secret input or output shows instead of its value."""


@dataclass(frozen=True)
class CapturedResource:
    """One resource as the engine would receive it."""

    type: str
    name: str
    urn: str
    parent: str | None
    dependencies: tuple[str, ...]
    inputs: Mapping[str, Any]
    provider: str | None
    """URN of the explicit provider, if one was passed."""
    custom: bool
    """False for ComponentResources (they have no cloud counterpart)."""
    protect: bool = False
    retain_on_delete: bool = False
    secret_paths: tuple[str, ...] = ()
    """Dotted paths of inputs that are Pulumi secrets."""
    output_names: tuple[str, ...] = ()
    """Output property names of the resource class (empty when unknown)."""
    list_outputs: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """Output properties typed as a list of objects (`masterUserSecrets`) → the field names
    of one such object (`secretArn`, ...), all as the engine spells them."""

    @property
    def is_provider(self) -> bool:
        return self.type.startswith("pulumi:providers:")

    def public_inputs(self) -> dict[str, Any]:
        """Inputs with every secret replaced by a mask: safe to print."""
        return _mask(dict(self.inputs), set(self.secret_paths), "")


@dataclass(frozen=True)
class ResourceGraph:
    """Every resource a program registers, in registration order."""

    resources: tuple[CapturedResource, ...]
    outputs: Mapping[str, Any] = field(default_factory=dict)

    def of_type(self, type_token: str) -> list[CapturedResource]:
        return [resource for resource in self.resources if resource.type == type_token]

    def named(self, name: str) -> CapturedResource:
        for resource in self.resources:
            if resource.name == name:
                return resource
        raise KeyError(name)

    def by_urn(self) -> dict[str, CapturedResource]:
        return {resource.urn: resource for resource in self.resources}

    def children(self, urn: str) -> list[CapturedResource]:
        return [resource for resource in self.resources if resource.parent == urn]

    def top_component(self, resource: CapturedResource) -> CapturedResource | None:
        """The outermost component below the pattern component that holds a resource."""
        index = self.by_urn()
        chain: list[CapturedResource] = []
        node: CapturedResource | None = resource
        while node is not None:
            chain.append(node)
            node = index.get(node.parent) if node.parent else None
        components = [item for item in chain if not item.custom]
        # chain ends at the pattern component (root-most); the one below it is the module.
        if len(components) >= 2:
            return components[-2]
        return components[-1] if components else None

    def counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for resource in self.resources:
            counts[resource.type] = counts.get(resource.type, 0) + 1
        return dict(sorted(counts.items()))

    def in_tree_order(self) -> list[CapturedResource]:
        """Parents before children, siblings by name (numbers compared as numbers).

        The engine registers resources as their inputs resolve, so registration order
        differs between runs; anything written from the graph in this order diffs cleanly.
        """
        index = self.by_urn()

        def path(resource: CapturedResource) -> list[Any]:
            chain: list[Any] = []
            node: CapturedResource | None = resource
            while node is not None:
                chain.append((natural_key(node.name), node.type))
                node = index.get(node.parent) if node.parent else None
            return list(reversed(chain))

        return sorted(self.resources, key=path)

    def to_json(self) -> dict[str, Any]:
        """The offline preview contract: resources (in tree order) with camelCase inputs, and a summary."""
        resources = [
            {
                "type": resource.type,
                "name": resource.name,
                "urn": resource.urn,
                "parent": resource.parent,
                "inputs": resource.public_inputs(),
            }
            for resource in self.in_tree_order()
        ]
        custom = [resource for resource in self.resources if resource.custom and not resource.is_provider]
        return {
            "resources": resources,
            "summary": {
                "total": len(self.resources),
                "resources": len(custom),
                "components": sum(1 for r in self.resources if not r.custom and not r.is_provider),
                "providers": sum(1 for r in self.resources if r.is_provider),
                "protected": sum(1 for r in self.resources if r.protect),
                "by_type": self.counts(),
            },
        }


def natural_key(text: str) -> list[Any]:
    """`db-replica-10` after `db-replica-2`: digit runs compare as numbers."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", text)]


def _mask(value: Any, secret_paths: set[str], path: str) -> Any:
    if path in secret_paths:
        return MASK
    if isinstance(value, dict):
        return {key: _mask(item, secret_paths, f"{path}.{key}" if path else key) for key, item in value.items()}
    if isinstance(value, list):
        return [_mask(item, secret_paths, f"{path}[{index}]") for index, item in enumerate(value)]
    return value


def iter_custom(graph: ResourceGraph) -> Iterable[CapturedResource]:
    """Cloud resources only: no components, no providers."""
    return (resource for resource in graph.resources if resource.custom and not resource.is_provider)
