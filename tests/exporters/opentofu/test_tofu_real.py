"""The ejected OpenTofu, read by its real consumers: `tofu` and the real AWS provider on moto.

For every AWS example, in a non-production and a production environment:
init, `validate -json` with no error and no warning, plan, apply, a second plan with no
change, and (outside production, where `prevent_destroy` forbids it) destroy leaving
nothing. Resource types moto cannot create are listed in MOTO_GAPS with the gap; they
are left out with `-exclude`, and the list may only shrink.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from typer.testing import CliRunner

from specql_deploy.automation.cli import app
from specql_deploy.automation.emulate import MotoServer
from specql_deploy.exporters.opentofu.import_ids import CREATED_ON_ADOPTION

from . import stack_state
from . import tofu_real as real
from .tofu_support import AWS_EXAMPLES, BASE, manifest
from support import resolve_example

pytestmark = [pytest.mark.tofu, pytest.mark.filterwarnings("ignore::DeprecationWarning")]

NON_PRODUCTION = {"full-manifest": "development"}
"""The example's first non-production environment (others: `dev`, the default stack)."""

MOTO_GAPS: dict[str, str] = {
    "aws_appautoscaling_target": "moto 5.2.5 has no Application Auto Scaling ListTagsForResource, which the "
    "provider calls right after RegisterScalableTarget (it retries until it times out)",
    "aws_appautoscaling_policy": "attaches to the scalable target above",
    "aws_s3_bucket_logging": "moto 5.2.5 answers PutBucketLogging with a 500 when the target bucket's policy has a "
    'statement whose Principal is `"*"` (the TLS-only deny every bucket carries); the provider retries for 20 min',
    "aws_db_instance.replica": "moto gives every DB instance the same DbiResourceId, by which the provider reads "
    "an instance back: it finds the primary, not the replica",
    "module.dr_database.aws_db_instance.primary": "moto looks up a cross-region replica's subnet group in the "
    "source region (DBSubnetGroupNotFoundFault)",
    "aws_cloudfront_response_headers_policy": "moto 5.2.5 does not implement CreateResponseHeadersPolicy",
    "aws_elasticache_replication_group with cluster_mode": "moto creates no member clusters for a cluster-mode "
    "replication group, which the provider reads back (CacheClusterNotFound)",
    "aws_elasticache_replication_group with num_cache_clusters": "nor for a replication group of a primary and "
    "replicas: the provider reads back member `<id>-001` (CacheClusterNotFound)",
}
"""Resource (by type, by `type.label`, by module address, or `... with <argument>` set in the
block) → what moto lacks for it. Applied with `-exclude` (its dependents go with it); the
list may only shrink."""

MOTO_DRIFT: dict[tuple[str, str], str] = {
    ("aws_ecs_service", "enable_ecs_managed_tags"): "moto's CreateService drops enableECSManagedTags",
    ("aws_ecs_service", "health_check_grace_period_seconds"): "moto's CreateService drops the grace period",
    (
        "aws_vpc_security_group_ingress_rule",
        "referenced_security_group_id",
    ): "moto answers `<account>/sg-…` for a group of the same account",
    ("aws_vpc_security_group_ingress_rule", "description"): "moto drops a rule's description",
    ("aws_db_instance", "performance_insights_enabled"): "moto does not keep Performance Insights settings",
    ("aws_db_instance", "performance_insights_kms_key_id"): "moto does not keep Performance Insights settings",
    ("aws_db_instance", "performance_insights_retention_period"): "moto does not keep Performance Insights settings",
    ("aws_db_parameter_group", "parameter"): "moto's DescribeDBParameters returns no user-set parameter",
    ("aws_s3_bucket", "tags_all"): "moto ignores the tags CreateBucket carries",
    ("aws_s3_bucket_notification", "eventbridge"): "moto does not return the EventBridge notification setting",
    ("aws_s3_bucket_replication_configuration", "rule"): "moto's GetBucketReplication answers every rule with "
    "DeleteMarkerReplication Disabled and without its SourceSelectionCriteria",
    ("aws_eks_cluster", "access_config"): "moto's CreateCluster drops accessConfig and DescribeCluster answers "
    "none, so its bootstrap_cluster_creator_admin_permissions looks new and forces a replacement",
    ("aws_eks_node_group", "remote_access"): "moto's CreateNodegroup answers a remoteAccess (ec2SshKey `eksKeypair`) "
    "the request never had, which forces a replacement",
    ("aws_prometheus_workspace", "kms_key_arn"): "moto's CreateWorkspace drops kmsKeyArn and DescribeWorkspace "
    "answers none, which forces a replacement",
}
"""(OpenTofu type, attribute) → what moto fails to give back, so a second plan shows it changed
(or replaced, when the attribute forces a replacement). Only these may differ in the converging
plan; every other change is a perpetual diff of ours. A replacement they force also leaves the
values read from the replaced resource known only after apply (see `_ours`)."""

