"""The Prometheus alert rules of a deployment, each with the promtool unit test that proves it fires.

The seed's alert set (CPU, memory, database connections, error rate, latency, disk,
backup age, target down) plus the manifest's `monitoring.alerts`, over the signals the
pattern's Prometheus really has (:mod:`.signals`). Thresholds come from
``program/building_blocks.py`` (the same ones the CloudWatch alarms use) or from the
manifest. ``alerts.yml`` is what Prometheus, kube-prometheus-stack (a PrometheusRule) and
Amazon Managed Service for Prometheus (a rule group namespace) load; ``alerts.test.yml``
is its ``promtool test rules`` file.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ...program.building_blocks import (
    ALARM_CONNECTIONS_PERCENT,
    ALARM_CPU_PERCENT,
    ALARM_EVALUATION_PERIODS,
    ALARM_FREE_STORAGE_PERCENT,
    ALARM_LATENCY_P99_SECONDS,
    ALARM_MEMORY_PERCENT,
    ALARM_PERIOD_SECONDS,
    ALERT_BACKUP_AGE_INTERVALS,
    ALERT_ERROR_RATE_PERCENT,
    ALERT_SEVERITY,
    ALERT_TARGET_DOWN_SECONDS,
    ALERT_TEST_EXTRA_SAMPLES,
    ALERT_TEST_OVERSHOOT,
    PROMETHEUS_RATE_WINDOW_SECONDS,
    PROMETHEUS_SCRAPE_INTERVAL_SECONDS,
)
from ...program.catalogue import ALERT_SIGNALS
from .signals import Signal, backup_interval_seconds, signals
from .yaml_text import dump

if TYPE_CHECKING:
    from ...program.model import AlarmInfo, ResolvedDeployment

SUSTAINED_SECONDS = ALARM_PERIOD_SECONDS * ALARM_EVALUATION_PERIODS
"""How long a condition must hold before it pages: the CloudWatch alarms' evaluation."""


@dataclass(frozen=True)
class AlertRule:
    """One alerting rule and what its unit test feeds it."""

    name: str
    """Alert name (`HighCpu`), CamelCase as Prometheus alerts are named."""
    signal: Signal
    comparison: str
    threshold: float
    for_seconds: int
    summary: str
    labels: Mapping[str, str] = field(default_factory=dict)

    @property
    def expr(self) -> str:
        return f"{self.signal.expr} {self.comparison} {self.threshold:g}"

    @property
    def all_labels(self) -> dict[str, str]:
        return {"severity": ALERT_SEVERITY, **self.labels}

    def rule(self) -> dict[str, Any]:
        return {
            "alert": self.name,
            "expr": self.expr,
            "for": f"{self.for_seconds}s",
            "labels": self.all_labels,
            "annotations": {"summary": self.summary, "description": self.description},
        }

    @property
    def description(self) -> str:
        return f"{self.signal.what} {self.comparison} {self.threshold:g}{self.signal.unit} for {self.for_seconds}s."

    def firing_value(self) -> float:
        """A value of the signal beyond the threshold: what the unit test feeds."""
        if self.comparison in ("<", "<="):
            return self.threshold / ALERT_TEST_OVERSHOOT
        value = self.threshold * ALERT_TEST_OVERSHOOT if self.threshold else float(1)
        return min(value, self.signal.ceiling) if self.signal.ceiling is not None else value

    def test(self) -> dict[str, Any]:
        """A promtool test group: the series that drive the signal past the threshold, and the alert it must raise."""
        interval = PROMETHEUS_SCRAPE_INTERVAL_SECONDS
        settle = int(self.threshold) if self.signal.ages else 0
        eval_seconds = max(settle, PROMETHEUS_RATE_WINDOW_SECONDS) + self.for_seconds
        eval_seconds += interval * ALERT_TEST_EXTRA_SAMPLES
        samples = eval_seconds // interval + ALERT_TEST_EXTRA_SAMPLES
        series = self.signal.series(self.firing_value(), self, interval, samples)
        return {
            "name": f"{self.name} fires",
            "interval": f"{interval}s",
            "input_series": [{"series": selector, "values": values} for selector, values in series],
            "alert_rule_test": [
                {
                    "eval_time": f"{eval_seconds}s",
                    "alertname": self.name,
                    "exp_alerts": [
                        {
                            "exp_labels": {**self.signal.labels, **self.all_labels},
                            "exp_annotations": {"summary": self.summary, "description": self.description},
                        }
                    ],
                }
            ],
        }


