"""`specql deploy resolve --explain` tells the truth: reasons for the pattern and the
framework that produced each value, only the settings the pattern builds from, the
provenance under `--json`, and a layout that reads at 80 columns in a pipe."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from specql_deploy.automation.cli import app

from support import example_path

AWS_ONLY_WORDS = re.compile(r"\b(RDS|Fargate|ALB|ECS|gp3|SNS|ElastiCache|CloudWatch dashboard)\b")
"""Words a reason may use only on the AWS patterns."""


def run(*args: str, width: int = 80):
    return CliRunner().invoke(app, ["deploy", "resolve", *args], env={"COLUMNS": str(width)}, terminal_width=width)


def manifest(tmp_path: Path, body: str) -> str:
    path = tmp_path / "shop" / "deployment.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(body, encoding="utf-8")
    return str(path)


def provenance(path: str) -> dict[str, dict[str, str]]:
    result = run(path, "--json", "--explain")
    assert result.exit_code == 0, result.output
    return json.loads(result.output)["provenance"]


@pytest.mark.parametrize("framework", ["rails", "django", "nodejs"])
@pytest.mark.parametrize("pattern", ["hobby-project", "kubernetes"])
def test_the_prometheus_reason_names_the_framework_not_fraiseql(tmp_path, framework, pattern):
    # GIVEN a non-FraiseQL application on a pattern that runs Prometheus
    path = manifest(tmp_path, f"deployment:\n  pattern: {pattern}\n  framework: {framework}\n")
    # WHEN it is explained
    reason = provenance(path)["monitoring.prometheus"]["reason"]
    # THEN the reason is about that framework's metrics, never FraiseQL's
    assert "FraiseQL" not in reason
    assert {"rails": "Rails", "django": "Django", "nodejs": "Node.js"}[framework] in reason


def test_fraiseql_keeps_its_metrics_reason(tmp_path):
    path = manifest(tmp_path, "deployment:\n  pattern: hobby-project\n")
    assert "FraiseQL serves Prometheus metrics" in provenance(path)["monitoring.prometheus"]["reason"]


@pytest.mark.parametrize("example", ["hobby-project", "kubernetes"])
def test_no_aws_reason_on_a_docker_host_or_a_cluster(example):
    # GIVEN a pattern that runs no AWS service
    rows = provenance(str(example_path(example)))
    # THEN no reason speaks of RDS, Fargate, the ALB or the CloudWatch dashboard
    wrong = {path: row["reason"] for path, row in rows.items() if AWS_ONLY_WORDS.search(row["reason"])}
    assert wrong == {}


def test_container_volume_and_docker_defaults_have_their_own_reasons():
    # GIVEN the kubernetes and hobby examples
    kubernetes = provenance(str(example_path("kubernetes")))
    hobby = provenance(str(example_path("hobby-project")))
    # THEN the volume, backups and health checks are explained for what runs them
    assert "volume per PostgreSQL instance" in kubernetes["database.storage_gb"]["reason"]
    assert "pg_dump" in hobby["database.backup_frequency"]["reason"]
    assert "Docker" in hobby["application.health_check_interval"]["reason"]
    assert "CloudWatch" not in hobby["monitoring.grafana"]["reason"]


@pytest.mark.parametrize(
    ("example", "absent", "present"),
    [
        (
            "small-saas",
            ("kubernetes.", "database.operator", "database.backup_destination", "monitoring.prometheus"),
            (),
        ),
        ("hobby-project", ("kubernetes.", "network.", "edge.", "cache.", "database.maintenance_window"), ()),
        ("kubernetes", ("network.", "edge.", "load_balancer.", "database.instance_class"), ("kubernetes.tls",)),
    ],
)
def test_rows_that_do_not_apply_to_the_pattern_are_left_out(example, absent, present):
    # WHEN the example is explained as a table and as JSON
    text = run(str(example_path(example)), "--explain").output
    data = json.loads(run(str(example_path(example)), "--json", "--explain").output)
    shown = set(data["provenance"])
    # THEN no row of another pattern appears, and JSON lists them as not built
    for prefix in absent:
        assert not any(path.startswith(prefix) for path in shown), prefix
        assert not re.search(rf"^{re.escape(prefix)}", text, re.MULTILINE), prefix
        assert any(path.startswith(prefix) for path in data["not_built"]), prefix
    for path in present:
        assert path in shown and re.search(rf"^{re.escape(path)} = ", text, re.MULTILINE)


def test_json_explain_carries_source_and_reason_of_every_shown_value():
    data = json.loads(run(str(example_path("small-saas")), "--json", "--explain").output)
    assert data["provenance"]["database.size"] == {"source": "user", "reason": "written in the manifest"}
    assert data["provenance"]["database.instance_class"]["source"] == "pattern"
    # and the model itself is complete, as without --explain
    assert data["kubernetes"]["ingress_class"]
    plain = json.loads(run(str(example_path("small-saas")), "--json").output)
    assert "provenance" not in plain and "not_built" not in plain


@pytest.mark.parametrize("example", ["small-saas", "production-saas", "hobby-project", "kubernetes"])
def test_explain_reads_at_80_columns_with_every_key_whole(example):
    # GIVEN the output piped at 80 columns
    result = run(str(example_path(example)), "--explain")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    # THEN no line is wider than 80 and nothing is cut with an ellipsis
    assert max(len(line) for line in lines) <= 80
    assert "…" not in result.output
    # AND every setting starts a line, whole, and its whole reason is there
    data = json.loads(run(str(example_path(example)), "--json", "--explain").output)
    joined = " ".join(line.strip() for line in lines)
    for path, row in data["provenance"].items():
        assert re.search(rf"^{re.escape(path)} = ", result.output, re.MULTILINE), path
        assert " ".join(row["reason"].split()) in joined, path


def test_a_wide_terminal_gets_the_table(tmp_path):
    result = run(str(example_path("small-saas")), "--explain", width=200)
    assert "┃ setting" in result.output and "database.performance_insights_retention_days" in result.output
