"""The hobby-project stack as plain data: one description, two renderings.

The pulumi-docker components (:mod:`.database`, :mod:`.app`, ...) and the ejected
``docker/docker-compose.prod.yaml`` are both built from :func:`hobby_services` and
:func:`hobby_volumes`, so the stack `up` creates and the compose file a user takes
away cannot disagree on services, images, ports, volumes, health checks or limits.

This module imports no provider SDK: the exporters and the CLI use it without Pulumi.

Conventions every renderer follows:

- ``environment`` values are templates: ``${NAME}`` stands for the secret ``NAME``
  (see :func:`hobby_secrets`), never its value. Compose keeps the reference as a
  required variable (``${NAME:?...}``, from ``config/.env.production``); Pulumi
  substitutes a secret ``Output``.
- ``command`` and ``healthcheck.test`` are literal. Compose interpolates ``$`` in every
  value, so :func:`compose_service` escapes it as ``$$`` there.
- Service names double as host names on the private networks (compose does this by
  itself; the Pulumi containers get the service name as a network alias).
- Paths (build context, config files) are relative to the project root, where
  ``deployment.yaml`` and the ejected ``docker/`` folder live.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from ...program.building_blocks import (
    DOCKER_BACKUP_INTERVAL_SECONDS,
    DOCKER_LOG_ROTATION,
    DOCKER_OFFSITE_COPY_INTERVAL_SECONDS,
    DOCKER_POSTGRES_HEALTH,
    DOCKER_SIDECAR_LIMITS,
    DOCKER_UNPRIVILEGED_USER,
    MIGRATION_COMMANDS,
    PROMETHEUS_SCRAPE_INTERVAL_SECONDS,
)
from ...program.catalogue import IMAGES

if TYPE_CHECKING:
    from ...program.model import ResolvedDeployment

Restart = Literal["no", "on-failure", "always", "unless-stopped"]
"""Docker restart policies (the same words in compose and pulumi-docker):
- ``no`` — one-shot jobs (migrations) that must not loop on failure
- ``unless-stopped`` — long-running services: back after a crash or a host reboot,
  but a service stopped by hand stays stopped"""

Condition = Literal["service_started", "service_healthy", "service_completed_successfully"]

SECRET_REF = re.compile(r"\$\{([A-Z][A-Z0-9_]*)\}")
"""A reference to a secret inside an environment template: ``${DB_PASSWORD}``."""

COMPOSE_DIR = "docker"
"""Folder of the eject tree holding the compose files; their relative paths start here."""

EDGE, BACKEND = "edge", "backend"
"""Keys of the two private bridge networks (see :data:`NETWORKS`)."""

PROD_ENV_FILE = "config/.env.production"
"""Where a compose user keeps the secret values (relative to the project root)."""

DATABASE_PORT = 5432
"""PostgreSQL's port inside the private network (never published on the host)."""


# ----------------------------------------------------------------------------- the data


@dataclass(frozen=True)
class Port:
    """A container port published on the host."""

    target: int
    """Port inside the container."""
    published: int
    """Port on the host."""
    protocol: Literal["tcp", "udp"] = "tcp"
    """Transport. Defaults to `tcp`."""
    host_ip: str | None = None
    """Host address to bind; ``127.0.0.1`` keeps an admin UI reachable only through an SSH
    tunnel. Defaults to `None` (every interface)."""


@dataclass(frozen=True)
class Mount:
    """A named volume mounted into a container."""

    volume: str
    """Key of the volume in :func:`hobby_volumes`."""
    target: str
    """Mount point inside the container."""
    read_only: bool = False
    """Mounted read-only. Defaults to `False`."""


@dataclass(frozen=True)
class ConfigFile:
    """A configuration file the stack generates and places into a container."""

    path: str
    """Where the file lives in the eject tree, relative to the project root
    (``docker/Caddyfile``). Compose bind-mounts it read-only; Pulumi uploads its content."""
    target: str
    """Path inside the container."""
    content: str
    """Full text of the file."""