def _camel(name: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[^A-Za-z0-9]+", name) if part)


def _builtin(resolved: ResolvedDeployment, available: Mapping[str, Signal]) -> list[AlertRule]:
    wanted: list[tuple[str, str, str, float, int, str]] = [
        ("HighCpu", "cpu", ">", ALARM_CPU_PERCENT, SUSTAINED_SECONDS, "CPU use is high"),
        ("HighMemory", "memory", ">", ALARM_MEMORY_PERCENT, SUSTAINED_SECONDS, "Memory use is high"),
        (
            "DatabaseConnectionsHigh",
            "connections",
            ">",
            ALARM_CONNECTIONS_PERCENT,
            SUSTAINED_SECONDS,
            "The database is running out of connections",
        ),
        ("HighErrorRate", "error_rate", ">", ALERT_ERROR_RATE_PERCENT, SUSTAINED_SECONDS, "Many requests fail"),
        ("HighLatency", "latency", ">", ALARM_LATENCY_P99_SECONDS, SUSTAINED_SECONDS, "Requests are slow"),
        ("DiskAlmostFull", "disk", "<", ALARM_FREE_STORAGE_PERCENT, SUSTAINED_SECONDS, "The disk is almost full"),
    ]
    rules = [
        AlertRule(name, available[signal], comparison, threshold, seconds, summary)
        for name, signal, comparison, threshold, seconds, summary in wanted
        if signal in available
    ]
    backup = backup_interval_seconds(resolved)
    if "backup_age" in available and backup is not None:
        rules.append(
            AlertRule(
                "BackupTooOld",
                available["backup_age"],
                ">",
                float(backup * ALERT_BACKUP_AGE_INTERVALS),
                SUSTAINED_SECONDS,
                "The last database backup is too old",
            )
        )
    rules.append(
        AlertRule("TargetDown", available["down"], "==", float(0), ALERT_TARGET_DOWN_SECONDS, "A target is down")
    )
    return rules


def signal_of(alarm: AlarmInfo) -> str | None:
    """The Prometheus signal a manifest alert watches (None: no signal of that name)."""
    signal = ALERT_SIGNALS.get(alarm.metric)
    if signal == "connections" and not (alarm.percent or alarm.metric == "db_connections"):
        return "connections_count"
    return signal


def _from_manifest(alarm: AlarmInfo, available: Mapping[str, Signal]) -> AlertRule | None:
    signal = signal_of(alarm)
    if signal is None or signal not in available:
        return None
    return AlertRule(
        _camel(alarm.name),
        available[signal],
        alarm.comparison,
        alarm.threshold,
        alarm.duration_seconds,
        f"{alarm.name} (from the manifest)",
        labels={"channel": alarm.channel},
    )


def alert_rules(resolved: ResolvedDeployment) -> list[AlertRule]:
    """The built-in rules the pattern's signals allow, then the manifest's own alerts."""
    available = signals(resolved)
    rules = _builtin(resolved, available)
    for alarm in resolved.monitoring.alarms:
        rule = _from_manifest(alarm, available)
        if rule is None:
            continue
        names = [existing.name for existing in rules]
        if rule.name in names:
            # the manifest's own `high_cpu` replaces the built-in HighCpu (its threshold wins)
            rules[names.index(rule.name)] = rule
        else:
            rules.append(rule)
    return rules


def group_name(resolved: ResolvedDeployment) -> str:
    return resolved.stack_prefix


def rules_document(resolved: ResolvedDeployment) -> dict[str, Any]:
    """``alerts.yml`` as data: one group, named after the stack."""
    return {"groups": [{"name": group_name(resolved), "rules": [rule.rule() for rule in alert_rules(resolved)]}]}


def rules_text(resolved: ResolvedDeployment) -> str:
    return dump(rules_document(resolved))


def rules_tests_document(resolved: ResolvedDeployment, rule_file: str = "alerts.yml") -> dict[str, Any]:
    """``alerts.test.yml``: a test group per alert (``promtool test rules alerts.test.yml``)."""
    return {
        "rule_files": [rule_file],
        "evaluation_interval": f"{PROMETHEUS_SCRAPE_INTERVAL_SECONDS}s",
        "tests": [rule.test() for rule in alert_rules(resolved)],
    }


def rules_tests_text(resolved: ResolvedDeployment) -> str:
    return dump(rules_tests_document(resolved))
