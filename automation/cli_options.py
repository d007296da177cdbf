"""Options the commands share, declared once.

Arguments and flags are `Annotated` aliases (`ManifestArg`, `JsonOption`, ...). The two
option groups that many commands take arrive as one value each through a decorator:

- :func:`with_environment` adds `--env`/`-e` (the environment, one stack each) and the
  hidden `--stack`/`-s` the stack commands have always accepted, so scripts keep working;
  the command receives `env`.
- :func:`with_backend` adds `--backend`, `--backend-endpoint`, `--backend-region` and
  `--secrets-provider`; the command receives them as one :class:`Backend`.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

F = TypeVar("F", bound=Callable[..., Any])

DEFAULT_MANIFEST = Path("deployment.yaml")
"""The manifest a command reads when given none: ./deployment.yaml, as `docker compose` finds its file."""
ManifestArg = Annotated[Path, typer.Argument(help="Path of the manifest.", show_default=True)]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON on stdout.")]
YesOption = Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")]
EnvOption = Annotated[
    str | None, typer.Option("--env", "-e", help="Environment (one stack each); defaults to the first listed, or dev.")
]
_StackAlias = Annotated[
    str | None, typer.Option("--stack", "-s", hidden=True, help="Same as --env (the stack commands' former spelling).")
]


@dataclass(frozen=True)
class Backend:
    """Where a stack's state lives and how its secrets are encrypted (the command line's say)."""

    url: str | None = None
    """A folder, s3://bucket/prefix, or https://api.pulumi.com; `None`: `.specql/state` next to the manifest."""
    endpoint: str | None = None
    """S3-compatible endpoint of an s3:// backend."""
    region: str | None = None
    """Region of the s3:// backend bucket."""
    secrets_provider: str | None = None
    """`passphrase` or an `awskms://` key; `None`: the backend's default."""


NO_BACKEND = Backend()
"""The placeholder default of a `backend` parameter; :func:`with_backend` always replaces it."""

_BACKEND_OPTIONS: dict[str, Any] = {
    "backend": Annotated[
        str | None,
        typer.Option(
            "--backend",
            help="State backend: a folder, s3://bucket/prefix, or https://api.pulumi.com. "
            "Defaults to .specql/state next to the manifest.",
        ),
    ],
    "backend_endpoint": Annotated[
        str | None,
        typer.Option("--backend-endpoint", help="S3-compatible endpoint for an s3:// backend (MinIO, R2, moto)."),
    ],
    "backend_region": Annotated[
        str | None, typer.Option("--backend-region", help="Region of the s3:// backend bucket.")
    ],
    "secrets_provider": Annotated[
        str | None,
        typer.Option(
            "--secrets-provider",
            help="passphrase (default; PULUMI_CONFIG_PASSPHRASE[_FILE]) or awskms://alias/<key>?region=<r>.",
        ),
    ],
}


def with_backend(command: F) -> F:
    """Give `command` the state-backend options; it receives them as `backend: Backend`."""

    def collect(values: dict[str, Any]) -> dict[str, Any]:
        return {
            "backend": Backend(
                values.pop("backend"),
                values.pop("backend_endpoint"),
                values.pop("backend_region"),
                values.pop("secrets_provider"),
            )
        }

    return _replace_parameters(command, "backend", _BACKEND_OPTIONS, collect)


def with_environment(command: F) -> F:
    """Give `command` `--env`/`-e` and the hidden `--stack`/`-s`; it receives `env`."""

    def collect(values: dict[str, Any]) -> dict[str, Any]:
        env, stack = values.pop("env"), values.pop("stack")
        if env is not None and stack is not None and env != stack:
            raise typer.BadParameter(f"--env {env} and --stack {stack} disagree; keep one", param_hint="--env")
        return {"env": env if env is not None else stack}

    return _replace_parameters(command, "env", {"env": EnvOption, "stack": _StackAlias}, collect)


def _replace_parameters(
    command: F, receives: str, options: dict[str, Any], collect: Callable[[dict[str, Any]], dict[str, Any]]
) -> F:
    """`command` with its parameter `receives` replaced by `options` on the command line."""
    signature = inspect.signature(command, eval_str=True)
    kept = [parameter for name, parameter in signature.parameters.items() if name != receives]
    added = [
        inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=None, annotation=annotation)
        for name, annotation in options.items()
    ]

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        values = {name: kwargs.pop(name) for name in options}
        return command(*args, **kwargs, **collect(values))

    wrapper.__signature__ = signature.replace(parameters=[*kept, *added])  # type: ignore[attr-defined]
    wrapper.__annotations__ = {
        **{parameter.name: parameter.annotation for parameter in kept},
        **options,
        "return": signature.return_annotation,
    }
    return wrapper  # type: ignore[return-value]
