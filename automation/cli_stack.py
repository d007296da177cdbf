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

from . import output, policy
from .cli_manifest import fail, load_resolved, with_overrides
from .cli_options import (
    DEFAULT_MANIFEST,
    NO_BACKEND,
    Backend,
    JsonOption,
    ManifestArg,
    YesOption,
    with_backend,
    with_environment,
)
from .exits import EXIT_CHANGES, EXIT_FAILED, EXIT_OK, EXIT_USAGE, DeployError

if TYPE_CHECKING:
    from rich.console import Console

    from ..program.model import ResolvedDeployment
    from .deployer import Deployer
    from .summary import PreviewSummary

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
    return output.console(stderr=True, highlight=False, soft_wrap=True)


def _stdout() -> Console:
    return output.console(highlight=False, soft_wrap=True)


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
            from .stacks import locate, stack_config, stale_config

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
            config = stack_config(resolved, overrides)
            deployer = Deployer.at(
                location,
                program,
                config=config,
                unset_config=stale_config(config),
                env_vars=env,
                cli=cli,
                cancel_hint=_cancel_hint(target, location.stack),
                plugins=required_plugins(resolved) if with_program else (),
            )
        except DeployError as error:
            fail(error.message, error.code)
        yield deployer, resolved


def release_note(resolved: ResolvedDeployment) -> str | None:
    """What an AWS `up` without a release runs: a tag no image carries, and how to give one."""
    if resolved.cloud != "aws" or resolved.application.image:
        return None
    if resolved.provenance["deployment.version"].source in ("user", "environment"):
        return None
    return (
        f"no release given: the service runs its repository's tag `{resolved.deployment.version}`, which no "
        "image carries (tags are immutable there); push an image tagged with its commit SHA and run "
        "`specql deploy up --version <sha>`, as the deploy workflow does"
    )


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
    file: ManifestArg = DEFAULT_MANIFEST,
    env: str | None = None,
    backend: Backend = NO_BACKEND,
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
    """Show what `up` would change, from the real engine (or `--offline` under mocks).

    Exit codes: 0 done, 1 failed, 2 bad input; with --detailed-exitcode 0 no changes, 2 changes, 1 any error.
    """
    output.set_json(as_json)
    if offline:
        from .offline import offline_preview

        code = offline_preview(file, env, as_json, markdown=markdown, detailed_exitcode=detailed_exitcode)
        if detailed_exitcode and code == EXIT_CHANGES:
            output.report_changes()
        raise typer.Exit(code=code)
    try:
        summary, resolved = _engine_preview(Target(file, env, backend, emulate))
    except typer.Exit as exit_:
        if detailed_exitcode and exit_.exit_code != EXIT_OK:
            raise typer.Exit(code=EXIT_FAILED) from None
        raise
    from .progress import print_summary, print_warnings
    from .summary import render_markdown

    if markdown is not None:
        markdown.parent.mkdir(parents=True, exist_ok=True)
        markdown.write_text(render_markdown(summary) + "\n", encoding="utf-8")
    if as_json:
        print_warnings(summary)
        print(json.dumps({**summary.to_dict(), "cost": _cost(resolved)}, indent=2))
    else:
        print_summary(_stdout(), summary)
    if detailed_exitcode and summary.has_changes:
        output.report_changes()
        raise typer.Exit(code=EXIT_CHANGES)


def _engine_preview(target: Target) -> tuple[PreviewSummary, ResolvedDeployment]:
    with open_stack(target, with_program=True) as (deployer, resolved):
        return _run(deployer.preview), resolved


def _cost(resolved: ResolvedDeployment) -> dict[str, Any] | None:
    """The monthly estimate of what the stack runs, from the program under mocks (`None` if it cannot run)."""
    from ..capture import capture
    from ..capture.cost import estimate

    try:
        return estimate(capture(resolved), resolved).to_dict()
    except Exception:  # noqa: BLE001 - the estimate is extra; the preview stands without it
        return None


@with_backend
@with_environment
def up(
    file: ManifestArg = DEFAULT_MANIFEST,
    env: str | None = None,
    backend: Backend = NO_BACKEND,
    yes: YesOption = False,
    as_json: JsonOption = False,
    emulate: EmulateOption = False,
    version: VersionOption = None,
    image: ImageOption = None,
) -> None:
    """Create or update the stack: shows the preview, asks (unless --yes), then deploys with live progress."""
    output.set_json(as_json)
    _up(Target(file, env, backend, emulate, version, image), yes=yes, as_json=as_json)


