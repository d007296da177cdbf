"""OpenTofu eject, translated from the resources the Pulumi program registers.

Reading the ResourceGraph instead of keeping HCL templates means the ejected code is
the same infrastructure `specql deploy up` creates: a component change shows up here
without anyone editing a template, and an unknown resource type stops the eject with
its name (see :mod:`.mapping`).

With a running stack's state in the context (`eject --from-stack`), the configuration
keeps the values the stack chose and `imports.tf` adopts its resources (:mod:`.adopt`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ...program.model import ResolvedDeployment
    from ..contract import ExportContext, GeneratedFile


def render(resolved: ResolvedDeployment, context: ExportContext) -> list[GeneratedFile]:
    """The `infrastructure/opentofu/` tree; `[]` for patterns that create nothing on AWS.

    The AWS patterns eject whole. The kubernetes pattern ejects its EKS cluster (`cluster:
    create`): network, key, roles, control plane and node group; its workloads are the
    `kubernetes` target's manifests and chart, applied to the cluster once it exists.
    """
    if not creates_aws(resolved):
        return []
    from ...capture.cost import estimate
    from .files import BASE, render_configuration
    from .translate import translate

    if context.stack_state is None:
        configuration = translate(resolved)
        return render_configuration(configuration, context, estimate(configuration.graph, resolved))
    from .adopt import StackState, adopt, imports_file, stack_values
    from .migration import migration_guide

    state = StackState.from_deployment(context.stack_state)
    configuration = translate(resolved, lambda graph: stack_values(graph, state))
    adoption = adopt(configuration, state, resolved.deployment.environment)
    files = render_configuration(configuration, context, estimate(configuration.graph, resolved))
    return [*files, imports_file(adoption, context, BASE), migration_guide(adoption, configuration, context)]


def creates_aws(resolved: ResolvedDeployment) -> bool:
    """The deployment creates AWS resources: an AWS pattern, or EKS for the kubernetes one."""
    from ...program.defaults import PATTERNS

    pattern = PATTERNS.get(resolved.deployment.pattern)
    if pattern is None:
        return False
    if pattern.cloud == "kubernetes":
        return resolved.kubernetes.cluster == "create"  # the program builds EKS (components/kubernetes)
    return pattern.cloud == "aws" and resolved.platform.provider == "aws"


__all__ = ["creates_aws", "render"]
