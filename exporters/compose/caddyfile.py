"""The Caddyfile: automatic HTTPS for the domain and the security headers every response carries."""

from __future__ import annotations

from ...program.defaults import HSTS_MAX_AGE_SECONDS
from ...program.model import ResolvedDeployment

SECURITY_HEADERS = (
    # Browsers remember to use HTTPS for a year, subdomains included.
    ("Strict-Transport-Security", f"max-age={HSTS_MAX_AGE_SECONDS}; includeSubDomains; preload"),
    # No MIME sniffing: a JSON response is never executed as a script.
    ("X-Content-Type-Options", "nosniff"),
    # The API is never framed (clickjacking).
    ("X-Frame-Options", "DENY"),
    ("Content-Security-Policy", "frame-ancestors 'none'"),
    # Full URLs (with query strings) never leak to other origins.
    ("Referrer-Policy", "strict-origin-when-cross-origin"),
    ("Permissions-Policy", "camera=(), geolocation=(), microphone=()"),
)


def render_caddyfile(resolved: ResolvedDeployment, header: str) -> str:
    app = resolved.application
    headers = "\n".join(f'\t\t{name} "{value}"' for name, value in SECURITY_HEADERS)
    return f"""{header}#
# {{$DOMAIN}} and {{$APP_UPSTREAM}} come from the caddy service's environment in
# docker-compose.prod.yaml. Caddy obtains and renews the certificate by itself; the
# caddy-data volume keeps it across restarts.

{{$DOMAIN}} {{
\tencode zstd gzip

\theader {{
{headers}
\t\t# Do not advertise the server software.
\t\t-Server
\t}}

\treverse_proxy {{$APP_UPSTREAM}} {{
\t\t# Stop routing to the app while its health check fails.
\t\thealth_uri {app.health_check_path}
\t\thealth_interval {app.health_check_interval}s
\t\thealth_timeout {app.health_check_timeout}s
\t}}

\tlog {{
\t\toutput stdout
\t\tformat json
\t}}
}}
"""
