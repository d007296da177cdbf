"""Network: a VPC over N zones with public, private and (optionally) isolated subnets."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import pulumi
import pulumi_aws as aws

from ...program.building_blocks import (
    DR_AVAILABILITY_ZONES,
    NO_NAT_INTERFACE_ENDPOINTS,
    VPC_FLOW_LOG_AGGREGATION_SECONDS,
    VPC_SUBNET_EXTRA_BITS,
    VPC_TIER_FIRST_SUBNET,
)
from ...program.catalogue import PORTS
from .children import child, name_tag
from .outputs import concat
from .policies import assume_role_policy, policy_document

if TYPE_CHECKING:
    from ...program.model import ResolvedDeployment

NatStrategy = Literal["none", "single", "one-per-az"]
"""How private subnets reach the internet.

- `none`: no NAT gateway; private subnets have no route out (cheapest, for isolated work).
- `single`: one NAT gateway in the first zone (small-saas: ~$33/month).
- `one-per-az`: one NAT gateway per zone, recommended for production: a zone outage
  never cuts the other zones' outbound traffic.
"""


@dataclass(frozen=True)
class NetworkArgs:
    """Arguments of :class:`Network`."""

    region: str
    """Region of the VPC. Required."""
    availability_zones: int
    """How many of the region's zones the VPC spans (the first ones, in AWS's order); one
    subnet per tier per zone. Required (at least two for an ALB)."""
    cidr: str
    """VPC address range. Required."""
    nat_strategy: NatStrategy
    """NAT gateways for private subnets (see :data:`NatStrategy`). Required."""
    isolated_subnets: bool
    """Add a third tier with no route out, for the database and cache. Required."""
    flow_logs: bool
    """Record all VPC traffic in a CloudWatch log group. Required."""
    log_retention_days: int
    """Days the flow-log group keeps records. Required."""
    kms_key_arn: pulumi.Input[str] | None = None
    """Key encrypting the flow-log group. Defaults to `None` (required when `flow_logs`)."""
    interface_endpoints: tuple[str, ...] = ()
    """AWS services (`ecr.api`, `logs`, ...) reached from private subnets through interface
    endpoints, for networks without NAT. Defaults to `()`."""

    def __post_init__(self) -> None:
        if self.availability_zones < 1:
            raise ValueError("`availability_zones` needs at least one zone")
        most = VPC_TIER_FIRST_SUBNET["private"] - VPC_TIER_FIRST_SUBNET["public"]  # subnets per tier
        if self.availability_zones > most:
            raise ValueError(f"`availability_zones` holds at most {most} zones")
        if self.flow_logs and self.kms_key_arn is None:
            raise ValueError("`flow_logs` needs `kms_key_arn` to encrypt the log group")


def subnet_cidrs(cidr: str, tier: str, zones: int) -> tuple[str, ...]:
    """The CIDR blocks of one tier: the tier's block of /(prefix+5) subnets, one per zone."""
    network = ipaddress.ip_network(cidr)
    blocks = list(network.subnets(prefixlen_diff=VPC_SUBNET_EXTRA_BITS))
    offset = VPC_TIER_FIRST_SUBNET[tier]
    return tuple(str(block) for block in blocks[offset : offset + zones])


def nat_count(strategy: NatStrategy, zones: int) -> int:
    """How many NAT gateways a strategy creates."""
    return {"none": 0, "single": 1, "one-per-az": zones}[strategy]


