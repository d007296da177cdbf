"""Shared CLI plumbing: load + resolve a manifest, or print problems and exit 2.

Every command that takes a manifest goes through `load_resolved`, so the error
contract (one `field.path: message (line N)` per problem, exit 2, no traceback) holds
everywhere. Imports stay light: no pulumi here.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import NoReturn

import typer

from ..program.lock import LockError, read_lock
from ..program.manifest import Manifest, ManifestError, Problem, load
from ..program.model import ResolvedDeployment
from ..program.resolve import ResolutionError, resolve

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def fail_usage(problems: list[Problem] | list[str], source: str | None = None) -> NoReturn:
    """Print each problem on its own line to stderr and exit 2."""
    prefix = f"{source}: " if source else ""
    for problem in problems:
        print(f"{prefix}{problem}", file=sys.stderr)
    raise typer.Exit(code=EXIT_USAGE)


def fail(message: str, code: int = EXIT_FAILED) -> NoReturn:
    print(f"error: {message}", file=sys.stderr)
    raise typer.Exit(code=code)


def load_manifest(path: Path) -> Manifest:
    try:
        return load(path)
    except ManifestError as error:
        fail_usage(error.problems)


def resolve_manifest(manifest: Manifest, environment: str | None, *, use_lock: bool = True) -> ResolvedDeployment:
    from ..program.resolve import default_environment

    env = environment or default_environment(manifest.spec)
    try:
        lock = read_lock(manifest.path, env) if use_lock else None
        return resolve(manifest.spec, env, default_name=manifest.default_name, lock=lock)
    except ResolutionError as error:
        fail_usage([Problem(path, message) for path, message in error.problems])
    except LockError as error:
        fail_usage([str(error)])


def load_resolved(path: Path, environment: str | None) -> tuple[Manifest, ResolvedDeployment]:
    manifest = load_manifest(path)
    return manifest, resolve_manifest(manifest, environment)
