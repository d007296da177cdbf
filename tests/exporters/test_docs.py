"""Docs target: DEPLOYMENT, RUNBOOK and ROLLBACK name this deployment's real resources,
every CloudWatch alarm the stack creates and every alert rule has a RUNBOOK section, and
every `specql` command shown parses with the real CLI."""

from __future__ import annotations

import re
import shlex
from functools import cache

import pytest

from eject_support import example_manifest, gitlab_manifest, render_example, render_path, resolve_path

EXAMPLES = ("hobby-project", "full-manifest", "kubernetes", "small-saas", "production-saas")
FENCE = re.compile(r"```bash\n(.*?)```", re.DOTALL)


@cache
def graph_of(example: str):
    from specql_deploy.capture import capture

    return capture(resolve_path(example_manifest(example)))


def docs(example: str) -> dict[str, str]:
    files = render_example(example, "docs")
    return {path.removeprefix("docs/"): text for path, text in files.items()}


def sections(markdown: str) -> set[str]:
    return {line[4:].strip() for line in markdown.splitlines() if line.startswith("### ")}


def commands(markdown: str) -> list[str]:
    found = []
    for block in FENCE.findall(markdown):
        for line in block.splitlines():
            line = line.split("   #", 1)[0].strip()
            if line.startswith("specql "):
                found.append(line)
    return found


def parse(command: str) -> None:
    """Run a `specql ...` line with `--help` appended through the real CLI: click parses
    every option first (an unknown flag or command exits 2), then prints the help instead
    of running anything."""
    from typer.testing import CliRunner

    from specql_deploy.automation.cli import app

    result = CliRunner().invoke(app, [*shlex.split(command)[1:], "--help"])
    assert result.exit_code == 0, f"{command}: exit {result.exit_code}: {result.output}"


def test_three_files_for_every_pattern():
    for example in EXAMPLES:
        assert sorted(docs(example)) == ["DEPLOYMENT.md", "ROLLBACK.md", "RUNBOOK.md"]


@pytest.mark.parametrize("example", EXAMPLES)
def test_runbook_has_a_section_for_every_alarm_and_alert_rule(example):
    from specql_deploy.program.alerts import alert_rules

    # GIVEN the alarms the program creates and the alert rules the observability files hold
    alarms = {item.name for item in graph_of(example).of_type("aws:cloudwatch/metricAlarm:MetricAlarm")}
    rules = {rule.name for rule in alert_rules(resolve_path(example_manifest(example)))}
    # WHEN the RUNBOOK is written
    found = sections(docs(example)["RUNBOOK.md"])
    # THEN each has its own section
    assert alarms | rules <= found, f"missing: {sorted((alarms | rules) - found)}"
    if example in ("full-manifest", "small-saas", "production-saas"):
        assert alarms, "the AWS examples create CloudWatch alarms"
    if example in ("hobby-project", "kubernetes", "full-manifest"):
        assert rules, "Prometheus watches these examples"


def test_the_manifest_alerts_get_a_rule_and_an_alarm_section():
    runbook = docs("full-manifest")["RUNBOOK.md"]
    assert "### HighCpu\n" in runbook and "### DatabaseConnections\n" in runbook
    assert "### my-saas-app-development-monitoring-custom-high-cpu\n" in runbook


def test_every_metric_and_signal_the_blocks_can_produce_has_advice():
    from specql_deploy.components.aws.monitoring import builtin_alarms
    from specql_deploy.exporters.docs.runbook_text import cloudwatch_advice, signal_advice
    from specql_deploy.program.alerts import BUILTIN_ALERT_RULES

    for spec in builtin_alarms("enterprise", storage_gb=20, max_connections=100, cache=True, replicas=1):
        cloudwatch_advice(spec.namespace, spec.metric)
    for rule in (*BUILTIN_ALERT_RULES,):
        for target in ("aws", "docker", "kubernetes"):
            signal_advice(rule.signal, target)
    signal_advice("custom", "docker")
    with pytest.raises(LookupError, match="AWS/Nope Metric"):
        cloudwatch_advice("AWS/Nope", "Metric")


@pytest.mark.parametrize("example", EXAMPLES)
def test_every_specql_command_shown_parses(example):
    shown = [command for text in docs(example).values() for command in commands(text)]
    assert len(shown) >= 5
    for command in shown:
        parse(command)


def test_a_wrong_flag_is_caught_by_the_parser():
    with pytest.raises(AssertionError, match="exit 2"):
        parse("specql deploy up deployment.yaml --stage production")
    with pytest.raises(AssertionError, match="exit 2"):
        parse("specql deploy undeploy deployment.yaml")


@pytest.mark.parametrize("example", EXAMPLES)
def test_deployment_names_every_resource_the_program_creates(example):
    from specql_deploy.capture import iter_custom

    text = docs(example)["DEPLOYMENT.md"]
    for resource in iter_custom(graph_of(example)):
        assert f"`{resource.name}`" in text


def test_aws_docs_say_session_manager_instead_of_a_bastion_and_show_the_cost():
    from specql_deploy.capture.cost import estimate

    text = docs("full-manifest")
    assert "Session Manager" in text["DEPLOYMENT.md"] and "no SSH bastion" in text["DEPLOYMENT.md"]
    assert "SSM Session Manager" in text["RUNBOOK.md"]
    total = estimate(graph_of("full-manifest"), resolve_path(example_manifest("full-manifest"))).total
    assert f"**{total:,.2f}**" in text["DEPLOYMENT.md"]
    assert "tofu apply plan.tfplan" in text["DEPLOYMENT.md"]


