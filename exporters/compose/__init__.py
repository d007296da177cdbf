"""Compose target: ``docker/docker-compose.{dev,prod}.yaml`` and the ``docker/Caddyfile``.

Both files live in ``docker/``, so compose resolves relative paths from there: the
build context is ``..`` (the repository root), env files are in ``../config/``.

For hobby-project the production file *is* the deployment: it is dumped from
``components.docker.stack.compose_document``, the same description the pulumi-docker
components are built from, with that stack's own configuration files (Caddyfile,
prometheus.yml), so the ejected stack and the one `up` creates cannot drift apart.
For the cloud patterns it is a production-like stack for one host, rendered here.
"""

from __future__ import annotations

from typing import Any

from ...program.building_blocks import DOCKER_SIDECAR_LIMITS
from ...program.catalogue import IMAGES
from ...program.model import ResolvedDeployment
from ..base import ExportContext, GeneratedFile, dump_yaml, hash_header
from .caddyfile import render_caddyfile
from .services import (
    APP_SERVICE,
    DEV_ENV_FILE,
    PROD_ENV_FILE,
    app_environment,
    build_section,
    dev_command,
    limits,
    minio_services,
    postgres_service,
    redis_service,
    required,
    rotated_logging,
    source_dir,
)

__all__ = ["render", "render_dev", "render_prod"]


def render(resolved: ResolvedDeployment, context: ExportContext) -> list[GeneratedFile]:
    """Every pattern gets the local stack; hobby-project runs the prod file for real."""
    dev = GeneratedFile("docker/docker-compose.dev.yaml", render_dev(resolved, context))
    if resolved.cloud == "docker":
        return [dev, *render_hobby_prod(resolved, context)]
    return [
        dev,
        GeneratedFile("docker/docker-compose.prod.yaml", render_prod(resolved, context)),
        GeneratedFile("docker/Caddyfile", render_caddyfile(
            resolved, hash_header(context, what="Caddy in front of the app: automatic HTTPS and security headers."))),
    ]


def render_hobby_prod(resolved: ResolvedDeployment, context: ExportContext) -> list[GeneratedFile]:
    """The hobby-project stack exactly as `up` creates it, plus the files it mounts."""
    from ...components.docker.stack import compose_document, hobby_config_files

    header = hash_header(context, what=(
        "The hobby-project stack: the same services, images, ports, volumes, health checks\n"
        "and limits that `specql deploy up` creates on the Docker host.\n"
        "Run from the repository root: docker compose --env-file config/.env.production "
        "-f docker/docker-compose.prod.yaml up -d"))
    files = [GeneratedFile("docker/docker-compose.prod.yaml", header + "\n" + dump_yaml(compose_document(resolved)))]
    for config in hobby_config_files(resolved):
        what = f"Mounted read-only at {config.target} (the same content `up` uploads)."
        files.append(GeneratedFile(config.path, hash_header(context, what=what) + "\n" + config.content))
    return files


def _depends_on(resolved: ResolvedDeployment) -> dict[str, Any]:
    needs = {"postgres": {"condition": "service_healthy"}}
    if resolved.cache.enabled:
        needs["redis"] = {"condition": "service_healthy"}
    return needs


