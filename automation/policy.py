"""What a destructive command needs before it runs: confirmations, and the lift of the
cloud's deletion protection.

- Every destroy and lock release asks (or takes `--yes`); without a terminal it refuses.
- Destroying a production stack needs its name typed, or `--yes --confirm-production`.
- Outside production, a confirmed destroy first runs the program with deletion
  protection off on exactly the resources that carry it (RDS instances, load
  balancers), then deletes. Production keeps Pulumi's `protect` on its data, so lifting
  the cloud's guard there would only weaken resources the destroy must refuse anyway.

The commands call these and turn a :class:`Refused` into exit 2.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from ..program.model import ResolvedDeployment


class Refused(Exception):
    """The command may not go on; nothing was changed (exit 2)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def interactive() -> bool:
    """A person at a terminal can answer a question."""
    return sys.stdin is not None and sys.stdin.isatty()


def confirm(question: str, yes: bool) -> None:
    """Go on after `--yes`, or a yes at the terminal; refuse otherwise."""
    if yes:
        return
    if not interactive():
        raise Refused(f"{question} needs confirmation: pass --yes in non-interactive sessions")
    if not typer.confirm(question, default=False):
        raise Refused("cancelled; nothing was changed")


def confirm_destroy(resolved: ResolvedDeployment, *, yes: bool, confirm_production: bool) -> None:
    """A production stack needs its name typed (or both flags); any other, a confirmation."""
    name = resolved.deployment.environment
    if not resolved.is_production:
        confirm(f"destroy every resource of stack {name}?", yes)
        return
    if yes and not confirm_production:
        raise Refused(f"{name} is a production stack: --yes also needs --confirm-production")
    if yes:
        return
    if not interactive():
        raise Refused(f"{name} is a production stack: type its name in a terminal, or pass --yes --confirm-production")
    typed = typer.prompt(
        f"this destroys production stack {name}: every resource but its protected data "
        "(database, cache, buckets, keys), which stays; type its name"
    )
    if typed.strip() != name:
        raise Refused("the name did not match; nothing was destroyed")


def unprotected_program(resolved: ResolvedDeployment, project_root: str) -> Callable[[], None] | None:
    """The program a confirmed destroy runs first to lift deletion protection; `None` in production."""
    if resolved.is_production:
        return None
    from ..program import make_program

    return make_program(resolved.without_deletion_protection(), project_root=project_root)
