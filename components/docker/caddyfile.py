"""Caddy's site block, shared by the hobby stack `up` creates and the ejected compose file.

One builder, so the headers a deployed hobby project answers with are the headers an
ejected AWS project's local production stack answers with. Imports no provider SDK.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...program.building_blocks import HSTS_MAX_AGE_SECONDS

if TYPE_CHECKING:
    from ...program.model import ApplicationInfo

HSTS = ("Strict-Transport-Security", f"max-age={HSTS_MAX_AGE_SECONDS}; includeSubDomains; preload")
"""Browsers remember to use HTTPS for a year, subdomains included (sent only over HTTPS)."""

SECURITY_HEADERS = (
    # No MIME sniffing: a JSON response is never executed as a script.
    ("X-Content-Type-Options", "nosniff"),
    # The API is never framed (clickjacking).
    ("X-Frame-Options", "DENY"),
    ("Content-Security-Policy", "frame-ancestors 'none'"),
    # Full URLs (with query strings) never leak to other origins.
    ("Referrer-Policy", "strict-origin-when-cross-origin"),
    ("Permissions-Policy", "camera=(), geolocation=(), microphone=()"),
)
"""Headers every response carries, over HTTP or HTTPS."""


def site_block(site: str, upstream: str, app: ApplicationInfo, *, tls: bool) -> str:
    """One Caddy site: compression, the security headers, a health-checked proxy, JSON access logs.

    `site` is what Caddy serves (a domain gets automatic HTTPS; `:80` plain HTTP);
    `upstream` is the application's `host:port` (or a `{$VAR}` placeholder); several,
    space-separated, are balanced over, each health-checked on its own.
    """
    headers = ([HSTS] if tls else []) + list(SECURITY_HEADERS)
    lines = [
        f"{site} {{",
        "\tencode zstd gzip",
        "",
        "\theader {",
        *(f'\t\t{name} "{value}"' for name, value in headers),
        "\t\t# Do not advertise the server software.",
        "\t\t-Server",
        "\t}",
        "",
        f"\treverse_proxy {upstream} {{",
        "\t\t# Stop routing to the app while its health check fails.",
        f"\t\thealth_uri {app.health_check_path}",
        f"\t\thealth_interval {app.health_check_interval}s",
        f"\t\thealth_timeout {app.health_check_timeout}s",
        "\t}",
        "",
        "\tlog {",
        "\t\toutput stdout",
        "\t\tformat json",
        "\t}",
        "}",
    ]
    return "\n".join(lines) + "\n"
