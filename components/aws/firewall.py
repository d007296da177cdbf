"""Firewall: the security groups of the entry tier (load balancer) and the application tier."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from ._support import child, name_tag

_ANYWHERE = "0.0.0.0/0"
_HTTPS = 443
_HTTP = 80
_POSTGRES = 5432
_REDIS = 6379


@dataclass(frozen=True)
class FirewallArgs:
    """Arguments of :class:`Firewall`."""

    vpc_id: pulumi.Input[str]
    """VPC the groups belong to. Required."""
    vpc_cidr: str
    """VPC range: the only destination of the tiers' internal traffic. Required."""
    app_port: int
    """Port the application listens on. Required."""
    https: bool = False
    """Open 443 on the load balancer (HTTP then only redirects). Defaults to `False`."""


class Firewall(pulumi.ComponentResource):
    """Two security groups whose rules each carry a description.

    Only the load balancer accepts traffic from the internet, and only on 80 and 443;
    the application accepts its port from the load balancer's group and may reach
    HTTPS (ECR, Secrets Manager, CloudWatch through NAT) and the data tier's ports
    inside the VPC. The database and cache create their own groups that admit the
    application's group alone.
    """

    load_balancer_sg: aws.ec2.SecurityGroup
    app_sg: aws.ec2.SecurityGroup

    def __init__(self, name: str, args: FirewallArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("specql:aws:Firewall", name, None, opts)
        ingress = [_rule(_HTTP, "HTTP from the internet (redirected to HTTPS when there is a domain)",
                         cidr_blocks=[_ANYWHERE])]
        if args.https:
            ingress.append(_rule(_HTTPS, "HTTPS from the internet", cidr_blocks=[_ANYWHERE]))
        self.load_balancer_sg = aws.ec2.SecurityGroup(
            f"{name}-lb-sg",
            description=f"{name} load balancer: HTTP(S) in, application port out",
            vpc_id=args.vpc_id,
            ingress=ingress,
            egress=[_rule(args.app_port, "To the application tasks inside the VPC", cidr_blocks=[args.vpc_cidr])],
            tags=name_tag(f"{name}-lb"),
            opts=child(self),
        )
        self.app_sg = aws.ec2.SecurityGroup(
            f"{name}-app-sg",
            description=f"{name} application tasks: load balancer in, HTTPS and data tier out",
            vpc_id=args.vpc_id,
            ingress=[_rule(args.app_port, "Application port from the load balancer",
                           security_groups=[self.load_balancer_sg.id])],
            egress=[
                _rule(_HTTPS, "HTTPS to AWS APIs and image registries", cidr_blocks=[_ANYWHERE]),
                _rule(_POSTGRES, "PostgreSQL inside the VPC", cidr_blocks=[args.vpc_cidr]),
                _rule(_REDIS, "Redis inside the VPC", cidr_blocks=[args.vpc_cidr]),
            ],
            tags=name_tag(f"{name}-app"),
            opts=child(self),
        )
        self.register_outputs({
            "load_balancer_sg_id": self.load_balancer_sg.id,
            "app_sg_id": self.app_sg.id,
        })


def _rule(port: int, description: str, **sources: object) -> dict[str, object]:
    """One TCP rule on one port, described (every rule says why it exists)."""
    return {"protocol": "tcp", "from_port": port, "to_port": port, "description": description, **sources}


def data_tier_group(
    parent: pulumi.Resource, name: str, vpc_id: pulumi.Input[str], port: int,
    app_sg_id: pulumi.Input[str], what: str,
) -> aws.ec2.SecurityGroup:
    """A data-tier group admitting only the application's group on one port, with no egress."""
    return aws.ec2.SecurityGroup(
        name,
        description=f"{what}: only the application tasks may connect",
        vpc_id=vpc_id,
        ingress=[_rule(port, f"{what} from the application tasks", security_groups=[app_sg_id])],
        egress=[],
        tags=name_tag(name),
        opts=child(parent),
    )