MOTO_UNDELETABLE: dict[str, str] = {
    "aws_elasticache_subnet_group": "moto 5.2.5 does not implement DeleteCacheSubnetGroup: it answers a 500, "
    "which the provider retries for half an hour",
}
"""OpenTofu type → why moto cannot delete it. Before the destroy these leave the state
(`tofu state rm`), so the destroy of everything else is still checked; the list may only shrink."""

MOTO_IMPORT_DRIFT: dict[tuple[str, str], str] = {
    ("aws_ecs_service", "deployment_maximum_percent"): "moto's ECS keeps no deploymentConfiguration, from which "
    "the provider reads it back; after a create the state keeps the configured value, after an import it has none",
    ("aws_ecs_service", "deployment_minimum_healthy_percent"): "moto's ECS keeps no deploymentConfiguration",
    ("aws_ecs_service", "deployment_circuit_breaker"): "moto's ECS keeps no deploymentConfiguration",
    ("aws_security_group", "ingress"): "moto returns a prefix-list permission without its description (it keeps "
    "only the PrefixListId); after a create the provider keeps the configured rule",
}
"""(OpenTofu type, attribute) → what moto does not give back that only an import shows (a create keeps the
configured value in the state). The import plan may change these besides MOTO_DRIFT; the list may only shrink."""

CASES = [(name, NON_PRODUCTION.get(name, "dev")) for name in AWS_EXAMPLES] + [
    (name, "production") for name in AWS_EXAMPLES
]


def eject(name: str, environment: str, out: Path) -> Path:
    result = CliRunner().invoke(
        app, ["deploy", "eject", str(manifest(name)), "-o", str(out), "--only", "opentofu", "--env", environment]
    )
    assert result.exit_code == 0, result.output
    return out / BASE


def _gap(address: str, kind: str, block: str) -> bool:
    for key in MOTO_GAPS:
        target, _, argument = key.partition(" with ")
        # a family written as separate blocks labels its copies `<label>_0`, `<label>_1` ...
        named = target == kind or re.search(rf"(^|\.){re.escape(target)}(_\d+)?$", address) is not None
        if named and (not argument or re.search(rf"^\s+{argument}\s+=", block, re.MULTILINE)):
            return True
    return False


def _ours(plan: dict) -> set[str]:
    """`address.attribute` of every change a converging plan makes that moto does not explain.

    When moto's drift replaces a resource (MOTO_DRIFT), whatever reads that resource's
    attributes is known only after apply; such a change is the replacement's, not ours."""
    drift = real.changed_attributes(plan)
    replaced = any(
        set(change["change"]["actions"]) == {"delete", "create"}
        and {str(path[0]) for path in change["change"].get("replace_paths") or [] if path}
        and all(
            (change["type"], str(path[0])) in MOTO_DRIFT for path in change["change"].get("replace_paths") or [] if path
        )
        for change in plan.get("resource_changes", [])
    )
    unknown = {
        (change["address"], key)
        for change in plan.get("resource_changes", [])
        for key, value in (change["change"].get("after_unknown") or {}).items()
        if value is True
    }
    return {
        f"{address}.{attribute}"
        for address, kind, attribute in drift
        if (kind, attribute) not in MOTO_DRIFT and not (replaced and (address, attribute) in unknown)
    }


