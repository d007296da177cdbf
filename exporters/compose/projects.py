"""The compose projects the eject writes besides the hobby stack, in the same service model.

- :func:`development` — every pattern's local loop: the source mounted over the image,
  the framework's reloading server, PostgreSQL (and Redis, MinIO for S3) on 127.0.0.1.
- :func:`cloud_production` — the cloud patterns' production-like stack for one host:
  Caddy with automatic HTTPS, the app, PostgreSQL (and Redis), limits and restart
  policies as the hobby stack has them.

Neither holds a literal secret: the services read ``config/.env`` or
``config/.env.production`` and compose refuses to start without a value.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...components.docker.caddyfile import site_block
from ...components.docker.hobby_stack import app_image, caddy_service
from ...components.docker.service_model import (
    BACKEND,
    COMPOSE_DIR,
    DEV_ENV_FILE,
    EDGE,
    PROD_ENV_FILE,
    Build,
    ConfigFile,
    Dependency,
    Healthcheck,
    Mount,
    Port,
    ServiceSpec,
    Stack,
)
from ...program.building_blocks import DATA_SERVICE_HEALTH
from ...program.catalogue import CONTAINER_SIZES, IMAGES, PORTS
from ..docker.dockerfile import DEV_TARGETS

if TYPE_CHECKING:
    from ...program.model import ResolvedDeployment

DEV_FRAMEWORK_ENV = {
    # The image defaults to production settings; the dev loop wants the framework's dev mode.
    "rails": {"RAILS_ENV": "development"},
    "nodejs": {"NODE_ENV": "development"},
}

CREDENTIALS = ("POSTGRES_DB", "POSTGRES_PASSWORD", "POSTGRES_USER")
"""The PostgreSQL image's settings, read from the env file by the database and the app."""

DATABASE_URL = f"postgresql://${{POSTGRES_USER}}:${{POSTGRES_PASSWORD}}@postgres:{PORTS['postgres']}/${{POSTGRES_DB}}"

MIGRATIONS = Mount.bind("migrations", "/docker-entrypoint-initdb.d", read_only=True)
"""SQL files in `migrations/` run once, when the data volume is first initialised."""

LOCALHOST = "127.0.0.1"
"""Development ports are published on the loopback interface only."""


# ------------------------------------------------------------------------------ shared


def _postgres(resolved: ResolvedDeployment, *, production: bool) -> ServiceSpec:
    service = ServiceSpec(
        name="postgres",
        image=IMAGES["postgres"],
        purpose="PostgreSQL, its credentials from the env file",
        environment=tuple((name, "${" + name + "}") for name in CREDENTIALS),
        mounts=(Mount("postgres_data", "/var/lib/postgresql/data"), MIGRATIONS),
        healthcheck=Healthcheck(
            test=("CMD-SHELL", 'pg_isready --username="${POSTGRES_USER}" --dbname="${POSTGRES_DB}"'),
            **DATA_SERVICE_HEALTH,
        ),
    )
    if production:
        cpus, memory_mib = _database_resources(resolved)
        return _replace(service, cpus=cpus, memory_mib=memory_mib)
    port = PORTS["postgres"]
    return _development(service, ports=(Port(port, port, host_ip=LOCALHOST),))


def _redis(resolved: ResolvedDeployment, *, production: bool) -> ServiceSpec:
    if not production:
        port = PORTS["redis"]
        return _development(
            ServiceSpec(
                name="redis",
                image=IMAGES["redis"],
                purpose="Redis for the local loop",
                ports=(Port(port, port, host_ip=LOCALHOST),),
                healthcheck=Healthcheck(test=("CMD", "redis-cli", "ping"), **DATA_SERVICE_HEALTH),
            )
        )
    cpus, memory_mib = CONTAINER_SIZES[resolved.cache.size]["cache"]
    return ServiceSpec(
        name="redis",
        image=IMAGES["redis"],
        purpose="Redis with a password and an append-only file",
        # The password stays in the environment, out of the compose file and the image.
        command=("sh", "-c", 'exec redis-server --requirepass "${REDIS_PASSWORD}" --appendonly yes'),
        environment=(("REDIS_PASSWORD", "${REDIS_PASSWORD}"),),
        mounts=(Mount("redis_data", "/data"),),
        healthcheck=Healthcheck(
            test=("CMD-SHELL", 'REDISCLI_AUTH="${REDIS_PASSWORD}" redis-cli ping | grep -q PONG'), **DATA_SERVICE_HEALTH
        ),
        cpus=cpus,
        memory_mib=memory_mib,
    )


