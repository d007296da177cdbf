"""What the pattern's Prometheus can measure: each signal's PromQL, and the input series
that make it read a given value (for the promtool unit tests).

- Docker host: node exporter (job `node`: CPU, memory, the disk, the backup's textfile
  metric), postgres-exporter (job `postgres`), the application (job `app`), Caddy.
- Kubernetes: kube-prometheus-stack's cAdvisor, kube-state-metrics and kubelet metrics,
  CloudNativePG's exporter, the application's ServiceMonitor; all in the namespace.
- AWS: the application's metrics only (the collector beside it); CloudWatch alarms watch
  CPU, memory, the database and the disk.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ...program.building_blocks import (
    ALERT_LATENCY_QUANTILE,
    ALERT_TEST_OVERSHOOT,
    DOCKER_BACKUP_INTERVAL_SECONDS,
    KUBERNETES_BACKUP_INTERVAL_SECONDS,
    PROMETHEUS_RATE_WINDOW_SECONDS,
)
from ...program.catalogue import APP_METRICS
from ...program.frameworks import serves_metrics

if TYPE_CHECKING:
    from ...program.model import ResolvedDeployment

Series = tuple[tuple[str, str], ...]
SeriesFor = Callable[[float, Any, int, int], Series]
"""(value, rule, interval seconds, samples) → (selector, promtool values) pairs."""

PERCENT_CEILING = 1.0 * 100
"""The largest a percentage gets."""


@dataclass(frozen=True)
class Signal:
    """One measurable quantity."""

    expr: str
    """PromQL whose value is compared with a threshold."""
    what: str
    """What it is, for the alert's description."""
    unit: str
    series: SeriesFor
    labels: Mapping[str, str] = field(default_factory=dict)
    """Labels the expression's result carries (empty after an aggregation)."""
    ceiling: float | None = None
    """Largest value the signal can take (a percentage: 100)."""
    ages: bool = False
    """The value is a time since the first sample (a backup's age): the unit test must look
    later than the threshold. Defaults to `False`."""


def _selector(metric: str, labels: Mapping[str, str]) -> str:
    inner = ",".join(f'{key}="{value}"' for key, value in labels.items())
    return f"{metric}{{{inner}}}"


def _matchers(labels: Mapping[str, str], extra: str = "") -> str:
    parts = [f'{key}="{value}"' for key, value in labels.items()]
    if extra:
        parts.append(extra)
    return "{" + ",".join(parts) + "}" if parts else ""


def constant(value: float, samples: int) -> str:
    return f"{value:.6g}x{samples}"


def counter(per_second: float, interval: int, samples: int) -> str:
    return f"0+{per_second * interval:.6g}x{samples}"


def window() -> str:
    return f"{PROMETHEUS_RATE_WINDOW_SECONDS}s"


# ------------------------------------------------------------------- application signals


def app_signals(framework: str, scope: Mapping[str, str]) -> dict[str, Signal]:
    """Error rate and latency from the framework's own request metrics; none where the
    framework's image serves no metrics (nothing scrapes it, so the rules would never fire)."""
    if not serves_metrics(framework):
        return {}
    metrics = APP_METRICS[framework]
    requests, status, buckets = str(metrics["requests"]), str(metrics["status_label"]), str(metrics["duration_buckets"])
    scope_matchers = _matchers(scope)
    error_matchers = _matchers(scope, f'{status}=~"5.."')

    def errors(value: float, _rule: Any, interval: int, samples: int) -> Series:
        return (
            (_selector(requests, {**scope, status: "500"}), counter(value / 100, interval, samples)),
            (_selector(requests, {**scope, status: "200"}), counter(1 - value / 100, interval, samples)),
        )

    def latency(value: float, rule: Any, interval: int, samples: int) -> Series:
        # every request falls between the threshold and twice it: the quantile is above the threshold
        low, high = rule.threshold, rule.threshold * ALERT_TEST_OVERSHOOT
        return (
            (_selector(buckets, {**scope, "le": f"{low:g}"}), counter(0, interval, samples)),
            (_selector(buckets, {**scope, "le": f"{high:g}"}), counter(1, interval, samples)),
            (_selector(buckets, {**scope, "le": "+Inf"}), counter(1, interval, samples)),
        )

    return {
        "error_rate": Signal(
            expr=(
                f"100 * sum(rate({requests}{error_matchers}[{window()}])) / sum(rate({requests}{scope_matchers}[{window()}]))"
            ),
            what="Share of requests answered with a 5xx (%)",
            unit="%",
            series=errors,
            ceiling=PERCENT_CEILING,
        ),
        "latency": Signal(
            expr=(
                f"histogram_quantile({ALERT_LATENCY_QUANTILE:g}, "
                f"sum by (le) (rate({buckets}{scope_matchers}[{window()}])))"
            ),
            what=f"p{ALERT_LATENCY_QUANTILE * 100:g} request latency (s)",
            unit="s",
            series=latency,
        ),
    }


