"""Security groups: only the load balancer faces the internet, on 80/443; each block owns the
group attached to what it runs; clients admit themselves into data stores; every rule is described."""

from __future__ import annotations

from specql_deploy.components.aws.database import Database, DatabaseArgs, database_settings
from specql_deploy.components.aws.firewall import DataStoreAccess
from specql_deploy.components.aws.load_balancer import LoadBalancer, LoadBalancerArgs, load_balancer_settings
from specql_deploy.components.aws.service import Service, ServiceArgs, service_settings

from aws_harness import KEY, SMALL, SUBNETS, VPC, build

SG = "aws:ec2/securityGroup:SecurityGroup"
INGRESS_RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
CIDR = "10.0.0.0/16"


def load_balancer_group(**overrides):
    args = {**load_balancer_settings(SMALL), "vpc_id": VPC, "subnet_ids": SUBNETS, "vpc_cidr": CIDR}
    args.update(overrides)
    graph = build(lambda: LoadBalancer("shop-dev-lb", LoadBalancerArgs(**args)))
    [group] = graph.of_type(SG)
    return graph, group


def service_graph(**overrides):
    args = {
        **service_settings(SMALL),
        "region": "us-east-1",
        "subnet_ids": SUBNETS,
        "vpc_id": VPC,
        "vpc_cidr": CIDR,
        "load_balancer_security_group_id": "sg-lb",
        "target_group_arn": "arn:tg",
        "kms_key_arn": KEY,
    }
    args.update(overrides)
    return build(lambda: Service("shop-dev-app", ServiceArgs(**args)))


def app_group(**overrides):
    [group] = service_graph(**overrides).of_type(SG)
    return group


def test_default_opens_only_http_on_the_load_balancer():
    _, group = load_balancer_group()
    ingress = group.inputs["ingress"]
    assert [(rule["fromPort"], rule["cidrBlocks"]) for rule in ingress] == [(80, ["0.0.0.0/0"])]


def test_https_adds_443():
    _, group = load_balancer_group(domain="shop.example.com")
    assert sorted(rule["fromPort"] for rule in group.inputs["ingress"]) == [80, 443]


def test_the_load_balancer_is_attached_to_its_own_group():
    graph, group = load_balancer_group()
    [alb] = graph.of_type("aws:lb/loadBalancer:LoadBalancer")
    assert alb.inputs["securityGroups"] == [f"{group.name}-id"]


def test_application_admits_only_the_load_balancer_group_on_its_port():
    graph = service_graph(port=3000)
    [group] = graph.of_type(SG)
    [rule] = group.inputs["ingress"]
    assert rule["securityGroups"] == ["sg-lb"]
    assert (rule["fromPort"], rule["toPort"]) == (3000, 3000)
    assert "cidrBlocks" not in rule
    [service] = graph.of_type("aws:ecs/service:Service")
    assert service.inputs["networkConfiguration"]["securityGroups"] == [f"{group.name}-id"]


def test_no_group_has_all_protocol_rules_and_every_rule_is_described():
    for group in (load_balancer_group(domain="shop.example.com")[1], app_group()):
        assert group.inputs["description"]
        for rule in group.inputs["ingress"] + group.inputs["egress"]:
            assert rule["description"], group.name
            assert rule["protocol"] == "tcp" and rule["fromPort"] == rule["toPort"]


def test_internal_egress_stays_inside_the_vpc():
    _, group = load_balancer_group()
    assert group.inputs["egress"][0]["cidrBlocks"] == [CIDR]
    world = [rule for rule in app_group().inputs["egress"] if rule["cidrBlocks"] == ["0.0.0.0/0"]]
    assert [rule["fromPort"] for rule in world] == [443]


def test_the_service_admits_its_group_into_each_data_store_on_its_port_only():
    graph = service_graph(
        data_stores=(DataStoreAccess("sg-db", 5432, "PostgreSQL"), DataStoreAccess("sg-cache", 6379, "Redis"))
    )
    [group] = graph.of_type(SG)
    rules = {rule.inputs["securityGroupId"]: rule.inputs for rule in graph.of_type(INGRESS_RULE)}
    assert set(rules) == {"sg-db", "sg-cache"}
    for store, port in (("sg-db", 5432), ("sg-cache", 6379)):
        rule = rules[store]
        assert rule["referencedSecurityGroupId"] == f"{group.name}-id"
        assert (rule["ipProtocol"], rule["fromPort"], rule["toPort"]) == ("tcp", port, port)
        assert rule["description"] and "cidrIpv4" not in rule


def test_a_data_store_group_has_no_egress_and_no_inline_ingress():
    # inline ingress (even an empty list) would delete the clients' separate rules on update
    graph = build(
        lambda: Database(
            "shop-dev-db", DatabaseArgs(**database_settings(SMALL), vpc_id=VPC, subnet_ids=SUBNETS, kms_key_arn=KEY)
        )
    )
    [group] = graph.of_type(SG)
    assert group.inputs["egress"] == [] and "ingress" not in group.inputs
    [instance] = graph.of_type("aws:rds/instance:Instance")
    assert instance.inputs["vpcSecurityGroupIds"] == [f"{group.name}-id"]


def test_behind_a_cdn_only_cloudfront_reaches_the_load_balancer_on_one_port():
    # GIVEN a CDN in front (mocked prefix list id per region)
    _, plain = load_balancer_group(cdn_only=True)
    _, secure = load_balancer_group(cdn_only=True, domain="shop.example.com")
    # THEN no rule admits the internet, and CloudFront comes in on the port it uses for the origin
    for group, port in ((plain, 80), (secure, 443)):
        [rule] = group.inputs["ingress"]
        assert rule["prefixListIds"] == ["pl-cloudfront-us-east-1"] and "cidrBlocks" not in rule
        assert (rule["fromPort"], rule["toPort"]) == (port, port) and rule["description"]