def excluded(workspace: real.Workspace) -> list[str]:
    """`-exclude` options for every resource moto cannot create (MOTO_GAPS)."""
    addresses = []
    for path in sorted(workspace.root.rglob("*.tf")):
        if ".terraform" in path.parts:
            continue
        module = path.parent.name if path.parent.parent.name == "modules" else None
        text = path.read_text(encoding="utf-8")
        for match in re.finditer(r'^resource "(\w+)" "(\w+)" \{\n(.*?)^\}', text, re.MULTILINE | re.DOTALL):
            kind, label, block = match.groups()
            address = f"module.{module}.{kind}.{label}" if module else f"{kind}.{label}"
            if _gap(address, kind, block):
                addresses.append(address)
    return [f"-exclude={address}" for address in addresses]


@pytest.fixture(scope="module")
def moto() -> Iterator[MotoServer]:
    with MotoServer() as server:
        yield server


WORKERS = int(os.environ.get("SPECQL_TOFU_WORKERS", "4"))
"""Journeys run at once: an apply against moto mostly waits on the provider's polling, so
several share two cores well (each has its own emulator)."""


def journey(name: str, environment: str, root: Path, moto: MotoServer) -> None:
    """validate → plan → apply → converging plan → destroy (or its refusal) of one eject; raises on a failure."""
    # GIVEN a fresh emulator and the eject of one example in one environment
    real.prepare_account(moto.endpoint, resolve_example(name, environment))
    workspace = real.Workspace(root, moto.endpoint)
    workspace.wire()
    skip = excluded(workspace)

    # WHEN OpenTofu initialises from the local mirror and validates
    workspace.init()
    problems = real.diagnostics(workspace.validate())
    # THEN there is no error and no warning (a deprecated argument is a failure)
    assert problems == [], "\n".join(problems)

    # WHEN it plans and applies against moto
    first = workspace.plan("-out=first.tfplan", *skip)
    assert first.returncode == 0, first.explain()
    creates = real.planned_changes(workspace.show_plan("first.tfplan"))
    assert set(creates) == {"create"}, creates
    applied = workspace.tofu("apply", "-input=false", "-no-color", "-lock=false", "first.tfplan")
    assert applied.returncode == 0, applied.explain()

    # THEN a second plan proposes nothing but what moto cannot give back: no perpetual diff
    second = workspace.plan("-detailed-exitcode", "-out=second.tfplan", *skip)
    assert second.returncode in (0, 2), second.explain()
    if second.returncode == 2:
        ours = _ours(workspace.show_plan("second.tfplan"))
        assert ours == set(), f"the second plan changes {sorted(ours)}\n{second.explain()}"

    if environment == "production":
        # production data carries prevent_destroy: a destroy must be refused before deleting anything
        refused = workspace.tofu("destroy", "-input=false", "-no-color", "-lock=false", "-auto-approve", *skip)
        assert refused.returncode != 0
        assert "prevent_destroy" in refused.stderr + refused.stdout
        return

    # WHEN it destroys, deletion protection lifted first on exactly the resources ./deploy.sh names
    script = (workspace.root / "deploy.sh").read_text(encoding="utf-8")
    lifted = sorted(set(re.findall(r"-var=\w+_deletion_protection=false", script)))
    gaps = {option.removeprefix("-exclude=") for option in skip}
    protected = sorted(
        option for option in set(re.findall(r"-target=\S+", script)) if option.removeprefix("-target=") not in gaps
    )  # never created here
    if protected:
        workspace.ok("apply", "-input=false", "-no-color", "-lock=false", "-auto-approve", *lifted, *protected)
    undeletable = [address for address in workspace.state_addresses() if address.split(".")[-2] in MOTO_UNDELETABLE]
    if undeletable:
        workspace.ok("state", "rm", "-lock=false", *undeletable)
    destroyed = workspace.tofu("destroy", "-input=false", "-no-color", "-lock=false", "-auto-approve", *lifted, *skip)
    # THEN nothing is left in the state
    assert destroyed.returncode == 0, destroyed.explain()
    assert workspace.state_addresses() == []


