"""Stack commands: `specql deploy preview / up / destroy / refresh / outputs / stacks /
cancel / bootstrap`.

Each command parses options, builds one `Deployer` through `open_stack`, and prints. Every
failure arrives as a `DeployError` (already explained) and leaves through
`cli_manifest.fail`; pulumi is imported only inside the commands.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from . import policy
from .cli_manifest import fail, load_resolved, with_overrides
from .cli_options import Backend, JsonOption, ManifestArg, YesOption, with_backend, with_environment
from .errors import EXIT_USAGE, DeployError

if TYPE_CHECKING:
    from rich.console import Console

    from ..program.model import ResolvedDeployment
    from .deployer import Deployer

EmulateOption = Annotated[
    bool, typer.Option("--emulate", help="Point the aws provider at a local moto server started for this command.")
]
VersionOption = Annotated[
    str | None,
    typer.Option(
        "--version",
        help="Deploy this application version (image tag) instead of deployment.version; CI passes the commit SHA.",
    ),
]
ImageOption = Annotated[
    str | None,
    typer.Option(
        "--image", help="Deploy this image reference instead of application.image (e.g. ghcr.io/org/app:sha)."
    ),
]


@dataclass(frozen=True)
class Target:
    """Command-line options that locate a stack."""

    file: Path
    env: str | None
    backend: Backend = Backend()
    emulate: bool = False
    version: str | None = None
    image: str | None = None


def _stderr() -> Console:
    from rich.console import Console

    return Console(stderr=True, highlight=False, soft_wrap=True)


def _stdout() -> Console:
    from rich.console import Console

    return Console(highlight=False, soft_wrap=True)


def _cancel_hint(target: Target, stack: str) -> str:
    """The exact cancel command for this stack, with the options that locate it."""
    backend = target.backend
    options = [
        ("--backend", backend.url),
        ("--backend-endpoint", backend.endpoint),
        ("--backend-region", backend.region),
    ]
    extra = "".join(f" {flag} {value}" for flag, value in options if value)
    return f"specql deploy cancel {target.file} --env {stack}{extra}"


@contextmanager
def open_stack(
    target: Target, *, with_program: bool, resolved: ResolvedDeployment | None = None
) -> Iterator[tuple[Deployer, ResolvedDeployment]]:
    """Resolve the manifest (unless given resolved), locate the stack and CLI, and build its
    Deployer (the seam the command tests replace)."""
    if resolved is None:
        _, resolved = load_resolved(target.file, target.env)
    resolved = with_overrides(resolved, version=target.version, image=target.image)
    with ExitStack() as cleanup:
        try:
            from .deployer import Deployer
            from .engine import locate_cli
            from .plugins import required_plugins
            from .stacks import locate, stack_config

            cli = locate_cli()
            backend = target.backend
            location = locate(
                resolved.deployment.name,
                resolved.deployment.environment,
                target.file,
                backend=backend.url,
                secrets_provider=backend.secrets_provider,
                s3_endpoint=backend.endpoint,
                s3_region=backend.region,
            )
            from rich.markup import escape

            for notice in location.notices:
                _stderr().print(f"[bold yellow]note:[/] {escape(notice)}")
            overrides: dict[str, Any] = {}
            env: dict[str, str] = {}
            if target.emulate:
                from .emulate import MotoServer, aws_provider_config

                moto = cleanup.enter_context(MotoServer())
                _stderr().print(f"emulating AWS with moto at {moto.endpoint}")
                overrides = aws_provider_config(moto.endpoint)
                env = moto.environment(resolved.platform.region)
            program = None
            if with_program:
                from ..program import make_program

                program = make_program(resolved, project_root=str(target.file.resolve().parent))
            deployer = Deployer.at(
                location,
                program,
                config=stack_config(resolved, overrides),
                env_vars=env,
                cli=cli,
                cancel_hint=_cancel_hint(target, location.stack),
                plugins=required_plugins(resolved) if with_program else (),
            )
        except DeployError as error:
            fail(error.message, error.code)
        yield deployer, resolved


def adoption_state(target: Target, resolved: ResolvedDeployment) -> dict[str, Any]:
    """The exported state of the stack `eject --from-stack` adopts (secrets stay encrypted)."""
    with open_stack(target, with_program=False, resolved=resolved) as (deployer, _):
        return _run(deployer.adoption_state)


def _run(action: Callable[[], Any]) -> Any:
    try:
        return action()
    except DeployError as error:
        fail(error.message, error.code)


def _allowed(check: Callable[[], None]) -> None:
    """Run a policy check; a refusal is bad usage (exit 2) and changes nothing."""
    try:
        check()
    except policy.Refused as refused:
        fail(refused.message, EXIT_USAGE)


@with_backend
@with_environment
def preview(
    file: ManifestArg,
    env: str | None,
    backend: Backend,
    offline: Annotated[
        bool, typer.Option("--offline", help="Run the program under mocks: no engine, no cloud.")
    ] = False,
    as_json: JsonOption = False,
    markdown: Annotated[
        Path | None, typer.Option("--markdown", help="Write a PR-comment summary to this file.")
    ] = None,
    detailed_exitcode: Annotated[
        bool, typer.Option("--detailed-exitcode", help="Exit 0 with no changes, 2 with changes, 1 on error.")
    ] = False,
    emulate: EmulateOption = False,
) -> None:
    """Show what `up` would change, from the real engine (or `--offline` under mocks)."""
    if offline:
        from .offline import offline_preview

        raise typer.Exit(code=offline_preview(file, env, as_json))
    from .progress import print_summary, print_warnings
    from .summary import render_markdown

    with open_stack(Target(file, env, backend, emulate), with_program=True) as (deployer, _):
        summary = _run(deployer.preview)
    if markdown is not None:
        markdown.parent.mkdir(parents=True, exist_ok=True)
        markdown.write_text(render_markdown(summary) + "\n", encoding="utf-8")
    if as_json:
        print_warnings(summary)
        print(summary.to_json())
    else:
        print_summary(_stdout(), summary)
    if detailed_exitcode and summary.has_changes:
        raise typer.Exit(code=2)


@with_backend
@with_environment
def up(
    file: ManifestArg,
    env: str | None,
    backend: Backend,
    yes: YesOption = False,
    as_json: JsonOption = False,
    emulate: EmulateOption = False,
    version: VersionOption = None,
    image: ImageOption = None,
) -> None:
    """Create or update the stack: shows the preview, asks (unless --yes), then deploys with live progress."""
    from .progress import live_progress, print_summary, print_warnings

    human = _stderr() if as_json else _stdout()
    with open_stack(Target(file, env, backend, emulate, version, image), with_program=True) as (deployer, resolved):
        planned = _run(deployer.preview)
        print_summary(human, planned, show_outputs=False, show_warnings=not planned.has_changes)
        if not planned.has_changes:
            current = _run(deployer.outputs)
            if as_json:
                print(planned.to_json())
            else:
                human.print("nothing to change")
                for key, value in sorted(current.items()):
                    print(f"{key}: {value}")
            return
        _allowed(lambda: policy.confirm(f"deploy these changes to {deployer.project}/{deployer.stack_name}?", yes))
        waits_for_dns = bool(resolved.deployment.domain) and not resolved.deployment.dns_zone
        with live_progress(
            _stderr(), f"up {deployer.project}/{deployer.stack_name}", dns_records=waits_for_dns
        ) as listener:
            result = _run(lambda: deployer.up(listener))
    if as_json:
        print_warnings(result)
        print(result.to_json())
    else:
        print_summary(human, result)


@with_backend
@with_environment
def destroy(
    file: ManifestArg,
    env: str | None,
    backend: Backend,
    yes: YesOption = False,
    confirm_production: Annotated[
        bool,
        typer.Option(
            "--confirm-production", help="With --yes: allow destroying a production stack without typing its name."
        ),
    ] = False,
    emulate: EmulateOption = False,
) -> None:
    """Delete every resource of the stack. Production stacks need their name typed (or --yes --confirm-production)."""
    from .progress import live_progress, print_summary

    _, resolved = load_resolved(file, env)
    _allowed(lambda: policy.confirm_destroy(resolved, yes=yes, confirm_production=confirm_production))
    unprotected = policy.unprotected_program(resolved, project_root=str(file.resolve().parent))
    with (
        open_stack(Target(file, env, backend, emulate), with_program=True) as (deployer, _),
        live_progress(_stderr(), f"destroy {deployer.project}/{resolved.deployment.environment}") as listener,
    ):
        result = _run(lambda: deployer.destroy(listener, unprotected=unprotected))
    print_summary(_stdout(), result, show_outputs=False)


@with_backend
@with_environment
def refresh(
    file: ManifestArg,
    env: str | None,
    backend: Backend,
    as_json: JsonOption = False,
    emulate: EmulateOption = False,
) -> None:
    """Read every resource's real state into the stack (drift becomes visible in the next preview)."""
    from .progress import live_progress, print_summary

    with (
        open_stack(Target(file, env, backend, emulate), with_program=True) as (deployer, _),
        live_progress(_stderr(), f"refresh {deployer.project}/{deployer.stack_name}") as listener,
    ):
        result = _run(lambda: deployer.refresh(listener))
    if as_json:
        print(result.to_json())
    else:
        print_summary(_stdout(), result, show_outputs=False)


