"""Alert rules: the names and meanings of the Prometheus alerts a deployment has.

One table, read by everything that names an alert: the observability exporter writes
`observability/prometheus/alerts.yml` with these names (its expressions and thresholds
beside it), and the docs exporter gives every name a RUNBOOK section (a test fails when
one is missing). The CloudWatch alarms of the AWS stacks are not listed here: the
RUNBOOK reads those from the program itself (the offline capture), so it names exactly
what `up` creates.

A deployment has these rules when Prometheus watches it (`monitoring.prometheus`: the
hobby host's Prometheus container, kube-prometheus-stack on a cluster, Amazon Managed
Service for Prometheus on AWS); the manifest's `monitoring.alerts` add one rule each.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from .model import AlarmInfo, ResolvedDeployment

Severity = Literal["warning", "critical"]
"""How soon a person must act.

- `warning`: within the working day; the deployment still serves.
- `critical`: now; users see errors or data is at risk.
"""


@dataclass(frozen=True)
class AlertRule:
    """One alert rule, as named in alerts.yml and in the RUNBOOK."""

    name: str
    """The rule's `alert:` name (CamelCase, Prometheus convention)."""
    summary: str
    """One line: what is wrong (the rule's `summary` annotation)."""
    severity: Severity
    """How soon a person must act (the rule's `severity` label)."""
    signal: Literal["cpu", "memory", "connections", "errors", "latency", "disk", "backup", "target", "custom"]
    """What the rule watches; the RUNBOOK's advice is written per signal."""


BUILTIN_ALERT_RULES: tuple[AlertRule, ...] = (
    AlertRule("HighCpuUsage", "CPU use of the application is high", "warning", "cpu"),
    AlertRule("HighMemoryUsage", "Memory use of the application is high", "warning", "memory"),
    AlertRule("DatabaseConnectionsHigh", "PostgreSQL connections are near max_connections", "warning", "connections"),
    AlertRule("HighErrorRate", "The application answers with many server errors (5xx)", "critical", "errors"),
    AlertRule("HighLatency", "Responses are slow (p99 latency)", "warning", "latency"),
    AlertRule("DiskSpaceLow", "A disk of the host or the database volume is nearly full", "critical", "disk"),
    AlertRule("BackupTooOld", "The newest database backup is older than the schedule allows", "critical", "backup"),
    AlertRule(
        "TargetDown", "Prometheus cannot scrape a target (the service or its exporter is down)", "critical", "target"
    ),
)
"""The seed's alert set: CPU, memory, database connections, error rate, latency, disk,
backup age, target down. Thresholds live with the expressions in the observability exporter."""


def custom_rule_name(alarm: AlarmInfo) -> str:
    """`high_cpu` → `HighCpu`: a manifest alert's rule name."""
    return "".join(part.capitalize() for part in re.split(r"[^A-Za-z0-9]+", alarm.name) if part)


def alert_rules(resolved: ResolvedDeployment) -> tuple[AlertRule, ...]:
    """Every alert rule of the deployment, built-in first, then the manifest's; empty
    when nothing evaluates Prometheus rules for it."""
    if not resolved.monitoring.prometheus:
        return ()
    custom = tuple(
        AlertRule(
            custom_rule_name(alarm),
            f"Manifest alert {alarm.name}: {alarm.metric} {alarm.comparison} {alarm.threshold:g}"
            + ("%" if alarm.percent else ""),
            "warning",
            "custom",
        )
        for alarm in resolved.monitoring.alarms
    )
    builtin_names = {rule.name for rule in BUILTIN_ALERT_RULES}
    return BUILTIN_ALERT_RULES + tuple(rule for rule in custom if rule.name not in builtin_names)
