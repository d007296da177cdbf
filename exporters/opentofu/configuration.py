"""The OpenTofu configuration model the translator builds and the file writers read:
modules, resources, variables, outputs and providers."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .hcl import Block

if TYPE_CHECKING:
    from ...capture import CapturedResource, ResourceGraph
    from ...program.model import ResolvedDeployment

ROOT = ""


@dataclass
class Variable:
    name: str
    type: str
    description: str
    default: Any = None
    has_default: bool = False
    sensitive: bool = False


@dataclass
class OutputValue:
    name: str
    value: Any
    description: str
    sensitive: bool = False


@dataclass
class TfResource:
    captured: CapturedResource
    type: str
    label: str
    module: str
    alias: str | None
    """Provider alias (None: the module's default aws provider)."""

    @property
    def address(self) -> str:
        return f"{self.type}.{self.label}"


@dataclass
class Module:
    name: str
    component: str
    """Name of the Pulumi component the module comes from (empty for the root)."""
    component_type: str = ""
    resources: list[TfResource] = field(default_factory=list)
    variables: dict[str, Variable] = field(default_factory=dict)
    outputs: dict[str, OutputValue] = field(default_factory=dict)
    arguments: dict[str, Any] = field(default_factory=dict)
    """Root-side values of the module's variables (`vpc_id = module.networking.vpc_id`)."""
    data: set[str] = field(default_factory=set)
    """`kind.label` of each data source the module reads."""
    aliases: set[str | None] = field(default_factory=set)
    body: list[Block] = field(default_factory=list)
    depends_on: set[str] = field(default_factory=set)
    """Modules this one must wait for beyond its references (Pulumi `depends_on` across components)."""


@dataclass
class Provider:
    urn: str
    name: str
    alias: str | None
    region_var: str
    inputs: Mapping[str, Any]


@dataclass
class Configuration:
    """Everything the file writers need."""

    modules: dict[str, Module]
    root: Module
    providers: list[Provider]
    graph: ResourceGraph
    resolved: ResolvedDeployment
    uses_random: bool = False

    def all_resources(self) -> list[TfResource]:
        return [resource for module in [self.root, *self.modules.values()] for resource in module.resources]
