"""`specql deploy preview --offline`: the JSON contract, the grouped table and the cost estimate."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import pytest

from specql_deploy.automation.offline import group_by_component, offline_preview
from specql_deploy.capture import MASK

ROOT = Path(__file__).resolve().parents[2]


def example_path(name: str) -> Path:
    return ROOT / "examples" / name / "deployment.yaml"


def resolve_example(name: str):
    from specql_deploy.program.manifest import load
    from specql_deploy.program.resolve import resolve

    manifest = load(example_path(name))
    return resolve(manifest.spec, None, default_name=manifest.default_name)


pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@cache
def graph_of(name: str):
    from specql_deploy.capture import capture

    return capture(resolve_example(name))


@pytest.fixture(scope="module")
def production_json():
    import contextlib
    import io

    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        code = offline_preview(example_path("production-saas"), None, True)
    assert code == 0
    return buffer.getvalue()


def test_json_contract_shape(production_json):
    # GIVEN the production example  WHEN previewed offline as JSON
    document = json.loads(production_json)
    # THEN one object with resources, a summary, whether anything changes and the cost estimate
    assert set(document) == {"resources", "summary", "hasChanges", "cost"}
    assert document["hasChanges"] is True
    assert document["cost"]["currency"] == "USD" and document["cost"]["total"] > 0
    assert document["cost"]["total"] == round(sum(item["monthly"] for item in document["cost"]["items"]), 2)
    for resource in document["resources"]:
        assert set(resource) == {"type", "name", "urn", "parent", "inputs"}
        assert resource["urn"].startswith("urn:pulumi:dev::production-saas::")
    summary = document["summary"]
    assert summary["total"] == len(document["resources"])
    custom = [item for item in document["resources"] if not item["type"].startswith(("specql:", "pulumi:providers:"))]
    assert summary["resources"] == len(custom)
    assert summary["protected"] == sum(1 for resource in graph_of("production-saas").resources if resource.protect)


def test_json_includes_explicit_providers_with_their_region(production_json):
    document = json.loads(production_json)
    providers = [item for item in document["resources"] if item["type"] == "pulumi:providers:aws"]
    assert sorted(item["inputs"]["region"] for item in providers) == ["eu-west-1", "us-east-1"]


def test_json_inputs_are_camel_case_as_the_engine_sees_them(production_json):
    document = json.loads(production_json)
    database = next(
        item
        for item in document["resources"]
        if item["type"] == "aws:rds/instance:Instance" and "replicateSourceDb" not in item["inputs"]
    )
    assert database["inputs"]["instanceClass"] == resolve_example("production-saas").database.instance_class
    assert database["inputs"]["multiAz"] is True
    assert "instance_class" not in database["inputs"]


def test_json_never_shows_a_secret(production_json):
    graph = graph_of("production-saas")
    secrets = [(resource, path) for resource in graph.resources for path in resource.secret_paths]
    assert secrets, "the production example has secret inputs"
    document = json.loads(production_json)
    by_urn = {item["urn"]: item for item in document["resources"]}
    for resource, path in secrets:
        if "." in path or "[" in path:
            continue
        assert by_urn[resource.urn]["inputs"][path] == MASK
        raw = resource.inputs.get(path)
        if isinstance(raw, str) and len(raw) >= 8:
            assert raw not in production_json


def test_bad_manifest_exits_2_with_the_field_path(tmp_path, capsys):
    manifest = tmp_path / "deployment.yaml"
    manifest.write_text("deployment:\n  pattern: small-saas\n  databse:\n    size: small\n")
    assert offline_preview(manifest, None, False) == 2
    assert "databse" in capsys.readouterr().err


def test_table_groups_resources_by_top_level_component(capsys):
    assert offline_preview(example_path("small-saas"), None, False) == 0
    out = capsys.readouterr().out
    groups = group_by_component(graph_of("small-saas"))
    # THEN every RDS instance sits under the database component and each group is a table title
    assert [r.type for r in groups["small-saas-dev-db"]].count("aws:rds/instance:Instance") == 1
    assert "aws:rds/instance:Instance" not in [r.type for r in groups["small-saas-dev-net"]]
    for title in ("small-saas-dev-net", "small-saas-dev-db", "small-saas-dev-app", "providers"):
        assert title in out
    assert out.index("small-saas-dev-net") < out.index("aws:ec2:Vpc")
    assert "resources in" in out and "protected" in out
    assert "Estimated monthly cost" in out


def test_small_saas_costs_what_the_seeds_say():
    from specql_deploy.capture.cost import estimate

    cost = estimate(graph_of("small-saas"), resolve_example("small-saas"))
    # the seeds put small-saas at ~$50-100/month
    assert 50 <= cost.total <= 100
    categories = cost.by_category()
    assert categories["database"] > 10 and categories["compute"] > 10
    assert categories["load balancer"] > 15 and categories["network"] > 30  # one NAT gateway
    assert all(item.source for item in cost.items)


def test_production_costs_more_and_prices_multi_az_twice():
    from specql_deploy.capture.cost import RDS_HOURLY, estimate

    resolved = resolve_example("production-saas")
    cost = estimate(graph_of("production-saas"), resolved)
    primary = next(item for item in cost.items if item.description.startswith("RDS") and "Multi-AZ" in item.description)
    assert primary.monthly == pytest.approx(RDS_HOURLY[resolved.database.instance_class].amount * 730 * 2, abs=0.01)
    assert cost.total > 3 * estimate(graph_of("small-saas"), resolve_example("small-saas")).total


def test_cli_offline_preview_prints_the_contract():
    # GIVEN the CLI  WHEN `deploy preview --offline --json` runs
    from typer.testing import CliRunner

    from specql_deploy.automation.cli import app

    result = CliRunner().invoke(app, ["deploy", "preview", str(example_path("small-saas")), "--offline", "--json"])
    # THEN it exits 0 and stdout is exactly the contract object
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    providers = [item for item in document["resources"] if item["type"] == "pulumi:providers:aws"]
    assert [item["inputs"]["region"] for item in providers] == ["us-east-1"]
    assert document["summary"]["resources"] > 50


def test_production_cost_names_what_the_protections_and_replicas_imply():
    from specql_deploy.capture.cost import estimate

    graph = graph_of("production-saas")
    cost = estimate(graph, resolve_example("production-saas"))
    # Shield protections need the Shield Advanced subscription, which the bill must show
    assert graph.of_type("aws:shield/protection:Protection")
    assert any("Shield Advanced" in item.description and item.monthly == 3000 for item in cost.items)
    # every RDS instance, replicas included, pays for its storage
    instances = graph.of_type("aws:rds/instance:Instance")
    storage = [item for item in cost.items if item.description.startswith("RDS storage")]
    assert len(storage) == len(instances)


def test_json_is_the_same_on_every_run_with_parents_first(production_json):
    import contextlib
    import io

    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        assert offline_preview(example_path("production-saas"), None, True) == 0
    assert buffer.getvalue() == production_json
    resources = json.loads(production_json)["resources"]
    seen = set()
    for item in resources:
        assert item["parent"] is None or item["parent"] not in {r["urn"] for r in resources} or item["parent"] in seen
        seen.add(item["urn"])


def test_an_eks_cluster_prices_its_control_plane_and_every_node():
    from specql_deploy.capture.cost import EC2_HOURLY, PRICES, estimate
    from specql_deploy.program.building_blocks import EKS_NODE_INSTANCE_TYPE

    # GIVEN the kubernetes pattern creating its EKS cluster
    graph = graph_of("kubernetes-eks")
    (nodes,) = graph.of_type("aws:eks/nodeGroup:NodeGroup")
    count = nodes.inputs["scalingConfig"]["desiredSize"]
    # WHEN its cost is estimated
    cost = estimate(graph, resolve_example("kubernetes-eks"))
    # THEN the control plane and the nodes are on the bill, at their list prices
    lines = {item.description: item.monthly for item in cost.items}
    plane = next(value for key, value in lines.items() if key.startswith("EKS control plane"))
    workers = next(value for key, value in lines.items() if key.startswith("EKS nodes"))
    assert plane == pytest.approx(PRICES["eks_cluster"].amount * 730, abs=0.01)
    assert workers == pytest.approx(EC2_HOURLY[EKS_NODE_INSTANCE_TYPE].amount * 730 * count, abs=0.01)
    assert cost.by_category()["compute"] == pytest.approx(plane + workers, abs=0.01)
