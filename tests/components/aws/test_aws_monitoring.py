"""Monitoring: encrypted SNS topic, email subscriptions, alarms per level, dashboard."""

from __future__ import annotations

import json

import pytest

from specql_deploy.components.aws.monitoring import (
    CustomAlarm,
    Monitoring,
    MonitoringArgs,
    builtin_alarms,
    monitoring_settings,
)

from aws_harness import KEY, SMALL, build, only

ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"


def monitoring(**overrides):
    args = {
        **monitoring_settings(SMALL),
        "region": "us-east-1",
        "kms_key_arn": KEY,
        "cluster_name": "shop-cluster",
        "service_name": "shop-svc",
        "load_balancer_arn_suffix": "app/shop/abc",
        "target_group_arn_suffix": "targetgroup/shop/def",
        "database_identifier": "shop-db",
    }
    args.update(overrides)
    return build(lambda: Monitoring("shop-dev-monitoring", MonitoringArgs(**args)))


def alarms(graph) -> dict[str, dict]:
    return {a.name.removeprefix("shop-dev-monitoring-"): a.inputs for a in graph.of_type(ALARM)}


# ----------------------------------------------------------------------------- defaults


def test_topic_is_encrypted_with_the_key():
    assert only(monitoring(), "aws:sns/topic:Topic").inputs["kmsMasterKeyId"] == KEY


def test_standard_level_watches_service_load_balancer_and_database_with_a_dashboard():
    graph = monitoring()
    assert sorted(alarms(graph)) == sorted(
        [
            "service-cpu",
            "service-memory",
            "alb-5xx",
            "alb-unhealthy-hosts",
            "db-cpu",
            "db-connections",
            "db-free-storage",
        ]
    )
    dashboard = json.loads(only(graph, "aws:cloudwatch/dashboard:Dashboard").inputs["dashboardBody"])
    assert len(dashboard["widgets"]) == 4


def test_alarms_notify_the_topic_with_the_right_dimensions():
    graph = monitoring()
    topic = only(graph, "aws:sns/topic:Topic")
    found = alarms(graph)
    for inputs in found.values():
        assert inputs["alarmActions"] == [f"arn:aws:offline:::{topic.name}"]
    assert found["service-cpu"]["dimensions"] == {"ClusterName": "shop-cluster", "ServiceName": "shop-svc"}
    assert found["db-cpu"]["dimensions"] == {"DBInstanceIdentifier": "shop-db"}
    assert found["alb-unhealthy-hosts"]["dimensions"]["TargetGroup"] == "targetgroup/shop/def"


def test_thresholds_follow_the_database_size_and_connection_limit():
    found = alarms(monitoring(database_storage_gb=100, database_max_connections=500))
    assert found["db-connections"]["threshold"] == 400  # 80% of 500
    assert found["db-free-storage"]["threshold"] == 100 * 1024**3 * 0.1
    assert found["db-free-storage"]["comparisonOperator"] == "LessThanThreshold"


def test_no_subscriptions_without_emails():
    assert monitoring().of_type("aws:sns/topicSubscription:TopicSubscription") == []


# ---------------------------------------------------------------------------- overrides


def test_basic_level_has_three_alarms_and_no_dashboard():
    graph = monitoring(level="basic")
    assert sorted(alarms(graph)) == ["alb-5xx", "db-cpu", "service-cpu"]
    assert graph.of_type("aws:cloudwatch/dashboard:Dashboard") == []


def test_enterprise_adds_latency_and_replica_lag_and_a_cache_adds_redis_alarms():
    graph = monitoring(level="enterprise", cache_id="shop-redis-001", replica_identifiers=("shop-db-r0",))
    found = alarms(graph)
    assert {
        "alb-latency-p99",
        "db-read-latency",
        "db-write-latency",
        "replica-0-lag",
        "cache-cpu",
        "cache-memory",
    } <= set(found)
    assert found["alb-latency-p99"]["extendedStatistic"] == "p99"
    assert found["replica-0-lag"]["dimensions"] == {"DBInstanceIdentifier": "shop-db-r0"}
    assert found["cache-cpu"]["dimensions"] == {"CacheClusterId": "shop-redis-001"}
    assert len(json.loads(only(graph, "aws:cloudwatch/dashboard:Dashboard").inputs["dashboardBody"])["widgets"]) == 5


def test_manifest_emails_and_alarm_emails_are_subscribed_once_each():
    graph = monitoring(
        emails=("ops@example.com",),
        custom_alarms=(
            CustomAlarm("cpu_high", "cpu_high", ">", 80, False, 300, "ops@example.com"),
            CustomAlarm("db_down", "db_cpu", ">", 90, False, 600, "dba@example.com"),
        ),
    )
    endpoints = sorted(s.inputs["endpoint"] for s in graph.of_type("aws:sns/topicSubscription:TopicSubscription"))
    assert endpoints == ["dba@example.com", "ops@example.com"]


def test_manifest_alarms_map_to_metrics_with_their_threshold_and_duration():
    found = alarms(
        monitoring(
            database_max_connections=200,
            custom_alarms=(
                CustomAlarm("database_connections", "connections", ">", 80, True, 300),
                CustomAlarm("high_cpu", "cpu", ">=", 75, False, 600),
            ),
        )
    )
    connections = found["custom-database-connections"]
    assert (connections["metricName"], connections["threshold"]) == ("DatabaseConnections", 160)
    cpu = found["custom-high-cpu"]
    assert (cpu["namespace"], cpu["threshold"], cpu["evaluationPeriods"]) == ("AWS/ECS", 75, 10)
    assert cpu["comparisonOperator"] == "GreaterThanOrEqualToThreshold"


def test_unknown_manifest_metric_is_skipped():
    found = alarms(monitoring(custom_alarms=(CustomAlarm("odd", "queue_depth", ">", 5, False, 300),)))
    assert not [key for key in found if key.startswith("custom-")]


@pytest.mark.parametrize(("level", "count"), [("basic", 3), ("standard", 7), ("enterprise", 10)])
def test_builtin_alarm_count_per_level_without_cache_or_replicas(level, count):
    assert len(builtin_alarms(level, storage_gb=20, max_connections=200, cache=False, replicas=0)) == count
