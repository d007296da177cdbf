"""SmallSaas: an MVP on AWS — ECS Fargate behind an ALB, RDS PostgreSQL, one NAT gateway."""

from __future__ import annotations

from .saas import SaasPattern


class SmallSaas(SaasPattern):
    """The small-saas pattern: every block in one region, sized by the resolved model.

    A disaster-recovery region is not part of this pattern: a second listed region is
    ignored (:meth:`~.saas.SaasPattern.disaster_recovery_region` stays off).
    """

    component_type = "specql:patterns:SmallSaas"
