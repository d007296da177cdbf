"""`eject --from-stack`: the import ID table, the URN → address map, imports.tf, the values the
stack chose, and the refusals, on Pulumi states fabricated from the program's capture.

The real proof (OpenTofu imports the live resources and its plan is empty) is the
adoption journey of the OpenTofu tier (test_tofu_real.py).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from specql_deploy.automation.cli import app
from specql_deploy.exporters.contract import ExportContext
from specql_deploy.exporters.opentofu import import_ids, mapping, render
from specql_deploy.exporters.opentofu.adopt import AdoptionRefused, StackState, adopt, stack_values
from specql_deploy.exporters.opentofu.translate import translate

from . import stack_state
from .tofu_support import BASE, manifest, resolve, resources

ARN = "arn:aws:iam::123456789012:policy/deploy"
NAME_ARGUMENTS = {"name", "name_prefix", "alarm_name", "bucket", "bucket_prefix", "replication_group_id"}
"""The arguments a name the stack chose lands in (and the prefix forms it replaces)."""

IMPORT_CASES: dict[str, tuple[str, dict, str]] = {
    # type: (Pulumi ID, outputs, the import ID its Import documentation asks for)
    "aws_eks_cluster": ("app-eks-cluster", {"name": "app-eks-cluster"}, "app-eks-cluster"),
    "aws_eks_node_group": (
        "app-eks-cluster:app-nodes-2024",
        {"clusterName": "app-eks-cluster", "nodeGroupName": "app-nodes-2024"},
        "app-eks-cluster:app-nodes-2024",
    ),
    "aws_prometheus_workspace": ("ws-0a1b2c3d", {}, "ws-0a1b2c3d"),
    "aws_prometheus_rule_group_namespace": (
        "arn:aws:aps:us-east-1:123456789012:rulegroupsnamespace/ws-0a1b2c3d/alerts",
        {"arn": "arn:aws:aps:us-east-1:123456789012:rulegroupsnamespace/ws-0a1b2c3d/alerts"},
        "arn:aws:aps:us-east-1:123456789012:rulegroupsnamespace/ws-0a1b2c3d/alerts",
    ),
    "aws_vpc": ("vpc-0a1b", {}, "vpc-0a1b"),
    "aws_subnet": ("subnet-0a1b", {}, "subnet-0a1b"),
    "aws_internet_gateway": ("igw-0a1b", {}, "igw-0a1b"),
    "aws_nat_gateway": ("nat-0a1b", {}, "nat-0a1b"),
    "aws_eip": ("eipalloc-0a1b", {}, "eipalloc-0a1b"),
    "aws_route_table": ("rtb-0a1b", {}, "rtb-0a1b"),
    "aws_route": (
        "r-rtb-0a1b1080289494",
        {"routeTableId": "rtb-0a1b", "destinationCidrBlock": "0.0.0.0/0"},
        "rtb-0a1b_0.0.0.0/0",
    ),
    "aws_route_table_association": (
        "rtbassoc-0a1b",
        {"subnetId": "subnet-0c2d", "routeTableId": "rtb-0a1b"},
        "subnet-0c2d/rtb-0a1b",
    ),
    "aws_default_route_table": ("rtb-0a1b", {"vpcId": "vpc-0a1b"}, "vpc-0a1b"),
    "aws_security_group": ("sg-0a1b", {}, "sg-0a1b"),
    "aws_default_security_group": ("sg-0a1b", {}, "sg-0a1b"),
    "aws_security_group_rule": (
        "sgrule-123",
        {
            "securityGroupId": "sg-0a1b",
            "type": "ingress",
            "protocol": "tcp",
            "fromPort": 8000,
            "toPort": 8000,
            "cidrBlocks": ["10.0.3.0/24"],
        },
        "sg-0a1b_ingress_tcp_8000_8000_10.0.3.0/24",
    ),
    "aws_vpc_security_group_ingress_rule": ("sgr-02108b27edd666983", {}, "sgr-02108b27edd666983"),
    "aws_vpc_security_group_egress_rule": ("sgr-02108b27edd666984", {}, "sgr-02108b27edd666984"),
    "aws_vpc_endpoint": ("vpce-0a1b", {}, "vpce-0a1b"),
    "aws_flow_log": ("fl-0a1b", {}, "fl-0a1b"),
    "aws_kms_key": ("1234abcd-12ab-34cd-56ef-1234567890ab", {}, "1234abcd-12ab-34cd-56ef-1234567890ab"),
    "aws_kms_alias": ("alias/app", {"name": "alias/app"}, "alias/app"),
    "aws_iam_role": ("app-role-1a2b3c4", {"name": "app-role-1a2b3c4"}, "app-role-1a2b3c4"),
    "aws_iam_role_policy": (
        "app-role:app-policy",
        {"role": "app-role", "name": "app-policy"},
        "app-role:app-policy",
    ),
    "aws_iam_role_policy_attachment": ("app-role-2026", {"role": "app-role", "policyArn": ARN}, f"app-role/{ARN}"),
    "aws_iam_policy": (ARN, {"arn": ARN}, ARN),
    "aws_secretsmanager_secret": (
        "arn:aws:secretsmanager:us-east-1:1:secret:a",
        {"arn": "arn:aws:secretsmanager:us-east-1:1:secret:a"},
        "arn:aws:secretsmanager:us-east-1:1:secret:a",
    ),
    "aws_secretsmanager_secret_version": (
        "arn:s|v1",
        {"secretId": "arn:s", "versionId": "v1"},
        "arn:s|v1",
    ),
    "aws_ssm_parameter": ("/app/p", {"name": "/app/p"}, "/app/p"),
    "aws_acm_certificate": ("arn:aws:acm:c", {"arn": "arn:aws:acm:c"}, "arn:aws:acm:c"),
    "aws_route53_record": ("Z4KAPRWWNC7JR_dev.example.com_NS", {}, "Z4KAPRWWNC7JR_dev.example.com_NS"),
    "aws_db_instance": ("db-ABCDEFGHIJ", {"identifier": "app-db"}, "app-db"),
    "aws_db_parameter_group": ("app-params-1a", {"name": "app-params-1a"}, "app-params-1a"),
    "aws_db_subnet_group": ("app-subnets", {"name": "app-subnets"}, "app-subnets"),
    "aws_ecs_cluster": ("arn:aws:ecs:us-east-1:1:cluster/app", {"name": "app"}, "app"),
    "aws_ecs_cluster_capacity_providers": ("app", {"clusterName": "app"}, "app"),
    "aws_ecs_service": (
        "arn:aws:ecs:us-east-1:1:service/app/web",
        {"cluster": "arn:aws:ecs:us-east-1:1:cluster/app", "name": "web"},
        "app/web",
    ),
    "aws_ecs_task_definition": (
        "web",
        {"arn": "arn:aws:ecs:us-east-1:1:task-definition/web:3"},
        "arn:aws:ecs:us-east-1:1:task-definition/web:3",
    ),
    "aws_ecr_repository": ("app", {"name": "app"}, "app"),
    "aws_ecr_lifecycle_policy": ("app", {"repository": "app"}, "app"),
    "aws_appautoscaling_target": (
        "service/app/web",
        {"serviceNamespace": "ecs", "resourceId": "service/app/web", "scalableDimension": "ecs:service:DesiredCount"},
        "ecs/service/app/web/ecs:service:DesiredCount",
    ),
    "aws_appautoscaling_policy": (
        "cpu",
        {
            "serviceNamespace": "ecs",
            "resourceId": "service/app/web",
            "scalableDimension": "ecs:service:DesiredCount",
            "name": "cpu",
        },
        "ecs/service/app/web/ecs:service:DesiredCount/cpu",
    ),
    "aws_lb": (
        "arn:aws:elasticloadbalancing:lb",
        {"arn": "arn:aws:elasticloadbalancing:lb"},
        "arn:aws:elasticloadbalancing:lb",
    ),
    "aws_lb_target_group": ("arn:tg", {"arn": "arn:tg"}, "arn:tg"),
    "aws_lb_listener": ("arn:listener", {"arn": "arn:listener"}, "arn:listener"),
    "aws_lb_listener_rule": ("arn:rule", {"arn": "arn:rule"}, "arn:rule"),
    "aws_elasticache_replication_group": ("app-redis", {"replicationGroupId": "app-redis"}, "app-redis"),
    "aws_elasticache_subnet_group": ("app-cache", {"name": "app-cache"}, "app-cache"),
    "aws_elasticache_parameter_group": ("app-redis7", {"name": "app-redis7"}, "app-redis7"),
    "aws_s3_bucket": ("logs-1a2b", {"bucket": "logs-1a2b"}, "logs-1a2b"),
    "aws_s3_bucket_versioning": ("logs-1a2b", {"bucket": "logs-1a2b"}, "logs-1a2b"),
    "aws_s3_bucket_server_side_encryption_configuration": (
        "logs-1a2b,123456789012",
        {"bucket": "logs-1a2b", "expectedBucketOwner": "123456789012"},
        "logs-1a2b,123456789012",
    ),
    "aws_s3_bucket_public_access_block": ("logs-1a2b", {"bucket": "logs-1a2b"}, "logs-1a2b"),
    "aws_s3_bucket_policy": ("logs-1a2b", {"bucket": "logs-1a2b"}, "logs-1a2b"),
    "aws_s3_bucket_ownership_controls": ("logs-1a2b", {"bucket": "logs-1a2b"}, "logs-1a2b"),
    "aws_s3_bucket_lifecycle_configuration": ("logs-1a2b", {"bucket": "logs-1a2b"}, "logs-1a2b"),
    "aws_s3_bucket_logging": ("logs-1a2b", {"bucket": "logs-1a2b", "expectedBucketOwner": ""}, "logs-1a2b"),
    "aws_s3_bucket_notification": ("logs-1a2b", {"bucket": "logs-1a2b"}, "logs-1a2b"),
    "aws_s3_bucket_replication_configuration": ("logs-1a2b", {"bucket": "logs-1a2b"}, "logs-1a2b"),
    "aws_cloudwatch_log_group": ("/ecs/app", {"name": "/ecs/app"}, "/ecs/app"),
    "aws_cloudwatch_metric_alarm": ("app-cpu-1a", {"name": "app-cpu-1a"}, "app-cpu-1a"),
    "aws_cloudwatch_dashboard": ("app", {"dashboardName": "app"}, "app"),
    "aws_cloudwatch_log_delivery_source": ("cdn", {"name": "cdn"}, "cdn"),
    "aws_cloudwatch_log_delivery_destination": ("cdn-logs", {"name": "cdn-logs"}, "cdn-logs"),
    "aws_cloudwatch_log_delivery": ("jsoGVi4Zq8VlYp9n", {}, "jsoGVi4Zq8VlYp9n"),
    "aws_sns_topic": ("arn:aws:sns:t", {"arn": "arn:aws:sns:t"}, "arn:aws:sns:t"),
    "aws_sns_topic_policy": ("arn:aws:sns:t", {"arn": "arn:aws:sns:t"}, "arn:aws:sns:t"),
    "aws_sns_topic_subscription": ("arn:aws:sns:t:1", {"arn": "arn:aws:sns:t:1"}, "arn:aws:sns:t:1"),
    "aws_cloudfront_distribution": ("E2N94TMVG2LDE7", {}, "E2N94TMVG2LDE7"),
    "aws_cloudfront_origin_access_control": ("E1IJNX3IJT2ZYV", {}, "E1IJNX3IJT2ZYV"),
    "aws_cloudfront_response_headers_policy": ("658327ea-f89d", {}, "658327ea-f89d"),
    "aws_wafv2_web_acl": (
        "a1b2c3d4-d5f6",
        {"name": "app-waf", "scope": "REGIONAL"},
        "a1b2c3d4-d5f6/app-waf/REGIONAL",
    ),
    "aws_wafv2_web_acl_association": (
        "arn:waf,arn:lb",
        {"webAclArn": "arn:waf", "resourceArn": "arn:lb"},
        "arn:waf,arn:lb",
    ),
    "aws_wafv2_web_acl_logging_configuration": ("arn:waf", {"resourceArn": "arn:waf"}, "arn:waf"),
    "aws_shield_protection": ("ff9592dc-22f3", {}, "ff9592dc-22f3"),
    "aws_shield_subscription": ("123456789012", {}, "123456789012"),
}


# ----------------------------------------------------------------------- the ID table


@pytest.mark.parametrize("kind", sorted(import_ids.IMPORT_IDS))
def test_each_import_id_is_written_as_its_import_documentation_asks(kind):
    # GIVEN a resource of the type as a Pulumi state holds it
    identifier, outputs, expected = IMPORT_CASES[kind]
    # WHEN its import ID is written
    # THEN it is the documented form
    assert import_ids.import_id(kind, identifier, outputs) == expected


def test_every_table_entry_has_its_case_and_every_exported_type_an_entry():
    # GIVEN the OpenTofu types the eject writes
    written = set(mapping.TYPES.values())
    # THEN each has an import ID format or a reason it has none, and each format a case above
    assert written - set(import_ids.IMPORT_IDS) - set(import_ids.NOT_IMPORTABLE) == set()
    assert set(IMPORT_CASES) == set(import_ids.IMPORT_IDS)
    assert set(import_ids.NOT_IMPORTABLE) >= import_ids.CREATED_ON_ADOPTION


def test_a_route_to_an_ipv6_range_or_a_prefix_list_names_that_destination():
    route = import_ids.IMPORT_IDS["aws_route"]
    assert route.build("r", {"routeTableId": "rtb-1", "destinationIpv6CidrBlock": "::/0"}) == "rtb-1_::/0"
    assert route.build("r", {"routeTableId": "rtb-1", "destinationPrefixListId": "pl-1"}) == "rtb-1_pl-1"


def test_a_rule_for_every_protocol_from_a_security_group_uses_the_words_of_the_documentation():
    outputs = {
        "securityGroupId": "sg-1",
        "type": "ingress",
        "protocol": "-1",
        "fromPort": 0,
        "toPort": 65536,
        "sourceSecurityGroupId": "sg-2",
    }
    assert import_ids.import_id("aws_security_group_rule", "x", outputs) == "sg-1_ingress_all_0_65536_sg-2"


def test_an_association_with_a_gateway_names_the_gateway():
    outputs = {"gatewayId": "igw-1", "routeTableId": "rtb-1"}
    assert import_ids.import_id("aws_route_table_association", "x", outputs) == "igw-1/rtb-1"


def test_an_attribute_the_state_lacks_is_named():
    with pytest.raises(import_ids.MissingAttribute, match="policyArn"):
        import_ids.import_id("aws_iam_role_policy_attachment", "x", {"role": "r"})


# --------------------------------------------------------------- URN → address mapping


def test_every_managed_resource_has_one_address_and_it_is_a_block_of_the_eject():
    # GIVEN the production-saas configuration (count families, modules, an ephemeral password)
    configuration = translate(resolve("production-saas"))
    # WHEN the URN → address map is read
    addresses = configuration.addresses()
    # THEN every resource but the ephemeral password has one, all distinct
    managed = [item for item in configuration.all_resources() if not item.ephemeral]
    assert set(addresses) == {item.captured.urn for item in managed}
    assert len(set(addresses.values())) == len(addresses)
    # AND each names a resource the written HCL declares (a count family by its index)
    declared = {
        f"module.{folder}.{kind}.{label}" if folder else f"{kind}.{label}"
        for folder, kind, label, _ in resources("production-saas")
        if kind not in mapping.EPHEMERAL_TYPES
    }
    assert set(addresses.values()) == declared
    assert "module.networking.aws_subnet.private[1]" in declared


# --------------------------------------------------------------------- the adopting eject


def _adopting_eject(name: str, **deployment_options):
    resolved = resolve(name)
    graph, states = stack_state.fabricated(resolved)
    deployment = stack_state.deployment(
        graph,
        states,
        project=resolved.deployment.name,
        stack=resolved.deployment.environment,
        **deployment_options,
    )
    files = render(resolved, ExportContext(manifest(name), resolved, stack_state=deployment))
    return {item.path: item.content for item in files}, graph, states, deployment


def _imports(text: str) -> dict[str, str]:
    return dict(re.findall(r'import \{\n  to = (\S+)\n  id = "([^"]*)"\n\}', text))


@pytest.fixture(scope="module")
def small_saas():
    return _adopting_eject("small-saas")


def test_imports_tf_adopts_every_resource_of_the_stack_at_its_address(small_saas):
    # GIVEN the small-saas stack's state
    files, graph, states, _ = small_saas
    configuration = translate(resolve("small-saas"))
    # WHEN it is ejected with it
    imports = _imports(files[f"{BASE}/imports.tf"])
    # THEN there is one import per resource of the stack, to the address the eject gives it
    assert len(imports) == len(states) == len(configuration.addresses())
    assert set(imports) == set(configuration.addresses().values())
    # AND a composite ID is written as its import documentation asks
    association = imports["module.networking.aws_route_table_association.private[0]"]
    assert re.fullmatch(r"small-saas-dev-net-private-0-id/small-saas-dev-net-private-rt-0-id", association)
    assert imports["module.compute.aws_appautoscaling_target.scaling"].startswith("ecs/service/")


def test_the_names_pulumi_generated_are_written_instead_of_a_fresh_ejects_own(small_saas):
    # GIVEN a stack whose cluster, roles, bucket and alarms Pulumi named at `up` (<name>-<random>)
    files, graph, states, _ = small_saas
    cluster = graph.named("small-saas-dev-app-cluster")
    role = graph.named("small-saas-dev-app-task-role")
    bucket = graph.named("small-saas-dev-logarchive-logs")
    compute = files[f"{BASE}/modules/compute/main.tf"]
    logging = files[f"{BASE}/modules/logging/main.tf"]
    # THEN the eject writes those names, never a prefix OpenTofu would complete differently
    for resource, text in ((cluster, compute), (role, compute), (bucket, logging)):
        written = states[resource.urn].outputs["bucket" if resource is bucket else "name"]
        assert written.replace("small-saas-dev", "${var.name_prefix}") in text
    assert "name_prefix =" not in compute and "bucket_prefix" not in logging


def test_stack_values_replace_only_the_names_the_program_leaves_to_the_engine():
    # GIVEN the fabricated stack of small-saas
    resolved = resolve("small-saas")
    graph, states = stack_state.fabricated(resolved)
    # WHEN the values the stack chose are read
    chosen = stack_values(
        graph, StackState.from_deployment(stack_state.deployment(graph, states, project="small-saas", stack="dev"))
    )
    # THEN they are names (or buckets) the program did not give, each the stack's own
    for urn, values in chosen.items():
        resource = graph.by_urn()[urn]
        assert set(values) <= {"name", "bucket", "replicationGroupId"}
        assert all(key not in resource.inputs for key in values)
        assert all(value == states[urn].outputs[key] for key, value in values.items())
    # AND a name the program gives (the database identifier) is left as it is
    assert graph.named("small-saas-dev-db-primary").urn not in chosen


def test_migration_guide_gives_the_steps_the_expected_plan_and_the_way_back(small_saas):
    files, _, states, _ = small_saas
    guide = files["docs/MIGRATION.md"]
    # small-saas sets arguments AWS does not keep: the first plan sets them in state only, one line each
    line = re.search(rf"Plan: {len(states)} to import, 0 to add, (\d+) to change, 0 to destroy\.", guide)
    assert line is not None
    assert int(line.group(1)) == len(re.findall(r"^   - `module\.", guide, re.M))
    for address in (
        "module.logging.aws_s3_bucket.logs`: `force_destroy`",
        "module.compute.aws_ecr_repository.repo`: `force_delete`",
        "module.encryption.aws_kms_key.key`: `bypass_policy_lockout_safety_check`: a flag of each policy call; `deletion_window_in_days`",
    ):
        assert f"- `{address}" in guide
    # a false argument the import leaves unset reads as false: alone on its resource, no plan line
    for address in ("module.compute.aws_ecs_service.service", "module.database.aws_db_instance.primary"):
        assert f"- `{address}`" not in guide
    for step in (
        "pulumi stack export --stack organization/small-saas/dev --file",
        "tofu init",
        "tofu plan -out=adopt.tfplan",
        "tofu apply adopt.tfplan",
        "tofu plan -detailed-exitcode",
        "pulumi stack rm organization/small-saas/dev --force --yes --preserve-config",
        "pulumi stack import --stack organization/small-saas/dev --file",
    ):
        assert step in guide, step
    assert "## Rolling back" in guide


ADOPTION_LINES = {"task_definition", "lifecycle", "ignore_changes", "#", "}", ""}
"""The other lines an adopting eject changes: a reference written as the import reads it back,
and the lifecycle blocks keeping what the provider cannot read back."""


def test_the_fresh_configuration_is_unchanged_by_adoption_apart_from_the_names(small_saas):
    # GIVEN a fresh eject and an adopting one of the same manifest
    files, _, _, _ = small_saas
    resolved = resolve("small-saas")
    fresh = {item.path: item.content for item in render(resolved, ExportContext(manifest("small-saas"), resolved))}
    # THEN the adopting eject adds imports.tf and the guide, and changes only name lines
    assert set(files) - set(fresh) == {f"{BASE}/imports.tf", "docs/MIGRATION.md"}
    for path, text in fresh.items():
        if text == files[path]:
            continue
        changed = {line.strip().split(" ", 1)[0] for line in set(files[path].splitlines()) ^ set(text.splitlines())}
        assert changed <= NAME_ARGUMENTS | ADOPTION_LINES, (path, changed)


def test_a_production_stack_with_certificates_creates_only_the_validation_waits():
    files, _, states, _ = _adopting_eject("production-saas")
    imports = _imports(files[f"{BASE}/imports.tf"])
    guide = files["docs/MIGRATION.md"]
    waits = re.findall(r"- `(\S+aws_acm_certificate_validation\S+)`", guide)
    assert waits and all("aws_acm_certificate_validation" in item for item in waits)
    assert not any("aws_acm_certificate_validation" in address for address in imports)
    assert re.search(rf"Plan: {len(imports)} to import, {len(waits)} to add, \d+ to change, 0 to destroy\.", guide)
    # the generated password is ephemeral: in no state, imported with the secret version that stores it
    assert "module.cache.aws_secretsmanager_secret_version.auth_value" in imports
    assert not any("random_password" in address for address in imports)


def test_no_secret_of_the_state_reaches_a_written_file():
    # GIVEN a stack whose state keeps the generated password and the secret version's value secret
    resolved = resolve("production-saas")
    graph, states = stack_state.fabricated(resolved)
    password = "Zq8-secret-from-the-state-" + "x" * 20
    for urn, state in states.items():
        if urn.endswith("::production-saas-dev-cache-auth-token"):
            state.secrets["result"] = password
        if urn.endswith("::production-saas-dev-cache-auth-value"):
            state.secrets["secretString"] = password
            state.outputs.pop("secretString", None)
    deployment = stack_state.deployment(graph, states, project="production-saas", stack="dev")
    # WHEN it is ejected
    files = render(resolved, ExportContext(manifest("production-saas"), resolved, stack_state=deployment))
    # THEN the password is in no file, plain or encoded
    assert not [item.path for item in files if password in item.content or json.dumps(password) in item.content]


def test_an_argument_aws_does_not_keep_is_a_state_only_change_when_it_differs_from_the_import():
    from specql_deploy.exporters.opentofu.adopt import state_only_changes

    # the importer sets skip_final_snapshot to true: a stack that skips it changes nothing, since
    # apply_immediately (unset after an import, false by the provider's default) reads as false
    assert state_only_changes("aws_db_instance", {"skipFinalSnapshot": True, "identifier": "db"}) == []
    # ... unless the plan updates the instance for another reason, which writes it into the state
    assert state_only_changes("aws_db_instance", {"skipFinalSnapshot": True}, updated=True) == ["apply_immediately"]
    assert state_only_changes(
        "aws_db_instance", {"skipFinalSnapshot": False, "finalSnapshotIdentifier": "f", "applyImmediately": None}
    ) == ["apply_immediately", "final_snapshot_identifier", "skip_final_snapshot"]
    assert state_only_changes("aws_s3_bucket", {"forceDestroy": False}) == []
    assert state_only_changes("aws_s3_bucket", {"forceDestroy": True}) == ["force_destroy"]
    # an argument the block leaves out takes the provider's default, which the import does not set
    assert state_only_changes("aws_s3_bucket", {}) == []
    assert state_only_changes("aws_ecs_service", {"name": "web"}) == []
    assert state_only_changes("aws_ecs_service", {"name": "web"}, updated=True) == ["wait_for_steady_state"]
    # a false argument beside one that differs is set by the same update
    assert state_only_changes("aws_kms_key", {"deletionWindowInDays": 30}) == [
        "bypass_policy_lockout_safety_check",
        "deletion_window_in_days",
    ]


def test_what_the_provider_cannot_read_back_is_kept_only_in_an_adopting_eject(small_saas):
    # GIVEN a fresh and an adopting eject of small-saas
    files, _, _, _ = small_saas
    resolved = resolve("small-saas")
    fresh = {item.path: item.content for item in render(resolved, ExportContext(manifest("small-saas"), resolved))}
    database = f"{BASE}/modules/database/main.tf"
    compute = f"{BASE}/modules/compute/main.tf"
    # THEN the adopted database keeps its managed password's settings, which the import cannot read
    kept = "ignore_changes = [manage_master_user_password, master_user_secret_kms_key_id]"
    assert kept in files[database] and kept not in fresh[database]
    assert "# To change them, remove this line and apply." in files[database]
    # AND the service names its task definition the way the import reads it back
    adopted = 'task_definition = "${aws_ecs_task_definition.task.family}:${aws_ecs_task_definition.task.revision}"'
    assert re.search(r"task_definition\s+= aws_ecs_task_definition\.task\.arn", fresh[compute])
    assert re.search(
        adopted.replace(" = ", r"\s+= ").replace("$", r"\$").replace("{", r"\{").replace(".", r"\."), files[compute]
    )


def test_the_generated_password_stays_in_its_secret_version():
    files, _, _, _ = _adopting_eject("production-saas")
    cache = files[f"{BASE}/modules/cache/main.tf"]
    assert "ignore_changes = [secret_string, secret_string_wo_version]" in cache
    assert "ignore_changes = [auth_token]" in cache


# ------------------------------------------------------------------------------ refusals


def _state(name: str, **options):
    resolved = resolve(name)
    graph, states = stack_state.fabricated(resolved)
    return (
        resolved,
        graph,
        states,
        stack_state.deployment(graph, states, project=resolved.deployment.name, stack="dev", **options),
    )


def test_a_stack_with_pending_operations_is_refused():
    resolved, graph, _, deployment = _state("small-saas")
    deployment["pending_operations"] = [
        {"resource": {"urn": graph.named("small-saas-dev-db-primary").urn}, "type": "creating"}
    ]
    with pytest.raises(AdoptionRefused) as refused:
        adopt(translate(resolved), StackState.from_deployment(deployment), "dev")
    assert "1 pending operation" in refused.value.problems[0]
    assert "specql deploy refresh" in refused.value.problems[0]


def test_resources_the_manifest_no_longer_declares_are_refused_by_name():
    resolved, _, _, deployment = _state("small-saas")
    deployment["resources"].append(
        {
            "urn": "urn:pulumi:dev::small-saas::aws:sns/topic:Topic::old-topic",
            "custom": True,
            "id": "arn:t",
            "type": "aws:sns/topic:Topic",
            "outputs": {},
        }
    )
    with pytest.raises(AdoptionRefused) as refused:
        adopt(translate(resolved), StackState.from_deployment(deployment), "dev")
    assert "old-topic (aws:sns/topic:Topic)" in refused.value.problems[0]
    assert "specql deploy up" in refused.value.problems[0]


def test_a_type_without_an_import_is_refused_with_what_to_do(monkeypatch):
    resolved, _, _, deployment = _state("small-saas")
    table = dict(import_ids.IMPORT_IDS)
    del table["aws_flow_log"]
    monkeypatch.setattr(import_ids, "IMPORT_IDS", table)
    with pytest.raises(AdoptionRefused) as refused:
        adopt(translate(resolved), StackState.from_deployment(deployment), "dev")
    (problem,) = refused.value.problems
    assert problem.startswith("module.networking.aws_flow_log.flow_log (small-saas-dev-net-flow-log)")
    assert "import_ids.py" in problem


def test_an_import_id_made_of_a_secret_is_refused_and_the_secret_never_shown():
    resolved, graph, states, _ = _state("small-saas")
    attachment = graph.named("small-saas-dev-db-monitoring-policy")
    states[attachment.urn].secrets["policyArn"] = "arn:aws:iam::aws:policy/hidden-value"
    states[attachment.urn].outputs.pop("policyArn")
    deployment = stack_state.deployment(graph, states, project="small-saas", stack="dev")
    with pytest.raises(AdoptionRefused) as refused:
        adopt(translate(resolved), StackState.from_deployment(deployment), "dev")
    assert "needs `policyArn`" in str(refused.value) and "keeps it secret" in str(refused.value)
    assert "hidden-value" not in str(refused.value)


def test_resources_the_stack_never_created_are_listed_and_not_imported():
    resolved = resolve("small-saas")
    graph, states = stack_state.fabricated(resolved)
    deployment = stack_state.deployment(
        graph, states, project="small-saas", stack="dev", keep=lambda item: not item.name.endswith("-dashboard")
    )
    files = {
        item.path: item.content
        for item in render(resolved, ExportContext(manifest("small-saas"), resolved, stack_state=deployment))
    }
    assert "module.monitoring.aws_cloudwatch_dashboard.dashboard" not in _imports(files[f"{BASE}/imports.tf"])
    assert "- `module.monitoring.aws_cloudwatch_dashboard.dashboard`" in files["docs/MIGRATION.md"]


# ------------------------------------------------------------------------------ the CLI


@pytest.fixture
def stack_of(monkeypatch):
    """Replace reading the stack through the Automation API with a given checkpoint."""

    def use(deployment):
        from specql_deploy.automation import cli_stack

        monkeypatch.setattr(cli_stack, "adoption_state", lambda target, resolved: deployment)

    return use


def test_cli_ejects_the_adopting_tree_and_says_what_to_do_next(small_saas, stack_of, tmp_path):
    _, _, _, deployment = small_saas
    stack_of(deployment)
    out = tmp_path / "adopted"
    result = CliRunner().invoke(
        app, ["deploy", "eject", str(manifest("small-saas")), "-o", str(out), "--from-stack", "dev"]
    )
    assert result.exit_code == 0, result.output
    assert (out / BASE / "imports.tf").is_file() and (out / "docs" / "MIGRATION.md").is_file()
    assert not (out / "docker").exists()  # --from-stack ejects the OpenTofu target unless --only says more
    assert "MIGRATION.md" in result.output


def test_cli_refusal_exits_2_names_each_problem_and_writes_nothing(stack_of, tmp_path):
    _, graph, _, deployment = _state("small-saas")
    deployment["pending_operations"] = [
        {"resource": {"urn": graph.named("small-saas-dev-db-primary").urn}, "type": "updating"}
    ]
    stack_of(deployment)
    out = tmp_path / "adopted"
    result = CliRunner().invoke(
        app, ["deploy", "eject", str(manifest("small-saas")), "-o", str(out), "--from-stack", "dev"]
    )
    assert result.exit_code == 2, result.output
    assert "cannot be adopted" in result.output and "pending operation" in result.output
    assert "Traceback" not in result.output
    assert not out.exists()


def test_cli_refuses_an_env_that_disagrees_with_the_stack(tmp_path):
    result = CliRunner().invoke(
        app,
        [
            "deploy",
            "eject",
            str(manifest("small-saas")),
            "-o",
            str(tmp_path / "x"),
            "--from-stack",
            "dev",
            "--env",
            "production",
        ],
    )
    assert result.exit_code == 2
    assert "disagree" in result.output


def test_cli_refuses_from_stack_without_the_opentofu_target(tmp_path):
    result = CliRunner().invoke(
        app,
        [
            "deploy",
            "eject",
            str(manifest("small-saas")),
            "-o",
            str(tmp_path / "x"),
            "--from-stack",
            "dev",
            "--only",
            "compose",
        ],
    )
    assert result.exit_code == 2
    assert "add it to --only" in result.output


def test_guide_path_is_inside_the_eject_root():
    from specql_deploy.exporters.opentofu.migration import PATH

    assert not Path(PATH).is_absolute() and PATH.startswith("docs/")
