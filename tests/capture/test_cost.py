"""The cost estimate prices what the stack runs, in its own region where the table knows
the region's prices, and says plainly what it does not price."""

from __future__ import annotations

import pytest

from specql_deploy.capture import capture
from specql_deploy.capture.cost import estimate
from specql_deploy.program.manifest import parse
from specql_deploy.program.prices import EC2_HOURLY, HOURS_PER_MONTH, PRICES, REGIONAL
from specql_deploy.program.resolve import resolve

from support import resolve_example


def cost_of(text: str):
    resolved = resolve(parse(text), None, default_name="shop")
    return estimate(capture(resolved), resolved)


def test_cluster_create_prices_the_eks_control_plane_and_every_node():
    # GIVEN the kubernetes pattern creating its EKS cluster
    cost = cost_of("deployment: {pattern: kubernetes, cluster: create, region: us-east-1}\n")
    control = [item for item in cost.items if item.description.startswith("EKS control plane")]
    nodes = [item for item in cost.items if item.description.startswith("EKS nodes")]
    # THEN the control plane is billed by the hour and the node group per instance
    assert [item.monthly for item in control] == [round(PRICES["eks_cluster"].amount * HOURS_PER_MONTH, 2)]
    assert len(nodes) == 1 and "2 × t3.large" in nodes[0].description
    assert nodes[0].monthly == round(EC2_HOURLY["t3.large"].amount * 2 * HOURS_PER_MONTH, 2)
    assert cost.total > 190


def test_hobby_project_is_not_priced_and_says_why_without_aws_footnotes():
    cost = estimate(capture(resolve_example("hobby-project")), resolve_example("hobby-project"))
    assert not cost.priced and cost.items == ()
    assert cost.to_dict()["total"] is None
    text = " ".join(cost.assumptions)
    assert "your own Docker host" in text
    for aws in ("us-east-1", "CloudWatch", "NAT", "savings plans"):
        assert aws not in text
    assert "$0.00" not in cost.markdown()


def test_an_existing_cluster_is_not_priced():
    cost = estimate(capture(resolve_example("kubernetes")), resolve_example("kubernetes"))
    assert not cost.priced and "cluster: existing" in cost.assumptions[0]


def test_a_region_with_its_own_list_prices_is_priced_with_them():
    cost = cost_of("deployment: {pattern: small-saas, region: eu-west-1}\n")
    nat = next(item for item in cost.items if item.description.startswith("NAT gateway"))
    assert nat.monthly == round(REGIONAL["eu-west-1"]["nat_gateway"].amount * HOURS_PER_MONTH, 2)
    assert nat.description.endswith("(eu-west-1)") and "eu-west-1" in nat.source
    assert cost.assumptions[0].startswith("List prices of eu-west-1 on-demand")
    assert not any("at us-east-1 price" in item.description for item in cost.items)
    assert cost.total > cost_of("deployment: {pattern: small-saas, region: us-east-1}\n").total


def test_a_region_without_prices_says_it_uses_us_east_1s():
    cost = cost_of("deployment: {pattern: small-saas, region: ap-southeast-2}\n")
    nat = next(item for item in cost.items if item.description.startswith("NAT gateway"))
    assert nat.description.endswith("(ap-southeast-2, at us-east-1 price)")
    assert any("no ap-southeast-2 list price" in line and "us-east-1's" in line for line in cost.assumptions)


@pytest.mark.parametrize("region", sorted(REGIONAL))
def test_regional_prices_cover_keys_the_us_east_1_tables_have(region):
    from specql_deploy.program import prices

    known = {*prices.PRICES, *prices.RDS_HOURLY, *prices.CACHE_HOURLY, *prices.EC2_HOURLY}
    assert set(REGIONAL[region]) <= known
    assert all(region in price.source for price in REGIONAL[region].values())
