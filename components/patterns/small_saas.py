"""SmallSaas: an MVP on AWS — ECS Fargate behind an ALB, RDS PostgreSQL, one NAT gateway."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pulumi

from ..aws.saas import SaasParts, compose_saas

if TYPE_CHECKING:
    from ...program.model import ResolvedDeployment


class SmallSaas(pulumi.ComponentResource):
    """The small-saas pattern: every block in one region, sized by the resolved model.

    It creates one explicit AWS provider for `platform.region` (tagging every resource
    with `resolved.tags()`) and passes it to its children, so nothing depends on the
    ambient AWS configuration. A disaster-recovery region is not part of this pattern.
    """

    parts: SaasParts

    def __init__(self, name: str, resolved: ResolvedDeployment, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("specql:patterns:SmallSaas", name, None, opts)
        self.parts = compose_saas(self, name, resolved, allow_dr=False)
        self.register_outputs(self.stack_outputs())

    def stack_outputs(self) -> dict[str, pulumi.Output[Any]]:
        """URL, database endpoint, cluster and service names, image repository URL."""
        return self.parts.stack_outputs()
