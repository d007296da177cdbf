"""The docker compose services, shared by the dev and prod files.

Dev favours a fast loop (source mounted, reload, ports on 127.0.0.1 only); prod
favours survival (restart policies, resource limits, read-only root, no published
database port, Caddy in front). Neither holds a literal secret: values come from
``config/.env`` / ``config/.env.production`` through ``${VAR:?message}``, which makes
compose refuse to start rather than run with an empty password.
"""

from __future__ import annotations

from typing import Any

from ...program.building_blocks import COMPOSE_HEALTHCHECK, DOCKER_LOG_ROTATION
from ...program.catalogue import CONTAINER_SIZES, IMAGES
from ...program.model import ResolvedDeployment
from ..docker.dockerfile import DEV_TARGETS

DEV_FRAMEWORK_ENV = {
    # The image defaults to production settings; the dev loop wants the framework's dev mode.
    "rails": {"RAILS_ENV": "development"},
    "nodejs": {"NODE_ENV": "development"},
}

APP_SERVICE = "app"
DEV_ENV_FILE = "../config/.env"
PROD_ENV_FILE = "../config/.env.production"


def required(name: str, hint: str) -> str:
    """A compose interpolation that stops compose with `hint` when the variable is unset or empty."""
    return "${" + f"{name}:?{hint}" + "}"


def database_url(env_file: str) -> str:
    hint = f"set it in {env_file.removeprefix('../')}"
    return (f"postgresql://{required('POSTGRES_USER', hint)}:{required('POSTGRES_PASSWORD', hint)}"
            f"@postgres:5432/{required('POSTGRES_DB', hint)}")


def rotated_logging() -> dict[str, Any]:
    """json-file logs rotated on the production host, as the Docker components rotate them
    (a fresh dict each time, so the YAML holds no anchors)."""
    return {"driver": "json-file", "options": dict(DOCKER_LOG_ROTATION)}


def limits(cpu: float, memory_mib: int) -> dict[str, Any]:
    return {"resources": {"limits": {"cpus": f"{cpu:g}", "memory": f"{memory_mib}M"}}}


def database_resources(resolved: ResolvedDeployment) -> tuple[float, int]:
    """The PostgreSQL container's share: the resolved container size, or for cloud
    patterns (whose database is a managed instance class) the container size of the same word."""
    db = resolved.database
    if db.cpu is not None and db.memory_mib is not None:
        return db.cpu, db.memory_mib
    return CONTAINER_SIZES[db.size]["database"]


def cache_resources(resolved: ResolvedDeployment) -> tuple[float, int]:
    return CONTAINER_SIZES[resolved.cache.size]["cache"]


def dev_command(resolved: ResolvedDeployment) -> list[str]:
    """The framework's own reloading server."""
    app = resolved.application
    framework = resolved.deployment.framework
    if framework == "fraiseql":
        return [*app.command, "--reload"]
    if framework == "django":
        return ["python", "manage.py", "runserver", f"0.0.0.0:{app.port}"]
    if framework == "rails":
        return ["./bin/rails", "server", "--binding", "0.0.0.0", "--port", str(app.port)]
    return ["npm", "run", "dev"]


def source_dir(resolved: ResolvedDeployment) -> str:
    """Where the dev stage keeps the source (the bind mount's target)."""
    return {"rails": "/rails", "nodejs": "/build"}.get(resolved.deployment.framework, "/app")


def postgres_service(resolved: ResolvedDeployment, *, env_file: str, production: bool) -> dict[str, Any]:
    hint = f"set it in {env_file.removeprefix('../')}"
    service: dict[str, Any] = {
        "image": IMAGES["postgres"],
        "environment": {
            "POSTGRES_DB": required("POSTGRES_DB", hint),
            "POSTGRES_PASSWORD": required("POSTGRES_PASSWORD", hint),
            "POSTGRES_USER": required("POSTGRES_USER", hint),
        },
        "volumes": [
            "postgres-data:/var/lib/postgresql/data",
            # SQL files here run once, when the data volume is first initialised.
            "../migrations:/docker-entrypoint-initdb.d:ro",
        ],
        "healthcheck": {
            "test": ["CMD-SHELL", 'pg_isready --username="$${POSTGRES_USER}" --dbname="$${POSTGRES_DB}"'],
            **COMPOSE_HEALTHCHECK,
        },
    }
    if production:
        service["restart"] = "unless-stopped"
        service["networks"] = ["backend"]
        service["security_opt"] = ["no-new-privileges:true"]
        service["deploy"] = limits(*database_resources(resolved))
        service["logging"] = rotated_logging()
    else:
        service["ports"] = ["127.0.0.1:5432:5432"]
    return service


