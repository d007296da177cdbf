"""The offline capture records what a program registers, as the engine would see it."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws
import pulumi_random as random

from specql_deploy.capture import MASK, run_under_mocks


class Box(pulumi.ComponentResource):
    def __init__(self, name: str, provider: aws.Provider, opts: pulumi.ResourceOptions | None = None):
        super().__init__("specql:test:Box", name, None, opts)
        child = pulumi.ResourceOptions(parent=self, provider=provider)
        self.vpc = aws.ec2.Vpc(
            f"{name}-vpc",
            cidr_block="10.0.0.0/16",
            opts=pulumi.ResourceOptions.merge(child, pulumi.ResourceOptions(protect=True)),
        )
        self.subnet = aws.ec2.Subnet(f"{name}-subnet", vpc_id=self.vpc.id, cidr_block="10.0.1.0/24", opts=child)
        password = random.RandomPassword(f"{name}-password", length=24, opts=pulumi.ResourceOptions(parent=self))
        aws.secretsmanager.SecretVersion(f"{name}-secret", secret_id="s", secret_string=password.result, opts=child)
        self.register_outputs({"vpc_id": self.vpc.id})


def program() -> None:
    provider = aws.Provider("primary", region="eu-west-1")
    box = Box("box", provider)
    zones = aws.get_availability_zones_output(opts=pulumi.InvokeOutputOptions(provider=provider))
    pulumi.export("zones", zones.names)
    pulumi.export("vpc_arn", box.vpc.arn)


def test_records_types_parents_dependencies_and_providers():
    # GIVEN a program with an explicit provider and a component
    # WHEN it runs under mocks
    graph = run_under_mocks(program, project="demo", stack="dev")
    # THEN every resource is there with engine-style URNs and links
    provider = graph.named("primary")
    assert provider.type == "pulumi:providers:aws"
    assert provider.inputs["region"] == "eu-west-1"
    box = graph.named("box")
    assert box.urn == "urn:pulumi:dev::demo::specql:test:Box::box" and not box.custom
    vpc = graph.named("box-vpc")
    assert vpc.urn == "urn:pulumi:dev::demo::specql:test:Box$aws:ec2/vpc:Vpc::box-vpc"
    assert vpc.parent == box.urn and vpc.provider == provider.urn and vpc.protect
    subnet = graph.named("box-subnet")
    assert subnet.dependencies == (vpc.urn,)
    assert subnet.inputs == {"vpcId": "box-vpc-id", "cidrBlock": "10.0.1.0/24"}
    assert "arn" in vpc.output_names


def test_secret_inputs_are_marked_and_masked():
    graph = run_under_mocks(program)
    secret = graph.named("box-secret")
    assert secret.secret_paths == ("secretString",)
    assert secret.public_inputs()["secretString"] == MASK
    as_json = graph.to_json()
    assert as_json["summary"]["providers"] == 1
    assert as_json["summary"]["components"] == 1


def test_invokes_answer_for_the_provider_region_and_exports_are_kept():
    graph = run_under_mocks(program)
    assert graph.outputs["zones"][:2] == ["eu-west-1a", "eu-west-1b"]
    assert graph.outputs["vpc_arn"] == "arn:aws:offline:::box-vpc"


def test_outputs_hook_turns_references_into_text():
    # GIVEN a hook that answers every output with reference text
    def hook(resource):
        return {name: f"${{{resource.name}.{name}}}" for name in resource.output_names} | {
            "id": f"${{{resource.name}.id}}"
        }

    graph = run_under_mocks(program, outputs_for=hook)
    # THEN inputs built from outputs arrive as that text
    assert graph.named("box-subnet").inputs["vpcId"] == "${box-vpc.id}"
    assert graph.named("box-secret").inputs["secretString"] == "${box-password.result}"


def test_runs_are_independent():
    first = run_under_mocks(program)
    second = run_under_mocks(program)
    # registration order follows async RPCs, so compare the sets
    assert sorted(r.urn for r in first.resources) == sorted(r.urn for r in second.resources)
    assert len(second.resources) == 6


def test_calls_answer_for_one_run_only():
    # GIVEN an answer for the zones call passed to one run
    def zones(args, region):
        return {"names": [f"{region}-only"], "zoneIds": ["z"], "id": region}

    token = "aws:index/getAvailabilityZones:getAvailabilityZones"
    changed = run_under_mocks(program, calls={token: zones})
    # THEN that run sees it, and the next run gets the default answer again
    assert changed.outputs["zones"] == ["eu-west-1-only"]
    assert run_under_mocks(program).outputs["zones"][:2] == ["eu-west-1a", "eu-west-1b"]


def test_json_lists_parents_first_then_siblings_by_name():
    # GIVEN two runs (registration order follows async RPCs)
    documents = [run_under_mocks(program).to_json()["resources"] for _ in range(2)]
    # THEN both list the same resources in the same order
    assert documents[0] == documents[1]
    names = [item["name"] for item in documents[0]]
    # depth first: the component, its children by name, then the next top-level resource
    assert names == ["box", "box-password", "box-secret", "box-subnet", "box-vpc", "primary"]
    urns = {item["urn"] for item in documents[0]}
    seen: set[str] = set()
    for item in documents[0]:
        # a parent that is listed (the stack itself is not) comes before its children
        assert item["parent"] not in urns or item["parent"] in seen
        seen.add(item["urn"])


def test_siblings_compare_numbers_as_numbers():
    from specql_deploy.capture import natural_key

    assert sorted(["db-replica-10", "db-replica-2", "db"], key=natural_key) == ["db", "db-replica-2", "db-replica-10"]
