"""Docker building blocks for the hobby-project pattern (pulumi-docker).

:mod:`.service_model` describes single-host services as plain data and
:mod:`.hobby_stack` (with :mod:`.hobby_config`) builds the hobby-project stack in it;
the components below create it with pulumi-docker, and the compose exporter writes it
as a compose file. Components are imported lazily so that importing the model never
loads an SDK.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_LAZY = {
    # engine and shared plumbing
    "DockerHost": "host",
    "DockerHostArgs": "host",
    # services
    "Database": "database",
    "DatabaseArgs": "database",
    "App": "app",
    "AppArgs": "app",
    "ReverseProxy": "reverse_proxy",
    "ReverseProxyArgs": "reverse_proxy",
    # operations
    "Backup": "backup",
    "BackupArgs": "backup",
    "Monitoring": "monitoring",
    "MonitoringArgs": "monitoring",
    # helpers
    "Placement": "containers",
}

__all__ = [
    "DockerHost",
    "DockerHostArgs",
    "Database",
    "DatabaseArgs",
    "App",
    "AppArgs",
    "ReverseProxy",
    "ReverseProxyArgs",
    "Backup",
    "BackupArgs",
    "Monitoring",
    "MonitoringArgs",
    "Placement",
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(name)