@dataclass(frozen=True)
class Healthcheck:
    """How Docker decides a container is healthy (dependents wait for it)."""

    test: tuple[str, ...]
    """Exec form: ``("CMD", "pg_isready", ...)`` or ``("CMD-SHELL", "...")``."""
    interval_s: int
    timeout_s: int
    retries: int
    start_period_s: int


@dataclass(frozen=True)
class Build:
    """How the application image is built from the generated Dockerfile."""

    context: str = "."
    """Build context relative to the project root. Defaults to `.`."""
    dockerfile: str = "docker/Dockerfile"
    """Dockerfile relative to the project root. Defaults to `docker/Dockerfile`."""


@dataclass(frozen=True)
class Dependency:
    """Another service that must be up (or done) before this one starts."""

    service: str
    condition: Condition = "service_started"
    """What "up" means. Defaults to `service_started`."""


@dataclass(frozen=True)
class ServiceSpec:
    """One container of the stack, independent of how it is deployed."""

    name: str
    """Service name; also its host name on the private network."""
    image: str
    """Image reference: a pinned tag from ``IMAGES`` or the application's own tag."""
    purpose: str
    """One line saying why the service exists (a comment in compose, a doc in Pulumi)."""
    build: Build | None = None
    """Set when the image is built from the generated Dockerfile. Defaults to `None`."""
    entrypoint: tuple[str, ...] | None = None
    """Exec-form entrypoint replacing the image's; literal. Defaults to `None` (the image's own)."""
    command: tuple[str, ...] | None = None
    """Exec-form command; literal. Defaults to `None` (the image's own)."""
    user: str | None = None
    """`uid:gid` the process runs as. Defaults to `None` (the image's own user)."""
    environment: tuple[tuple[str, str], ...] = ()
    """(name, template) pairs; ``${NAME}`` references a secret. Defaults to none."""
    ports: tuple[Port, ...] = ()
    """Ports published on the host. Defaults to none (reachable on the private network only)."""
    mounts: tuple[Mount, ...] = ()
    """Named volumes. Defaults to none."""
    configs: tuple[ConfigFile, ...] = ()
    """Generated configuration files placed into the container. Defaults to none."""
    healthcheck: Healthcheck | None = None
    """Defaults to `None` (the image's own, if any)."""
    restart: Restart = "unless-stopped"
    """Restart policy. Defaults to `unless-stopped`."""
    cpus: float | None = None
    """CPU limit in vCPU. Defaults to `None` (no limit)."""
    memory_mib: int | None = None
    """Memory limit in MiB. Defaults to `None` (no limit)."""
    depends_on: tuple[Dependency, ...] = ()
    """Services started first. Defaults to none."""
    read_only: bool = False
    """Read-only root filesystem (writable ``tmpfs`` paths only). Defaults to `False`."""
    tmpfs: tuple[str, ...] = ()
    """In-memory writable paths, for read-only containers. Defaults to none."""
    one_shot: bool = False
    """Runs to completion once (migrations) instead of staying up. Defaults to `False`."""
    security_opts: tuple[str, ...] = ("no-new-privileges:true",)
    """Kernel security options. Defaults to `no-new-privileges:true` (no setuid escalation)."""
    cap_drop: tuple[str, ...] = ()
    """Linux capabilities removed. Defaults to none (images that switch users at start-up,
    like PostgreSQL's, need theirs)."""
    cap_add: tuple[str, ...] = ()
    """Capabilities added back after ``cap_drop``. Defaults to none."""
    networks: tuple[str, ...] = (BACKEND,)
    """Networks joined (keys of :data:`NETWORKS`). Defaults to the internal `backend` only."""
    log_options: tuple[tuple[str, str], ...] = DOCKER_LOG_ROTATION
    """json-file logging driver options. Defaults to :data:`DOCKER_LOG_ROTATION`."""

    @property
    def env(self) -> dict[str, str]:
        return dict(self.environment)

    @property
    def secret_refs(self) -> tuple[str, ...]:
        """Names of the secrets this service's environment references, sorted."""
        return tuple(sorted({ref for _, value in self.environment for ref in SECRET_REF.findall(value)}))


