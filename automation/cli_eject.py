"""`specql deploy eject` (alias `generate`): the deployment as plain files a team can own."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from .cli_manifest import fail, load_resolved, resolve_manifest
from .cli_options import DEFAULT_MANIFEST, NO_BACKEND, Backend, EnvOption, JsonOption, ManifestArg, with_backend
from .exits import EXIT_FAILED, EXIT_USAGE

if TYPE_CHECKING:
    from .eject import EjectResult

ADOPTING_TARGET = "opentofu"
"""The target `--from-stack` adopts the stack with (the default target list then)."""


@with_backend
def eject_command(
    output: Annotated[
        Path, typer.Option("--output", "-o", help="Directory to write the files into.", show_default=False)
    ],
    file: ManifestArg = DEFAULT_MANIFEST,
    backend: Backend = NO_BACKEND,
    only: Annotated[
        list[str] | None,
        typer.Option(
            "--only",
            help="Comma-separated targets: opentofu, kubernetes, docker, compose, github-actions, gitlab-ci, "
            "config, observability, ansible, docs. "
            "Defaults to all (to opentofu with --from-stack).",
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
    """Write Dockerfile, compose, Caddyfile, config templates, CI pipelines, OpenTofu, Kubernetes, observability and Ansible files, and docs."""
    from . import output as mode
    from .eject import EjectError, OtherEnvironment, UserChangedFiles, eject, parse_targets, suggested_output

    mode.set_json(as_json)

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
        _refused(error)
        fail(f"eject failed, nothing was written: {type(error).__name__}: {error}", EXIT_FAILED)
    if as_json:
        print(
            json.dumps(
                _summary_document(result, resolved.deployment.pattern, resolved.deployment.environment), indent=2
            )
        )
    else:
        _print_summary(result, resolved.deployment.pattern, resolved.deployment.environment)
        if from_stack is not None:
            print(
                f"next: follow {output / 'docs' / 'MIGRATION.md'} (back up the Pulumi state, then tofu init and plan)"
            )


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
