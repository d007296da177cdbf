"""`specql deploy eject` (alias `generate`): the deployment as plain files a team can own."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from .cli_manifest import fail, load_resolved, resolve_manifest
from .cli_options import DEFAULT_MANIFEST, EnvOption, JsonOption, ManifestArg
from .errors import EXIT_FAILED, EXIT_USAGE

if TYPE_CHECKING:
    from .eject import EjectResult


def eject_command(
    output: Annotated[
        Path, typer.Option("--output", "-o", help="Directory to write the files into.", show_default=False)
    ],
    file: ManifestArg = DEFAULT_MANIFEST,
    only: Annotated[
        list[str] | None,
        typer.Option(
            "--only",
            help="Comma-separated targets: opentofu, kubernetes, docker, compose, github-actions, gitlab-ci, "
            "config, observability, ansible, docs. "
            "Defaults to all.",
        ),
    ] = None,
    env: EnvOption = None,
    force: Annotated[
        bool,
        typer.Option(
            "--force", help="Replace files changed since the last eject, or another environment's eject in DIR."
        ),
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Write Dockerfile, compose, Caddyfile, config templates, CI pipelines, OpenTofu, Kubernetes, observability and Ansible files, and docs."""
    from . import output as mode
    from .eject import EjectError, OtherEnvironment, UserChangedFiles, eject, parse_targets, suggested_output

    mode.set_json(as_json)

    try:
        targets = parse_targets(only)
    except EjectError as error:
        fail(str(error), EXIT_USAGE)
    manifest, resolved = load_resolved(file, env)
    from ..exporters import environments_needed

    others = {name: resolve_manifest(manifest, name) for name in environments_needed(resolved, targets)}
    try:
        result = eject(resolved, manifest.path, output, only=targets, force=force, environments=others)
    except OtherEnvironment as error:
        listing = "".join(f"\n  {path}" for path in error.paths)
        fail(
            f"{output} holds the {error.theirs} eject; ejecting {error.environment} there would overwrite or "
            f"remove {len(error.paths)} of its file(s). Eject {error.environment} into its own folder "
            f"(-o {suggested_output(output, error.environment)}), or rerun with --force to replace the "
            f"{error.theirs} files:{listing}",
            EXIT_USAGE,
        )
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
    if as_json:
        print(
            json.dumps(
                _summary_document(result, resolved.deployment.pattern, resolved.deployment.environment), indent=2
            )
        )
    else:
        _print_summary(result, resolved.deployment.pattern, resolved.deployment.environment)


def _summary_document(result: EjectResult, pattern: str, environment: str) -> dict[str, object]:
    return {
        "output": str(result.output),
        "pattern": pattern,
        "environment": environment,
        "changed": result.changed,
        "created": [str(path) for path in result.created],
        "updated": [str(path) for path in result.updated],
        "removed": [str(path) for path in result.removed],
        "unchanged": [str(path) for path in result.unchanged],
        "kept": [str(path) for path in result.kept],
        "targets": dict(result.targets),
    }


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
