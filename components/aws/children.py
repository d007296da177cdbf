"""How a block creates its children: their resource options and their `Name` tag.

Naming rule: every child is named `<component name>-<role>` (`shop-prod-db`,
`shop-prod-db-params`), and the component name is the stack prefix plus a fixed
suffix chosen by the pattern. Renaming a role or a component later must add
`aliases=[pulumi.Alias(name=<old>)]` to the stateful children (RDS, S3, ElastiCache,
KMS, ECR) so an upgrade never replaces them."""

from __future__ import annotations

from typing import Any

import pulumi


def stateful(parent: pulumi.Resource, protect: bool, **extra: Any) -> pulumi.ResourceOptions:
    """Options for a resource that holds data: protected and retained in production."""
    return pulumi.ResourceOptions(parent=parent, protect=protect, retain_on_delete=protect, **extra)


def child(parent: pulumi.Resource, **extra: Any) -> pulumi.ResourceOptions:
    """Options for an ordinary child: parented so it inherits the component's provider."""
    return pulumi.ResourceOptions(parent=parent, **extra)


def name_tag(name: str) -> dict[str, str]:
    """The `Name` tag the console shows; the provider's default tags add the rest."""
    return {"Name": name}