@pytest.fixture(scope="module")
def journeys(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], BaseException | None]:
    """Every case's journey, run WORKERS at a time; each test then reports its own.

    The ejects run first, one by one on this thread: the CLI runner swaps sys.stdout and
    the offline capture needs the thread's asyncio event loop, which pool threads lack."""
    roots: dict[tuple[str, str], Path | BaseException] = {}
    for case in CASES:
        try:
            roots[case] = eject(*case, tmp_path_factory.mktemp("-".join(case)) / "eject")
        except BaseException as error:  # noqa: BLE001 - handed to the case's own test
            roots[case] = error

    def run(case: tuple[str, str]) -> BaseException | None:
        root = roots[case]
        if isinstance(root, BaseException):
            return root
        try:
            with MotoServer() as server:
                journey(*case, root, server)
        except BaseException as error:  # noqa: BLE001 - handed to the case's own test
            return error
        return None

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        return dict(zip(CASES, pool.map(run, CASES), strict=True))


@pytest.mark.parametrize(("name", "environment"), CASES, ids=[f"{n}-{e}" for n, e in CASES])
def test_the_eject_validates_plans_applies_and_converges(name, environment, journeys):
    failure = journeys[(name, environment)]
    if failure is not None:
        raise failure


def test_versions_tf_requires_at_least_what_the_tier_runs(tmp_path):
    # GIVEN the OpenTofu and AWS provider versions the tier runs, and an eject
    version = real.provider_version()
    root = eject("small-saas", "dev", tmp_path / "eject")
    text = (root / "versions.tf").read_text(encoding="utf-8")
    # THEN the constraints start at exactly those versions (older ones were never tested)
    assert f'version = ">= {version}, < {int(version.split(".")[0]) + 1}.0.0"' in text, text
    assert f'required_version = ">= {real.TOFU_VERSION}"' in text, text


_EJECTING = threading.Lock()
"""Held around what runs the program in-process on an adoption's worker thread: the CLI
runner swaps sys.stdout and the capture holds the Pulumi runtime."""

SECRET_MIN_LENGTH = 8
"""Secrets of the state looked for in the written files (shorter values would match by chance)."""

ADOPTIONS = [("small-saas", "dev"), ("production-saas", "dev")]
"""Stacks adopted with `eject --from-stack` (the live resources applied from a fresh eject first)."""


def _pulumi_state(name: str, environment: str, live: real.Workspace, moto: MotoServer) -> tuple[dict, list[str]]:
    """The checkpoint a real `up` of the stack would hold for what `live` created, and its secrets."""
    from specql_deploy.capture import capture
    from specql_deploy.exporters.opentofu.translate import translate

    resolved = resolve_example(name, environment)
    with _EJECTING:
        graph = capture(resolved)
        addresses = translate(resolved).addresses()
    shown = real.show_state(live)
    resources = stack_state.tofu_resources(shown)
    secrets: dict[str, dict] = {}
    for resource in graph.resources:
        if resource.type != "aws:secretsmanager/secretVersion:SecretVersion":
            continue
        found = resources.get(addresses[resource.urn])
        if found is None:
            continue  # never created (a moto gap)
        values = found["values"]
        if values.get("secret_string"):
            continue  # a value the program wrote itself: already in the state (as a secret)
        region = live.region
        password = real.secret_value(moto.endpoint, region, values["secret_id"], values["version_id"])
        secrets[resource.urn] = {"secretString": password}
        for urn in resource.dependencies:  # the RandomPassword it stores
            if graph.by_urn()[urn].type == "random:index/randomPassword:RandomPassword":
                secrets[urn] = {"result": password}
    states = stack_state.from_tofu(graph, addresses, shown, secrets)
    hidden = [
        value
        for state in states.values()
        for value in state.secrets.values()
        if isinstance(value, str) and len(value) >= SECRET_MIN_LENGTH
    ]
    deployment = stack_state.deployment(graph, states, project=resolved.deployment.name, stack=environment)
    return deployment, hidden


