"""Stack commands: `specql deploy preview / up / destroy / refresh / outputs / stacks /
cancel / bootstrap`.

Each command parses options, builds one `Deployer` through `_open`, and prints. Every
failure arrives as a `DeployError` (already explained) and leaves through
`front.fail`; pulumi is imported only inside the commands.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from .errors import EXIT_USAGE, DeployError
from .front import fail, load_resolved, with_overrides

if TYPE_CHECKING:
    from rich.console import Console

    from ..program.model import ResolvedDeployment
    from .deployer import Deployer

ManifestArg = Annotated[Path, typer.Argument(help="Path of deployment.yaml.", show_default=False)]
StackOption = Annotated[str | None, typer.Option(
    "--stack", "--env", "-s", "-e", help="Environment (one stack each); defaults to the first listed, or dev.")]
BackendOption = Annotated[str | None, typer.Option(
    "--backend", help="State backend: a folder, s3://bucket/prefix, or https://api.pulumi.com. "
                      "Defaults to .specql/state next to the manifest.")]
EndpointOption = Annotated[str | None, typer.Option(
    "--backend-endpoint", help="S3-compatible endpoint for an s3:// backend (MinIO, R2, moto).")]
RegionOption = Annotated[str | None, typer.Option(
    "--backend-region", help="Region of the s3:// backend bucket.")]
SecretsOption = Annotated[str | None, typer.Option(
    "--secrets-provider", help="passphrase (default; PULUMI_CONFIG_PASSPHRASE[_FILE]) or awskms://alias/<key>?region=<r>.")]
EmulateOption = Annotated[bool, typer.Option(
    "--emulate", help="Point the aws provider at a local moto server started for this command.")]
YesOption = Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")]
VersionOption = Annotated[str | None, typer.Option(
    "--version", help="Deploy this application version (image tag) instead of deployment.version; CI passes the commit SHA.")]
ImageOption = Annotated[str | None, typer.Option(
    "--image", help="Deploy this image reference instead of application.image (e.g. ghcr.io/org/app:sha).")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON on stdout.")]


@dataclass(frozen=True)
class Target:
    """Command-line options that locate a stack."""

    file: Path
    stack: str | None
    backend: str | None = None
    endpoint: str | None = None
    region: str | None = None
    secrets_provider: str | None = None
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
    options = [("--backend", target.backend), ("--backend-endpoint", target.endpoint),
               ("--backend-region", target.region)]
    extra = "".join(f" {flag} {value}" for flag, value in options if value)
    return f"specql deploy cancel {target.file} --stack {stack}{extra}"


@contextmanager
def _open(target: Target, *, with_program: bool) -> Iterator[tuple[Deployer, ResolvedDeployment]]:
    """Resolve the manifest, locate the stack and CLI, and build its Deployer."""
    _, resolved = load_resolved(target.file, target.stack)
    resolved = with_overrides(resolved, version=target.version, image=target.image)
    with ExitStack() as cleanup:
        try:
            from .deployer import Deployer
            from .engine import locate_cli
            from .plugins import required_plugins
            from .stacks import locate, stack_config

            cli = locate_cli()
            location = locate(resolved.deployment.name, resolved.deployment.environment, target.file,
                              backend=target.backend, secrets_provider=target.secrets_provider,
                              s3_endpoint=target.endpoint, s3_region=target.region)
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
            deployer = Deployer.at(location, program, config=stack_config(resolved, overrides),
                                   env_vars=env, cli=cli, cancel_hint=_cancel_hint(target, location.stack),
                                   plugins=required_plugins(resolved) if with_program else ())
        except DeployError as error:
            fail(error.message, error.code)
        yield deployer, resolved


def _run(action: Callable[[], Any]) -> Any:
    try:
        return action()
    except DeployError as error:
        fail(error.message, error.code)


def _interactive() -> bool:
    return sys.stdin is not None and sys.stdin.isatty()


def _require_confirmation(question: str, yes: bool) -> None:
    if yes:
        return
    if not _interactive():
        fail(f"{question} needs confirmation: pass --yes in non-interactive sessions", EXIT_USAGE)
    if not typer.confirm(question, default=False):
        fail("cancelled; nothing was changed", EXIT_USAGE)


def preview(
    file: ManifestArg,
    stack: StackOption = None,
    offline: Annotated[bool, typer.Option("--offline", help="Run the program under mocks: no engine, no cloud.")] = False,
    as_json: JsonOption = False,
    markdown: Annotated[Path | None, typer.Option("--markdown", help="Write a PR-comment summary to this file.")] = None,
    detailed_exitcode: Annotated[bool, typer.Option("--detailed-exitcode", help="Exit 0 with no changes, 2 with changes, 1 on error.")] = False,
    backend: BackendOption = None,
    backend_endpoint: EndpointOption = None,
    backend_region: RegionOption = None,
    secrets_provider: SecretsOption = None,
    emulate: EmulateOption = False,
) -> None:
    """Show what `up` would change, from the real engine (or `--offline` under mocks)."""
    if offline:
        from .offline import offline_preview

        raise typer.Exit(code=offline_preview(file, stack, as_json))
    from .progress import print_summary, print_warnings
    from .summary import render_markdown

    target = Target(file, stack, backend, backend_endpoint, backend_region, secrets_provider, emulate)
    with _open(target, with_program=True) as (deployer, _):
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


def up(
    file: ManifestArg,
    stack: StackOption = None,
    yes: YesOption = False,
    as_json: JsonOption = False,
    backend: BackendOption = None,
    backend_endpoint: EndpointOption = None,
    backend_region: RegionOption = None,
    secrets_provider: SecretsOption = None,
    emulate: EmulateOption = False,
    version: VersionOption = None,
    image: ImageOption = None,
) -> None:
    """Create or update the stack: shows the preview, asks (unless --yes), then deploys with live progress."""
    from .progress import live_progress, print_summary

    target = Target(file, stack, backend, backend_endpoint, backend_region, secrets_provider, emulate,
                    version, image)
    human = _stderr() if as_json else _stdout()
    with _open(target, with_program=True) as (deployer, resolved):
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
        _require_confirmation(f"deploy these changes to {deployer.project}/{deployer.stack_name}?", yes)
        waits_for_dns = bool(resolved.deployment.domain) and not resolved.deployment.dns_zone
        with live_progress(_stderr(), f"up {deployer.project}/{deployer.stack_name}",
                           dns_records=waits_for_dns) as listener:
            result = _run(lambda: deployer.up(listener))
    if as_json:
        print_warnings(result)
        print(result.to_json())
    else:
        print_summary(human, result)


def destroy(
    file: ManifestArg,
    stack: StackOption = None,
    yes: YesOption = False,
    confirm_production: Annotated[bool, typer.Option("--confirm-production", help="With --yes: allow destroying a production stack without typing its name.")] = False,
    backend: BackendOption = None,
    backend_endpoint: EndpointOption = None,
    backend_region: RegionOption = None,
    secrets_provider: SecretsOption = None,
    emulate: EmulateOption = False,
) -> None:
    """Delete every resource of the stack. Production stacks need their name typed (or --yes --confirm-production)."""
    from .progress import live_progress, print_summary

    target = Target(file, stack, backend, backend_endpoint, backend_region, secrets_provider, emulate)
    _, resolved = load_resolved(file, stack)
    name = resolved.deployment.environment
    if resolved.is_production:
        if yes and not confirm_production:
            fail(f"{name} is a production stack: --yes also needs --confirm-production", EXIT_USAGE)
        if not yes:
            if not _interactive():
                fail(f"{name} is a production stack: type its name in a terminal, or pass "
                     "--yes --confirm-production", EXIT_USAGE)
            typed = typer.prompt(f"this destroys production stack {name}: every resource but its protected data "
                                 "(database, cache, buckets, keys), which stays; type its name")
            if typed.strip() != name:
                fail("the name did not match; nothing was destroyed", EXIT_USAGE)
    else:
        _require_confirmation(f"destroy every resource of stack {name}?", yes)
    unprotected = None
    if not resolved.is_production:
        # production keeps Pulumi's `protect` on its data, so lifting the cloud's guard there
        # would only weaken resources the destroy must refuse anyway
        from ..program import make_program

        unprotected = make_program(resolved.without_deletion_protection(),
                                   project_root=str(target.file.resolve().parent))
    with (_open(target, with_program=True) as (deployer, _),
          live_progress(_stderr(), f"destroy {deployer.project}/{name}") as listener):
        result = _run(lambda: deployer.destroy(listener, unprotected=unprotected))
    print_summary(_stdout(), result, show_outputs=False)


def refresh(
    file: ManifestArg,
    stack: StackOption = None,
    as_json: JsonOption = False,
    backend: BackendOption = None,
    backend_endpoint: EndpointOption = None,
    backend_region: RegionOption = None,
    secrets_provider: SecretsOption = None,
    emulate: EmulateOption = False,
) -> None:
    """Read every resource's real state into the stack (drift becomes visible in the next preview)."""
    from .progress import live_progress, print_summary

    target = Target(file, stack, backend, backend_endpoint, backend_region, secrets_provider, emulate)
    with (_open(target, with_program=True) as (deployer, _),
          live_progress(_stderr(), f"refresh {deployer.project}/{deployer.stack_name}") as listener):
        result = _run(lambda: deployer.refresh(listener))
    if as_json:
        print(result.to_json())
    else:
        print_summary(_stdout(), result, show_outputs=False)


