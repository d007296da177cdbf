"""AWS building blocks: one ComponentResource per file, composed by the AWS patterns.

Names resolve lazily so importing this package does not import pulumi-aws; a block's
module (and the provider SDK) loads on first use, when an AWS pattern is built.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_LAZY = {
    # foundations
    "Encryption": "encryption",
    "EncryptionArgs": "encryption",
    "Network": "network",
    "NetworkArgs": "network",
    "DataStoreAccess": "firewall",
    "LogArchive": "log_archive",
    "LogArchiveArgs": "log_archive",
    "Secrets": "secrets",
    "SecretsArgs": "secrets",
    # data
    "Database": "database",
    "DatabaseArgs": "database",
    "Cache": "cache",
    "CacheArgs": "cache",
    "Storage": "storage",
    "StorageArgs": "storage",
    "BucketSpec": "storage",
    # compute and entry
    "Service": "service",
    "ServiceArgs": "service",
    "LoadBalancer": "load_balancer",
    "LoadBalancerArgs": "load_balancer",
    "Edge": "edge",
    "EdgeArgs": "edge",
    # operations
    "ManagedPrometheus": "managed_prometheus",
    "ManagedPrometheusArgs": "managed_prometheus",
    "Monitoring": "monitoring",
    "MonitoringArgs": "monitoring",
    "CustomAlarm": "monitoring",
}

__all__ = list(_LAZY)


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(name)