def test_aws_rollback_restores_the_real_database():
    rollback = docs("full-manifest")["ROLLBACK.md"]
    identifier = graph_of("full-manifest").named("my-saas-app-development-db-primary").inputs["identifier"]
    assert (
        f"aws rds restore-db-instance-to-point-in-time --region us-east-1 --source-db-instance-identifier {identifier} "
        in rollback
    )
    assert f"aws rds create-db-snapshot --region us-east-1 --db-instance-identifier {identifier} " in rollback
    assert "aws rds restore-db-instance-from-db-snapshot" in rollback
    assert "any second of the last 30 days" in rollback


def test_docker_rollback_dumps_and_restores_with_the_real_containers():
    rollback = docs("hobby-project")["ROLLBACK.md"]
    containers = graph_of("hobby-project").outputs["containers"]
    assert (
        f"docker exec {containers['postgres']} pg_dump --username hobby_project --dbname hobby_project --format=custom"
        in rollback
    )
    assert f"docker exec {containers['postgres']} pg_restore --username hobby_project" in rollback
    assert f"docker exec {containers['backup']} ls -l /backups" in rollback
    deployment = docs("hobby-project")["DEPLOYMENT.md"]
    assert "docker compose --env-file config/.env.production -f docker/docker-compose.prod.yaml up -d" in deployment
    assert "playbooks/harden-server.yml" in deployment


def test_gitlab_rollback_is_described_for_gitlab(tmp_path):
    files = render_path(gitlab_manifest(tmp_path, "full-manifest"), "docs")
    assert "ROLLBACK_IMAGE_TAG=<commit-sha>" in files["docs/ROLLBACK.md"]
    assert "gh workflow run" not in files["docs/ROLLBACK.md"]


AWS_CLI_GLOBALS = {"region", "query", "output"}
AWS_CLI_CUSTOM = {("logs", "tail"): {"since", "follow", "format"}, ("ecr", "get-login-password"): set()}
"""Commands the AWS CLI adds on top of the service APIs, with the options the docs use."""


def aws_commands(markdown: str) -> list[str]:
    found = []
    for block in FENCE.findall(markdown):
        for line in block.splitlines():
            line = line.split("   #", 1)[0]
            found += [match.group(1).strip() for match in re.finditer(r"(?:^|\$\()(aws [^)\n|]*)", line)]
    return found


def check_aws(command: str) -> None:
    """The operation (or waiter) exists in botocore's model of the service, and every
    option is one of its parameters as the AWS CLI spells them."""
    import botocore.session
    from botocore import xform_name

    args = shlex.split(command)
    service, operation = args[1], args[2]
    options = {arg[2:] for arg in args if arg.startswith("--")}
    session = botocore.session.get_session()
    model = session.get_service_model(service)
    if (service, operation) in AWS_CLI_CUSTOM:
        allowed = AWS_CLI_CUSTOM[(service, operation)]
    else:
        if operation == "wait":
            waiters = session.get_waiter_model(service)
            by_cli = {xform_name(name, "-"): name for name in waiters.waiter_names}
            assert args[3] in by_cli, f"{command}: no waiter {args[3]}"
            operation_name = waiters.get_waiter(by_cli[args[3]]).operation
        else:
            by_cli = {xform_name(name, "-"): name for name in model.operation_names}
            assert operation in by_cli, f"{command}: no operation {operation}"
            operation_name = by_cli[operation]
        members = model.operation_model(operation_name).input_shape.members
        allowed = {xform_name(name, "-") for name in members}
        allowed |= {f"no-{xform_name(name, '-')}" for name, shape in members.items() if shape.type_name == "boolean"}
    unknown = options - allowed - AWS_CLI_GLOBALS
    assert not unknown, f"{command}: unknown options {sorted(unknown)}"


@pytest.mark.parametrize("example", ["full-manifest", "production-saas", "small-saas"])
def test_every_aws_command_shown_matches_the_aws_api(example):
    shown = [command for text in docs(example).values() for command in aws_commands(text)]
    assert any("restore-db-instance-to-point-in-time" in command for command in shown)
    for command in shown:
        check_aws(command)


def test_a_wrong_aws_option_is_caught():
    with pytest.raises(AssertionError, match="unknown options"):
        check_aws("aws rds create-db-snapshot --db-instance-id x --db-snapshot-identifier y")
    with pytest.raises(AssertionError, match="no operation"):
        check_aws("aws rds restore-db-to-point-in-time --region us-east-1")


def test_resources_that_share_a_name_are_listed_in_one_order():
    from specql_deploy.capture import CapturedResource, ResourceGraph
    from specql_deploy.exporters.docs import _resources_table

    def resource(type_: str) -> CapturedResource:
        return CapturedResource(type_, "app-task", f"urn:{type_}", None, (), {}, None, True)

    # GIVEN a task definition and a role policy with the same name, registered in either order
    one = ResourceGraph((resource("aws:ecs/taskDefinition:TaskDefinition"), resource("aws:iam/rolePolicy:RolePolicy")))
    other = ResourceGraph(tuple(reversed(one.resources)))
    # THEN the table is the same
    assert _resources_table(one) == _resources_table(other)


def test_the_kubernetes_runbook_points_at_the_logs_loki_keeps():
    # GIVEN the kubernetes example, whose pods' logs Alloy ships to Loki (kept 365 days)
    runbook = docs("kubernetes")["RUNBOOK.md"]
    # THEN the RUNBOOK says where the older logs are and how to ask for them
    assert "Older logs, every pod of `myapp-prod` for 365 days, are in Loki" in runbook
    assert 'Explore → Loki, query `{deployment="kubernetes", environment="dev"}`' in runbook
