"""The Grafana dashboards (``application.json``, ``database.json``), built with
grafana-foundation-sdk's typed builders rather than hand-written JSON.

Their queries are the alert rules' own signals (:mod:`.signals`), so a panel shows
exactly what an alert fires on. On AWS the database lives in RDS, whose metrics are in
CloudWatch: its dashboard queries the CloudWatch datasource.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from grafana_foundation_sdk.builders import cloudwatch, dashboard, prometheus, timeseries
from grafana_foundation_sdk.cog.encoder import JSONEncoder
from grafana_foundation_sdk.models.cloudwatch import CloudWatchQueryMode, MetricEditorMode, MetricQueryType
from grafana_foundation_sdk.models.dashboard import DataSourceRef

from ...program.building_blocks import (
    DASHBOARD_PERIOD_SECONDS,
    DASHBOARD_REFRESH,
    DASHBOARD_TIME_RANGE,
    GRAFANA_PANEL_SIZE,
    JSON_INDENT,
    PROMETHEUS_RATE_WINDOW_SECONDS,
)
from ...program.catalogue import APP_METRICS
from .signals import Signal, signals

if TYPE_CHECKING:
    from ...program.model import ResolvedDeployment

PROMETHEUS = DataSourceRef(type_val="prometheus", uid="prometheus")
CLOUDWATCH = DataSourceRef(type_val="cloudwatch", uid="cloudwatch")


def _panel(title: str, unit: str, description: str) -> timeseries.Panel:
    return (
        timeseries.Panel()
        .title(title)
        .description(description)
        .unit(unit)
        .height(GRAFANA_PANEL_SIZE["height"])
        .span(GRAFANA_PANEL_SIZE["width"])
    )


def _prometheus_panel(title: str, unit: str, expr: str, legend: str, description: str) -> timeseries.Panel:
    query = prometheus.Dataquery().expr(expr).legend_format(legend).ref_id("A")
    return _panel(title, unit, description).datasource(PROMETHEUS).with_target(query)


def _signal_panel(title: str, signal: Signal, unit: str) -> timeseries.Panel:
    return _prometheus_panel(title, unit, signal.expr, title, signal.what)


def _dashboard(resolved: ResolvedDeployment, what: str) -> dashboard.Dashboard:
    name = resolved.stack_prefix
    start, end = DASHBOARD_TIME_RANGE
    return (
        dashboard.Dashboard(f"{name} {what}")
        .uid(f"{name}-{what}"[:40])
        .tags(["specql-deploy", resolved.deployment.pattern, resolved.deployment.environment])
        .time(start, end)
        .refresh(DASHBOARD_REFRESH)
        .timezone("utc")
        .readonly()
    )


def application_dashboard(resolved: ResolvedDeployment) -> dashboard.Dashboard:
    """Requests, errors, latency, CPU, memory and scrape health of the application."""
    found = signals(resolved)
    metrics = APP_METRICS[resolved.deployment.framework]
    window = f"{PROMETHEUS_RATE_WINDOW_SECONDS}s"
    requests = str(metrics["requests"])
    scope = found["down"].expr.removeprefix("up")
    board = _dashboard(resolved, "application")
    if "error_rate" in found:  # the framework serves request metrics (program.frameworks.METRICS)
        board = board.with_panel(
            _prometheus_panel(
                "Requests per second",
                "reqps",
                f"sum by ({metrics['status_label']}) (rate({requests}{scope}[{window}]))",
                f"{{{{{metrics['status_label']}}}}}",
                f"Requests by HTTP status ({metrics['library']})",
            )
        )
        board = board.with_panel(_signal_panel("Error rate", found["error_rate"], "percent"))
        board = board.with_panel(_signal_panel("p99 latency", found["latency"], "s"))
    for key, title in (("cpu", "CPU"), ("memory", "Memory")):
        if key in found:
            board = board.with_panel(_signal_panel(title, found[key], "percent"))
    board = board.with_panel(
        _prometheus_panel("Targets up", "none", found["down"].expr, "{{job}} {{instance}}", "1: scraped, 0: down")
    )
    return board


def _cloudwatch_panel(
    resolved: ResolvedDeployment, title: str, metric: str, statistic: str, unit: str
) -> timeseries.Panel:
    query = (
        cloudwatch.CloudWatchMetricsQuery()
        .ref_id("A")
        .query_mode(CloudWatchQueryMode.METRICS)
        .metric_query_type(MetricQueryType.SEARCH)
        .metric_editor_mode(MetricEditorMode.BUILDER)
        .region(resolved.platform.region)
        .namespace("AWS/RDS")
        .metric_name(metric)
        .dimensions({"DBInstanceIdentifier": "*"})
        .match_exact(False)
        .statistic(statistic)
        .period(str(DASHBOARD_PERIOD_SECONDS))
    )
    return _panel(title, unit, f"RDS {metric} ({statistic})").datasource(CLOUDWATCH).with_target(query)


def database_dashboard(resolved: ResolvedDeployment) -> dashboard.Dashboard:
    """Connections, disk and backups of PostgreSQL (CloudWatch's RDS metrics on AWS)."""
    board = _dashboard(resolved, "database")
    if resolved.cloud == "aws":
        for title, metric, statistic, unit in (
            ("Connections", "DatabaseConnections", "Maximum", "none"),
            ("CPU", "CPUUtilization", "Average", "percent"),
            ("Free storage", "FreeStorageSpace", "Minimum", "bytes"),
            ("Read latency", "ReadLatency", "Average", "s"),
            ("Write latency", "WriteLatency", "Average", "s"),
        ):
            board = board.with_panel(_cloudwatch_panel(resolved, title, metric, statistic, unit))
        return board
    found = signals(resolved)
    board = board.with_panel(_signal_panel("Connections in use", found["connections"], "percent"))
    board = board.with_panel(_signal_panel("Connections", found["connections_count"], "none"))
    board = board.with_panel(_signal_panel("Free disk", found["disk"], "percent"))
    if "backup_age" in found:
        board = board.with_panel(_signal_panel("Age of the last backup", found["backup_age"], "s"))
    return board


def dashboard_json(board: dashboard.Dashboard) -> str:
    """The dashboard model as Grafana imports it (keys sorted: the file is stable)."""
    data: Any = json.loads(json.dumps(board.build(), cls=JSONEncoder))
    return json.dumps(data, indent=JSON_INDENT, sort_keys=True) + "\n"


def dashboards(resolved: ResolvedDeployment) -> dict[str, str]:
    """File name → dashboard JSON."""
    return {
        "application.json": dashboard_json(application_dashboard(resolved)),
        "database.json": dashboard_json(database_dashboard(resolved)),
    }