def render_dev(resolved: ResolvedDeployment, context: ExportContext) -> str:
    source = source_dir(resolved)
    app: dict[str, Any] = {
        "build": build_section(resolved, dev=True),
        "command": dev_command(resolved),
        "env_file": [DEV_ENV_FILE],
        "environment": app_environment(resolved, env_file=DEV_ENV_FILE, production=False),
        "ports": [f"127.0.0.1:{resolved.application.port}:{resolved.application.port}"],
        # The working tree mounted over the image's copy: edits reload without a rebuild.
        "volumes": [f"..:{source}"] + ([f"{source}/node_modules"] if resolved.deployment.framework == "nodejs" else []),
        "depends_on": _depends_on(resolved),
    }
    services: dict[str, Any] = {APP_SERVICE: app, "postgres": postgres_service(
        resolved, env_file=DEV_ENV_FILE, production=False)}
    volumes: dict[str, Any] = {"postgres-data": {}}
    if resolved.cache.enabled:
        services["redis"] = redis_service(resolved, env_file=DEV_ENV_FILE, production=False)
    if resolved.storage.enabled:
        services.update(minio_services(resolved, env_file=DEV_ENV_FILE))
        app["depends_on"]["minio-buckets"] = {"condition": "service_completed_successfully"}
        volumes["minio-data"] = {}
    document = {"name": f"{resolved.name}-dev", "services": services, "volumes": volumes}
    header = hash_header(context, what=(
        "Local development: hot reload, PostgreSQL with the migrations mounted"
        + (", Redis" if resolved.cache.enabled else "") + (", MinIO for S3" if resolved.storage.enabled else "")
        + ".\nRun from the repository root: docker compose --env-file config/.env "
          "-f docker/docker-compose.dev.yaml up --build"))
    return header + "\n" + dump_yaml(document)


def render_prod(resolved: ResolvedDeployment, context: ExportContext) -> str:
    port = resolved.application.port
    image_hint = "set APP_IMAGE to the image to run (docker compose build tags it)"
    app: dict[str, Any] = {
        "image": required("APP_IMAGE", image_hint),
        "build": build_section(resolved, dev=False),
        "restart": "unless-stopped",
        "env_file": [PROD_ENV_FILE],
        "environment": app_environment(resolved, env_file=PROD_ENV_FILE, production=True),
        "depends_on": _depends_on(resolved),
        "networks": ["edge", "backend"],
        "security_opt": ["no-new-privileges:true"],
        "cap_drop": ["ALL"],
        "deploy": limits(resolved.application.cpu, resolved.application.memory_mib),
        "logging": rotated_logging(),
    }
    if resolved.application.read_only_root:
        app["read_only"] = True
        app["tmpfs"] = ["/tmp"]
    caddy = {
        "image": IMAGES["caddy"],
        "restart": "unless-stopped",
        "ports": ["80:80", "443:443", "443:443/udp"],
        "environment": {
            "APP_UPSTREAM": f"{APP_SERVICE}:{port}",
            "DOMAIN": required("DOMAIN", f"set DOMAIN in {PROD_ENV_FILE.removeprefix('../')}"),
        },
        "volumes": ["./Caddyfile:/etc/caddy/Caddyfile:ro", "caddy-data:/data", "caddy-config:/config"],
        "depends_on": {APP_SERVICE: {"condition": "service_healthy"}},
        "networks": ["edge"],
        "security_opt": ["no-new-privileges:true"],
        "cap_drop": ["ALL"],
        "cap_add": ["NET_BIND_SERVICE"],
        "deploy": limits(*DOCKER_SIDECAR_LIMITS["caddy"]),  # the hobby stack's Caddy gets the same
        "logging": rotated_logging(),
    }
    services: dict[str, Any] = {
        "caddy": caddy,
        APP_SERVICE: app,
        "postgres": postgres_service(resolved, env_file=PROD_ENV_FILE, production=True),
    }
    volumes: dict[str, Any] = {"caddy-config": {}, "caddy-data": {}, "postgres-data": {}}
    if resolved.cache.enabled:
        services["redis"] = redis_service(resolved, env_file=PROD_ENV_FILE, production=True)
        volumes["redis-data"] = {}
    document = {
        "name": resolved.name,
        "services": services,
        "networks": {
            "backend": {"internal": True},  # no route to the internet for the data services
            "edge": {},
        },
        "volumes": volumes,
    }
    header = hash_header(context, what=(
        "Production on one host: Caddy (automatic HTTPS), the app, PostgreSQL"
        + (", Redis" if resolved.cache.enabled else "") + ".\n"
        "Run from the repository root: docker compose --env-file config/.env.production "
        "-f docker/docker-compose.prod.yaml up -d"))
    return header + "\n" + dump_yaml(document)
