"""The single-host service model: containers, volumes, networks and secrets as plain data.

Two renderings read it. The pulumi-docker components (:mod:`.containers`) create the
hobby-project stack from it; the compose exporter (``exporters/compose/render.py``)
writes every compose file from it: the hobby stack as `up` creates it, the cloud
patterns' production-like stack for one host, and the development stack. So a
service, an image, a port, a volume, a health check or a limit is described once.

This module imports no provider SDK: the exporters and the CLI use it without Pulumi.

Conventions every renderer follows:

- ``environment`` values are templates: ``${NAME}`` stands for the secret or env-file
  variable ``NAME``, never its value. Compose keeps the reference as a required
  variable (``${NAME:?set NAME in config/.env.production}``); Pulumi substitutes a
  secret ``Output``.
- ``command``, ``entrypoint`` and ``healthcheck.test`` are literal. Compose interpolates
  ``$`` in every value, so its renderer escapes it as ``$$`` there.
- Service names double as host names on the private networks (compose does this by
  itself; the Pulumi containers get the service name as a network alias).
- Paths (build context, bind mounts, config files, env files) are relative to the
  project root, where ``deployment.yaml`` and the ejected ``docker/`` folder live.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from ...program.building_blocks import DOCKER_LOG_ROTATION

Restart = Literal["no", "on-failure", "always", "unless-stopped"]
"""Docker restart policies (the same words in compose and pulumi-docker):
- ``no`` — one-shot jobs (migrations) that must not loop on failure
- ``unless-stopped`` — long-running services: back after a crash or a host reboot,
  but a service stopped by hand stays stopped"""

Condition = Literal["service_started", "service_healthy", "service_completed_successfully"]

SECRET_REF = re.compile(r"\$\{([A-Z][A-Z0-9_]*)\}")
"""A reference to a secret (or env-file variable) inside an environment template: ``${DB_PASSWORD}``."""

COMPOSE_DIR = "docker"
"""Folder of the eject tree holding the compose files; their relative paths start here."""

DEV_ENV_FILE = "config/.env"
"""Where a developer keeps the local stack's values (relative to the project root)."""

PROD_ENV_FILE = "config/.env.production"
"""Where a compose user keeps the production secrets (relative to the project root)."""

EDGE, BACKEND = "edge", "backend"
"""Keys of the two private bridge networks (see :data:`NETWORKS`)."""


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
    """A volume mounted into a container: named (data that outlives its containers), a
    folder of the project (development), or anonymous (a path kept out of a bind mount)."""

    volume: str | None
    """Key of the named volume in the stack's volumes; `None` for a bind or anonymous mount."""
    target: str
    """Mount point inside the container."""
    read_only: bool = False
    """Mounted read-only. Defaults to `False`."""
    source: str | None = None
    """Project-root path bound into the container (development only), or with `host` an
    absolute path on the Docker host. Defaults to `None`."""
    host: bool = False
    """`source` is a path on the Docker host (deployed stacks: read-only log folders for
    the log shipper). Defaults to `False`."""

    @classmethod
    def bind(cls, source: str, target: str, *, read_only: bool = False) -> Mount:
        return cls(None, target, read_only, source)

    @classmethod
    def host_path(cls, source: str, target: str, *, read_only: bool = True) -> Mount:
        """A folder of the Docker host itself (absolute path), read-only unless asked."""
        if not source.startswith("/"):
            raise ValueError(f"a host path is absolute: {source!r}")
        return cls(None, target, read_only, source, host=True)

    @classmethod
    def anonymous(cls, target: str) -> Mount:
        return cls(None, target)


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
    note: str = ""
    """What the ejected file's header says about it. Defaults to where it is mounted."""


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
    target: str | None = None
    """Stage of the Dockerfile to build. Defaults to `None` (the last one)."""


@dataclass(frozen=True)
class Dependency:
    """Another service that must be up (or done) before this one starts."""

    service: str
    condition: Condition = "service_started"
    """What "up" means. Defaults to `service_started`."""


@dataclass(frozen=True)
class ServiceSpec:
    """One container of a stack, independent of how it is deployed."""

    name: str
    """Service name; also its host name on the private network."""
    image: str | None
    """Image reference: a pinned tag from ``IMAGES`` or the application's own tag; `None`
    lets compose name the image it builds (development)."""
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
    env_files: tuple[str, ...] = ()
    """Env files (project-root paths) compose reads into the container. Defaults to none."""
    environment: tuple[tuple[str, str], ...] = ()
    """(name, template) pairs; ``${NAME}`` references a secret. Defaults to none."""
    ports: tuple[Port, ...] = ()
    """Ports published on the host. Defaults to none (reachable on the private network only)."""
    mounts: tuple[Mount, ...] = ()
    """Volumes. Defaults to none."""
    configs: tuple[ConfigFile, ...] = ()
    """Generated configuration files placed into the container. Defaults to none."""
    healthcheck: Healthcheck | None = None
    """Defaults to `None` (the image's own, if any)."""
    restart: Restart | None = "unless-stopped"
    """Restart policy. Defaults to `unless-stopped`; `None` leaves Docker's (development)."""
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
    """Networks joined (keys of :data:`NETWORKS`). Defaults to the internal `backend` only;
    empty joins the project's default network (development)."""
    log_options: tuple[tuple[str, str], ...] = DOCKER_LOG_ROTATION
    """json-file logging driver options. Defaults to :data:`DOCKER_LOG_ROTATION`; empty
    leaves Docker's logging (development)."""

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


VOLUME_PURPOSES: Mapping[str, str] = {
    "postgres_data": "PostgreSQL's data directory",
    "redis_data": "Redis's append-only file",
    "minio_data": "MinIO's objects (development)",
    "caddy_data": "Caddy's certificates and keys (losing it re-requests certificates)",
    "caddy_config": "Caddy's autosaved configuration",
    "backups": "pg_dump files, pruned after the retention period",
    "prometheus_data": "Prometheus's time series",
    "uptime_kuma_data": "Uptime Kuma's monitors and history",
    "backup_metrics": "the time of the last successful backup, for node exporter's textfile collector",
    "grafana_data": "Grafana's users, sessions and preferences (dashboards are provisioned files)",
    "loki_data": "Loki's log chunks and index",
    "alloy_data": "Alloy's read positions in each log file",
}
"""Every named volume a single-host stack may mount, and why it exists."""


@dataclass(frozen=True)
class Stack:
    """A set of services on one host, with what they share."""

    name: str
    """The compose project name (`<name>-<environment>` for a deployed stack)."""
    services: tuple[ServiceSpec, ...]
    """In start order (dependencies first)."""
    networks: tuple[NetworkSpec, ...] = NETWORKS
    """Networks the services join; none puts them on the project's default network."""

    @property
    def volumes(self) -> tuple[VolumeSpec, ...]:
        """The named volumes the services mount, in first-use order."""
        keys: list[str] = []
        for spec in self.services:
            for mount in spec.mounts:
                if mount.volume is not None and mount.volume not in keys:
                    keys.append(mount.volume)
        return tuple(VolumeSpec(key, VOLUME_PURPOSES[key]) for key in keys)

    @property
    def config_files(self) -> tuple[ConfigFile, ...]:
        """Every generated configuration file the services mount (for the exporters that write them)."""
        return tuple(config for spec in self.services for config in spec.configs)

    def service(self, name: str) -> ServiceSpec:
        for spec in self.services:
            if spec.name == name:
                return spec
        raise KeyError(f"no service {name!r} in the stack (have: {', '.join(s.name for s in self.services)})")