@with_backend
@with_environment
def outputs(
    file: ManifestArg,
    env: str | None,
    backend: Backend,
    as_json: JsonOption = False,
) -> None:
    """Print the stack's outputs (secret values stay masked)."""
    with open_stack(Target(file, env, backend), with_program=False) as (deployer, _):
        values = _run(deployer.outputs)
    if as_json:
        print(json.dumps(values, indent=2, sort_keys=True, default=str))
        return
    if not values:
        print(f"stack {deployer.stack_name} has no outputs")
    for key, value in sorted(values.items()):
        print(f"{key}: {value}")


@with_backend
def stacks(
    file: ManifestArg,
    backend: Backend,
    as_json: JsonOption = False,
) -> None:
    """List the deployment's stacks in the backend, with their last update and resource count."""
    with open_stack(Target(file, None, backend), with_program=False) as (deployer, resolved):
        found = _run(deployer.stacks)
    rows = [
        {
            "name": item.name,
            "lastUpdate": item.last_update,
            "resourceCount": item.resource_count,
            "updateInProgress": item.update_in_progress,
            "declared": item.name.rsplit("/", 1)[-1] in resolved.environments,
        }
        for item in found
    ]
    if as_json:
        print(json.dumps(rows, indent=2, default=str))
        return
    if not rows:
        print(f"no stacks yet for {deployer.project} in {deployer.backend_url}")
    for row in rows:
        busy = " (update in progress)" if row["updateInProgress"] else ""
        print(
            f"{row['name']}\t{row['resourceCount'] if row['resourceCount'] is not None else '-'} resources"
            f"\tlast update {row['lastUpdate'] or 'never'}{busy}"
        )