def _settled(name: str, environment: str, updated: frozenset[str] = frozenset()) -> dict[str, list[str]]:
    """Address → the arguments AWS does not keep that the adopting eject sets (import_ids.STATE_ONLY),
    given the addresses the plan updates for another reason (moto's drift)."""
    from specql_deploy.exporters.opentofu.adopt import state_only_changes
    from specql_deploy.exporters.opentofu.translate import translate

    with _EJECTING:
        configuration = translate(resolve_example(name, environment))
    found = {}
    for resource in configuration.all_resources():
        arguments = state_only_changes(
            resource.type, resource.captured.inputs, updated=resource.root_address in updated
        )
        if arguments and not resource.ephemeral:
            found[resource.root_address] = arguments
    return found


def adoption(name: str, environment: str, moto: MotoServer, tmp_path: Path) -> None:
    """Live resources from a fresh eject → the Pulumi state `up` would hold → `eject --from-stack`
    → a plan that only imports, an apply, and an empty plan; no secret of the state written."""
    real.pulumi_cli()
    asyncio.set_event_loop(asyncio.new_event_loop())  # the capture's Pulumi runtime, on this worker thread
    resolved = resolve_example(name, environment)
    real.prepare_account(moto.endpoint, resolved)
    # GIVEN the live resources, created in the emulator by applying a fresh eject
    with _EJECTING:
        live = real.Workspace(eject(name, environment, tmp_path / "live"), moto.endpoint)
    live.wire()
    skip = excluded(live)
    live.init()
    live.ok("apply", "-input=false", "-no-color", "-lock=false", "-auto-approve", *skip)
    # AND the stack a real `up` would hold for them, imported into the local backend by the engine
    project = tmp_path / "project" / name  # the folder names the deployment when the manifest does not
    shutil.copytree(manifest(name).parent, project)
    deployment, hidden = _pulumi_state(name, environment, live, moto)
    real.import_stack(project / "deployment.yaml", resolved, deployment)

    # WHEN the stack is ejected from its state into a new folder
    adopted = tmp_path / "adopted"
    with _EJECTING:
        result = CliRunner().invoke(
            app, ["deploy", "eject", str(project / "deployment.yaml"), "-o", str(adopted), "--from-stack", environment]
        )
    assert result.exit_code == 0, result.output
    # THEN no secret of the state is in a written file or in the output
    written = {path: path.read_text(encoding="utf-8") for path in adopted.rglob("*") if path.is_file()}
    for value in hidden:
        assert value not in result.output
        assert [str(path) for path, text in written.items() if value in text] == []
    imports = set(re.findall(r"^  to = (\S+)$", (adopted / BASE / "imports.tf").read_text(encoding="utf-8"), re.M))

    # WHEN OpenTofu plans the adopted tree
    workspace = real.Workspace(adopted / BASE, moto.endpoint)
    workspace.wire()
    workspace.init()
    planned = workspace.plan("-out=adopt.tfplan", *skip)
    assert planned.returncode == 0, planned.explain()
    plan = workspace.show_plan("adopt.tfplan")
    # THEN it imports every resource of the stack and adds, changes and destroys nothing
    assert real.imports_planned(plan) == imports
    creates = real.planned_changes(plan).get("create", [])
    waits = {address for address in creates if address.split(".")[-2] in CREATED_ON_ADOPTION}
    assert set(creates) == waits, sorted(set(creates) - waits)  # only the certificate waits: no AWS object
    drift = real.changed_attributes(plan)
    ours = {
        f"{address}.{attribute}"
        for address, kind, attribute in drift
        if (kind, attribute) not in MOTO_DRIFT and (kind, attribute) not in MOTO_IMPORT_DRIFT and address not in waits
    }
    # (but the arguments AWS does not keep, set in OpenTofu's state only, as docs/MIGRATION.md lists)
    planned_addresses = {change["address"] for change in plan["resource_changes"]}
    updated = frozenset(address for address, _, _ in drift)
    settled = {
        f"{address}.{argument}"
        for address, arguments in _settled(name, environment, updated).items()
        if address in planned_addresses  # not left out for a moto gap
        for argument in arguments
    }
    assert ours == settled, (
        f"the import plan changes {sorted(ours - settled)}, not {sorted(settled - ours)}\n{planned.explain()}"
    )
    guide = (adopted / "docs" / "MIGRATION.md").read_text(encoding="utf-8")
    assert all(f"- `{address}`" in guide for address in _settled(name, environment))
    # WHEN it applies, THEN the resources are in its state and a second plan has nothing to do
    workspace.ok("apply", "-input=false", "-no-color", "-lock=false", "adopt.tfplan")
    assert imports <= set(workspace.state_addresses())
    second = workspace.plan("-detailed-exitcode", "-out=second.tfplan", *skip)
    assert second.returncode in (0, 2), second.explain()
    if second.returncode == 2:
        ours = _ours(workspace.show_plan("second.tfplan"))
        assert ours == set(), f"the plan after the import changes {sorted(ours)}\n{second.explain()}"


