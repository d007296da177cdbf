"""The Caddyfile of the local production stack: automatic HTTPS for the domain and the
security headers every response carries (the same site block the hobby stack deploys)."""

from __future__ import annotations

from ...components.docker.caddy import site_block
from ...program.model import ResolvedDeployment


def render_caddyfile(resolved: ResolvedDeployment, header: str) -> str:
    return f"""{header}#
# {{$DOMAIN}} and {{$APP_UPSTREAM}} come from the caddy service's environment in
# docker-compose.prod.yaml. Caddy obtains and renews the certificate by itself; the
# caddy-data volume keeps it across restarts.

{site_block("{$DOMAIN}", "{$APP_UPSTREAM}", resolved.application, tls=True)}"""
