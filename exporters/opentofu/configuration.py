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
    family: str | None = None
    """Label of the `count` block this resource is one copy of (`private` for `private_1`)."""
    index: int | None = None
    """Which copy (`count.index`) it is."""

    @property
    def ephemeral(self) -> bool:
        from .mapping import EPHEMERAL_TYPES

        return self.type in EPHEMERAL_TYPES

    @property
    def address(self) -> str:
        if self.family is not None:
            return f"{self.type}.{self.family}[{self.index}]"
        return f"ephemeral.{self.type}.{self.label}" if self.ephemeral else f"{self.type}.{self.label}"

    @property
    def root_address(self) -> str:
        """The address seen from the root module (`module.<module>.` before :attr:`address`)."""
        return f"module.{self.module}.{self.address}" if self.module != ROOT else self.address

    @property
    def family_address(self) -> str | None:
        return f"{self.type}.{self.family}" if self.family is not None else None


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
    body: list[Block | None] = field(default_factory=list)
    """One block per resource, aligned with `resources`; None for the later copies of a `count` family."""
    depends_on: set[str] = field(default_factory=set)
    """Modules this one must wait for beyond its references (Pulumi `depends_on` across components)."""
    data_arguments: dict[str, dict[str, Any]] = field(default_factory=dict)
    """`kind.label` → arguments of a data source this configuration adds (the zones of a region)."""
    zone_indices: set[int] = field(default_factory=set)
    """Positions in `var.azs` the module's resources use."""
    zone_label: str = ""
    """Label of the root's `aws_availability_zones` data source that feeds `var.azs`."""


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

    def all_resources(self) -> list[TfResource]:
        return [resource for module in [self.root, *self.modules.values()] for resource in module.resources]

    def addresses(self) -> dict[str, str]:
        """URN of each resource the configuration manages → its address from the root module
        (`module.networking.aws_subnet.private[1]`), as `import` blocks and `tofu state` name it.

        Ephemeral resources (a generated password) are in no state, so they have none.
        """
        return {
            resource.captured.urn: resource.root_address for resource in self.all_resources() if not resource.ephemeral
        }
