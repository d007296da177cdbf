"""Observability as plain data: what Prometheus scrapes, the alert rules (with a unit test
per rule), the Grafana dashboards and datasources, Loki's and Alloy's configuration.

One source for everything that runs it: the ejected ``observability/`` tree
(``exporters/observability``), the hobby stack's Prometheus, Grafana, Loki and Alloy
containers (which mount exactly these texts), the kubernetes pattern's PrometheusRule and
dashboard ConfigMaps, and the Amazon Managed Service for Prometheus rule group namespace.
Imports no provider SDK.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .dashboards import dashboards
from .logs import alloy_config, dashboard_provider, datasources, loki_config, uses_loki
from .rules import AlertRule, alert_rules, rules_document, rules_tests_document, rules_tests_text, rules_text
from .scrape import prometheus_config, prometheus_text

if TYPE_CHECKING:
    from ...program.model import ResolvedDeployment

ROOT = "observability"
"""Folder of the eject tree holding the observability files."""

PROMETHEUS_CONFIG = f"{ROOT}/prometheus/prometheus.yml"
ALERTS = f"{ROOT}/prometheus/alerts.yml"
ALERTS_TESTS = f"{ROOT}/prometheus/alerts.test.yml"
DATASOURCES = f"{ROOT}/grafana/datasources.yml"
DASHBOARD_PROVIDER = f"{ROOT}/grafana/dashboards.yml"
DASHBOARDS_DIR = f"{ROOT}/grafana/dashboards"
LOKI_CONFIG = f"{ROOT}/loki/loki-config.yml"
ALLOY_CONFIG = f"{ROOT}/alloy/config.alloy"


def enabled(resolved: ResolvedDeployment) -> bool:
    """Whether the deployment has anything to observe with Prometheus or Loki."""
    return resolved.monitoring.prometheus or uses_loki(resolved)


def observability_files(resolved: ResolvedDeployment) -> dict[str, str]:
    """Eject path → full text (without the provenance header) of every observability file."""
    if not enabled(resolved):
        return {}
    files: dict[str, str] = {}
    if resolved.monitoring.prometheus:
        files[PROMETHEUS_CONFIG] = prometheus_text(resolved)
        files[ALERTS] = rules_text(resolved)
        files[ALERTS_TESTS] = rules_tests_text(resolved)
    files[DATASOURCES] = datasources(resolved)
    files[DASHBOARD_PROVIDER] = dashboard_provider()
    for name, text in dashboards(resolved).items():
        files[f"{DASHBOARDS_DIR}/{name}"] = text
    if uses_loki(resolved):
        files[LOKI_CONFIG] = loki_config(resolved)
        files[ALLOY_CONFIG] = alloy_config(resolved)
    return files


__all__ = [
    "ALERTS",
    "ALERTS_TESTS",
    "ALLOY_CONFIG",
    "DASHBOARDS_DIR",
    "DASHBOARD_PROVIDER",
    "DATASOURCES",
    "LOKI_CONFIG",
    "PROMETHEUS_CONFIG",
    "ROOT",
    "AlertRule",
    "alert_rules",
    "alloy_config",
    "dashboards",
    "datasources",
    "enabled",
    "loki_config",
    "observability_files",
    "prometheus_config",
    "prometheus_text",
    "rules_document",
    "rules_tests_document",
    "rules_tests_text",
    "rules_text",
    "uses_loki",
]
