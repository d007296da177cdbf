"""deployment.lock.json: pins every value the user did not write.

A new release of specql-deploy may change a default (a newer instance class, a
longer retention). Without a lock, the next `up` would quietly change running
infrastructure. With one, resolution keeps the pinned values; `resolve --upgrade`
shows what today's defaults would change and rewrites the lock.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .model import ResolvedDeployment
from .resolve import LockEntry, derived_basis

LOCK_NAME = "deployment.lock.json"
LOCK_FORMAT = 1


class LockError(ValueError):
    """A lock file that cannot be read."""


def lock_path(manifest_path: Path) -> Path:
    return Path(manifest_path).parent / LOCK_NAME


def read_lock(manifest_path: Path, environment: str) -> dict[str, LockEntry] | None:
    """The pinned values for one environment, or None when there is no lock."""
    path = lock_path(manifest_path)
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise LockError(f"{path}: cannot be read ({error}); delete it or run `specql deploy resolve --lock`") from None
    if not isinstance(data, dict) or data.get("format") != LOCK_FORMAT:
        raise LockError(f"{path}: unknown lock format; run `specql deploy resolve --upgrade`")
    entries = data.get("environments", {}).get(environment)
    if entries is None:
        return None
    return {
        key: LockEntry(
            value=_freeze(entry["value"]), basis=tuple(_freeze(entry["basis"])) if "basis" in entry else None
        )
        for key, entry in entries.items()
    }


def lock_document(resolutions: list[ResolvedDeployment], version: str) -> dict[str, Any]:
    """The lock for every environment: non-user values, with derived inputs."""
    environments: dict[str, Any] = {}
    for resolved in resolutions:
        basis = derived_basis(resolved)
        flat = resolved.flat()
        pinned: dict[str, Any] = {}
        for path, provenance in sorted(resolved.provenance.items()):
            if provenance.source in ("user",) or (
                provenance.source == "environment" and path in _user_env_paths(resolved)
            ):
                continue
            entry: dict[str, Any] = {"value": flat[path]}
            if path in basis:
                entry["basis"] = _thaw(basis[path])
            pinned[path] = entry
        environments[resolved.deployment.environment] = pinned
    first = resolutions[0]
    return {
        "format": LOCK_FORMAT,
        "generated_by": f"specql-deploy {version}",
        "pattern": first.deployment.pattern,
        "environments": dict(sorted(environments.items())),
    }


def _user_env_paths(resolved: ResolvedDeployment) -> set[str]:
    """Paths the user set for this environment (their reason says so)."""
    return {
        path
        for path, p in resolved.provenance.items()
        if p.source == "environment" and p.reason.startswith("set for environment")
    }


def write_lock(manifest_path: Path, document: dict[str, Any]) -> Path:
    """Write atomically: a crash never leaves half a lock."""
    path = lock_path(manifest_path)
    text = json.dumps(document, indent=2, sort_keys=False) + "\n"
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".deployment.lock.", suffix=".tmp")
    with os.fdopen(handle, "w", encoding="utf-8") as stream:
        stream.write(text)
    os.replace(temporary, path)
    return path


@dataclass(frozen=True)
class Change:
    environment: str
    path: str
    locked: Any
    current: Any


def lock_changes(old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    """What rewriting the lock would change, value by value."""
    changes: list[Change] = []
    old_envs, new_envs = old.get("environments", {}), new.get("environments", {})
    for environment in sorted(set(old_envs) | set(new_envs)):
        before, after = old_envs.get(environment, {}), new_envs.get(environment, {})
        for path in sorted(set(before) | set(after)):
            was = before.get(path, {}).get("value", "(unset)")
            now = after.get(path, {}).get("value", "(unset)")
            if was != now:
                changes.append(Change(environment, path, was, now))
    return changes


def _freeze(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(_freeze(item) for item in value)
    if isinstance(value, dict):
        return {key: _freeze(item) for key, item in value.items()}
    return value


def _thaw(value: Any) -> Any:
    if isinstance(value, (tuple, list)):
        return [_thaw(item) for item in value]
    if isinstance(value, dict):
        return {key: _thaw(item) for key, item in value.items()}
    return value
