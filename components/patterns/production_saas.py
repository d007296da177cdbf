"""ProductionSaas: AWS with high availability, an edge layer and a disaster-recovery replica."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pulumi

from ..aws.saas import SaasParts, compose_saas

if TYPE_CHECKING:
    from ...program.model import ResolvedDeployment


class ProductionSaas(pulumi.ComponentResource):
    """The production-saas pattern.

    The same blocks as small-saas with production values from the resolved model (three
    zones, a NAT gateway per zone, isolated data subnets, multi-AZ RDS with replicas,
    Redis with failover, CloudFront and WAF). When the manifest lists a second region,
    a second explicit provider pinned to it holds a cross-region read replica of the
    database, encrypted with a key of that region, ready to be promoted.
    """

    parts: SaasParts

    def __init__(self, name: str, resolved: ResolvedDeployment, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("specql:patterns:ProductionSaas", name, None, opts)
        self.parts = compose_saas(self, name, resolved, allow_dr=True)
        self.register_outputs(self.stack_outputs())

    def stack_outputs(self) -> dict[str, pulumi.Output[Any]]:
        """URL, database endpoints (primary and DR), cluster and service names, image repository URL."""
        return self.parts.stack_outputs()