def down_signals(scope: Mapping[str, str], target: Mapping[str, str]) -> dict[str, Signal]:
    """A target that fails its scrapes (`up == 0`), and how many do (for manifest alerts)."""

    def down(_value: float, _rule: Any, _interval: int, samples: int) -> Series:
        return ((_selector("up", {**scope, **target}), constant(0, samples)),)

    def count(value: float, _rule: Any, _interval: int, samples: int) -> Series:
        return tuple(
            (
                _selector("up", {**scope, **target, "instance": f"{target.get('instance', 'target')}-{index}"}),
                constant(0, samples),
            )
            for index in range(int(value) + 1)
        )

    return {
        "down": Signal(
            expr=f"up{_matchers(scope)}", what="Scrape success", unit="", series=down, labels={**scope, **target}
        ),
        "targets_down": Signal(
            expr=f"sum(1 - up{_matchers(scope)})", what="Targets failing their scrapes", unit="", series=count
        ),
    }


# --------------------------------------------------------------------------- Docker host


def _docker(resolved: ResolvedDeployment, app_port: int) -> dict[str, Signal]:
    node, postgres = {"job": "node"}, {"job": "postgres"}

    def cpu(value: float, _rule: Any, interval: int, samples: int) -> Series:
        labels = {**node, "cpu": "0", "mode": "idle"}
        return ((_selector("node_cpu_seconds_total", labels), counter(1 - value / 100, interval, samples)),)

    def memory(value: float, _rule: Any, _interval: int, samples: int) -> Series:
        return (
            (_selector("node_memory_MemTotal_bytes", node), constant(1, samples)),
            (_selector("node_memory_MemAvailable_bytes", node), constant(1 - value / 100, samples)),
        )

    def disk(value: float, _rule: Any, _interval: int, samples: int) -> Series:
        labels = {**node, "mountpoint": "/"}
        return (
            (_selector("node_filesystem_size_bytes", labels), constant(1, samples)),
            (_selector("node_filesystem_avail_bytes", labels), constant(value / 100, samples)),
        )

    def connections_percent(value: float, _rule: Any, _interval: int, samples: int) -> Series:
        return (
            (_selector("pg_settings_max_connections", postgres), constant(1, samples)),
            (_selector("pg_stat_database_numbackends", {**postgres, "datname": "app"}), constant(value / 100, samples)),
        )

    def connections(value: float, _rule: Any, _interval: int, samples: int) -> Series:
        return ((_selector("pg_stat_database_numbackends", {**postgres, "datname": "app"}), constant(value, samples)),)

    def backup_age(value: float, _rule: Any, _interval: int, samples: int) -> Series:
        # the last backup happened at time 0; the test evaluates long after
        return ((_selector("specql_backup_last_success_timestamp_seconds", node), constant(0, samples)),)

    out: dict[str, Signal] = {
        "cpu": Signal(
            expr=f'100 * (1 - avg(rate(node_cpu_seconds_total{{job="node",mode="idle"}}[{window()}])))',
            what="Host CPU use (%)",
            unit="%",
            series=cpu,
            ceiling=PERCENT_CEILING,
        ),
        "memory": Signal(
            expr=(
                '100 * (1 - sum(node_memory_MemAvailable_bytes{job="node"}) / sum(node_memory_MemTotal_bytes{job="node"}))'
            ),
            what="Host memory use (%)",
            unit="%",
            series=memory,
            ceiling=PERCENT_CEILING,
        ),
        "disk": Signal(
            expr=(
                '100 * min(node_filesystem_avail_bytes{job="node",mountpoint="/"} '
                '/ node_filesystem_size_bytes{job="node",mountpoint="/"})'
            ),
            what="Free space on the Docker disk (%)",
            unit="%",
            series=disk,
            ceiling=PERCENT_CEILING,
        ),
        "connections": Signal(
            expr=(
                '100 * sum(pg_stat_database_numbackends{job="postgres"}) / max(pg_settings_max_connections{job="postgres"})'
            ),
            what="PostgreSQL connections in use (% of max_connections)",
            unit="%",
            series=connections_percent,
            ceiling=PERCENT_CEILING,
        ),
        "connections_count": Signal(
            expr='sum(pg_stat_database_numbackends{job="postgres"})',
            what="PostgreSQL connections",
            unit="",
            series=connections,
        ),
        **app_signals(resolved.deployment.framework, {"job": "app"}),
        **down_signals({}, {"job": "app", "instance": f"app:{app_port}"}),
    }
    if resolved.database.backup_retention_days > 0:
        out["backup_age"] = Signal(
            expr='time() - max(specql_backup_last_success_timestamp_seconds{job="node"})',
            what="Age of the last successful backup (s)",
            unit="s",
            series=backup_age,
            ages=True,
        )
    return out


