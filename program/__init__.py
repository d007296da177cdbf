"""The Pulumi program: manifest → resolved model → pattern components.

`build(resolved)` is the one program: the Automation API runs it inline, the offline
capture runs it under mocks, and `Pulumi.yaml` runs it through `program/__main__.py`.
Pattern modules are imported only when built, so the CLI's start-up never pays for a
provider SDK.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from typing import TYPE_CHECKING

from .docstrings import install as _read_field_docs_once_per_module

_read_field_docs_once_per_module()

if TYPE_CHECKING:
    from .model import ResolvedDeployment

# pattern → (module, ComponentResource class) under specql_deploy.components.patterns
PATTERN_COMPONENTS: dict[str, tuple[str, str]] = {
    "small-saas": ("small_saas", "SmallSaas"),
    "production-saas": ("production_saas", "ProductionSaas"),
    "hobby-project": ("hobby_project", "HobbyProject"),
    "kubernetes": ("kubernetes_app", "KubernetesApp"),
}


def build(resolved: ResolvedDeployment, *, project_root: str = ".", offline: bool | None = None) -> None:
    """Instantiate the pattern's component and export its stack outputs.

    ``project_root`` is the folder of deployment.yaml: patterns that build images on a
    Docker host take their build context from it. ``offline`` says nothing will be built
    or started (the offline capture passes `True`); `None` means offline exactly when the
    engine runs a preview.
    """
    import pulumi

    if offline is None:
        offline = pulumi.runtime.is_dry_run()
    module_name, class_name = PATTERN_COMPONENTS[resolved.deployment.pattern]
    module = import_module(f"specql_deploy.components.patterns.{module_name}")
    options = {"project_root": project_root, "offline": offline} if resolved.cloud == "docker" else {}
    component = getattr(module, class_name)(resolved.stack_prefix, resolved, **options)
    for key, value in sorted(component.stack_outputs().items()):
        pulumi.export(key, value)


def make_program(resolved: ResolvedDeployment, *, project_root: str = ".") -> Callable[[], None]:
    """A PulumiFn for the Automation API: a closure over the resolved model."""
    return lambda: build(resolved, project_root=project_root)