@dataclass(frozen=True)
class VolumeSpec:
    """A named Docker volume: data that outlives its containers."""

    key: str
    """Key used by :class:`Mount` and in compose's ``volumes:``."""
    purpose: str
    """Why it exists."""


@dataclass(frozen=True)
class NetworkSpec:
    """A private bridge network on the host."""

    key: str
    """Key used in :attr:`ServiceSpec.networks` and in compose's ``networks:``."""
    internal: bool
    """No route to or from the outside world (and no published ports)."""
    purpose: str


NETWORKS: tuple[NetworkSpec, ...] = (
    NetworkSpec(EDGE, False, "services that talk to the outside world: the proxy, the app, the UIs"),
    NetworkSpec(BACKEND, True, "the database and whatever talks to it; no route to the internet"),
)
"""The stack's networks: the database lives on an internal network only."""


@dataclass(frozen=True)
class SecretSpec:
    """A secret value the stack needs; only its name ever appears in files."""

    name: str
    """Environment-style name, referenced as ``${NAME}``."""
    description: str
    generated: bool
    """``True``: Pulumi generates it (pulumi-random) and keeps it encrypted in state;
    ``False``: the user provides it (``pulumi config set --secret`` or ``.env``)."""


@dataclass(frozen=True)
class HobbyStack:
    """Everything the hobby-project stack is made of."""

    services: tuple[ServiceSpec, ...]
    volumes: tuple[VolumeSpec, ...]
    secrets: tuple[SecretSpec, ...]
    networks: tuple[NetworkSpec, ...] = NETWORKS
    domain: str | None = None

    def service(self, name: str) -> ServiceSpec:
        for spec in self.services:
            if spec.name == name:
                return spec
        raise KeyError(f"no service {name!r} in the hobby stack (have: {', '.join(s.name for s in self.services)})")


# ------------------------------------------------------------------------- naming rules


def database_name(resolved: ResolvedDeployment) -> str:
    """The PostgreSQL database and role name: the deployment name as an SQL identifier."""
    ident = re.sub(r"[^a-z0-9_]", "_", resolved.deployment.name.lower())
    return ident if ident[:1].isalpha() else f"app_{ident}"


def serves_https(resolved: ResolvedDeployment) -> bool:
    """Caddy serves HTTPS only for a domain (Let's Encrypt certifies names, not addresses) and unless `security.ssl` is off."""
    return bool(resolved.deployment.domain) and resolved.security.ssl


def app_image(resolved: ResolvedDeployment) -> str:
    """The application image: the manifest's own, or the locally built ``<name>:<version>``."""
    return resolved.application.image or f"{resolved.deployment.name}:{resolved.deployment.version}"


def secret_key(name: str) -> str:
    """Pulumi config key of a user-provided secret (``STRIPE_KEY`` → ``stripeKey``)."""
    head, *rest = name.lower().split("_")
    return head + "".join(part.capitalize() for part in rest)


def enabled_services(resolved: ResolvedDeployment) -> dict[str, bool]:
    """Which optional services run: monitoring and backups follow the manifest."""
    monitoring = resolved.monitoring
    return {
        "prometheus": monitoring.prometheus,
        "uptime-kuma": monitoring.stack in ("prometheus", "uptime-kuma"),
        "backup": resolved.database.backup_retention_days > 0,
    }


# ------------------------------------------------------------------------ config files


def caddyfile(resolved: ResolvedDeployment) -> str:
    """Caddy's configuration: automatic HTTPS for the domain, or plain HTTP on :80 without one.

    Caddy obtains and renews the Let's Encrypt certificate by itself when the site
    address is a domain name; the certificate lives in the ``caddy_data`` volume.
    """
    from .caddy import site_block

    domain = resolved.deployment.domain
    tls = serves_https(resolved)
    site = domain if tls else (f"http://{domain}" if domain else ":80")
    return site_block(site, f"app:{resolved.application.port}", resolved.application, tls=tls)


