"""Config target: env-file templates and the secrets inventory under ``config/``.

Templates carry names and non-secret values only. Every secret appears with an empty
value and a note on how to generate or where it lives, so a copied template fails
loudly (compose's ``${VAR:?}``) instead of running with a placeholder password.
"""

from __future__ import annotations

from ...components.docker.hobby_stack import database_name, hobby_secrets
from ...program.frameworks import BOOT_SECRETS
from ...program.model import ResolvedDeployment
from ..contract import ExportContext, GeneratedFile
from ..headers import hash_header
from ..yaml_text import dump_yaml

SECRET_STORES = {
    "aws-secrets": "AWS Secrets Manager",
    "vault": "HashiCorp Vault",
    "env-file": "config/.env.production on the host (mode 0600, never committed)",
}
"""secrets_manager value → where a team keeps the production values."""


READERS = {
    "POSTGRES_PASSWORD": "postgres, app",
    "DB_PASSWORD": "postgres, app, backup",
    "REDIS_PASSWORD": "redis, app",
}
"""Services that read each wiring secret (the inventory's `read_by`)."""


def environments_needed(resolved: ResolvedDeployment) -> tuple[str, ...]:
    """The production env files are written from the production environment."""
    return (production_environment(resolved),)


def render(resolved: ResolvedDeployment, context: ExportContext) -> list[GeneratedFile]:
    production = context.environment(production_environment(resolved))
    return [
        GeneratedFile("config/.env.example", render_env(resolved, context, production=False)),
        GeneratedFile("config/.env.production.example", render_env(production, context, production=True)),
        GeneratedFile("config/secrets/secrets.yaml.example", render_secrets(production, context)),
    ]


def production_environment(resolved: ResolvedDeployment) -> str:
    """The first production-class environment the manifest declares, else the CI's production stage,
    else the CI's last stage (a manifest whose stages are, say, only `qa` has no `production` stack
    to read; asking for one made a valid manifest fail to eject)."""
    from ...program.catalogue import environment_class

    for name in resolved.environments:
        if environment_class(name) == "production":
            return name
    for environment in resolved.cicd.environments:
        if environment_class(environment.name) == "production":
            return environment.name
    stages = [environment.name for environment in resolved.cicd.environments]
    return stages[-1] if stages else resolved.deployment.environment


def _section(title: str, entries: list[tuple[str, str, str]]) -> list[str]:
    """`# title` then, per entry, an optional `# note` and `NAME=value`."""
    lines = ["", f"# --- {title}"]
    for name, value, note in entries:
        if note:
            lines.append(f"# {note}")
        lines.append(f"{name}={value}")
    return lines


def render_env(resolved: ResolvedDeployment, context: ExportContext, *, production: bool) -> str:
    environment = resolved.deployment.environment
    target = "config/.env.production" if production else "config/.env"
    compose = "docker-compose.prod.yaml" if production else "docker-compose.dev.yaml"
    header = hash_header(
        context,
        what=(
            f"Template for {target} (environment {environment}): copy it, fill the empty values, "
            "never commit the copy.\n"
            + (
                f"docker/{compose} takes its ${{VAR}} values from it (docker compose --env-file)."
                if production and resolved.cloud == "docker"
                else f"docker/{compose} reads it (env_file) and compose interpolates ${{VAR:?}} from it (--env-file)."
            )
        ),
    )
    generate = "generate with: openssl rand -hex 32"
    wiring: list[tuple[str, str, str]] = [
        ("POSTGRES_DB", database_name(resolved), ""),
        ("POSTGRES_USER", database_name(resolved), ""),
        ("POSTGRES_PASSWORD", "", generate),
    ]
    if production and resolved.cloud == "docker":
        # hobby-project: the variables the shared stack description references.
        wiring = [
            (
                "APP_IMAGE",
                "",
                (
                    "Optional: an image to run instead of building docker/Dockerfile "
                    "(tag it with its commit SHA, never `latest`)."
                ),
            )
        ]
        wiring += [
            (secret.name, "", f"{secret.description}; {generate}")
            for secret in hobby_secrets(resolved)
            if secret.name not in resolved.application.secrets
        ]
    elif production:
        wiring.insert(
            0,
            (
                "DOMAIN",
                resolved.deployment.domain or "",
                "Public host name; Caddy requests its certificate (DNS must point here first).",
            ),
        )
        wiring.insert(
            1,
            (
                "APP_IMAGE",
                "",
                (
                    "Image to run, tagged with its commit SHA (never `latest`); "
                    "`docker compose build` builds and tags it."
                ),
            ),
        )
        if resolved.cache.enabled:
            wiring.append(("REDIS_PASSWORD", "", generate))
    elif resolved.storage.enabled:
        wiring.append(("MINIO_ROOT_USER", "", "Local MinIO standing in for S3: any name of 3+ characters."))
        wiring.append(("MINIO_ROOT_PASSWORD", "", "8+ characters; " + generate))
    lines = header.rstrip("\n").split("\n")
    lines += _section("services (compose wiring)", wiring)
    variables = sorted(resolved.application.variables.items())
    if variables:
        lines += _section(
            f"application settings for {environment} (from the manifest)",
            [(name, value, "") for name, value in variables],
        )
    boot = [(name, "", why) for name, why in BOOT_SECRETS.get(resolved.deployment.framework, ()) if production]
    if boot:
        lines += _section(f"{resolved.deployment.framework} needs these to boot in production", boot)
    secrets = sorted(set(resolved.application.secrets) - {name for name, _, _ in boot})
    if secrets:
        store = SECRET_STORES.get(resolved.security.secrets_manager, resolved.security.secrets_manager)
        lines += _section(
            f"application secrets (in the cloud they live in {store})", [(name, "", "") for name in secrets]
        )
    return "\n".join(lines) + "\n"


def render_secrets(resolved: ResolvedDeployment, context: ExportContext) -> str:
    """Which secrets exist, where they live and who reads them: an inventory, never values."""
    store = resolved.security.secrets_manager
    if resolved.cloud == "docker":
        wiring = {secret.name for secret in hobby_secrets(resolved)}
    else:
        wiring = {"POSTGRES_PASSWORD"} | ({"REDIS_PASSWORD"} if resolved.cache.enabled else set())
    names = sorted(set(resolved.application.secrets) | wiring)
    document = {
        "environment": resolved.deployment.environment,
        "store": store,
        "store_description": SECRET_STORES.get(store, store),
        "secrets": {
            name: {
                "value": "",
                "read_by": READERS.get(name, "app"),
                "rotate": "on staff change or suspected exposure",
            }
            for name in names
        },
    }
    header = hash_header(
        context,
        what=(
            "Inventory of the secrets this deployment needs. Copy to secrets.yaml to track them;\n"
            "values stay empty here and belong in the secret store, never in git."
        ),
    )
    return header + "\n" + dump_yaml(document)