def redis_service(resolved: ResolvedDeployment, *, env_file: str, production: bool) -> dict[str, Any]:
    image = IMAGES["redis"]
    if not production:
        return {
            "image": image,
            "ports": ["127.0.0.1:6379:6379"],
            "healthcheck": {"test": ["CMD", "redis-cli", "ping"], **COMPOSE_HEALTHCHECK},
        }
    hint = f"set it in {env_file.removeprefix('../')}"
    return {
        "image": image,
        # The password stays in the environment, out of the compose file and the image.
        "command": ["sh", "-c", 'exec redis-server --requirepass "$${REDIS_PASSWORD}" --appendonly yes'],
        "environment": {"REDIS_PASSWORD": required("REDIS_PASSWORD", hint)},
        "restart": "unless-stopped",
        "networks": ["backend"],
        "volumes": ["redis-data:/data"],
        "security_opt": ["no-new-privileges:true"],
        "healthcheck": {
            "test": ["CMD-SHELL", 'REDISCLI_AUTH="$${REDIS_PASSWORD}" redis-cli ping | grep -q PONG'],
            **COMPOSE_HEALTHCHECK,
        },
        "deploy": limits(*cache_resources(resolved)),
        "logging": rotated_logging(),
    }


def minio_services(resolved: ResolvedDeployment, *, env_file: str) -> dict[str, dict[str, Any]]:
    """MinIO standing in for S3 in development, with the manifest's buckets created."""
    hint = f"set it in {env_file.removeprefix('../')}"
    credentials = {
        "MINIO_ROOT_PASSWORD": required("MINIO_ROOT_PASSWORD", hint),
        "MINIO_ROOT_USER": required("MINIO_ROOT_USER", hint),
    }
    buckets = " ".join(f"local/{bucket.name}" for bucket in resolved.storage.buckets)
    return {
        "minio": {
            "image": IMAGES["minio"],
            "command": ["server", "/data", "--console-address", ":9001"],
            "environment": credentials,
            "ports": ["127.0.0.1:9000:9000", "127.0.0.1:9001:9001"],
            "volumes": ["minio-data:/data"],
            "healthcheck": {"test": ["CMD", "mc", "ready", "local"], **COMPOSE_HEALTHCHECK},
        },
        "minio-buckets": {
            "image": IMAGES["minio-client"],
            "depends_on": {"minio": {"condition": "service_healthy"}},
            "environment": credentials,
            "entrypoint": ["sh", "-c",
                           ('mc alias set local http://minio:9000 "$${MINIO_ROOT_USER}" "$${MINIO_ROOT_PASSWORD}"'
                            f" && mc mb --ignore-existing {buckets}")],
            "restart": "no",
        },
    }


def app_environment(resolved: ResolvedDeployment, *, env_file: str, production: bool) -> dict[str, str]:
    """Service wiring only; the application's own variables and secrets come from the env file."""
    env = {"DATABASE_URL": database_url(env_file), "PORT": str(resolved.application.port)}
    if resolved.cache.enabled:
        if production:
            hint = f"set it in {env_file.removeprefix('../')}"
            env["REDIS_URL"] = f"redis://:{required('REDIS_PASSWORD', hint)}@redis:6379/0"
        else:
            env["REDIS_URL"] = "redis://redis:6379/0"
    if resolved.storage.enabled and not production:
        env["AWS_ENDPOINT_URL_S3"] = "http://minio:9000"
    if not production:
        env.update(DEV_FRAMEWORK_ENV.get(resolved.deployment.framework, {}))
    return dict(sorted(env.items()))


def build_section(resolved: ResolvedDeployment, *, dev: bool) -> dict[str, Any]:
    build: dict[str, Any] = {"context": "..", "dockerfile": "docker/Dockerfile"}
    build["target"] = DEV_TARGETS[resolved.deployment.framework] if dev else "runtime"
    return build
