"""The names of the hobby host's application services: Caddy, Prometheus and compose all list them."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ...program.model import ResolvedDeployment


def app_services(resolved: ResolvedDeployment) -> tuple[str, ...]:
    """The application's services, one per instance: `app`, then `app-2`, `app-3` ...

    The first keeps the name it has with one instance, so adding instances never
    replaces the running container; Caddy balances over all of them.
    """
    numbered = [f"app-{number}" for number in range(1, resolved.application.instances + 1)]
    return ("app", *numbered[1:])
