"""Exporters: the deployment handed back as plain files a team can own (``eject``).

Each target maps to ``(module, function)``; modules import lazily so the CLI starts
fast and a target's heavy dependencies (the offline capture) load only when used.
Every function has the signature ``render(resolved, context) -> list[GeneratedFile]``
(see :mod:`.base`).
"""

from __future__ import annotations

from collections.abc import Mapping
from importlib import import_module

from .base import ExportContext, GeneratedFile, Renderer

TARGETS: Mapping[str, tuple[str, str]] = {
    "opentofu": ("specql_deploy.exporters.opentofu", "render"),
    "kubernetes": ("specql_deploy.exporters.kubernetes", "render"),
    "docker": ("specql_deploy.exporters.docker", "render"),
    "compose": ("specql_deploy.exporters.compose", "render"),
    "github-actions": ("specql_deploy.exporters.github_actions", "render"),
    "config": ("specql_deploy.exporters.config", "render"),
}
"""Target name (as given to ``eject --only``) → (module, render function), in eject order."""


def load_renderer(target: str) -> Renderer:
    """The render function of a registered target (imports its module on first use)."""
    module_name, function = TARGETS[target]
    return getattr(import_module(module_name), function)


__all__ = ["TARGETS", "ExportContext", "GeneratedFile", "Renderer", "load_renderer"]
