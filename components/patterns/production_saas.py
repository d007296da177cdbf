"""ProductionSaas: AWS with high availability, an edge layer and a disaster-recovery replica."""

from __future__ import annotations

from .saas import SaasPattern


class ProductionSaas(SaasPattern):
    """The production-saas pattern.

    The same blocks as small-saas with production values from the resolved model (three
    zones, a NAT gateway per zone, isolated data subnets, multi-AZ RDS with replicas,
    Redis with failover, CloudFront and WAF). When the manifest lists a second region,
    a second explicit provider pinned to it holds a cross-region read replica of the
    database, encrypted with a key of that region, ready to be promoted.
    """

    component_type = "specql:patterns:ProductionSaas"

    def disaster_recovery_region(self) -> str | None:
        """The second of `platform.regions`, when the manifest lists two."""
        return self.resolved.platform.dr_region
