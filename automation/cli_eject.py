"""`specql deploy eject` (alias `generate`): the deployment as plain files a team can own."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from .cli_manifest import fail, load_resolved, resolve_manifest
from .cli_options import Backend, EnvOption, ManifestArg, with_backend
from .errors import EXIT_FAILED, EXIT_USAGE

if TYPE_CHECKING:
    from .eject import EjectResult

ADOPTING_TARGET = "opentofu"
"""The target `--from-stack` adopts the stack with (the default target list then)."""


@with_backend
def eject_command(
    file: ManifestArg,
    output: Annotated[
        Path, typer.Option("--output", "-o", help="Directory to write the files into.", show_default=False)
    ],
    backend: Backend,
    only: Annotated[
        list[str] | None,
        typer.Option(
            "--only",
            help="Comma-separated targets: opentofu, kubernetes, docker, compose, github-actions, config. "
            "Defaults to all (to opentofu with --from-stack).",
        ),
    ] = None,
    env: EnvOption = None,
    force: Annotated[bool, typer.Option("--force", help="Replace files changed since the last eject.")] = False,
    from_stack: Annotated[
        str | None,
        typer.Option(
            "--from-stack",
            help="Adopt this environment's running stack: OpenTofu with the values the stack chose and "
            "imports.tf importing its resources (the first plan only imports), plus docs/MIGRATION.md.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Write Dockerfile, compose, Caddyfile, config templates, CI workflows, OpenTofu and Kubernetes files."""
    from .eject import EjectError, UserChangedFiles, eject, parse_targets

    if from_stack is not None:
        if env is not None and env != from_stack:
            fail(f"--env {env} and --from-stack {from_stack} disagree; --from-stack names the environment", EXIT_USAGE)
        env = from_stack
        only = only or [ADOPTING_TARGET]
    try:
        targets = parse_targets(only)
    except EjectError as error:
        fail(str(error), EXIT_USAGE)
    if from_stack is not None and ADOPTING_TARGET not in targets:
        fail(f"--from-stack adopts the stack with the {ADOPTING_TARGET} target: add it to --only", EXIT_USAGE)
    manifest, resolved = load_resolved(file, env)
    from ..exporters import environments_needed

    others = {name: resolve_manifest(manifest, name) for name in environments_needed(resolved, targets)}
    state: dict[str, Any] | None = None
    if from_stack is not None:
        from .cli_stack import Target, adoption_state

        state = adoption_state(Target(file, env, backend), resolved)
    try:
        result = eject(
            resolved, manifest.path, output, only=targets, force=force, environments=others, stack_state=state
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
        _refused(error)
        fail(f"eject failed, nothing was written: {type(error).__name__}: {error}", EXIT_FAILED)
    _print_summary(result, resolved.deployment.pattern, resolved.deployment.environment)
    if from_stack is not None:
        print(f"next: follow {output / 'docs' / 'MIGRATION.md'} (back up the Pulumi state, then tofu init and plan)")


def _refused(error: Exception) -> None:
    """A stack the eject cannot adopt: each reason on its own line, exit 2, nothing written."""
    from ..exporters.opentofu.adopt import AdoptionRefused

    if isinstance(error, AdoptionRefused):
        print("error: the stack cannot be adopted as it is; nothing was written:", file=sys.stderr)
        for problem in error.problems:
            print(f"  - {problem}", file=sys.stderr)
        raise typer.Exit(code=EXIT_USAGE)


def _print_summary(result: EjectResult, pattern: str, environment: str) -> None:
    marks = [("created", result.created), ("updated", result.updated), ("removed", result.removed)]
    for label, paths in marks:
        for path in paths:
            print(f"  {label:<8} {path}")
    for path in result.kept:
        print(f"  kept     {path} (no longer generated; you changed it, so it stays)")
    counts = ", ".join(f"{target} {count}" for target, count in result.targets.items())
    total = sum(result.targets.values())
    verb = "wrote" if result.changed else "unchanged:"
    print(
        f"{verb} {len(result.created)} created, {len(result.updated)} updated, "
        f"{len(result.unchanged)} unchanged of {total} files in {result.output} "
        f"({pattern}, {environment}; {counts})"
    )


def register(deploy: typer.Typer) -> None:
    deploy.command("eject")(eject_command)
    deploy.command("generate", help="Alias of `eject`.")(eject_command)