def _up(target: Target, *, yes: bool, as_json: bool, question: str = "deploy these changes to") -> None:
    """Preview, confirm, deploy and print: `up`, and `rollback` with an earlier release."""
    from .progress import live_progress, print_summary, print_warnings

    human = _stderr() if as_json else _stdout()
    with open_stack(target, with_program=True) as (deployer, resolved):
        note = release_note(resolved)
        if note:
            from rich.markup import escape

            _stderr().print(f"[bold yellow]note:[/] {escape(note)}")
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
        _allowed(lambda: policy.confirm(f"{question} {deployer.project}/{deployer.stack_name}?", yes))
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
def rollback(
    file: ManifestArg = DEFAULT_MANIFEST,
    env: str | None = None,
    backend: Backend = NO_BACKEND,
    to: Annotated[
        str | None,
        typer.Option("--to", help="The release (image tag) to go back to. Defaults to the one before the current."),
    ] = None,
    list_only: Annotated[
        bool, typer.Option("--list", help="List the stack's releases, newest first, and change nothing.")
    ] = False,
    yes: YesOption = False,
    as_json: JsonOption = False,
    emulate: EmulateOption = False,
) -> None:
    """Redeploy an earlier release (image tag) of the stack, as `kamal rollback VERSION` does; the infrastructure stays as the manifest says."""
    from .releases import choose

    output.set_json(as_json)
    target = Target(file, env, backend, emulate)
    with open_stack(target, with_program=False) as (deployer, _):
        releases = _run(deployer.releases)
    if list_only:
        if as_json:
            print(json.dumps([release.to_dict() for release in releases], indent=2))
        for index, release in enumerate(releases if not as_json else ()):
            mark = "current" if index == 0 else ""
            print(f"{release.tag}\t{release.image or '-'}\tupdate {release.update}\t{release.deployed_at}\t{mark}")
        return
    chosen = _run(lambda: choose(releases, to, deployer.stack_name))
    _up(
        Target(file, env, backend, emulate, version=chosen.tag, image=chosen.image),
        yes=yes,
        as_json=as_json,
        question=f"roll back to {chosen.tag} (update {chosen.update}) on",
    )


@with_backend
@with_environment
def destroy(
    file: ManifestArg = DEFAULT_MANIFEST,
    env: str | None = None,
    backend: Backend = NO_BACKEND,
    yes: YesOption = False,
    confirm_production: Annotated[
        bool,
        typer.Option(
            "--confirm-production", help="With --yes: allow destroying a production stack without typing its name."
        ),
    ] = False,
    as_json: JsonOption = False,
    emulate: EmulateOption = False,
) -> None:
    """Delete every resource of the stack. Production stacks need their name typed (or --yes --confirm-production)."""
    from .progress import live_progress, print_summary, print_warnings

    output.set_json(as_json)
    _, resolved = load_resolved(file, env)
    _allowed(lambda: policy.confirm_destroy(resolved, yes=yes, confirm_production=confirm_production))
    unprotected = policy.unprotected_program(resolved, project_root=str(file.resolve().parent))
    with (
        open_stack(Target(file, env, backend, emulate), with_program=True) as (deployer, _),
        live_progress(_stderr(), f"destroy {deployer.project}/{resolved.deployment.environment}") as listener,
    ):
        result = _run(lambda: deployer.destroy(listener, unprotected=unprotected))
    if as_json:
        print_warnings(result)
        print(result.to_json())
    else:
        print_summary(_stdout(), result, show_outputs=False)


@with_backend
@with_environment
def refresh(
    file: ManifestArg = DEFAULT_MANIFEST,
    env: str | None = None,
    backend: Backend = NO_BACKEND,
    as_json: JsonOption = False,
    emulate: EmulateOption = False,
) -> None:
    """Read every resource's real state into the stack (drift becomes visible in the next preview)."""
    output.set_json(as_json)
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
    file: ManifestArg = DEFAULT_MANIFEST,
    env: str | None = None,
    backend: Backend = NO_BACKEND,
    as_json: JsonOption = False,
) -> None:
    """Print the stack's outputs (secret values stay masked)."""
    output.set_json(as_json)
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
    file: ManifestArg = DEFAULT_MANIFEST,
    backend: Backend = NO_BACKEND,
    as_json: JsonOption = False,
) -> None:
    """List the deployment's stacks in the backend, with their last update and resource count."""
    output.set_json(as_json)
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
    file: ManifestArg = DEFAULT_MANIFEST,
    env: str | None = None,
    backend: Backend = NO_BACKEND,
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
    backend: Annotated[str, typer.Option("--backend", help="s3://bucket\\[/prefix] to create.", show_default=False)],
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
    for command in (preview, up, rollback, destroy, refresh, outputs, stacks, cancel, bootstrap):
        deploy.command(command.__name__)(command)