class Network(pulumi.ComponentResource):
    """The VPC every AWS pattern runs in.

    Public subnets hold only the load balancer and NAT gateways and never hand out
    public addresses; tasks run in private subnets; isolated subnets (no route to the
    internet at all) hold the data tier in production. The default security group is
    emptied so nothing can join it by accident, and S3 traffic stays on the AWS
    network through a gateway endpoint (free, and it spares NAT charges).
    """

    vpc: aws.ec2.Vpc
    vpc_id: pulumi.Output[str]
    public_subnet_ids: list[pulumi.Output[str]]
    private_subnet_ids: list[pulumi.Output[str]]
    data_subnet_ids: list[pulumi.Output[str]]
    """Where the database and cache go: the isolated tier when there is one, else private."""

    def __init__(self, name: str, args: NetworkArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("specql:aws:Network", name, None, opts)
        # The region's real zones, not guessed letters: a new region may name them
        # differently. The first N as AWS lists them (by name); no `state` filter, so a zone
        # that is impaired for a while never shifts the list and moves a subnet.
        available = aws.get_availability_zones_output(opts=pulumi.InvokeOutputOptions(parent=self))
        zones = [available.names[index] for index in range(args.availability_zones)]
        self.vpc = aws.ec2.Vpc(
            f"{name}-vpc",
            cidr_block=args.cidr,
            enable_dns_hostnames=True,
            enable_dns_support=True,
            tags=name_tag(f"{name}-vpc"),
            opts=child(self),
        )
        self.vpc_id = self.vpc.id
        aws.ec2.DefaultSecurityGroup(
            f"{name}-default-sg",
            vpc_id=self.vpc.id,
            ingress=[],
            egress=[],
            tags=name_tag(f"{name}-default-locked"),
            opts=child(self),
        )
        igw = aws.ec2.InternetGateway(f"{name}-igw", vpc_id=self.vpc.id, tags=name_tag(f"{name}-igw"), opts=child(self))

        public = self._subnets(name, "public", args, zones)
        private = self._subnets(name, "private", args, zones)
        isolated = self._subnets(name, "isolated", args, zones) if args.isolated_subnets else []

        public_rt = aws.ec2.RouteTable(
            f"{name}-public-rt", vpc_id=self.vpc.id, tags=name_tag(f"{name}-public"), opts=child(self)
        )
        aws.ec2.Route(
            f"{name}-public-default",
            route_table_id=public_rt.id,
            destination_cidr_block="0.0.0.0/0",
            gateway_id=igw.id,
            opts=child(self),
        )
        for index, subnet in enumerate(public):
            aws.ec2.RouteTableAssociation(
                f"{name}-public-{index}", subnet_id=subnet.id, route_table_id=public_rt.id, opts=child(self)
            )

        nats = []
        for index in range(nat_count(args.nat_strategy, len(zones))):
            eip = aws.ec2.Eip(
                f"{name}-nat-eip-{index}", domain="vpc", tags=name_tag(f"{name}-nat-{index}"), opts=child(self)
            )
            nats.append(
                aws.ec2.NatGateway(
                    f"{name}-nat-{index}",
                    allocation_id=eip.id,
                    subnet_id=public[index].id,
                    tags=name_tag(f"{name}-nat-{index}"),
                    opts=child(self, depends_on=[igw]),
                )
            )

        route_tables = [public_rt]
        for index, subnet in enumerate(private):
            table = aws.ec2.RouteTable(
                f"{name}-private-rt-{index}",
                vpc_id=self.vpc.id,
                tags={"Name": concat(f"{name}-private-", zones[index])},
                opts=child(self),
            )
            if nats:
                aws.ec2.Route(
                    f"{name}-private-default-{index}",
                    route_table_id=table.id,
                    destination_cidr_block="0.0.0.0/0",
                    nat_gateway_id=nats[index % len(nats)].id,
                    opts=child(self),
                )
            aws.ec2.RouteTableAssociation(
                f"{name}-private-{index}", subnet_id=subnet.id, route_table_id=table.id, opts=child(self)
            )
            route_tables.append(table)

        if isolated:
            isolated_rt = aws.ec2.RouteTable(
                f"{name}-isolated-rt", vpc_id=self.vpc.id, tags=name_tag(f"{name}-isolated"), opts=child(self)
            )
            for index, subnet in enumerate(isolated):
                aws.ec2.RouteTableAssociation(
                    f"{name}-isolated-{index}", subnet_id=subnet.id, route_table_id=isolated_rt.id, opts=child(self)
                )
            route_tables.append(isolated_rt)

        aws.ec2.VpcEndpoint(
            f"{name}-s3-endpoint",
            vpc_id=self.vpc.id,
            service_name=f"com.amazonaws.{args.region}.s3",
            vpc_endpoint_type="Gateway",
            route_table_ids=[table.id for table in route_tables],
            tags=name_tag(f"{name}-s3"),
            opts=child(self),
        )

        if args.interface_endpoints:
            self._interface_endpoints(name, args, [subnet.id for subnet in private])
        if args.flow_logs:
            self._flow_logs(name, args)

        self.public_subnet_ids = [subnet.id for subnet in public]
        self.private_subnet_ids = [subnet.id for subnet in private]
        self.data_subnet_ids = [subnet.id for subnet in (isolated or private)]
        self.register_outputs(
            {
                "vpc_id": self.vpc_id,
                "public_subnet_ids": self.public_subnet_ids,
                "private_subnet_ids": self.private_subnet_ids,
                "data_subnet_ids": self.data_subnet_ids,
            }
        )

    def _subnets(
        self, name: str, tier: str, args: NetworkArgs, zones: list[pulumi.Output[str]]
    ) -> list[aws.ec2.Subnet]:
        cidrs = subnet_cidrs(args.cidr, tier, len(zones))
        return [
            aws.ec2.Subnet(
                f"{name}-{tier}-{index}",
                vpc_id=self.vpc.id,
                cidr_block=cidr,
                availability_zone=zone,
                map_public_ip_on_launch=False,
                tags={"Name": concat(f"{name}-{tier}-", zone), "Tier": tier},
                opts=child(self),
            )
            for index, (zone, cidr) in enumerate(zip(zones, cidrs, strict=True))
        ]

    def _interface_endpoints(self, name: str, args: NetworkArgs, subnet_ids: list[pulumi.Output[str]]) -> None:
        """Private DNS names for AWS APIs inside the VPC: what tasks need when there is no NAT."""
        group = aws.ec2.SecurityGroup(
            f"{name}-endpoints-sg",
            description=f"{name} interface endpoints: HTTPS from inside the VPC",
            vpc_id=self.vpc.id,
            ingress=[
                {
                    "protocol": "tcp",
                    "from_port": PORTS["https"],
                    "to_port": PORTS["https"],
                    "cidr_blocks": [args.cidr],
                    "description": "HTTPS to AWS APIs from inside the VPC",
                }
            ],
            egress=[],
            tags=name_tag(f"{name}-endpoints"),
            opts=child(self),
        )
        for service in args.interface_endpoints:
            aws.ec2.VpcEndpoint(
                f"{name}-{service.replace('.', '-')}-endpoint",
                vpc_id=self.vpc.id,
                service_name=f"com.amazonaws.{args.region}.{service}",
                vpc_endpoint_type="Interface",
                subnet_ids=subnet_ids,
                security_group_ids=[group.id],
                private_dns_enabled=True,
                tags=name_tag(f"{name}-{service}"),
                opts=child(self),
            )

    def _flow_logs(self, name: str, args: NetworkArgs) -> None:
        """All accepted and rejected traffic to an encrypted log group, through a narrow role."""
        group = aws.cloudwatch.LogGroup(
            f"{name}-flow-logs",
            name=f"/aws/vpc/{name}/flow-logs",
            retention_in_days=args.log_retention_days,
            kms_key_id=args.kms_key_arn,
            opts=child(self),
        )
        role = aws.iam.Role(
            f"{name}-flow-logs-role",
            assume_role_policy=assume_role_policy("vpc-flow-logs.amazonaws.com"),
            opts=child(self),
        )
        aws.iam.RolePolicy(
            f"{name}-flow-logs-write",
            role=role.id,
            policy=policy_document(
                [
                    {
                        "Effect": "Allow",
                        "Action": ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
                        "Resource": [group.arn, concat(group.arn, ":*")],
                    }
                ]
            ),
            opts=child(self),
        )
        aws.ec2.FlowLog(
            f"{name}-flow-log",
            vpc_id=self.vpc.id,
            traffic_type="ALL",
            log_destination_type="cloud-watch-logs",
            log_destination=group.arn,
            iam_role_arn=role.arn,
            max_aggregation_interval=VPC_FLOW_LOG_AGGREGATION_SECONDS,
            opts=child(self),
        )


# ------------------------------------------------ what the block takes from the model


def network_settings(resolved: ResolvedDeployment) -> dict[str, Any]:
    region, network = resolved.platform.region, resolved.network
    return {
        "region": region,
        "availability_zones": resolved.platform.availability_zones,
        "cidr": network.vpc_cidr,
        "nat_strategy": network.nat_strategy,
        "isolated_subnets": network.isolated_subnets,
        "flow_logs": network.flow_logs,
        "log_retention_days": resolved.monitoring.log_retention_days,
        "interface_endpoints": NO_NAT_INTERFACE_ENDPOINTS if network.nat_strategy == "none" else (),
    }


def dr_network_settings(resolved: ResolvedDeployment, dr_region: str) -> dict[str, Any]:
    """The DR region's VPC: only what a promotable replica needs (no NAT, no isolated tier)."""
    return {
        "region": dr_region,
        "availability_zones": DR_AVAILABILITY_ZONES,
        "cidr": resolved.network.vpc_cidr,
        "nat_strategy": "none",
        "isolated_subnets": False,
        "flow_logs": resolved.network.flow_logs,
        "log_retention_days": resolved.monitoring.log_retention_days,
        "interface_endpoints": (),
    }