# ---------------------------------------------------------------------------- Kubernetes


def _kubernetes(resolved: ResolvedDeployment) -> dict[str, Signal]:
    namespace = resolved.kubernetes.namespace
    app = resolved.deployment.name
    cluster = f"{app}-db"
    scope = {"namespace": namespace}
    container = {**scope, "container": app}

    def cpu(value: float, _rule: Any, interval: int, samples: int) -> Series:
        return (
            (
                _selector("container_cpu_usage_seconds_total", {**container, "pod": f"{app}-0"}),
                counter(value / 100, interval, samples),
            ),
            (
                _selector("kube_pod_container_resource_limits", {**container, "pod": f"{app}-0", "resource": "cpu"}),
                constant(1, samples),
            ),
        )

    def memory(value: float, _rule: Any, _interval: int, samples: int) -> Series:
        return (
            (
                _selector("container_memory_working_set_bytes", {**container, "pod": f"{app}-0"}),
                constant(value / 100, samples),
            ),
            (
                _selector("kube_pod_container_resource_limits", {**container, "pod": f"{app}-0", "resource": "memory"}),
                constant(1, samples),
            ),
        )

    pvc = {**scope, "persistentvolumeclaim": f"{cluster}-1"}

    def disk(value: float, _rule: Any, _interval: int, samples: int) -> Series:
        return (
            (_selector("kubelet_volume_stats_capacity_bytes", pvc), constant(1, samples)),
            (_selector("kubelet_volume_stats_available_bytes", pvc), constant(value / 100, samples)),
        )

    def connections_percent(value: float, _rule: Any, _interval: int, samples: int) -> Series:
        return (
            (_selector("cnpg_pg_settings_setting", {**scope, "name": "max_connections"}), constant(1, samples)),
            (_selector("cnpg_backends_total", {**scope, "datname": "app"}), constant(value / 100, samples)),
        )

    def connections(value: float, _rule: Any, _interval: int, samples: int) -> Series:
        return ((_selector("cnpg_backends_total", {**scope, "datname": "app"}), constant(value, samples)),)

    def backup_age(value: float, _rule: Any, _interval: int, samples: int) -> Series:
        return ((_selector("cnpg_collector_last_available_backup_timestamp", scope), constant(0, samples)),)

    pvc_matchers = f'{{namespace="{namespace}",persistentvolumeclaim=~"{cluster}-.*"}}'
    out: dict[str, Signal] = {}
    out["cpu"] = Signal(
        expr=(
            f"100 * sum(rate(container_cpu_usage_seconds_total{_matchers(container)}[{window()}])) "
            f"/ sum(kube_pod_container_resource_limits{_matchers({**container, 'resource': 'cpu'})})"
        ),
        what="Application CPU use (% of its limit)",
        unit="%",
        series=cpu,
        ceiling=PERCENT_CEILING,
    )
    out.update(
        {
            "memory": Signal(
                expr=(
                    f"100 * sum(container_memory_working_set_bytes{_matchers(container)}) "
                    f"/ sum(kube_pod_container_resource_limits{_matchers({**container, 'resource': 'memory'})})"
                ),
                what="Application memory use (% of its limit)",
                unit="%",
                series=memory,
                ceiling=PERCENT_CEILING,
            ),
            "disk": Signal(
                expr=(
                    f"100 * min(kubelet_volume_stats_available_bytes{pvc_matchers} "
                    f"/ kubelet_volume_stats_capacity_bytes{pvc_matchers})"
                ),
                what="Free space on the PostgreSQL volumes (%)",
                unit="%",
                series=disk,
                ceiling=PERCENT_CEILING,
            ),
            "connections": Signal(
                expr=(
                    f"100 * sum(cnpg_backends_total{_matchers(scope)}) "
                    f"/ max(cnpg_pg_settings_setting{_matchers({**scope, 'name': 'max_connections'})})"
                ),
                what="PostgreSQL connections in use (% of max_connections)",
                unit="%",
                series=connections_percent,
                ceiling=PERCENT_CEILING,
            ),
            "connections_count": Signal(
                expr=f"sum(cnpg_backends_total{_matchers(scope)})",
                what="PostgreSQL connections",
                unit="",
                series=connections,
            ),
            **app_signals(resolved.deployment.framework, scope),
            **down_signals(scope, {"job": app, "instance": f"{app}-0"}),
        }
    )
    if resolved.database.operator == "cloudnative-pg" and resolved.database.backup_retention_days > 0:
        out["backup_age"] = Signal(
            expr=f"time() - max(cnpg_collector_last_available_backup_timestamp{_matchers(scope)})",
            what="Age of the last available base backup (s)",
            unit="s",
            series=backup_age,
            ages=True,
        )
    return out