def prometheus_config(resolved: ResolvedDeployment) -> str:
    """Prometheus scrapes the application's /metrics and itself over the private network."""
    port = resolved.application.port
    return (
        "global:\n"
        f"  scrape_interval: {PROMETHEUS_SCRAPE_INTERVAL_SECONDS}s\n"
        f"  evaluation_interval: {PROMETHEUS_SCRAPE_INTERVAL_SECONDS}s\n"
        "scrape_configs:\n"
        "  - job_name: app\n"
        "    metrics_path: /metrics\n"
        "    static_configs:\n"
        f"      - targets: [\"app:{port}\"]\n"
        "  - job_name: prometheus\n"
        "    static_configs:\n"
        "      - targets: [\"localhost:9090\"]\n"
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
        'sleep $((next - now)); '
        "stamp=$(date -u +%Y%m%dT%H%M%SZ); "
        f'file="{BACKUP_DIR}/${{PGDATABASE}}-${{stamp}}.dump"; '
        'if pg_dump --format=custom --file="${file}.partial"; '
        'then mv "${file}.partial" "${file}"; echo "backup ${file} written"; '
        'else rm -f "${file}.partial"; echo "backup failed" >&2; fi; '
        # -exec rm rather than -delete: not every busybox build has -delete
        f"find {BACKUP_DIR} -name '*.dump' -mmin +{keep_minutes} -exec rm -f {{}} +; "
        "done"
    )


def hobby_config_files(resolved: ResolvedDeployment) -> tuple[ConfigFile, ...]:
    """Every generated configuration file of the stack (for the exporters that write them)."""
    return tuple(config for spec in hobby_services(resolved) for config in spec.configs)


# ---------------------------------------------------------------------------- services


def _app_healthcheck(resolved: ResolvedDeployment) -> Healthcheck:
    """Probe the health endpoint with the runtime the image already has (no curl needed)."""
    app = resolved.application
    url = f"http://127.0.0.1:{app.port}{app.health_check_path}"
    timeout = app.health_check_timeout
    if app.runtime == "python":
        test = ("CMD", "python", "-c",
                f"import urllib.request; urllib.request.urlopen('{url}', timeout={timeout})")
    elif app.runtime == "nodejs":
        test = ("CMD", "node", "-e",
                f"fetch('{url}').then(r => process.exit(r.ok ? 0 : 1)).catch(() => process.exit(1))")
    elif app.runtime == "ruby":
        test = ("CMD", "ruby", "-rnet/http", "-e",
                f"exit Net::HTTP.get_response(URI('{url}')).is_a?(Net::HTTPSuccess)")
    else:
        test = ("CMD-SHELL", f"wget -q -O /dev/null {url} || exit 1")
    return Healthcheck(
        test=test,
        interval_s=app.health_check_interval,
        timeout_s=timeout,
        retries=app.unhealthy_threshold,
        start_period_s=app.health_check_interval,
    )


def _database_url(resolved: ResolvedDeployment) -> str:
    ident = database_name(resolved)
    return f"postgresql://{ident}:${{DB_PASSWORD}}@postgres:{DATABASE_PORT}/{ident}"


def _app_environment(resolved: ResolvedDeployment) -> tuple[tuple[str, str], ...]:
    app = resolved.application
    env: dict[str, str] = {
        "DATABASE_URL": _database_url(resolved),
        "PORT": str(app.port),
        "APP_ENV": resolved.deployment.environment,
    }
    env.update(app.variables)
    for name in app.secrets:
        env[name] = f"${{{name}}}"
    return tuple(env.items())


def _postgres(resolved: ResolvedDeployment) -> ServiceSpec:
    database = resolved.database
    ident = database_name(resolved)
    return ServiceSpec(
        name="postgres",
        image=IMAGES["postgres"],
        purpose=f"PostgreSQL {database.version}: the application's database, on the internal backend network only",
        command=(
            "postgres",
            "-c", f"max_connections={database.max_connections}",
            "-c", f"log_min_duration_statement={database.log_min_duration_ms}",
        ),
        environment=(
            ("POSTGRES_DB", ident),
            ("POSTGRES_USER", ident),
            ("POSTGRES_PASSWORD", "${DB_PASSWORD}"),
        ),
        mounts=(Mount("postgres_data", "/var/lib/postgresql/data"),),
        healthcheck=Healthcheck(test=("CMD", "pg_isready", "-U", ident, "-d", ident), **DOCKER_POSTGRES_HEALTH),
        cpus=database.cpu,
        memory_mib=database.memory_mib,
    )


