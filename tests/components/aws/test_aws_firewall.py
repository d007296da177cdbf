"""Firewall: only the load balancer faces the internet, on 80/443; every rule is described."""

from __future__ import annotations

from aws_harness import VPC, build
from specql_deploy.components.aws.firewall import Firewall, FirewallArgs

SG = "aws:ec2/securityGroup:SecurityGroup"


def firewall(**overrides):
    args = {"vpc_id": VPC, "vpc_cidr": "10.0.0.0/16", "app_port": 8000}
    args.update(overrides)
    graph = build(lambda: Firewall("shop-dev-fw", FirewallArgs(**args)))
    return {sg.name.removeprefix("shop-dev-fw-"): sg for sg in graph.of_type(SG)}


def test_default_opens_only_http_on_the_load_balancer():
    groups = firewall()
    ingress = groups["lb-sg"].inputs["ingress"]
    assert [(rule["fromPort"], rule["cidrBlocks"]) for rule in ingress] == [(80, ["0.0.0.0/0"])]


def test_https_adds_443():
    ingress = firewall(https=True)["lb-sg"].inputs["ingress"]
    assert sorted(rule["fromPort"] for rule in ingress) == [80, 443]


def test_application_admits_only_the_load_balancer_group_on_its_port():
    groups = firewall(app_port=3000)
    [rule] = groups["app-sg"].inputs["ingress"]
    assert rule["securityGroups"] == [f"{groups['lb-sg'].name}-id"]
    assert (rule["fromPort"], rule["toPort"]) == (3000, 3000)
    assert "cidrBlocks" not in rule


def test_no_group_has_all_protocol_rules_and_every_rule_is_described():
    for group in firewall(https=True).values():
        assert group.inputs["description"]
        for rule in group.inputs["ingress"] + group.inputs["egress"]:
            assert rule["description"], group.name
            assert rule["protocol"] == "tcp" and rule["fromPort"] == rule["toPort"]


def test_internal_egress_stays_inside_the_vpc():
    groups = firewall()
    assert groups["lb-sg"].inputs["egress"][0]["cidrBlocks"] == ["10.0.0.0/16"]
    world = [rule for rule in groups["app-sg"].inputs["egress"] if rule["cidrBlocks"] == ["0.0.0.0/0"]]
    assert [rule["fromPort"] for rule in world] == [443]