# ------------------------------------------------------------------------------------ AWS


def _aws(resolved: ResolvedDeployment) -> dict[str, Signal]:
    port = APP_METRICS[resolved.deployment.framework]["port"] or resolved.application.port
    return {
        **app_signals(resolved.deployment.framework, {"job": "app"}),
        **down_signals({}, {"job": "app", "instance": f"localhost:{port}"}),
    }


def signals(resolved: ResolvedDeployment) -> dict[str, Signal]:
    """Signal name → Signal, for what the pattern's Prometheus scrapes (`connections` is the
    share of `max_connections`, `connections_count` the number)."""
    if resolved.cloud == "docker":
        port = APP_METRICS[resolved.deployment.framework]["port"] or resolved.application.port
        return _docker(resolved, int(port))
    if resolved.cloud == "kubernetes":
        return _kubernetes(resolved)
    return _aws(resolved)


def backup_interval_seconds(resolved: ResolvedDeployment) -> int | None:
    """Seconds between two backups of the pattern's own backup job (None: no backup job)."""
    database = resolved.database
    if database.backup_retention_days <= 0:
        return None
    if resolved.cloud == "docker":
        return DOCKER_BACKUP_INTERVAL_SECONDS[database.backup_frequency]
    if resolved.cloud == "kubernetes":
        return KUBERNETES_BACKUP_INTERVAL_SECONDS[database.backup_frequency]
    return None
