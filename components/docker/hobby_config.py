"""The hobby stack's generated files: Caddy's and Prometheus's configuration and the
shell loops of the backup containers. Pure text from the resolved model, no SDK."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...program.building_blocks import (
    DOCKER_BACKUP_INTERVAL_SECONDS,
    DOCKER_OFFSITE_COPY_INTERVAL_SECONDS,
    PROMETHEUS_SCRAPE_INTERVAL_SECONDS,
)
from ...program.catalogue import PORTS

if TYPE_CHECKING:
    from ...program.model import ResolvedDeployment


def serves_https(resolved: ResolvedDeployment) -> bool:
    """Caddy serves HTTPS only for a domain (Let's Encrypt certifies names, not addresses) and unless `security.ssl` is off."""
    return bool(resolved.deployment.domain) and resolved.security.ssl


def caddyfile(resolved: ResolvedDeployment) -> str:
    """Caddy's configuration: automatic HTTPS for the domain, or plain HTTP on :80 without one.

    Caddy obtains and renews the Let's Encrypt certificate by itself when the site
    address is a domain name; the certificate lives in the ``caddy_data`` volume.
    """
    from .caddyfile import site_block

    domain = resolved.deployment.domain
    tls = serves_https(resolved)
    site = domain if tls and domain else (f"http://{domain}" if domain else f":{PORTS['http']}")
    from .hobby_stack import app_services

    port = resolved.application.port
    upstreams = " ".join(f"{name}:{port}" for name in app_services(resolved))
    return site_block(site, upstreams, resolved.application, tls=tls)


def prometheus_config(resolved: ResolvedDeployment) -> str:
    """Prometheus scrapes the application's /metrics (every instance) and itself over the private network."""
    from .hobby_stack import app_services

    port = resolved.application.port
    targets = ", ".join(f'"{name}:{port}"' for name in app_services(resolved))
    return (
        "global:\n"
        f"  scrape_interval: {PROMETHEUS_SCRAPE_INTERVAL_SECONDS}s\n"
        f"  evaluation_interval: {PROMETHEUS_SCRAPE_INTERVAL_SECONDS}s\n"
        "scrape_configs:\n"
        "  - job_name: app\n"
        "    metrics_path: /metrics\n"
        "    static_configs:\n"
        f"      - targets: [{targets}]\n"
        "  - job_name: prometheus\n"
        "    static_configs:\n"
        f'      - targets: ["localhost:{PORTS["prometheus"]}"]\n'
    )


BACKUP_DIR = "/backups"
"""Mount point of the ``backups`` volume in the backup container."""


def backup_script(resolved: ResolvedDeployment) -> str:
    """The backup loop: a ``pg_dump`` at the start of the backup window, then every interval.

    Runs are anchored to ``database.backup_window`` (UTC), like the managed databases of
    the cloud patterns, so dumps happen at night rather than whenever the container last
    restarted. A dump is written under a temporary name and renamed when complete, so a
    crash mid-dump never leaves a truncated file that looks like a backup; a failed dump
    is reported and retried next round instead of killing the loop. Dumps older than
    ``database.backup_retention_days`` are deleted after each run.
    """
    database = resolved.database
    interval = DOCKER_BACKUP_INTERVAL_SECONDS[database.backup_frequency]
    keep_minutes = database.backup_retention_days * 24 * 60
    window_start = database.backup_window.split("-")[0]
    return (
        "while true; do "
        "now=$(date -u +%s); "
        f'next=$(date -u -d "$(date -u +%Y-%m-%d) {window_start}:00" +%s); '
        f'while [ "$next" -le "$now" ]; do next=$((next + {interval})); done; '
        "sleep $((next - now)); "
        "stamp=$(date -u +%Y%m%dT%H%M%SZ); "
        f'file="{BACKUP_DIR}/${{PGDATABASE}}-${{stamp}}.dump"; '
        'if pg_dump --format=custom --file="${file}.partial"; '
        'then mv "${file}.partial" "${file}"; echo "backup ${file} written"; '
        'else rm -f "${file}.partial"; echo "backup failed" >&2; fi; '
        # -exec rm rather than -delete: not every busybox build has -delete
        f"find {BACKUP_DIR} -name '*.dump' -mmin +{keep_minutes} -exec rm -f {{}} +; "
        "done"
    )


OFFSITE_REMOTE = "offsite"
"""Name of the rclone remote the environment defines (RCLONE_CONFIG_OFFSITE_*)."""

BACKUP_KEY_SECRETS = ("BACKUP_ACCESS_KEY_ID", "BACKUP_SECRET_ACCESS_KEY")
"""Secrets holding the off-site bucket's keys (an access key allowed only s3:PutObject and
s3:ListBucket on the destination is enough)."""


def offsite_copy_script(destination: str) -> str:
    """Copy new dumps to the destination every interval; never delete or overwrite there.

    `--immutable` refuses to change a file that already exists remotely, and nothing is
    ever deleted remotely: pruning local dumps (or an attacker on the host) cannot reach
    the off-site copies, whose retention is the bucket's lifecycle rule.
    """
    bucket_path = destination.removeprefix("s3://")
    return (
        "while true; do "
        f"if rclone copy {BACKUP_DIR} {OFFSITE_REMOTE}:{bucket_path} --immutable --exclude '*.partial' "
        "--s3-no-check-bucket --stats-one-line --stats-log-level NOTICE; "
        'then echo "off-site copy done"; else echo "off-site copy failed" >&2; fi; '
        f"sleep {DOCKER_OFFSITE_COPY_INTERVAL_SECONDS}; "
        "done"
    )