def _app_environment(resolved: ResolvedDeployment, *, production: bool) -> tuple[tuple[str, str], ...]:
    """Service wiring only; the application's own variables and secrets come from the env file."""
    env = {"DATABASE_URL": DATABASE_URL, "PORT": str(resolved.application.port)}
    if resolved.cache.enabled:
        redis = f"redis:{PORTS['redis']}/0"
        env["REDIS_URL"] = f"redis://:${{REDIS_PASSWORD}}@{redis}" if production else f"redis://{redis}"
    if resolved.storage.enabled and not production:
        env["AWS_ENDPOINT_URL_S3"] = f"http://minio:{PORTS['minio']}"
    if not production:
        env.update(DEV_FRAMEWORK_ENV.get(resolved.deployment.framework, {}))
    return tuple(sorted(env.items()))


def _depends_on(resolved: ResolvedDeployment) -> tuple[Dependency, ...]:
    needs = [Dependency("postgres", "service_healthy")]
    if resolved.cache.enabled:
        needs.append(Dependency("redis", "service_healthy"))
    return tuple(needs)


def _database_resources(resolved: ResolvedDeployment) -> tuple[float, int]:
    """The PostgreSQL container's share: the resolved container size, or for cloud
    patterns (whose database is a managed instance class) the container size of the same word."""
    db = resolved.database
    if db.cpu is not None and db.memory_mib is not None:
        return db.cpu, db.memory_mib
    return CONTAINER_SIZES[db.size]["database"]


def _development(service: ServiceSpec, **changes: object) -> ServiceSpec:
    """A development service: Docker's restart, logging and network defaults, no hardening."""
    return _replace(service, **{"restart": None, "security_opts": (), "networks": (), "log_options": (), **changes})


def _replace(service: ServiceSpec, **changes: object) -> ServiceSpec:
    from dataclasses import replace

    return replace(service, **changes)  # type: ignore[arg-type]


# ------------------------------------------------------------------------- development


def dev_command(resolved: ResolvedDeployment) -> tuple[str, ...]:
    """The framework's own reloading server."""
    app = resolved.application
    framework = resolved.deployment.framework
    if framework == "fraiseql":
        return (*app.command, "--reload")
    if framework == "django":
        return ("python", "manage.py", "runserver", f"0.0.0.0:{app.port}")
    if framework == "rails":
        return ("./bin/rails", "server", "--binding", "0.0.0.0", "--port", str(app.port))
    return ("npm", "run", "dev")


def source_dir(resolved: ResolvedDeployment) -> str:
    """Where the dev stage keeps the source (the bind mount's target)."""
    return {"rails": "/rails", "nodejs": "/build"}.get(resolved.deployment.framework, "/app")


def _minio(resolved: ResolvedDeployment) -> tuple[ServiceSpec, ServiceSpec]:
    """MinIO standing in for S3 in development, with the manifest's buckets created."""
    credentials = (("MINIO_ROOT_PASSWORD", "${MINIO_ROOT_PASSWORD}"), ("MINIO_ROOT_USER", "${MINIO_ROOT_USER}"))
    api, console = PORTS["minio"], PORTS["minio-console"]
    buckets = " ".join(f"local/{bucket.name}" for bucket in resolved.storage.buckets)
    server = _development(
        ServiceSpec(
            name="minio",
            image=IMAGES["minio"],
            purpose="MinIO speaking the S3 API locally",
            command=("server", "/data", "--console-address", f":{console}"),
            environment=credentials,
            ports=(Port(api, api, host_ip=LOCALHOST), Port(console, console, host_ip=LOCALHOST)),
            mounts=(Mount("minio_data", "/data"),),
            healthcheck=Healthcheck(test=("CMD", "mc", "ready", "local"), **DATA_SERVICE_HEALTH),
        )
    )
    client = _development(
        ServiceSpec(
            name="minio-buckets",
            image=IMAGES["minio-client"],
            purpose="creates the manifest's buckets once",
            entrypoint=(
                "sh",
                "-c",
                f'mc alias set local http://minio:{api} "${{MINIO_ROOT_USER}}" "${{MINIO_ROOT_PASSWORD}}"'
                f" && mc mb --ignore-existing {buckets}",
            ),
            environment=credentials,
            depends_on=(Dependency("minio", "service_healthy"),),
        ),
        restart="no",
    )
    return server, client


