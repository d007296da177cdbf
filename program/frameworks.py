"""What each framework's image can do by itself: the health probe its runtime runs, the
Prometheus metrics it serves, and the secrets it needs to boot.

The generated images carry only the framework's runtime (no curl, no wget on the Debian
slim bases): every health check, whether Docker's HEALTHCHECK, a compose healthcheck or
the ECS container health check, probes the application with the runtime's own
interpreter, so the same command works wherever the image runs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

FRAMEWORK_RUNTIME: Mapping[str, str] = {
    "fraiseql": "python",
    "django": "python",
    "rails": "ruby",
    "nodejs": "nodejs",
}
"""Framework → the runtime its image carries (the interpreter every probe runs)."""


def health_probe(framework: str, url: str, timeout_seconds: int) -> tuple[str, ...]:
    """Exec-form command that exits 0 when ``url`` answers 2xx within ``timeout_seconds``,
    written for the interpreter the framework's image ships (the image is built from the
    framework's recipe and base image, whatever `application.runtime` says)."""
    try:
        probe = _PROBES[FRAMEWORK_RUNTIME[framework]]
    except KeyError:
        raise ValueError(
            f"no health probe for framework {framework!r}; known: {', '.join(sorted(FRAMEWORK_RUNTIME))}"
        ) from None
    return probe(url, timeout_seconds)


def probe_seconds(check_timeout_seconds: int) -> int:
    """The probe gives up a second before the health check's own timeout, so it exits with
    its own verdict instead of being killed."""
    return max(1, check_timeout_seconds - 1)


def _python_probe(url: str, seconds: int) -> tuple[str, ...]:
    return ("python", "-c", f"import urllib.request; urllib.request.urlopen('{url}', timeout={seconds})")


def _node_probe(url: str, seconds: int) -> tuple[str, ...]:
    return (
        "node",
        "-e",
        (
            f"fetch('{url}', {{signal: AbortSignal.timeout({seconds * 1000})}})"
            ".then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))"
        ),
    )


def _ruby_probe(url: str, seconds: int) -> tuple[str, ...]:
    return (
        "ruby",
        "-rnet/http",
        "-e",
        (
            f"u = URI('{url}'); exit Net::HTTP.start(u.host, u.port, open_timeout: {seconds}, "
            f"read_timeout: {seconds}) {{ |http| http.get(u.path).is_a?(Net::HTTPSuccess) }}"
        ),
    )


_PROBES = {"python": _python_probe, "nodejs": _node_probe, "ruby": _ruby_probe}
"""Runtime (``application.runtime``) → its probe."""


@dataclass(frozen=True)
class Metrics:
    """Where a framework serves Prometheus metrics by itself, and why."""

    path: str | None
    """HTTP path of the metrics endpoint on the application's port; `None`: none without extra code."""
    reason: str
    """What `--explain` says about scraping the application."""


METRICS: Mapping[str, Metrics] = {
    "fraiseql": Metrics("/metrics", "FraiseQL serves Prometheus metrics on /metrics"),
    "django": Metrics(
        None,
        "Django serves no Prometheus metrics by itself (django-prometheus adds /metrics): "
        "Prometheus scrapes itself until the application has an endpoint",
    ),
    "rails": Metrics(
        None,
        "Rails serves no Prometheus metrics by itself (the prometheus_exporter or yabeda-prometheus gem adds them): "
        "Prometheus scrapes itself until the application has an endpoint",
    ),
    "nodejs": Metrics(
        None,
        "Node.js serves no Prometheus metrics by itself (prom-client adds /metrics): "
        "Prometheus scrapes itself until the application has an endpoint",
    ),
}
"""Framework → its metrics endpoint: Prometheus scrapes the application only where one exists,
so no scrape target is down forever and no alert fires on a 404."""


def serves_metrics(framework: str) -> bool:
    """Whether the framework's image serves Prometheus metrics by itself (what the stacks scrape)."""
    return METRICS[framework].path is not None


BOOT_SECRETS: Mapping[str, tuple[tuple[str, str], ...]] = {
    "rails": (
        (
            "RAILS_MASTER_KEY",
            "Rails decrypts config/credentials.yml.enc with it (the content of config/master.key); "
            "production does not boot without it",
        ),
    ),
}
"""Framework → (secret, why) it needs in production before it serves a request."""
