"""Observability target: ``observability/`` (Prometheus, its alert rules and their unit
tests, Grafana's dashboards and datasources, Loki and Alloy).

The texts are :func:`~...components.observability.observability_files`, the very ones the
running stacks load: the hobby stack's containers mount them, the kubernetes pattern ships
the rules and dashboards as a PrometheusRule and ConfigMaps, Amazon Managed Service for
Prometheus gets the rules as a rule group namespace. Each file here is that text under the
provenance header (JSON dashboards carry none: JSON has no comments; Alloy's file has it as
`//` comments, the only kind its syntax has). Nothing is written
when the deployment has neither Prometheus metrics nor Loki logs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...components.observability import observability_files
from ...components.observability.scrape import WORKSPACE_ENV, WORKSPACE_PLACEHOLDER
from ..contract import GeneratedFile
from ..headers import hash_header, slash_header

if TYPE_CHECKING:
    from ...program.model import ResolvedDeployment
    from ..contract import ExportContext

WHAT = {
    "prometheus.yml": "Prometheus's scrape configuration: promtool check config prometheus.yml",
    "alerts.yml": "Alert rules: promtool check rules alerts.yml",
    "alerts.test.yml": "A unit test per alert proving it fires: promtool test rules alerts.test.yml",
    "datasources.yml": "Grafana datasource provisioning (/etc/grafana/provisioning/datasources/).",
    "dashboards.yml": "Grafana dashboard provisioning (/etc/grafana/provisioning/dashboards/).",
    "loki-config.yml": "Loki, one process with filesystem storage.",
    "config.alloy": "Grafana Alloy: ships the logs to Loki.",
}


AWS_WHAT = {
    "prometheus.yml": f"{WHAT['prometheus.yml']}\n"
    f"For a Prometheus of your own: replace {WORKSPACE_PLACEHOLDER} with `tofu output -raw prometheus_workspace_id`.",
    "datasources.yml": f"{WHAT['datasources.yml']}\n"
    f"Grafana reads the workspace id from the {WORKSPACE_ENV} environment variable "
    "(`tofu output -raw prometheus_workspace_id`).",
}
"""On AWS the workspace id is known only once the stack exists: where to put it."""


def with_header(context: ExportContext, path: str, text: str) -> str:
    """The file as ejected: the provenance header, a blank line, then exactly the text the stacks load."""
    if path.endswith(".json"):
        return text
    name = path.rsplit("/", 1)[-1]
    header = slash_header if path.endswith(".alloy") else hash_header
    what = (AWS_WHAT if context.resolved.cloud == "aws" else {}).get(name) or WHAT.get(name, "")
    return header(context, what=what) + "\n" + text


def strip_header(content: str) -> str:
    """The text the stacks load, from an ejected file (the inverse of :func:`with_header`)."""
    lines = content.splitlines(keepends=True)
    index = 0
    while index < len(lines) and lines[index].startswith(("#", "//")):
        index += 1
    if index and index < len(lines) and lines[index] == "\n":
        index += 1
    return "".join(lines[index:])


def render(resolved: ResolvedDeployment, context: ExportContext) -> list[GeneratedFile]:
    """Every observability file of the deployment; nothing without Prometheus or Loki."""
    return [
        GeneratedFile(path, with_header(context, path, text)) for path, text in observability_files(resolved).items()
    ]


__all__ = ["render", "strip_header", "with_header"]