@pytest.fixture(scope="module")
def adoptions(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], BaseException | None]:
    def run(case: tuple[str, str]) -> BaseException | None:
        try:
            with MotoServer() as server:
                adoption(*case, server, tmp_path_factory.mktemp("adopt-" + "-".join(case)))
        except BaseException as error:  # noqa: BLE001 - handed to the case's own test
            return error
        return None

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        return dict(zip(ADOPTIONS, pool.map(run, ADOPTIONS), strict=True))


@pytest.mark.parametrize(("name", "environment"), ADOPTIONS, ids=[f"{n}-{e}" for n, e in ADOPTIONS])
def test_a_running_stack_is_adopted_with_a_plan_that_only_imports(name, environment, adoptions):
    failure = adoptions[(name, environment)]
    if failure is not None:
        raise failure


MOVED = {
    "network_vpc_cidr": ("10.0.0.0/16", "10.42.0.0/16"),
    "platform_availability_zones": (2, 3),
    "application_instances": (2, 3),
    "application_autoscale_min": (2, 3),
    "application_autoscale_max": (4, 6),
    "region": ("us-east-1", "eu-west-1"),
}
"""small-saas variables moved in terraform.tfvars: (the eject's default, the new value)."""


def _values(node):
    if isinstance(node, dict):
        for value in node.values():
            yield from _values(value)
    elif isinstance(node, list):
        for value in node:
            yield from _values(value)
    else:
        yield node


def test_variables_really_drive_the_stack(moto, tmp_path):
    # GIVEN the small-saas eject with new values for its manifest variables in terraform.tfvars
    moto.reset()
    workspace = real.Workspace(eject("small-saas", "dev", tmp_path / "eject"), moto.endpoint, region="eu-west-1")
    workspace.wire()
    tfvars = (workspace.root / "terraform.tfvars").read_text(encoding="utf-8")
    for name, (old, new) in MOVED.items():
        line = f"{name} = {json.dumps(old)}"
        assert line in tfvars, f"terraform.tfvars.example has no `{line}`"
        tfvars = tfvars.replace(line, f"{name} = {json.dumps(new)}")
    (workspace.root / "terraform.tfvars").write_text(tfvars, encoding="utf-8")
    # AND no module still carries an old value as a literal
    modules = "\n".join(path.read_text(encoding="utf-8") for path in (workspace.root / "modules").rglob("*.tf"))
    for old in ('"10.0.', '"us-east-1'):
        assert old not in modules, f"a module still writes {old}…"
    # WHEN OpenTofu plans the stack
    workspace.init()
    planned = workspace.plan("-out=moved.tfplan")
    assert planned.returncode == 0, planned.explain()
    plan = workspace.show_plan("moved.tfplan")
    # THEN every planned value follows the new variables: none keeps an old range or region
    strings = [value for value in _values(plan["planned_values"]) if isinstance(value, str)]
    assert not [value for value in strings if value.startswith("10.0.") or "us-east-1" in value]
    subnets = [change for change in plan["resource_changes"] if change["type"] == "aws_subnet"]
    assert len(subnets) == 2 * 3  # public and private in each of three zones
    assert {change["change"]["after"]["cidr_block"] for change in subnets} <= {
        f"10.42.{third}.0/21" for third in range(0, 256, 8)
    }
    zones = {change["change"]["after"]["availability_zone"] for change in subnets}
    assert len(zones) == 3 and all(zone.startswith("eu-west-1") for zone in zones)
    service = next(change for change in plan["resource_changes"] if change["type"] == "aws_ecs_service")
    assert service["change"]["after"]["desired_count"] == 3
