"""ManagedPrometheus: the Amazon Managed Service for Prometheus workspace and its rules."""

from __future__ import annotations

import yaml

from specql_deploy.components.aws.managed_prometheus import (
    ManagedPrometheus,
    ManagedPrometheusArgs,
    managed_prometheus_settings,
)
from specql_deploy.components.observability import rules_text

from aws_harness import KEY, build, only
from support import resolve_example

WORKSPACE = "aws:amp/workspace:Workspace"
RULES = "aws:amp/ruleGroupNamespace:RuleGroupNamespace"


def test_workspace_is_encrypted_and_loads_the_ejected_alert_rules():
    # GIVEN the full manifest (small-saas with `metrics.prometheus: true`)
    resolved = resolve_example("full-manifest")
    # WHEN the block is built from its settings
    graph = build(
        lambda: ManagedPrometheus(
            "shop-prometheus", ManagedPrometheusArgs(kms_key_arn=KEY, **managed_prometheus_settings(resolved))
        )
    )
    # THEN the workspace uses the deployment's key and the namespace holds alerts.yml as ejected
    workspace = only(graph, WORKSPACE)
    assert workspace.inputs["kmsKeyArn"] == KEY
    assert workspace.inputs["alias"] == "my-saas-app-development"
    rules = only(graph, RULES)
    assert rules.inputs["data"] == rules_text(resolved)
    names = [rule["alert"] for rule in yaml.safe_load(rules.inputs["data"])["groups"][0]["rules"]]
    assert names == ["HighErrorRate", "HighLatency", "TargetDown"]


def test_the_saas_pattern_builds_it_only_with_metrics_prometheus():
    from specql_deploy.capture import capture

    with_prometheus = capture(resolve_example("full-manifest"))
    without = capture(resolve_example("small-saas"))
    assert len(with_prometheus.of_type(WORKSPACE)) == 1 and len(with_prometheus.of_type(RULES)) == 1
    assert without.of_type(WORKSPACE) == [] and without.of_type(RULES) == []


def test_a_collector_beside_the_app_remote_writes_to_the_workspace():
    import json

    from specql_deploy.capture import capture

    # GIVEN the full manifest's capture
    graph = capture(resolve_example("full-manifest"))
    task = only(graph, "aws:ecs/taskDefinition:TaskDefinition")
    definitions = task.inputs["containerDefinitions"]
    containers = {
        item["name"]: item for item in (json.loads(definitions) if isinstance(definitions, str) else definitions)
    }
    # THEN the collector runs beside the app, not essential, with the ejected scrape jobs
    collector = containers["metrics-collector"]
    assert collector["essential"] is False and collector["readonlyRootFilesystem"] is True
    (setting,) = collector["environment"]
    config = yaml.safe_load(setting["value"])
    jobs = config["receivers"]["prometheus"]["config"]["scrape_configs"]
    assert jobs == [
        {"job_name": "app", "metrics_path": "/metrics", "static_configs": [{"targets": ["localhost:8000"]}]}
    ]
    assert config["exporters"]["prometheusremotewrite"]["endpoint"].endswith("api/v1/remote_write")
    assert config["extensions"]["sigv4auth"] == {"region": "us-east-1", "service": "aps"}
    # AND the task role may remote-write to the workspace only
    policies = [
        json.loads(p.inputs["policy"]) if isinstance(p.inputs["policy"], str) else p.inputs["policy"]
        for p in graph.of_type("aws:iam/rolePolicy:RolePolicy")
    ]
    statements = [s for doc in policies for s in doc["Statement"] if s.get("Sid") == "PrometheusRemoteWrite"]
    assert len(statements) == 1 and statements[0]["Action"] == "aps:RemoteWrite"
