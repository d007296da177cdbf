"""Security groups and their rules, created by the block that runs what each group guards.

Every block owns the group attached to its own resources (the load balancer's, the
tasks', the database's, the cache's), so a group and what it protects are always read
together. A rule that admits one block into another is a separate ingress rule owned
by the client (the service admits itself into the database's group), which keeps the
dependencies pointing one way: data stores and the load balancer never wait for the
service.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from ...program.catalogue import PORTS
from .children import child, name_tag

_ANYWHERE = "0.0.0.0/0"
_HTTPS = PORTS["https"]
_HTTP = PORTS["http"]
_POSTGRES = PORTS["postgres"]
_REDIS = PORTS["redis"]
CLOUDFRONT_ORIGIN_FACING = "com.amazonaws.global.cloudfront.origin-facing"
"""AWS-managed prefix list of the addresses CloudFront uses to reach origins (per region)."""


@dataclass(frozen=True)
class DataStoreAccess:
    """A data store's group that the application's group is admitted into."""

    security_group_id: pulumi.Input[str]
    """The data store's security group. Required."""
    port: int
    """The port it serves on. Required."""
    what: str
    """Its engine, for names and descriptions (`PostgreSQL`, `Redis`). Required."""


def rule(port: int, description: str, **sources: object) -> dict[str, object]:
    """One TCP rule on one port, described (every rule says why it exists)."""
    return {"protocol": "tcp", "from_port": port, "to_port": port, "description": description, **sources}


def load_balancer_group(
    parent: pulumi.Resource,
    name: str,
    vpc_id: pulumi.Input[str],
    vpc_cidr: str,
    app_port: int,
    https: bool,
    cdn_prefix_list_id: pulumi.Input[str] | None = None,
    plain_http: bool = True,
) -> aws.ec2.SecurityGroup:
    """Internet in on 80 (and 443 with HTTPS) only; out only to the application port inside the VPC.

    ``plain_http`` `False` leaves port 80 closed (a Network Load Balancer with a domain
    cannot redirect it to HTTPS). Defaults to `True`.

    Behind a CDN (`cdn_prefix_list_id`), only CloudFront's origin-facing addresses may
    connect, on the one port CloudFront uses (443 with HTTPS, else 80), so nobody goes
    around the CDN. One rule: the prefix list counts as dozens against the group's quota.
    """
    if cdn_prefix_list_id is not None:
        port, scheme = (_HTTPS, "HTTPS") if https else (_HTTP, "HTTP")
        ingress = [
            rule(
                port, f"{scheme} from the CloudFront origin-facing addresses only", prefix_list_ids=[cdn_prefix_list_id]
            )
        ]
    else:
        ingress = (
            [
                rule(
                    _HTTP,
                    "HTTP from the internet (redirected to HTTPS when there is a domain)",
                    cidr_blocks=[_ANYWHERE],
                )
            ]
            if plain_http
            else []
        )
        if https:
            ingress.append(rule(_HTTPS, "HTTPS from the internet", cidr_blocks=[_ANYWHERE]))
    return aws.ec2.SecurityGroup(
        name,
        description=f"{name}: HTTP(S) in, application port out",
        vpc_id=vpc_id,
        ingress=ingress,
        egress=[rule(app_port, "To the application tasks inside the VPC", cidr_blocks=[vpc_cidr])],
        tags=name_tag(name),
        opts=child(parent),
    )


def application_group(
    parent: pulumi.Resource,
    name: str,
    vpc_id: pulumi.Input[str],
    vpc_cidr: str,
    app_port: int,
    load_balancer_group_id: pulumi.Input[str],
) -> aws.ec2.SecurityGroup:
    """The load balancer's group in on the application port; out to HTTPS and the data tier's ports."""
    return aws.ec2.SecurityGroup(
        name,
        description=f"{name}: load balancer in, HTTPS and data tier out",
        vpc_id=vpc_id,
        ingress=[rule(app_port, "Application port from the load balancer", security_groups=[load_balancer_group_id])],
        egress=[
            rule(_HTTPS, "HTTPS to AWS APIs and image registries", cidr_blocks=[_ANYWHERE]),
            rule(_POSTGRES, "PostgreSQL inside the VPC", cidr_blocks=[vpc_cidr]),
            rule(_REDIS, "Redis inside the VPC", cidr_blocks=[vpc_cidr]),
        ],
        tags=name_tag(name),
        opts=child(parent),
    )


def data_tier_group(parent: pulumi.Resource, name: str, vpc_id: pulumi.Input[str], what: str) -> aws.ec2.SecurityGroup:
    """A data store's group: no egress, and no client until one admits itself (see :func:`admit`).

    `ingress` stays unset rather than empty: an empty list would make the group own its
    rules and delete the clients' separate ones on every update.
    """
    return aws.ec2.SecurityGroup(
        name,
        description=f"{what}: only the clients admitted by their own rules may connect",
        vpc_id=vpc_id,
        egress=[],
        tags=name_tag(name),
        opts=child(parent),
    )


def admit(
    parent: pulumi.Resource, name: str, client_group_id: pulumi.Input[str], store: DataStoreAccess
) -> aws.vpc.SecurityGroupIngressRule:
    """Let one client group into a data store's group on its port (owned by the client)."""
    return aws.vpc.SecurityGroupIngressRule(
        name,
        security_group_id=store.security_group_id,
        referenced_security_group_id=client_group_id,
        ip_protocol="tcp",
        from_port=store.port,
        to_port=store.port,
        description=f"{store.what} from the application tasks",
        tags=name_tag(name),
        opts=child(parent),
    )


def cloudfront_prefix_list_id(parent: pulumi.Resource) -> pulumi.Output[str]:
    """The id of CloudFront's origin-facing prefix list in the parent's region."""
    result = aws.ec2.get_managed_prefix_list_output(
        name=CLOUDFRONT_ORIGIN_FACING, opts=pulumi.InvokeOutputOptions(parent=parent)
    )
    return result.id
