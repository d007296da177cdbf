"""Exporters: the deployment handed back as plain files a team can own (``eject``).

Each target maps to ``(module, function)``; modules import lazily so the CLI starts
fast and a target's heavy dependencies (the offline capture) load only when used.
Every function has the signature ``render(resolved, context) -> list[GeneratedFile]``
(see :mod:`.contract`). A target that reads other environments of the manifest names them in
``environments_needed(resolved)``; the caller resolves them into the context, so
exporters stay pure functions of what they are given.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from importlib import import_module
from typing import TYPE_CHECKING

from .contract import ExportContext, GeneratedFile, Renderer

if TYPE_CHECKING:
    from ..program.model import ResolvedDeployment

TARGETS: Mapping[str, tuple[str, str]] = {
    "opentofu": ("specql_deploy.exporters.opentofu", "render"),
    "kubernetes": ("specql_deploy.exporters.kubernetes", "render"),
    "docker": ("specql_deploy.exporters.docker", "render"),
    "compose": ("specql_deploy.exporters.compose", "render"),
    "github-actions": ("specql_deploy.exporters.github_actions", "render"),
    "gitlab-ci": ("specql_deploy.exporters.gitlab_ci", "render"),
    "config": ("specql_deploy.exporters.config", "render"),
    "observability": ("specql_deploy.exporters.observability", "render"),
    "ansible": ("specql_deploy.exporters.ansible", "render"),
    "docs": ("specql_deploy.exporters.docs", "render"),
}
"""Target name (as given to ``eject --only``) → (module, render function), in eject order."""


def load_renderer(target: str) -> Renderer:
    """The render function of a registered target (imports its module on first use)."""
    module_name, function = TARGETS[target]
    return getattr(import_module(module_name), function)


def environments_needed(resolved: ResolvedDeployment, targets: Iterable[str]) -> tuple[str, ...]:
    """Environments other than `resolved`'s that the targets read, in first-need order."""
    names: list[str] = []
    for target in targets:
        module = import_module(TARGETS[target][0])
        for name in getattr(module, "environments_needed", lambda _resolved: ())(resolved):
            if name != resolved.deployment.environment and name not in names:
                names.append(name)
    return tuple(names)


__all__ = ["TARGETS", "ExportContext", "GeneratedFile", "Renderer", "environments_needed", "load_renderer"]
