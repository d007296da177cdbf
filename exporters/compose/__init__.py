"""Compose target: ``docker/docker-compose.{dev,prod}.yaml`` and the files they mount.

Every file is one stack of the service model
(:mod:`...components.docker.service_model`) written by the one renderer
(:mod:`.render`). For hobby-project the production file *is* the deployment: its stack
is :func:`~...components.docker.hobby_stack.hobby_stack`, the very services the
pulumi-docker components create, so the ejected stack and the one `up` creates cannot
drift apart. For the cloud patterns it is a production-like stack for one host
(:mod:`.projects`). Both files live in ``docker/``, so compose resolves relative paths
from there: the build context is ``..`` (the repository root), env files are in
``../config/``.
"""

from __future__ import annotations

from ...components.docker.service_model import DEV_ENV_FILE, PROD_ENV_FILE, Stack
from ...components.observability import ROOT as OBSERVABILITY_ROOT
from ...program.model import ResolvedDeployment
from ..contract import ExportContext, GeneratedFile
from ..headers import hash_header
from ..observability import with_header
from ..yaml_text import dump_yaml
from . import projects
from .render import compose_document

__all__ = ["render"]


def render(resolved: ResolvedDeployment, context: ExportContext) -> list[GeneratedFile]:
    """The local development stack for every pattern, and the production stack on one host."""
    dev = projects.development(resolved)
    services = {spec.name for spec in dev.services}
    dev_header = hash_header(
        context,
        what=(
            "Local development: hot reload, PostgreSQL with the migrations mounted"
            + (", Redis" if "redis" in services else "")
            + (", MinIO for S3" if "minio" in services else "")
            + ".\nRun from the repository root: docker compose --env-file config/.env "
            "-f docker/docker-compose.dev.yaml up --build"
        ),
    )
    files = [_compose_file("docker/docker-compose.dev.yaml", dev, DEV_ENV_FILE, dev_header)]
    if resolved.cloud == "docker":
        from ...components.docker.hobby_stack import hobby_stack

        production: Stack = hobby_stack(resolved)
        what = (
            "The hobby-project stack: the same services, images, ports, volumes, health checks\n"
            "and limits that `specql deploy up` creates on the Docker host."
        )
    else:
        production = projects.cloud_production(resolved)
        what = (
            "Production on one host: Caddy (automatic HTTPS), the app, PostgreSQL"
            + (", Redis" if resolved.cache.enabled else "")
            + "."
        )
    prod_header = hash_header(
        context,
        what=(
            what + "\nRun from the repository root: docker compose --env-file config/.env.production "
            "-f docker/docker-compose.prod.yaml up -d"
        ),
    )
    files.append(_compose_file("docker/docker-compose.prod.yaml", production, PROD_ENV_FILE, prod_header))
    for config in production.config_files:
        if config.path.startswith(f"{OBSERVABILITY_ROOT}/"):
            # the observability target writes the same file, byte for byte: either target alone
            # leaves a compose file whose mounts exist
            files.append(GeneratedFile(config.path, with_header(context, config.path, config.content)))
            continue
        note = config.note or f"Mounted read-only at {config.target}."
        # a Caddyfile's global options block opens the file: `caddy fmt` allows comments above
        # it but no blank line
        gap = "" if config.content.startswith("{") else "\n"
        files.append(GeneratedFile(config.path, hash_header(context, what=note) + gap + config.content))
    return files


def _compose_file(path: str, stack: Stack, env_file: str, header: str) -> GeneratedFile:
    return GeneratedFile(path, header + "\n" + dump_yaml(compose_document(stack, env_file=env_file)))
