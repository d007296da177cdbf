"""The hobby stack's generated files: Caddy's configuration and the shell loops of the
backup containers (Prometheus, Grafana, Loki and Alloy mount the observability/ files of
:mod:`..observability`). Pure text from the resolved model, no SDK."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...program.building_blocks import (
    BACKUP_METRICS_FILE,
    DOCKER_BACKUP_INTERVAL_SECONDS,
    DOCKER_OFFSITE_COPY_INTERVAL_SECONDS,
)
from ...program.catalogue import PORTS
from .app_names import app_services

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
    port = resolved.application.port
    upstreams = " ".join(f"{name}:{port}" for name in app_services(resolved))
    block = site_block(site, upstreams, resolved.application, tls=tls)
    if not resolved.monitoring.prometheus:
        return block
    # HTTP metrics on for every site, served to Prometheus on the private network only (the
    # port is not published; the admin API stays on localhost).
    return f"{{\n\tmetrics\n}}\n\n{block}\n:{PORTS['caddy-metrics']} {{\n\tmetrics\n}}\n"


BACKUP_DIR = "/backups"
"""Mount point of the ``backups`` volume in the backup container."""
BACKUP_METRICS_DIR = "/metrics"
"""Mount point of the ``backup_metrics`` volume in the backup container (it writes there)..."""
TEXTFILE_DIR = "/textfile"
"""...and in node exporter, whose textfile collector reads it."""


def backup_script(resolved: ResolvedDeployment, *, metrics: bool = False) -> str:
    """The backup loop: a ``pg_dump`` at the start of the backup window, then every interval.

    Runs are anchored to ``database.backup_window`` (UTC), like the managed databases of
    the cloud patterns, so dumps happen at night rather than whenever the container last
    restarted. A dump is written under a temporary name and renamed when complete, so a
    crash mid-dump never leaves a truncated file that looks like a backup; a failed dump
    is reported and retried next round instead of killing the loop. Dumps older than
    ``database.backup_retention_days`` are deleted after each run. With `metrics`, each
    success also writes its time for node exporter's textfile collector (written aside and
    renamed, so a scrape never reads half a file): the BackupTooOld alert watches it.
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
        + (
            f'echo "specql_backup_last_success_timestamp_seconds $(date -u +%s)" '
            f"> {BACKUP_METRICS_DIR}/{BACKUP_METRICS_FILE}.tmp && "
            f"mv {BACKUP_METRICS_DIR}/{BACKUP_METRICS_FILE}.tmp {BACKUP_METRICS_DIR}/{BACKUP_METRICS_FILE}; "
            if metrics
            else ""
        )
        + 'else rm -f "${file}.partial"; echo "backup failed" >&2; fi; '
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
