"""Loading and resolving the manifest for a command, or printing its problems and exiting 2.

Every command that takes a manifest goes through `load_resolved`, so the error
contract (one `field.path: message (line N)` per problem, exit 2, no traceback) holds
everywhere. Imports stay light: no pulumi here.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import typer

from . import output
from .exits import EXIT_FAILED, EXIT_USAGE

if TYPE_CHECKING:  # the manifest machinery loads on first use: `--help` never pays for it
    from ..program.manifest import Manifest, Problem
    from ..program.model import ResolvedDeployment


def fail_usage(problems: Sequence[Problem | str], source: str | None = None) -> NoReturn:
    """Print each problem on its own line to stderr (as JSON on stdout under `--json`) and exit 2."""
    if output.json_mode():
        output.json_errors(problems)
        raise typer.Exit(code=EXIT_USAGE)
    prefix = f"{source}: " if source else ""
    for problem in problems:
        print(f"{prefix}{problem}", file=sys.stderr)
    raise typer.Exit(code=EXIT_USAGE)


def fail(message: str, code: int = EXIT_FAILED) -> NoReturn:
    if output.json_mode():
        output.json_errors([message])
    else:
        print(f"error: {message}", file=sys.stderr)
    raise typer.Exit(code=code)


def load_manifest(path: Path) -> Manifest:
    from ..program.manifest import ManifestError, load

    try:
        return load(path)
    except ManifestError as error:
        fail_usage(error.problems)


def resolve_manifest(
    manifest: Manifest, environment: str | None, *, use_lock: bool = True, show_warnings: bool = True
) -> ResolvedDeployment:
    from ..program.lock import LockError, read_lock
    from ..program.resolve import ResolutionError, default_environment, resolve

    env = environment or default_environment(manifest.spec)
    try:
        lock = read_lock(manifest.path, env) if use_lock else None
        resolved = resolve(manifest.spec, env, default_name=manifest.default_name, lock=lock)
    except ResolutionError as error:
        fail_usage([manifest.problem(path, message) for path, message in error.problems])
    except LockError as error:
        fail_usage([str(error)])
    if show_warnings:
        for warning in resolved.warnings:
            print(f"warning: {manifest.warning(warning)}", file=sys.stderr)
    return resolved


def resolve_every_environment(manifest: Manifest, *, show_warnings: bool = True) -> dict[str, ResolvedDeployment]:
    """Resolve each declared environment; report the problems of all of them in one go."""
    from ..program.lock import LockError, read_lock
    from ..program.resolve import ResolutionError, environment_names, resolve

    environments = environment_names(manifest.spec)
    resolved: dict[str, ResolvedDeployment] = {}
    found: dict[tuple[str, str], list[str]] = {}  # problem → the environments that have it
    for env in environments:
        try:
            lock = read_lock(manifest.path, env)
            resolved[env] = resolve(manifest.spec, env, default_name=manifest.default_name, lock=lock)
        except ResolutionError as error:
            for problem in error.problems:
                found.setdefault(problem, []).append(env)
        except LockError as error:
            found.setdefault((manifest.path.name, str(error)), []).append(env)
    if found:
        fail_usage(
            [
                manifest.problem(
                    path, message if len(envs) == len(environments) else f"{message} (in {', '.join(envs)})"
                )
                for (path, message), envs in found.items()
            ]
        )
    if show_warnings:
        for warning in every_warning(manifest, resolved):
            print(f"warning: {warning}", file=sys.stderr)
    return resolved


def every_warning(manifest: Manifest, resolved: Mapping[str, ResolvedDeployment]) -> list[Problem | str]:
    """The warnings of every environment, once each, named as the manifest writes them with their line."""
    texts = dict.fromkeys(warning for item in resolved.values() for warning in item.warnings)
    return [manifest.warning(text) for text in texts]


def load_resolved(path: Path, environment: str | None) -> tuple[Manifest, ResolvedDeployment]:
    manifest = load_manifest(path)
    return manifest, resolve_manifest(manifest, environment)


def with_overrides(
    resolved: ResolvedDeployment, *, version: str | None = None, image: str | None = None
) -> ResolvedDeployment:
    """The resolution with a release chosen on the command line (CI deploys one image tag)."""
    from ..program.resolve import with_release

    return with_release(resolved, version=version, image=image, given="on the command line (--{key})")
