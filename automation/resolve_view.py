"""Printing a ResolvedDeployment (`resolve`, `--json`, `--explain`) and the lock commands."""

from __future__ import annotations

import json
import sys
from typing import Any

from .. import __version__
from ..program.building_blocks import RESOLVE_TABLE_MIN_REST_COLUMNS
from ..program.explain import explained
from ..program.lock import lock_changes, lock_document, lock_path, write_lock
from ..program.manifest import Manifest
from ..program.model import Provenance, ResolvedDeployment
from ..program.resolve import environment_names
from .cli_manifest import resolve_manifest

REASON_INDENT = "    "
"""Reasons sit under their setting, indented, in the line layout."""

SOURCE_STYLE = {
    "user": "bold green",
    "environment": "green",
    "pattern": "cyan",
    "framework": "magenta",
    "default": "dim",
    "lock": "yellow",
}


def print_resolved(resolved: ResolvedDeployment, *, as_json: bool, explain: bool) -> None:
    """The settings the pattern builds from (the others are left out); with `explain`,
    where each came from and why. A table on a wide terminal; piped or narrow, one
    setting per line with its reason wrapped below it, so no key is ever cut."""
    rows = explained(resolved)
    if as_json:
        data = resolved.model_dump(mode="json", exclude={"provenance"})
        if explain:
            data["provenance"] = {path: origin.model_dump(mode="json") for path, (_, origin) in rows.items()}
            data["not_built"] = sorted(path for path in resolved.flat() if path not in rows)
        print(json.dumps(data, indent=2))
        return
    from .output import console as make_console

    console = make_console()
    title = (
        f"{resolved.deployment.name} · {resolved.deployment.pattern} · environment {resolved.deployment.environment}"
    )
    longest = max(len(path) for path in rows)
    if console.width >= longest + RESOLVE_TABLE_MIN_REST_COLUMNS:
        _print_table(console, title, rows, explain=explain)
    else:
        _print_lines(console, title, rows, explain=explain)


def _print_table(console: Any, title: str, rows: dict[str, tuple[Any, Provenance]], *, explain: bool) -> None:
    from rich.table import Table

    table = Table(title=title, show_lines=False, expand=False)
    table.add_column("setting", style="bold", no_wrap=True)
    table.add_column("value", overflow="fold")
    if explain:
        table.add_column("source", no_wrap=True)
        table.add_column("why", overflow="fold")
    for path, (value, origin) in rows.items():
        row = [path, _text(value)]
        if explain:
            row += [f"[{SOURCE_STYLE[origin.source]}]{origin.source}[/]", origin.reason]
        table.add_row(*row)
    console.print(table)


def _print_lines(console: Any, title: str, rows: dict[str, tuple[Any, Provenance]], *, explain: bool) -> None:
    import textwrap

    from rich.markup import escape

    width = console.width
    console.print(f"[bold]{escape(title)}[/]")
    for path, (value, origin) in rows.items():
        source = f"  [{SOURCE_STYLE[origin.source]}]({origin.source})[/]" if explain else ""
        head = f"[bold]{escape(path)}[/] = {escape(_text(value))}{source}"
        console.print(head, overflow="fold", crop=False)
        if explain and origin.reason:
            for line in textwrap.wrap(origin.reason, width=width - len(REASON_INDENT), break_on_hyphens=False):
                console.print(f"{REASON_INDENT}{escape(line)}", overflow="fold", crop=False, highlight=False)


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
