"""Descriptions AWS accepts: a character it refuses fails `up` and `tofu apply` alike."""

from __future__ import annotations

import re

import pytest

from support import AWS_EXAMPLES, resolve_example

# The characters EC2 accepts in a security group's and a rule's description (the AWS
# provider validates with the same class before it calls the API).
EC2_DESCRIPTION = re.compile(r"^[0-9A-Za-z_ .:/()#,@\[\]+=&;{}!$*-]*$")
GROUP_TYPES = ("aws:ec2/securityGroup:SecurityGroup",)
RULE_TYPES = (
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
    "aws:ec2/securityGroupRule:SecurityGroupRule",
)


def descriptions(graph) -> list[tuple[str, str]]:
    found = []
    for resource in graph.resources:
        if resource.type in GROUP_TYPES:
            found.append((resource.name, resource.inputs.get("description", "")))
            for direction in ("ingress", "egress"):
                found += [
                    (f"{resource.name} {direction}", rule.get("description", ""))
                    for rule in resource.inputs.get(direction) or []
                ]
        elif resource.type in RULE_TYPES:
            found.append((resource.name, resource.inputs.get("description", "")))
    return found


@pytest.mark.parametrize("name", AWS_EXAMPLES)
@pytest.mark.parametrize("environment", [None, "production"])
def test_every_security_group_description_uses_only_characters_ec2_accepts(name, environment):
    from specql_deploy.capture import capture

    # GIVEN what the program registers for the example
    found = descriptions(capture(resolve_example(name, environment)))
    # THEN every description is one EC2 takes (no apostrophes, quotes or accents)
    assert found, "no security group found"
    assert [item for item in found if not EC2_DESCRIPTION.match(str(item[1]))] == []