def _app_common(resolved: ResolvedDeployment) -> dict[str, Any]:
    image = app_image(resolved)
    return {
        "image": image,
        "build": None if resolved.application.image else Build(),
        "environment": _app_environment(resolved),
    }


def _has_migrations(resolved: ResolvedDeployment) -> bool:
    """Frameworks with a known migration command get a migration job."""
    return resolved.deployment.framework in MIGRATION_COMMANDS


def _migrate(resolved: ResolvedDeployment) -> ServiceSpec:
    framework = resolved.deployment.framework
    return ServiceSpec(
        name="migrate",
        purpose="applies pending database migrations once, before the application starts",
        command=MIGRATION_COMMANDS[framework],
        restart="no",
        one_shot=True,
        depends_on=(Dependency("postgres", "service_healthy"),),
        cap_drop=("ALL",),
        cpus=resolved.application.cpu,
        memory_mib=resolved.application.memory_mib,
        **_app_common(resolved),
    )


def _app(resolved: ResolvedDeployment) -> ServiceSpec:
    app = resolved.application
    return ServiceSpec(
        name="app",
        purpose=f"the {resolved.deployment.framework} application, reached only through Caddy",
        command=app.command or None,
        healthcheck=_app_healthcheck(resolved),
        cpus=app.cpu,
        memory_mib=app.memory_mib,
        depends_on=(Dependency("postgres", "service_healthy"),) + (
            (Dependency("migrate", "service_completed_successfully"),) if _has_migrations(resolved) else ()
        ),
        read_only=app.read_only_root,
        tmpfs=("/tmp",) if app.read_only_root else (),
        cap_drop=("ALL",),
        networks=(EDGE, BACKEND),  # Caddy reaches it on edge; it reaches PostgreSQL on backend
        **_app_common(resolved),
    )


def _caddy(resolved: ResolvedDeployment) -> ServiceSpec:
    domain = resolved.deployment.domain
    tls = serves_https(resolved)
    ports = [Port(80, 80)]
    if tls:
        ports += [Port(443, 443), Port(443, 443, "udp")]  # HTTPS and HTTP/3
    return ServiceSpec(
        name="caddy",
        image=IMAGES["caddy"],
        purpose=(f"reverse proxy with automatic HTTPS for {domain}" if tls
                 else "reverse proxy on port 80 (no domain: no certificate)"),
        ports=tuple(ports),
        mounts=(Mount("caddy_data", "/data"), Mount("caddy_config", "/config")),
        configs=(ConfigFile(f"{COMPOSE_DIR}/Caddyfile", "/etc/caddy/Caddyfile", caddyfile(resolved)),),
        depends_on=(Dependency("app", "service_healthy"),),
        cap_drop=("ALL",),
        cap_add=("NET_BIND_SERVICE",),  # ports 80 and 443
        networks=(EDGE,),
        **_sidecar_limits("caddy"),
    )


