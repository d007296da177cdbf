"""`specql deploy eject` (alias `generate`): the deployment as plain files a team can own."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from .cli_manifest import fail, load_resolved, resolve_manifest
from .cli_options import EnvOption, ManifestArg
from .errors import EXIT_FAILED, EXIT_USAGE

if TYPE_CHECKING:
    from .eject import EjectResult


def eject_command(
    file: ManifestArg,
    output: Annotated[
        Path, typer.Option("--output", "-o", help="Directory to write the files into.", show_default=False)
    ],
    only: Annotated[
        list[str] | None,
        typer.Option(
            "--only",
            help="Comma-separated targets: opentofu, kubernetes, docker, compose, github-actions, config, "
            "observability. "
            "Defaults to all.",
        ),
    ] = None,
    env: EnvOption = None,
    force: Annotated[bool, typer.Option("--force", help="Replace files changed since the last eject.")] = False,
) -> None:
    """Write Dockerfile, compose, Caddyfile, config templates, CI workflows, OpenTofu, Kubernetes and observability files."""
    from .eject import EjectError, UserChangedFiles, eject, parse_targets

    try:
        targets = parse_targets(only)
    except EjectError as error:
        fail(str(error), EXIT_USAGE)
    manifest, resolved = load_resolved(file, env)
    from ..exporters import environments_needed

    others = {name: resolve_manifest(manifest, name) for name in environments_needed(resolved, targets)}
    try:
        result = eject(resolved, manifest.path, output, only=targets, force=force, environments=others)
    except UserChangedFiles as error:
        listing = "".join(f"\n  {path}" for path in error.paths)
        fail(
            f"{len(error.paths)} file(s) in {output} changed since the last eject; "
            f"rerun with --force to replace them:{listing}",
            EXIT_USAGE,
        )
    except EjectError as error:
        fail(str(error), EXIT_USAGE)
    except Exception as error:  # noqa: BLE001 - any exporter failure: report it, nothing was written
        fail(f"eject failed, nothing was written: {type(error).__name__}: {error}", EXIT_FAILED)
    _print_summary(result, resolved.deployment.pattern, resolved.deployment.environment)


def _print_summary(result: EjectResult, pattern: str, environment: str) -> None:
    marks = [("created", result.created), ("updated", result.updated), ("removed", result.removed)]
    for label, paths in marks:
        for path in paths:
            print(f"  {label:<8} {path}")
    for path in result.kept:
        print(f"  kept     {path} (no longer generated; you changed it, so it stays)")
    counts = ", ".join(f"{target} {count}" for target, count in result.targets.items())
    # files, not per-target counts: compose and observability share the files compose mounts
    total = len(result.created) + len(result.updated) + len(result.unchanged)
    verb = "wrote" if result.changed else "unchanged:"
    print(
        f"{verb} {len(result.created)} created, {len(result.updated)} updated, "
        f"{len(result.unchanged)} unchanged of {total} files in {result.output} "
        f"({pattern}, {environment}; {counts})"
    )


def register(deploy: typer.Typer) -> None:
    deploy.command("eject")(eject_command)
    deploy.command("generate", help="Alias of `eject`.")(eject_command)