def outputs(
    file: ManifestArg,
    stack: StackOption = None,
    as_json: JsonOption = False,
    backend: BackendOption = None,
    backend_endpoint: EndpointOption = None,
    backend_region: RegionOption = None,
    secrets_provider: SecretsOption = None,
) -> None:
    """Print the stack's outputs (secret values stay masked)."""
    target = Target(file, stack, backend, backend_endpoint, backend_region, secrets_provider)
    with _open(target, with_program=False) as (deployer, _):
        values = _run(deployer.outputs)
    if as_json:
        print(json.dumps(values, indent=2, sort_keys=True, default=str))
        return
    if not values:
        print(f"stack {deployer.stack_name} has no outputs")
    for key, value in sorted(values.items()):
        print(f"{key}: {value}")


def stacks(
    file: ManifestArg,
    as_json: JsonOption = False,
    backend: BackendOption = None,
    backend_endpoint: EndpointOption = None,
    backend_region: RegionOption = None,
    secrets_provider: SecretsOption = None,
) -> None:
    """List the deployment's stacks in the backend, with their last update and resource count."""
    target = Target(file, None, backend, backend_endpoint, backend_region, secrets_provider)
    with _open(target, with_program=False) as (deployer, resolved):
        found = _run(deployer.stacks)
    rows = [{"name": item.name, "lastUpdate": item.last_update, "resourceCount": item.resource_count,
             "updateInProgress": item.update_in_progress,
             "declared": item.name.rsplit("/", 1)[-1] in resolved.environments} for item in found]
    if as_json:
        print(json.dumps(rows, indent=2, default=str))
        return
    if not rows:
        print(f"no stacks yet for {deployer.project} in {deployer.backend_url}")
    for row in rows:
        busy = " (update in progress)" if row["updateInProgress"] else ""
        print(f"{row['name']}\t{row['resourceCount'] if row['resourceCount'] is not None else '-'} resources"
              f"\tlast update {row['lastUpdate'] or 'never'}{busy}")


def cancel(
    file: ManifestArg,
    stack: StackOption = None,
    yes: YesOption = False,
    backend: BackendOption = None,
    backend_endpoint: EndpointOption = None,
    backend_region: RegionOption = None,
    secrets_provider: SecretsOption = None,
) -> None:
    """Release the lock of an interrupted update (only when no update is really running)."""
    target = Target(file, stack, backend, backend_endpoint, backend_region, secrets_provider)
    _, resolved = load_resolved(file, stack)
    _require_confirmation(f"release the lock on {resolved.deployment.name}/{resolved.deployment.environment}? "
                          "Only do this when no update is running", yes)
    with _open(target, with_program=False) as (deployer, _):
        _run(deployer.cancel)
    print(f"released the lock on {deployer.project}/{deployer.stack_name}; run `specql deploy up` to finish")


def bootstrap(
    backend: Annotated[str, typer.Option("--backend", help="s3://bucket[/prefix] to create.", show_default=False)],
    backend_endpoint: EndpointOption = None,
    backend_region: RegionOption = None,
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