def development(resolved: ResolvedDeployment) -> Stack:
    """`docker/docker-compose.dev.yaml`: hot reload against local data services."""
    source = source_dir(resolved)
    mounts = [Mount.bind(".", source)]
    if resolved.deployment.framework == "nodejs":
        mounts.append(Mount.anonymous(f"{source}/node_modules"))
    depends = list(_depends_on(resolved))
    services = []
    if resolved.cache.enabled:
        services.append(_redis(resolved, production=False))
    if resolved.storage.enabled:
        services += _minio(resolved)
        depends.append(Dependency("minio-buckets", "service_completed_successfully"))
    app = _development(
        ServiceSpec(
            name="app",
            image=None,
            purpose="the application with its framework's reloading server",
            build=Build(target=DEV_TARGETS[resolved.deployment.framework]),
            command=dev_command(resolved),
            env_files=(DEV_ENV_FILE,),
            environment=_app_environment(resolved, production=False),
            ports=(Port(resolved.application.port, resolved.application.port, host_ip=LOCALHOST),),
            # The working tree mounted over the image's copy: edits reload without a rebuild.
            mounts=tuple(mounts),
            depends_on=tuple(depends),
        )
    )
    return Stack(
        name=f"{resolved.name}-dev", services=(app, _postgres(resolved, production=False), *services), networks=()
    )


# -------------------------------------------------------------------------- production


def caddyfile(resolved: ResolvedDeployment) -> str:
    """Caddy in front of the app: the domain and the upstream come from the service's environment."""
    return f"""# {{$DOMAIN}} and {{$APP_UPSTREAM}} come from the caddy service's environment in
# docker-compose.prod.yaml. Caddy obtains and renews the certificate by itself; the
# caddy_data volume keeps it across restarts.

{site_block("{$DOMAIN}", "{$APP_UPSTREAM}", resolved.application, tls=True)}"""


def cloud_production(resolved: ResolvedDeployment) -> Stack:
    """`docker/docker-compose.prod.yaml` of a cloud pattern: the same application on one host."""
    app_info = resolved.application
    app = ServiceSpec(
        name="app",
        image=app_image(resolved),
        purpose=f"the {resolved.deployment.framework} application, reached only through Caddy",
        build=Build(target="runtime"),
        env_files=(PROD_ENV_FILE,),
        environment=_app_environment(resolved, production=True),
        depends_on=_depends_on(resolved),
        networks=(EDGE, BACKEND),
        cap_drop=("ALL",),
        cpus=app_info.cpu,
        memory_mib=app_info.memory_mib,
        read_only=app_info.read_only_root,
        tmpfs=("/tmp",) if app_info.read_only_root else (),
    )
    config = ConfigFile(
        f"{COMPOSE_DIR}/Caddyfile",
        "/etc/caddy/Caddyfile",
        caddyfile(resolved),
        note="Caddy in front of the app: automatic HTTPS and security headers.",
    )
    caddy = caddy_service(
        config,
        https=True,
        purpose="reverse proxy with automatic HTTPS for $DOMAIN",
        environment=(
            ("APP_UPSTREAM", f"app:{app_info.port}"),
            ("DOMAIN", "${DOMAIN}"),
        ),
    )
    services = [_postgres(resolved, production=True)]
    if resolved.cache.enabled:
        services.append(_redis(resolved, production=True))
    return Stack(name=resolved.name, services=(*services, app, caddy))
