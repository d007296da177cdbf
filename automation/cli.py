"""The `specql` command line (typer).

Commands are thin: they parse options and call one function. Only typer, rich and
the manifest modules are imported at start-up; pulumi and the provider SDKs load
inside the commands that run a program, so `specql --help` and `validate` stay fast.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from .. import __version__
from .cli_options import DEFAULT_MANIFEST, EnvOption, JsonOption, ManifestArg

app = typer.Typer(no_args_is_help=True, help="specql-deploy: deployment.yaml to production infrastructure.")
deploy = typer.Typer(no_args_is_help=True, help="Validate, resolve, preview, deploy and eject deployments.")
app.add_typer(deploy, name="deploy")


def _version(value: bool) -> None:
    if value:
        print(f"specql-deploy {__version__}")
        raise typer.Exit()


def _color(value: str | None) -> str | None:
    from . import output

    if value is not None and value not in output.COLOR_MODES:
        raise typer.BadParameter(f"{value!r} is not one of auto, always, never", param_hint="--color")
    output.set_color(value or "auto")
    return value


@app.callback()
def root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
    color: Annotated[
        str | None,
        typer.Option(
            "--color",
            callback=_color,
            is_eager=True,
            metavar="auto|always|never",
            help="Colour and styles: auto (a terminal, unless NO_COLOR is set), always, or never.",
        ),
    ] = None,
) -> None:
    """specql-deploy: ~15 lines of deployment intent to production infrastructure."""
    from . import output

    output.start_command()


@deploy.command("init")
def init_command(
    directory: Annotated[Path, typer.Argument(help="Folder to write deployment.yaml into.", show_default=True)] = Path(
        "."
    ),
    pattern: Annotated[
        str,
        typer.Option("--pattern", "-p", help="hobby-project, small-saas, production-saas or kubernetes."),
    ] = "small-saas",
    framework: Annotated[
        str | None, typer.Option("--framework", "-f", help="fraiseql, django, rails or nodejs.")
    ] = None,
) -> None:
    """Write a commented deployment.yaml (and the JSON Schema editors check it against); never overwrites."""
    from .cli_manifest import fail
    from .exits import EXIT_USAGE
    from .init import InitError, init

    try:
        manifest, schema = init(directory, pattern, framework)
    except InitError as error:
        fail(str(error), EXIT_USAGE)
    print(f"wrote {manifest} ({pattern}) and {schema.name}; next: specql deploy validate {manifest}")


@deploy.command()
def validate(
    file: ManifestArg = DEFAULT_MANIFEST,
    as_json: JsonOption = False,
    strict: Annotated[bool, typer.Option("--strict", help="Treat every warning as an error (exit 2): for CI.")] = False,
) -> None:
    """Check a manifest: exit 0 with one OK line, or exit 2 with one line per problem.

    Warnings (a value raised to fit, a key this pattern does not build) go to stderr,
    once each across the environments; `--strict` makes them errors.
    """
    from . import output
    from .cli_manifest import every_warning, fail_usage, load_manifest, resolve_every_environment

    output.set_json(as_json)
    manifest = load_manifest(file)
    resolved = resolve_every_environment(manifest, show_warnings=False)
    warnings = every_warning(manifest, resolved)
    if strict and warnings:
        fail_usage(warnings)
    if not as_json:
        for warning in warnings:
            print(f"warning: {warning}", file=sys.stderr)
    spec = manifest.spec
    from ..program.resolve import environment_names

    if as_json:
        document = {"file": str(file), "pattern": spec.deployment.pattern, "environments": environment_names(spec)}
        print(
            json.dumps({"ok": True, **document, "errors": [], "warnings": [str(item) for item in warnings]}, indent=2)
        )
        return
    print(f"OK {file}: {spec.deployment.pattern} pattern, environments: {', '.join(environment_names(spec))}")


@deploy.command("resolve")
def resolve_command(
    file: ManifestArg = DEFAULT_MANIFEST,
    env: EnvOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the resolved model as JSON.")] = False,
    explain: Annotated[bool, typer.Option("--explain", help="Show where every value came from and why.")] = False,
    lock: Annotated[bool, typer.Option("--lock", help="Write deployment.lock.json next to the manifest.")] = False,
    upgrade: Annotated[
        bool, typer.Option("--upgrade", help="Show what today's defaults change against the lock, then rewrite it.")
    ] = False,
) -> None:
    """Show the fully resolved deployment: every size, count and flag explicit."""
    from . import output

    output.set_json(as_json)
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
    """Console entry point; Ctrl-C exits 130 without a traceback.

    Exit codes: 0 ok, 1 failed, 2 usage or bad input (click's own usage errors included);
    with `--detailed-exitcode`, any error is 1 (2 means changes). Under `--json` a usage
    error is JSON on stdout like every other error.
    """
    from . import output
    from .exits import EXIT_FAILED, EXIT_USAGE

    # pydantic looks for plugins in the entry points of every installed distribution the
    # first time a model is built (a tenth of `validate`); the CLI uses none, as typer's
    # own adapters do not. A value the user set (`PYDANTIC_DISABLE_PLUGINS=`) is kept.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    argv = sys.argv[1:]
    output.color_from_environment()
    try:
        code = _run_json(argv) if "--json" in argv else _run(argv)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        sys.exit(130)
    if code == EXIT_USAGE and "--detailed-exitcode" in argv and not output.changes_reported():
        code = EXIT_FAILED
    sys.exit(code)


def _run(argv: list[str]) -> int:
    try:
        app(args=argv)
    except SystemExit as exit_:
        return exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 1)
    return 0


def _run_json(argv: list[str]) -> int:
    """`app` without click's standalone handling, so a usage error can be printed as JSON."""
    from . import output

    usage_error = typer.BadParameter.__mro__[1]  # click's UsageError, which typer re-exports only this way
    try:
        result = app(args=argv, standalone_mode=False)
    except usage_error as error:  # type: ignore[misc]
        hint = getattr(error, "param_hint", None)
        output.json_errors([{"path": hint, "line": None, "message": error.format_message()}])
        return int(error.exit_code)
    except typer.Abort:
        return 1
    return result if isinstance(result, int) else 0


if __name__ == "__main__":
    main()
