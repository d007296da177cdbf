"""ManagedPrometheus: an Amazon Managed Service for Prometheus workspace and its alert rules.

Built when the manifest sets `monitoring.metrics.prometheus` on AWS. The rule group
namespace holds exactly the ejected ``observability/prometheus/alerts.yml`` (the alerts
the application's own metrics allow: error rate, latency, target down; CloudWatch alarms
watch CPU, memory, the database and the disk). The workspace is encrypted with the
deployment's KMS key. The collector beside the application (components/aws/service.py)
scrapes it with the jobs of ``observability/prometheus/prometheus.yml`` and remote-writes
here; the endpoint is a stack output.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pulumi
import pulumi_aws as aws

from .children import child

if TYPE_CHECKING:
    from ...program.model import ResolvedDeployment


@dataclass(frozen=True)
class ManagedPrometheusArgs:
    """Arguments of :class:`ManagedPrometheus`."""

    alias: str
    """Workspace alias (the stack prefix). Required."""
    rules: str
    """Prometheus rules file (YAML) loaded as the rule group namespace. Required."""
    kms_key_arn: pulumi.Input[str] | None
    """Customer-managed key encrypting the workspace; `None` uses an AWS-owned key. Required."""


def managed_prometheus_settings(resolved: ResolvedDeployment) -> dict[str, Any]:
    from ..observability import rules_text

    return {"alias": resolved.stack_prefix, "rules": rules_text(resolved)}


class ManagedPrometheus(pulumi.ComponentResource):
    """The workspace and the rule group namespace."""

    workspace_id: pulumi.Output[str]
    workspace_arn: pulumi.Output[str]
    remote_write_url: pulumi.Output[str]

    def __init__(self, name: str, args: ManagedPrometheusArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("specql:aws:ManagedPrometheus", name, None, opts)
        self.workspace = aws.amp.Workspace(
            f"{name}-workspace",
            alias=args.alias,
            kms_key_arn=args.kms_key_arn,
            opts=child(self),
        )
        self.rules = aws.amp.RuleGroupNamespace(
            f"{name}-rules",
            name=args.alias,
            workspace_id=self.workspace.id,
            data=args.rules,
            opts=child(self),
        )
        self.workspace_id = self.workspace.id
        self.workspace_arn = self.workspace.arn
        self.remote_write_url = self.workspace.prometheus_endpoint.apply(lambda url: f"{url}api/v1/remote_write")
        self.register_outputs({"workspace_id": self.workspace_id, "remote_write_url": self.remote_write_url})
