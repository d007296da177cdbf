"""Network: subnets per tier and zone, NAT per strategy, flow logs, locked default SG, S3 endpoint."""

from __future__ import annotations

import ipaddress

import pytest

from specql_deploy.components.aws.network import Network, NetworkArgs, nat_count, network_settings, subnet_cidrs

from aws_harness import KEY, SMALL, build, only

SUBNET = "aws:ec2/subnet:Subnet"
NAT = "aws:ec2/natGateway:NatGateway"
ROUTE = "aws:ec2/route:Route"


def network(**overrides):
    args = {
        **network_settings(SMALL),
        "region": "us-east-1",
        "availability_zones": 2,
        "kms_key_arn": KEY,
    }
    args.update(overrides)
    return build(lambda: Network("shop-dev-net", NetworkArgs(**args)))


def tiers(graph) -> dict[str, list]:
    found: dict[str, list] = {}
    for subnet in graph.of_type(SUBNET):
        found.setdefault(subnet.inputs["tags"]["Tier"], []).append(subnet)
    return found


# ----------------------------------------------------------------------------- defaults


def test_default_is_public_and_private_subnets_in_each_zone_without_public_addresses():
    # GIVEN two zones and the defaults
    # WHEN the network is built
    graph = network()
    # THEN each of the region's first two zones (as AWS answers them) has one public and one
    # private subnet, and none hands out public IPs
    by_tier = tiers(graph)
    assert sorted(by_tier) == ["private", "public"]
    for subnets in by_tier.values():
        assert sorted(s.inputs["availabilityZone"] for s in subnets) == ["us-east-1a", "us-east-1b"]
        assert sorted(s.inputs["tags"]["Name"] for s in subnets)[0].endswith("-us-east-1a")
    assert all(s.inputs["mapPublicIpOnLaunch"] is False for s in graph.of_type(SUBNET))
    assert only(graph, "aws:ec2/vpc:Vpc").inputs["cidrBlock"] == "10.0.0.0/16"


def test_default_has_one_nat_gateway_that_every_private_route_table_uses():
    graph = network()
    nat = only(graph, NAT)
    private_routes = [r for r in graph.of_type(ROUTE) if "natGatewayId" in r.inputs]
    assert len(private_routes) == 2
    assert {r.inputs["natGatewayId"] for r in private_routes} == {f"{nat.name}-id"}
    assert len(graph.of_type("aws:ec2/eip:Eip")) == 1


def test_default_security_group_is_emptied():
    sg = only(network(), "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup")
    assert sg.inputs["ingress"] == [] and sg.inputs["egress"] == []


def test_flow_logs_go_to_an_encrypted_expiring_log_group_through_a_narrow_role():
    graph = network()
    flow_log = only(graph, "aws:ec2/flowLog:FlowLog")
    group = only(graph, "aws:cloudwatch/logGroup:LogGroup")
    assert flow_log.inputs["trafficType"] == "ALL"
    assert flow_log.inputs["logDestinationType"] == "cloud-watch-logs"
    assert group.inputs["kmsKeyId"] == KEY
    assert group.inputs["retentionInDays"] == SMALL.monitoring.log_retention_days
    role_policy = only(graph, "aws:iam/rolePolicy:RolePolicy").inputs["policy"]
    assert '"Resource": "*"' not in role_policy


def test_s3_gateway_endpoint_serves_every_route_table():
    graph = network()
    endpoint = only(graph, "aws:ec2/vpcEndpoint:VpcEndpoint")
    assert endpoint.inputs["serviceName"] == "com.amazonaws.us-east-1.s3"
    assert endpoint.inputs["vpcEndpointType"] == "Gateway"
    tables = {f"{table.name}-id" for table in graph.of_type("aws:ec2/routeTable:RouteTable")}
    assert set(endpoint.inputs["routeTableIds"]) == tables


# ---------------------------------------------------------------------------- overrides


def test_one_nat_per_zone_gives_each_private_route_table_its_own_gateway():
    graph = network(region="eu-west-1", availability_zones=3, nat_strategy="one-per-az")
    assert len(graph.of_type(NAT)) == 3
    routes = [r for r in graph.of_type(ROUTE) if "natGatewayId" in r.inputs]
    assert len({r.inputs["natGatewayId"] for r in routes}) == 3


def test_no_nat_leaves_private_subnets_without_a_route_out():
    graph = network(nat_strategy="none")
    assert graph.of_type(NAT) == []
    assert [r for r in graph.of_type(ROUTE) if "natGatewayId" in r.inputs] == []


def test_isolated_subnets_add_a_third_tier_with_no_routes():
    graph = network(isolated_subnets=True)
    assert len(tiers(graph)["isolated"]) == 2
    isolated_table = next(t for t in graph.of_type("aws:ec2/routeTable:RouteTable") if t.name.endswith("isolated-rt"))
    assert not [r for r in graph.of_type(ROUTE) if r.inputs["routeTableId"] == f"{isolated_table.name}-id"]


def test_flow_logs_off_creates_no_flow_log_or_role():
    graph = network(flow_logs=False, kms_key_arn=None)
    assert graph.of_type("aws:ec2/flowLog:FlowLog") == []
    assert graph.of_type("aws:iam/role:Role") == []


def test_flow_logs_without_a_key_are_refused():
    with pytest.raises(ValueError, match="kms_key_arn"):
        NetworkArgs(**{**network_settings(SMALL), "availability_zones": 1}, kms_key_arn=None)


# ------------------------------------------------------------------------------ helpers


@pytest.mark.parametrize("cidr", ["10.0.0.0/16", "172.20.0.0/16", "10.8.0.0/20"])
def test_subnet_blocks_of_all_tiers_lie_in_the_vpc_and_never_overlap(cidr):
    blocks = [
        ipaddress.ip_network(block)
        for tier in ("public", "private", "isolated")
        for block in subnet_cidrs(cidr, tier, 6)
    ]
    vpc = ipaddress.ip_network(cidr)
    assert all(block.subnet_of(vpc) for block in blocks)
    assert len(blocks) == 18
    assert not any(a.overlaps(b) for i, a in enumerate(blocks) for b in blocks[i + 1 :])


def test_nat_count_per_strategy():
    assert [nat_count(s, 3) for s in ("none", "single", "one-per-az")] == [0, 1, 3]


def test_interface_endpoints_give_private_subnets_aws_apis_without_nat():
    graph = network(nat_strategy="none", interface_endpoints=("ecr.api", "logs"))
    interfaces = [
        e.inputs for e in graph.of_type("aws:ec2/vpcEndpoint:VpcEndpoint") if e.inputs["vpcEndpointType"] == "Interface"
    ]
    assert sorted(e["serviceName"] for e in interfaces) == [
        "com.amazonaws.us-east-1.ecr.api",
        "com.amazonaws.us-east-1.logs",
    ]
    private = sorted(f"{s.name}-id" for s in tiers(graph)["private"])
    assert all(sorted(e["subnetIds"]) == private and e["privateDnsEnabled"] is True for e in interfaces)
    group = next(g for g in graph.of_type("aws:ec2/securityGroup:SecurityGroup") if g.name.endswith("endpoints-sg"))
    [rule] = group.inputs["ingress"]
    assert (rule["fromPort"], rule["cidrBlocks"]) == (443, ["10.0.0.0/16"]) and rule["description"]


def test_no_interface_endpoints_by_default():
    endpoints = network().of_type("aws:ec2/vpcEndpoint:VpcEndpoint")
    assert [e.inputs["vpcEndpointType"] for e in endpoints] == ["Gateway"]
