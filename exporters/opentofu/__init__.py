"""OpenTofu eject, translated from the resources the Pulumi program registers.

Reading the ResourceGraph instead of keeping HCL templates means the ejected code is
the same infrastructure `specql deploy up` creates: a component change shows up here
without anyone editing a template, and an unknown resource type stops the eject with
its name (see :mod:`.mapping`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ...program.model import ResolvedDeployment
    from ..contract import ExportContext, GeneratedFile


def render(resolved: ResolvedDeployment, context: ExportContext) -> list[GeneratedFile]:
    """The `infrastructure/opentofu/` tree; `[]` for patterns that do not run on AWS."""
    from ...program.defaults import PATTERNS

    pattern = PATTERNS.get(resolved.deployment.pattern)
    if resolved.platform.provider != "aws" or pattern is None or pattern.cloud != "aws":
        return []
    from ...capture.cost import estimate
    from .files import render_configuration
    from .translate import translate

    configuration = translate(resolved)
    return render_configuration(configuration, context, estimate(configuration.graph, resolved))


__all__ = ["render"]
