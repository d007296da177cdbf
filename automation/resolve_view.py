"""Printing a ResolvedDeployment (`resolve`, `--json`, `--explain`) and the lock commands."""

from __future__ import annotations

import json
import sys
from typing import Any

from .. import __version__
from ..program.lock import lock_changes, lock_document, lock_path, write_lock
from ..program.manifest import Manifest
from ..program.model import ResolvedDeployment
from ..program.resolve import environment_names
from .cli_manifest import resolve_manifest

SOURCE_STYLE = {
    "user": "bold green",
    "environment": "green",
    "pattern": "cyan",
    "framework": "magenta",
    "default": "dim",
    "lock": "yellow",
}


def print_resolved(resolved: ResolvedDeployment, *, as_json: bool, explain: bool) -> None:
    if as_json:
        data = resolved.model_dump(mode="json", exclude={"provenance"} if not explain else set())
        print(json.dumps(data, indent=2))
        return
    from rich.table import Table

    from .output import console as make_console

    console = make_console()
    title = (
        f"{resolved.deployment.name} · {resolved.deployment.pattern} · environment {resolved.deployment.environment}"
    )
    table = Table(title=title, show_lines=False, expand=False)
    table.add_column("setting", style="bold")
    table.add_column("value")
    if explain:
        table.add_column("source")
        table.add_column("why", overflow="fold")
    for path, value in resolved.flat().items():
        row = [path, _text(value)]
        if explain:
            origin = resolved.provenance.get(path)
            source = origin.source if origin else "default"
            row += [f"[{SOURCE_STYLE[source]}]{source}[/]", origin.reason if origin else ""]
        table.add_row(*row)
    console.print(table)


def _text(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, (list, dict)):
        return json.dumps(value) if value else "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def write_or_upgrade_lock(manifest: Manifest, *, upgrade: bool) -> None:
    """`--lock` writes the lock (keeping pinned values); `--upgrade` re-resolves without it."""
    path = lock_path(manifest.path)
    existing = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None
    resolutions = [resolve_manifest(manifest, env, use_lock=not upgrade) for env in environment_names(manifest.spec)]
    document = lock_document(resolutions, __version__)
    if upgrade and existing is not None:
        changes = lock_changes(existing, document)
        if not changes:
            print(f"{path}: already matches today's defaults")
        for change in changes:
            print(f"{change.environment}: {change.path}: {json.dumps(change.locked)} -> {json.dumps(change.current)}")
    write_lock(manifest.path, document)
    print(f"wrote {path} ({sum(len(v) for v in document['environments'].values())} pinned values)", file=sys.stderr)