def _backup(resolved: ResolvedDeployment) -> ServiceSpec:
    database = resolved.database
    ident = database_name(resolved)
    return ServiceSpec(
        name="backup",
        image=IMAGES["postgres"],
        purpose=(f"{database.backup_frequency} pg_dump into the backups volume, "
                 f"kept {database.backup_retention_days} days"),
        command=("sh", "-c", backup_script(resolved)),
        environment=(
            ("PGHOST", "postgres"),
            ("PGPORT", str(DATABASE_PORT)),
            ("PGUSER", ident),
            ("PGDATABASE", ident),
            ("PGPASSWORD", "${DB_PASSWORD}"),
        ),
        mounts=(Mount("backups", BACKUP_DIR),),
        depends_on=(Dependency("postgres", "service_healthy"),),
        cap_drop=("ALL",),
        **_sidecar_limits("backup"),
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


def _backup_offsite(resolved: ResolvedDeployment) -> ServiceSpec:
    database = resolved.database
    assert database.backup_destination is not None  # only called with a destination
    remote = f"RCLONE_CONFIG_{OFFSITE_REMOTE.upper()}"
    environment = [
        (f"{remote}_TYPE", "s3"),
        (f"{remote}_PROVIDER", "Other" if database.backup_endpoint else "AWS"),
        (f"{remote}_ENV_AUTH", "false"),
        (f"{remote}_ACCESS_KEY_ID", "${" + BACKUP_KEY_SECRETS[0] + "}"),
        (f"{remote}_SECRET_ACCESS_KEY", "${" + BACKUP_KEY_SECRETS[1] + "}"),
        (f"{remote}_REGION", database.backup_region),
    ]
    if database.backup_endpoint:
        environment.append((f"{remote}_ENDPOINT", database.backup_endpoint))
    else:
        # AWS encrypts at rest with its own keys; S3-compatible stores encrypt by themselves
        environment.append((f"{remote}_SERVER_SIDE_ENCRYPTION", "AES256"))
    return ServiceSpec(
        name="backup-offsite",
        image=IMAGES["rclone"],
        purpose=f"copies each dump to {database.backup_destination} (nothing there is ever deleted or overwritten)",
        entrypoint=("sh", "-c"),
        command=(offsite_copy_script(database.backup_destination),),
        user=DOCKER_UNPRIVILEGED_USER,  # it only reads the world-readable dumps
        environment=tuple(environment),
        mounts=(Mount("backups", BACKUP_DIR, read_only=True),),
        depends_on=(Dependency("backup"),),
        read_only=True,
        tmpfs=("/tmp",),
        cap_drop=("ALL",),
        networks=(EDGE,),  # reaches the bucket; never the database network
        **_sidecar_limits("backup-offsite"),
    )


def _prometheus(resolved: ResolvedDeployment) -> ServiceSpec:
    return ServiceSpec(
        name="prometheus",
        image=IMAGES["prometheus"],
        purpose="scrapes the application's metrics; UI on 127.0.0.1:9090 (SSH tunnel on a VPS)",
        ports=(Port(9090, 9090, host_ip="127.0.0.1"),),
        mounts=(Mount("prometheus_data", "/prometheus"),),
        configs=(ConfigFile(f"{COMPOSE_DIR}/prometheus.yml", "/etc/prometheus/prometheus.yml",
                            prometheus_config(resolved)),),
        depends_on=(Dependency("app"),),
        cap_drop=("ALL",),
        # backend to scrape the app; edge because an internal network cannot publish the UI port
        networks=(EDGE, BACKEND),
        **_sidecar_limits("prometheus"),
    )


def _uptime_kuma(resolved: ResolvedDeployment) -> ServiceSpec:
    return ServiceSpec(
        name="uptime-kuma",
        image=IMAGES["uptime-kuma"],
        purpose="uptime checks and alerts; UI on 127.0.0.1:3001 (SSH tunnel on a VPS)",
        ports=(Port(3001, 3001, host_ip="127.0.0.1"),),
        mounts=(Mount("uptime_kuma_data", "/app/data"),),
        depends_on=(Dependency("caddy"),),
        networks=(EDGE,),  # checks the public URL and sends alerts out
        **_sidecar_limits("uptime-kuma"),
    )


def _sidecar_limits(service: str) -> dict[str, Any]:
    cpus, memory_mib = DOCKER_SIDECAR_LIMITS[service]
    return {"cpus": cpus, "memory_mib": memory_mib}


def hobby_services(resolved: ResolvedDeployment) -> tuple[ServiceSpec, ...]:
    """The services of the stack, in start order (dependencies first)."""
    enabled = enabled_services(resolved)
    services = [_postgres(resolved)]
    if _has_migrations(resolved):
        services.append(_migrate(resolved))
    services += [_app(resolved), _caddy(resolved)]
    if enabled["backup"]:
        services.append(_backup(resolved))
        if resolved.database.backup_destination:
            services.append(_backup_offsite(resolved))
    if enabled["prometheus"]:
        services.append(_prometheus(resolved))
    if enabled["uptime-kuma"]:
        services.append(_uptime_kuma(resolved))
    return tuple(services)


_VOLUME_PURPOSES: Mapping[str, str] = {
    "postgres_data": "PostgreSQL's data directory",
    "caddy_data": "Caddy's certificates and keys (losing it re-requests certificates)",
    "caddy_config": "Caddy's autosaved configuration",
    "backups": "pg_dump files, pruned after the retention period",
    "prometheus_data": "Prometheus's time series",
    "uptime_kuma_data": "Uptime Kuma's monitors and history",
}


def hobby_volumes(resolved: ResolvedDeployment) -> tuple[VolumeSpec, ...]:
    """The named volumes the services mount, in first-use order."""
    keys: list[str] = []
    for spec in hobby_services(resolved):
        for mount in spec.mounts:
            if mount.volume not in keys:
                keys.append(mount.volume)
    return tuple(VolumeSpec(key, _VOLUME_PURPOSES[key]) for key in keys)


def hobby_secrets(resolved: ResolvedDeployment) -> tuple[SecretSpec, ...]:
    """The secrets the stack references: the generated database password, then the app's own."""
    app = resolved.application
    secrets = [SecretSpec("DB_PASSWORD", "PostgreSQL password of the application role", generated=True)]
    names = list(app.secrets)
    # A variable written as `${NAME}` in the manifest is a secret reference too.
    names += [ref for value in app.variables.values() for ref in SECRET_REF.findall(value)]
    if resolved.database.backup_destination and enabled_services(resolved)["backup"]:
        names += list(BACKUP_KEY_SECRETS)
    seen = {"DB_PASSWORD"}
    for name in names:
        if name not in seen:
            seen.add(name)
            what = "off-site backup bucket key" if name in BACKUP_KEY_SECRETS else "application secret"
            secrets.append(SecretSpec(name, what, generated=False))
    return tuple(secrets)


def hobby_stack(resolved: ResolvedDeployment) -> HobbyStack:
    """The whole stack description in one object."""
    return HobbyStack(
        services=hobby_services(resolved),
        volumes=hobby_volumes(resolved),
        secrets=hobby_secrets(resolved),
        domain=resolved.deployment.domain,
    )


# ------------------------------------------------------------------ compose rendering


def _compose_literal(text: str) -> str:
    """Escape ``$`` so compose passes a literal through instead of interpolating it."""
    return text.replace("$", "$$")


def _compose_template(value: str) -> str:
    """An environment template for compose: ``${SECRET}`` becomes a required variable
    (compose refuses to start without it rather than run with an empty password), any
    other ``$`` is escaped so it reaches the container as written."""
    pieces = SECRET_REF.split(value)
    # split() with one group alternates literal text and secret names
    return "".join(_compose_literal(piece) if index % 2 == 0 else _required(piece)
                   for index, piece in enumerate(pieces))


def _required(name: str) -> str:
    return "${" + f"{name}:?set {name} in {PROD_ENV_FILE}" + "}"


def _relative_to_compose_dir(path: str) -> str:
    """A project-root path as written in a compose file that lives in ``docker/``."""
    parts = path.split("/")
    if parts[0] == COMPOSE_DIR:
        return "./" + "/".join(parts[1:])
    return "../" + path if path != "." else ".."


def _duration(seconds: int) -> str:
    return f"{seconds}s"


def compose_service(spec: ServiceSpec) -> dict[str, Any]:
    """One service as a compose-specification mapping (plain dicts, ready to dump as YAML)."""
    out: dict[str, Any] = {"image": spec.image}
    if spec.build is not None:
        # CI may run the stack with the image it pushed; the local build is the default.
        out["image"] = "${APP_IMAGE:-" + spec.image + "}"
        context = _relative_to_compose_dir(spec.build.context)
        # compose reads `dockerfile` relative to the context
        dockerfile = spec.build.dockerfile
        if spec.build.context not in (".", ""):
            dockerfile = dockerfile.removeprefix(spec.build.context.rstrip("/") + "/")
        out["build"] = {"context": context, "dockerfile": dockerfile}
    if spec.entrypoint is not None:
        out["entrypoint"] = [_compose_literal(part) for part in spec.entrypoint]
    if spec.command is not None:
        out["command"] = [_compose_literal(part) for part in spec.command]
    if spec.user is not None:
        out["user"] = spec.user
    if spec.environment:
        out["environment"] = {name: _compose_template(value) for name, value in spec.environment}
    if spec.ports:
        out["ports"] = [_compose_port(port) for port in spec.ports]
    volumes = [f"{mount.volume}:{mount.target}" + (":ro" if mount.read_only else "") for mount in spec.mounts]
    volumes += [f"{_relative_to_compose_dir(config.path)}:{config.target}:ro" for config in spec.configs]
    if volumes:
        out["volumes"] = volumes
    if spec.healthcheck is not None:
        check = spec.healthcheck
        out["healthcheck"] = {
            "test": [_compose_literal(part) for part in check.test],
            "interval": _duration(check.interval_s),
            "timeout": _duration(check.timeout_s),
            "retries": check.retries,
            "start_period": _duration(check.start_period_s),
        }
    if spec.depends_on:
        out["depends_on"] = {dep.service: {"condition": dep.condition} for dep in spec.depends_on}
    out["restart"] = spec.restart
    if spec.read_only:
        out["read_only"] = True
    if spec.tmpfs:
        out["tmpfs"] = list(spec.tmpfs)
    if spec.security_opts:
        out["security_opt"] = list(spec.security_opts)
    if spec.cap_drop:
        out["cap_drop"] = list(spec.cap_drop)
    if spec.cap_add:
        out["cap_add"] = list(spec.cap_add)
    limits: dict[str, Any] = {}
    if spec.cpus is not None:
        limits["cpus"] = f"{spec.cpus:g}"
    if spec.memory_mib is not None:
        limits["memory"] = f"{spec.memory_mib}M"
    if limits:
        out["deploy"] = {"resources": {"limits": limits}}
    out["networks"] = list(spec.networks)
    if spec.log_options:
        out["logging"] = {"driver": "json-file", "options": dict(spec.log_options)}
    return out


def _compose_port(port: Port) -> str:
    text = f"{port.published}:{port.target}"
    if port.host_ip:
        text = f"{port.host_ip}:{text}"
    if port.protocol != "tcp":
        text += f"/{port.protocol}"
    return text


def compose_document(resolved: ResolvedDeployment) -> dict[str, Any]:
    """``docker-compose.prod.yaml`` as a mapping: the same stack the Pulumi components create.

    The compose exporter dumps this (adding its header comment); it does not build the
    services itself, so the two can never drift apart.
    """
    stack = hobby_stack(resolved)
    return {
        "name": resolved.stack_prefix,
        "services": {spec.name: compose_service(spec) for spec in stack.services},
        "networks": {network.key: ({"internal": True} if network.internal else {}) for network in stack.networks},
        "volumes": {volume.key: {} for volume in stack.volumes},
    }


__all__ = [
    "BACKEND",
    "BACKUP_DIR",
    "COMPOSE_DIR",
    "DATABASE_PORT",
    "EDGE",
    "NETWORKS",
    "PROD_ENV_FILE",
    "SECRET_REF",
    "Build",
    "ConfigFile",
    "Dependency",
    "Healthcheck",
    "HobbyStack",
    "Mount",
    "NetworkSpec",
    "Port",
    "SecretSpec",
    "ServiceSpec",
    "VolumeSpec",
    "app_image",
    "backup_script",
    "caddyfile",
    "compose_document",
    "compose_service",
    "database_name",
    "enabled_services",
    "hobby_config_files",
    "hobby_secrets",
    "hobby_services",
    "hobby_stack",
    "hobby_volumes",
    "prometheus_config",
    "secret_key",
    "serves_https",
]
