"""Monitoring: an encrypted SNS topic, CloudWatch alarms by level, and a dashboard."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Literal

import pulumi
import pulumi_aws as aws

from ...program.building_blocks import (
    ALARM_ALB_5XX_COUNT,
    ALARM_ALB_5XX_PERIOD_SECONDS,
    ALARM_CONNECTIONS_PERCENT,
    ALARM_CPU_PERCENT,
    ALARM_DB_IO_LATENCY_SECONDS,
    ALARM_EVALUATION_PERIODS,
    ALARM_FREE_STORAGE_PERCENT,
    ALARM_LATENCY_P99_SECONDS,
    ALARM_MEMORY_PERCENT,
    ALARM_PERIOD_SECONDS,
    ALARM_REPLICA_LAG_SECONDS,
    DASHBOARD_GRID,
    DASHBOARD_PERIOD_SECONDS,
)
from ...program.catalogue import alarm_metric
from .children import child

if TYPE_CHECKING:
    from ...program.model import ResolvedDeployment

Level = Literal["basic", "standard", "enterprise"]
"""How much is watched.

- `basic`: service CPU, load balancer 5xx, database CPU.
- `standard`: basic plus service memory, unhealthy hosts, database connections and free
  storage, Redis CPU and memory, and a dashboard.
- `enterprise`: standard plus p99 latency, database read/write latency and replica lag.
"""

_OPERATORS = {
    ">": "GreaterThanThreshold",
    ">=": "GreaterThanOrEqualToThreshold",
    "<": "LessThanThreshold",
    "<=": "LessThanOrEqualToThreshold",
}


@dataclass(frozen=True)
class AlarmSpec:
    """One CloudWatch alarm before its dimensions are filled in."""

    key: str
    target: Literal["service", "alb", "target_group", "database", "replica", "cache"]
    namespace: str
    metric: str
    threshold: float
    comparison: str = ">"
    statistic: str = "Average"
    extended_statistic: str | None = None
    period: int = ALARM_PERIOD_SECONDS
    evaluation_periods: int = ALARM_EVALUATION_PERIODS
    description: str = ""


@dataclass(frozen=True)
class CustomAlarm:
    """An alarm the manifest asks for (`monitoring.alarms`)."""

    name: str
    metric: str
    comparison: str
    threshold: float
    percent: bool
    duration_seconds: int
    email: str | None = None
    channel: str = "email"
    """Where the alarm goes: `email` (the topic's email subscriptions), `sns` (the topic
    alone) or `slack` (the topic, for AWS Chatbot to relay). Defaults to `email`."""


@dataclass(frozen=True)
class MonitoringArgs:
    """Arguments of :class:`Monitoring`."""

    region: str
    """Region of the metrics (the dashboard's widgets). Required."""
    kms_key_arn: pulumi.Input[str]
    """Key encrypting the SNS topic. Required."""
    cluster_name: pulumi.Input[str]
    """ECS cluster of the service. Required."""
    service_name: pulumi.Input[str]
    """ECS service. Required."""
    load_balancer_arn_suffix: pulumi.Input[str]
    """`app/<name>/<id>` of the ALB. Required."""
    target_group_arn_suffix: pulumi.Input[str]
    """`targetgroup/<name>/<id>` of the target group. Required."""
    database_identifier: pulumi.Input[str]
    """RDS instance identifier. Required."""
    database_storage_gb: int
    """Allocated storage (the free-storage alarm is a share of it). Required."""
    database_max_connections: int
    """`max_connections` (the connections alarm is a share of it). Required."""
    level: Level
    """How much is watched (see :data:`Level`). Required."""
    emails: tuple[str, ...]
    """Email addresses subscribed to the alarm topic. Required."""
    custom_alarms: tuple[CustomAlarm, ...]
    """Extra alarms from the manifest. Required."""
    load_balancer_type: Literal["application", "network"]
    """The load balancer's kind: a Network Load Balancer reports no HTTP metrics. Required."""
    replica_identifiers: tuple[pulumi.Input[str], ...] = ()
    """Read replicas watched for lag (enterprise). Defaults to `()`."""
    cache_id: pulumi.Input[str] | None = None
    """ElastiCache node (`CacheClusterId`) watched, when there is a cache. Defaults to `None`."""


def builtin_alarms(
    level: Level,
    *,
    storage_gb: int,
    max_connections: int,
    cache: bool,
    replicas: int,
    load_balancer: Literal["application", "network"] = "application",
) -> list[AlarmSpec]:
    """The alarms a level brings, thresholds already in the metric's unit.

    Behind a Network Load Balancer there are no HTTP metrics: no 5xx or latency alarm,
    and the unhealthy-hosts alarm reads the NLB's namespace."""
    alarms = _builtin_alarms(
        level, storage_gb=storage_gb, max_connections=max_connections, cache=cache, replicas=replicas
    )
    if load_balancer == "application":
        return alarms
    return [
        replace(alarm, namespace=NLB_NAMESPACE) if alarm.key == "alb-unhealthy-hosts" else alarm
        for alarm in alarms
        if alarm.key not in HTTP_ONLY_ALARMS
    ]


NLB_NAMESPACE = "AWS/NetworkELB"
"""CloudWatch namespace of a Network Load Balancer's metrics."""
HTTP_ONLY_ALARMS = frozenset({"alb-5xx", "alb-latency-p99"})
"""Built-in alarms on metrics only an Application Load Balancer reports."""


def _builtin_alarms(
    level: Level, *, storage_gb: int, max_connections: int, cache: bool, replicas: int
) -> list[AlarmSpec]:
    alarms = [
        AlarmSpec(
            "service-cpu", "service", "AWS/ECS", "CPUUtilization", ALARM_CPU_PERCENT, description="Service CPU is high"
        ),
        AlarmSpec(
            "alb-5xx",
            "alb",
            "AWS/ApplicationELB",
            "HTTPCode_Target_5XX_Count",
            ALARM_ALB_5XX_COUNT,
            statistic="Sum",
            period=ALARM_ALB_5XX_PERIOD_SECONDS,
            evaluation_periods=1,
            description="The application answers with server errors",
        ),
        AlarmSpec(
            "db-cpu", "database", "AWS/RDS", "CPUUtilization", ALARM_CPU_PERCENT, description="Database CPU is high"
        ),
    ]
    if level == "basic":
        return alarms
    alarms += [
        AlarmSpec(
            "service-memory",
            "service",
            "AWS/ECS",
            "MemoryUtilization",
            ALARM_MEMORY_PERCENT,
            description="Service memory is high",
        ),
        AlarmSpec(
            "alb-unhealthy-hosts",
            "target_group",
            "AWS/ApplicationELB",
            "UnHealthyHostCount",
            0,
            statistic="Maximum",
            description="Tasks fail their health check",
        ),
        AlarmSpec(
            "db-connections",
            "database",
            "AWS/RDS",
            "DatabaseConnections",
            max_connections * ALARM_CONNECTIONS_PERCENT / 100,
            description="Database connections near the limit",
        ),
        AlarmSpec(
            "db-free-storage",
            "database",
            "AWS/RDS",
            "FreeStorageSpace",
            storage_gb * 1024**3 * ALARM_FREE_STORAGE_PERCENT / 100,
            comparison="<",
            description="Database storage nearly full",
        ),
    ]
    if cache:
        alarms += [
            AlarmSpec(
                "cache-cpu",
                "cache",
                "AWS/ElastiCache",
                "EngineCPUUtilization",
                ALARM_CPU_PERCENT,
                description="Redis CPU is high",
            ),
            AlarmSpec(
                "cache-memory",
                "cache",
                "AWS/ElastiCache",
                "DatabaseMemoryUsagePercentage",
                ALARM_MEMORY_PERCENT,
                description="Redis memory is nearly full",
            ),
        ]
    if level == "enterprise":
        alarms += [
            AlarmSpec(
                "alb-latency-p99",
                "alb",
                "AWS/ApplicationELB",
                "TargetResponseTime",
                ALARM_LATENCY_P99_SECONDS,
                statistic="",
                extended_statistic="p99",
                description="Slow responses (p99)",
            ),
            AlarmSpec(
                "db-read-latency",
                "database",
                "AWS/RDS",
                "ReadLatency",
                ALARM_DB_IO_LATENCY_SECONDS,
                description="Database reads are slow",
            ),
            AlarmSpec(
                "db-write-latency",
                "database",
                "AWS/RDS",
                "WriteLatency",
                ALARM_DB_IO_LATENCY_SECONDS,
                description="Database writes are slow",
            ),
        ]
        alarms += [
            AlarmSpec(
                f"replica-{index}-lag",
                "replica",
                "AWS/RDS",
                "ReplicaLag",
                ALARM_REPLICA_LAG_SECONDS,
                description=f"Read replica {index} lags behind",
            )
            for index in range(replicas)
        ]
    return alarms


def custom_alarm_spec(
    alarm: CustomAlarm,
    builtins: Mapping[str, AlarmSpec],
    max_connections: int,
    storage_gb: int,
    load_balancer: Literal["application", "network"] = "application",
) -> AlarmSpec | None:
    """Match a manifest alarm to a metric we know; None when its metric is unknown."""
    base = alarm_metric(alarm.metric)
    if base is None:
        return None
    scale = {"db-connections": max_connections / 100, "db-free-storage": storage_gb * 1024**3 / 100}.get(base, 1.0)
    catalogue = {
        spec.key: spec
        for spec in builtin_alarms(
            "standard",
            storage_gb=storage_gb,
            max_connections=max_connections,
            cache=True,
            replicas=0,
            load_balancer=load_balancer,
        )
    }
    template = builtins.get(base) or catalogue.get(base)
    if template is None:
        return None
    threshold = alarm.threshold * scale if alarm.percent or base == "db-free-storage" else alarm.threshold
    periods = max(1, alarm.duration_seconds // template.period)
    return replace(
        template,
        key=f"custom-{alarm.name.replace('_', '-')}",
        threshold=threshold,
        comparison=alarm.comparison,
        evaluation_periods=periods,
        description=f"Manifest alarm {alarm.name}: {alarm.metric} {alarm.comparison} {alarm.threshold:g}"
        + ("%" if alarm.percent else "")
        + f", notifies {alarm.channel}",
    )


class Monitoring(pulumi.ComponentResource):
    """Alarms that reach a person, and one page showing the deployment's health.

    The SNS topic is encrypted with the deployment's key (its policy lets CloudWatch
    publish); each address in the manifest gets an email subscription it must confirm.
    """

    topic: aws.sns.Topic
    alarms: list[aws.cloudwatch.MetricAlarm]
    dashboard: aws.cloudwatch.Dashboard | None

    def __init__(self, name: str, args: MonitoringArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("specql:aws:Monitoring", name, None, opts)
        self.topic = aws.sns.Topic(f"{name}-alarms", kms_master_key_id=args.kms_key_arn, opts=child(self))
        emails = sorted({*args.emails, *(alarm.email for alarm in args.custom_alarms if alarm.email)})
        for index, email in enumerate(emails):
            aws.sns.TopicSubscription(
                f"{name}-email-{index}", topic=self.topic.arn, protocol="email", endpoint=email, opts=child(self)
            )

        specs = builtin_alarms(
            args.level,
            storage_gb=args.database_storage_gb,
            max_connections=args.database_max_connections,
            cache=args.cache_id is not None,
            replicas=len(args.replica_identifiers),
            load_balancer=args.load_balancer_type,
        )
        by_key = {spec.key: spec for spec in specs}
        for alarm in args.custom_alarms:
            spec = custom_alarm_spec(
                alarm, by_key, args.database_max_connections, args.database_storage_gb, args.load_balancer_type
            )
            if spec is None:
                pulumi.log.warn(
                    f"alarm {alarm.name}: no CloudWatch metric known for {alarm.metric!r}; skipped", resource=self
                )
                continue
            specs.append(spec)
        self.alarms = [self._alarm(name, spec, args) for spec in specs]
        self.dashboard = None
        if args.level != "basic":
            self.dashboard = aws.cloudwatch.Dashboard(
                f"{name}-dashboard",
                dashboard_name=name,
                dashboard_body=pulumi.Output.json_dumps(dashboard_body(args)),
                opts=child(self),
            )
        self.register_outputs({"topic_arn": self.topic.arn, "alarm_count": len(self.alarms)})

    def _alarm(self, name: str, spec: AlarmSpec, args: MonitoringArgs) -> aws.cloudwatch.MetricAlarm:
        return aws.cloudwatch.MetricAlarm(
            f"{name}-{spec.key}",
            alarm_description=spec.description,
            namespace=spec.namespace,
            metric_name=spec.metric,
            dimensions=_dimensions(spec, args),
            statistic=spec.statistic or None,
            extended_statistic=spec.extended_statistic,
            comparison_operator=_OPERATORS[spec.comparison],
            threshold=spec.threshold,
            period=spec.period,
            evaluation_periods=spec.evaluation_periods,
            treat_missing_data="notBreaching",
            alarm_actions=[self.topic.arn],
            ok_actions=[self.topic.arn],
            opts=child(self),
        )


def _dimensions(spec: AlarmSpec, args: MonitoringArgs) -> dict[str, pulumi.Input[str]]:
    if spec.target == "service":
        return {"ClusterName": args.cluster_name, "ServiceName": args.service_name}
    if spec.target == "alb":
        return {"LoadBalancer": args.load_balancer_arn_suffix}
    if spec.target == "target_group":
        return {"LoadBalancer": args.load_balancer_arn_suffix, "TargetGroup": args.target_group_arn_suffix}
    if spec.target == "cache":
        return {"CacheClusterId": args.cache_id}  # type: ignore[dict-item]
    if spec.target == "replica":
        index = int(spec.key.split("-")[1])
        return {"DBInstanceIdentifier": args.replica_identifiers[index]}
    return {"DBInstanceIdentifier": args.database_identifier}


def dashboard_body(args: MonitoringArgs) -> dict[str, object]:
    """Four rows: service, load balancer, database and (when present) cache."""
    service = ["ClusterName", args.cluster_name, "ServiceName", args.service_name]
    alb = ["LoadBalancer", args.load_balancer_arn_suffix]
    db = ["DBInstanceIdentifier", args.database_identifier]
    traffic: list[tuple[str, list[list[object]]]] = (
        [
            (
                "Requests and 5xx",
                [
                    ["AWS/ApplicationELB", "RequestCount", *alb, {"stat": "Sum"}],
                    ["AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", *alb, {"stat": "Sum"}],
                ],
            ),
            ("Response time (s)", [["AWS/ApplicationELB", "TargetResponseTime", *alb, {"stat": "p99"}]]),
        ]
        if args.load_balancer_type == "application"
        else [
            (
                "Connections and bytes",
                [
                    [NLB_NAMESPACE, "NewFlowCount", *alb, {"stat": "Sum"}],
                    [NLB_NAMESPACE, "ProcessedBytes", *alb, {"stat": "Sum"}],
                ],
            )
        ]
    )
    graphs: list[tuple[str, list[list[object]]]] = [
        (
            "Service CPU and memory (%)",
            [["AWS/ECS", "CPUUtilization", *service], ["AWS/ECS", "MemoryUtilization", *service]],
        ),
        *traffic,
        (
            "Database CPU (%) and connections",
            [["AWS/RDS", "CPUUtilization", *db], ["AWS/RDS", "DatabaseConnections", *db]],
        ),
    ]
    if args.cache_id is not None:
        cache = ["CacheClusterId", args.cache_id]
        graphs.append(
            (
                "Redis CPU and memory (%)",
                [
                    ["AWS/ElastiCache", "EngineCPUUtilization", *cache],
                    ["AWS/ElastiCache", "DatabaseMemoryUsagePercentage", *cache],
                ],
            )
        )
    columns, width, height = DASHBOARD_GRID["columns"], DASHBOARD_GRID["width"], DASHBOARD_GRID["height"]
    widgets = [
        {
            "type": "metric",
            "x": index % columns * width,
            "y": index // columns * height,
            "width": width,
            "height": height,
            "properties": {
                "title": title,
                "region": args.region,
                "stat": "Average",
                "period": DASHBOARD_PERIOD_SECONDS,
                "view": "timeSeries",
                "metrics": metrics,
            },
        }
        for index, (title, metrics) in enumerate(graphs)
    ]
    return {"widgets": widgets}


# ------------------------------------------------ what the block takes from the model


def monitoring_settings(resolved: ResolvedDeployment) -> dict[str, Any]:
    monitoring = resolved.monitoring
    return {
        "region": resolved.platform.region,
        "database_storage_gb": resolved.database.storage_gb,
        "database_max_connections": resolved.database.max_connections,
        "level": monitoring.level,
        "load_balancer_type": resolved.load_balancer.type,
        "emails": monitoring.alarm_emails,
        "custom_alarms": tuple(
            CustomAlarm(a.name, a.metric, a.comparison, a.threshold, a.percent, a.duration_seconds, a.email, a.channel)
            for a in monitoring.alarms
        ),
    }
