"""The `specql` command line (typer).

Commands are thin: they parse options and call one function. Only typer, rich and
the manifest modules are imported at start-up; pulumi and the provider SDKs load
inside the commands that run a program, so `specql --help` and `validate` stay fast.
"""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer

from .. import __version__
from .cli_options import EnvOption, ManifestArg

app = typer.Typer(
    no_args_is_help=True, add_completion=False, help="specql-deploy: deployment.yaml to production infrastructure."
)
deploy = typer.Typer(no_args_is_help=True, help="Validate, resolve, preview, deploy and eject deployments.")
app.add_typer(deploy, name="deploy")


def _version(value: bool) -> None:
    if value:
        print(f"specql-deploy {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """specql-deploy: ~15 lines of deployment intent to production infrastructure."""


@deploy.command()
def validate(
    file: ManifestArg,
    strict: Annotated[bool, typer.Option("--strict", help="Treat every warning as an error (exit 2): for CI.")] = False,
) -> None:
    """Check a manifest: exit 0 with one OK line, or exit 2 with one line per problem.

    Warnings (a value raised to fit, a key this pattern does not build) go to stderr,
    once each across the environments; `--strict` makes them errors.
    """
    from ..program.resolve import environment_names
    from .cli_manifest import fail_usage, load_manifest, resolve_manifest

    manifest = load_manifest(file)
    warnings: list[str] = []
    for environment in environment_names(manifest.spec):
        resolved = resolve_manifest(manifest, environment, show_warnings=False)
        warnings += [warning for warning in resolved.warnings if warning not in warnings]
    if strict and warnings:
        fail_usage(warnings)
    for warning in warnings:
        print(f"warning: {warning}", file=sys.stderr)
    spec = manifest.spec
    print(f"OK {file}: {spec.deployment.pattern} pattern, environments: {', '.join(environment_names(spec))}")


@deploy.command("resolve")
def resolve_command(
    file: ManifestArg,
    env: EnvOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the resolved model as JSON.")] = False,
    explain: Annotated[bool, typer.Option("--explain", help="Show where every value came from and why.")] = False,
    lock: Annotated[bool, typer.Option("--lock", help="Write deployment.lock.json next to the manifest.")] = False,
    upgrade: Annotated[
        bool, typer.Option("--upgrade", help="Show what today's defaults change against the lock, then rewrite it.")
    ] = False,
) -> None:
    """Show the fully resolved deployment: every size, count and flag explicit."""
    from .cli_manifest import load_manifest, resolve_manifest
    from .resolve_view import print_resolved, write_or_upgrade_lock

    manifest = load_manifest(file)
    if lock or upgrade:
        write_or_upgrade_lock(manifest, upgrade=upgrade)
        return
    resolved = resolve_manifest(manifest, env)
    print_resolved(resolved, as_json=as_json, explain=explain)


@deploy.command()
def schema() -> None:
    """Print the JSON Schema of deployment.yaml (for yaml-language-server and editors)."""
    from ..program.schema import manifest_schema

    print(json.dumps(manifest_schema(), indent=2))


def _register_commands() -> None:
    """Stack operations and eject live in their own modules (each imports lazily)."""
    from . import cli_eject, cli_stack

    cli_stack.register(deploy)
    cli_eject.register(deploy)


_register_commands()


def main() -> None:
    """Console entry point: typer (click exits 2 on usage errors); Ctrl-C exits 130 without a traceback."""
    try:
        app()
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        sys.exit(130)


if __name__ == "__main__":
    main()