@with_backend
@with_environment
def cancel(
    file: ManifestArg,
    env: str | None,
    backend: Backend,
    yes: YesOption = False,
) -> None:
    """Release the lock of an interrupted update (only when no update is really running)."""
    _, resolved = load_resolved(file, env)
    _allowed(
        lambda: policy.confirm(
            f"release the lock on {resolved.deployment.name}/{resolved.deployment.environment}? "
            "Only do this when no update is running",
            yes,
        )
    )
    with open_stack(Target(file, env, backend), with_program=False) as (deployer, _):
        _run(deployer.cancel)
    print(f"released the lock on {deployer.project}/{deployer.stack_name}; run `specql deploy up` to finish")


def bootstrap(
    backend: Annotated[str, typer.Option("--backend", help="s3://bucket[/prefix] to create.", show_default=False)],
    backend_endpoint: Annotated[
        str | None, typer.Option("--backend-endpoint", help="S3-compatible endpoint of the bucket (MinIO, R2, moto).")
    ] = None,
    backend_region: Annotated[str | None, typer.Option("--backend-region", help="Region of the bucket.")] = None,
) -> None:
    """Create the shared state backend: versioned encrypted S3 bucket, KMS key for secrets, lock table. Idempotent."""
    from .bootstrap import bootstrap as run_bootstrap
    from .bootstrap import plan_for

    plan = _run(lambda: plan_for(backend, backend_region, backend_endpoint))
    report = _run(lambda: run_bootstrap(plan))
    for what, outcome in report.steps:
        print(f"{outcome:>8}  {what}")
    print(f"state backend ready: s3://{plan.bucket}/{plan.prefix}".rstrip("/"))
    print(f"secrets provider:    --secrets-provider '{plan.secrets_provider()}'")
    print(f"OpenTofu lock table: {plan.lock_table}")


def register(deploy: typer.Typer) -> None:
    """Add the stack commands to `specql deploy`."""
    for command in (preview, up, destroy, refresh, outputs, stacks, cancel, bootstrap):
        deploy.command(command.__name__)(command)
