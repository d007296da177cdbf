"""Provider plugins a program needs, at the versions the installed SDKs pin.

The engine downloads missing plugins on demand; where it cannot (no internet, a
proxy, an air-gapped runner) that fails deep inside an update with a long error. Here
the plugins are checked before the operation starts, installed when possible, and a
failure becomes one sentence naming the plugin, the version and the command to run.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from typing import TYPE_CHECKING

from .errors import DeployError, plugin_message

if TYPE_CHECKING:
    from ..program.model import ResolvedDeployment

INSTALL_TIMEOUT_SECONDS = 120
"""A plugin download is a few dozen MB; an offline machine fails in seconds."""

# Pattern cloud → provider SDK packages its components import.
CLOUD_PLUGINS: Mapping[str, tuple[str, ...]] = {
    "aws": ("pulumi_aws", "pulumi_random"),
    "docker": ("pulumi_docker", "pulumi_random"),
    # Nothing in the kubernetes pattern is random: the operator makes the database password.
    "kubernetes": ("pulumi_kubernetes",),
}


@dataclass(frozen=True)
class Plugin:
    name: str
    version: str
    kind: str = "resource"

    def __str__(self) -> str:
        return f"{self.kind} {self.name} v{self.version}"


def sdk_plugin(package: str) -> Plugin:
    """The plugin a provider SDK was generated for, from its `pulumi-plugin.json`."""
    data = json.loads(resources.files(package).joinpath("pulumi-plugin.json").read_text())
    return Plugin(name=data["name"], version=data["version"].lstrip("v"))


def required_plugins(resolved: ResolvedDeployment) -> tuple[Plugin, ...]:
    cloud = resolved.cloud
    packages = list(CLOUD_PLUGINS[cloud])
    if cloud == "kubernetes" and resolved.kubernetes.cluster == "create":
        packages.append("pulumi_aws")  # the cluster itself is EKS
    return tuple(sdk_plugin(package) for package in packages)


def installed_plugins(workspace) -> set[tuple[str, str, str]]:
    return {(str(info.kind), info.name, str(info.version or "").lstrip("v")) for info in workspace.list_plugins()}


def install(cli_path: str, plugin: Plugin, env: Mapping[str, str], timeout: float) -> str | None:
    """Run `pulumi plugin install`; the error text, or None on success."""
    command = [cli_path, "plugin", "install", plugin.kind, plugin.name, plugin.version, "--non-interactive"]
    try:
        completed = subprocess.run(
            command, capture_output=True, text=True, timeout=timeout, env={**os.environ, **env}, check=False
        )
    except subprocess.TimeoutExpired:
        return f"timed out after {timeout:.0f}s"
    return None if completed.returncode == 0 else (completed.stderr or completed.stdout).strip()


def ensure_plugins(
    workspace, cli_path: str, plugins: Iterable[Plugin], *, timeout: float = INSTALL_TIMEOUT_SECONDS
) -> None:
    """Install each missing plugin, or raise DeployError naming the first that cannot be."""
    plugins = tuple(plugins)
    if not plugins:
        return
    have = installed_plugins(workspace)
    env = dict(workspace.env_vars or {})
    if workspace.pulumi_home:
        env["PULUMI_HOME"] = workspace.pulumi_home
    env.setdefault("PULUMI_SKIP_UPDATE_CHECK", "true")
    for plugin in plugins:
        if (plugin.kind, plugin.name, plugin.version) in have:
            continue
        failure = install(cli_path, plugin, env, timeout)
        if failure is not None:
            raise DeployError(plugin_message(plugin.name, plugin.version))
