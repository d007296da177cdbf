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
