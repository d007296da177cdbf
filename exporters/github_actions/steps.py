"""Steps shared by the workflows: toolchains, cloud access, the specql CLI, smoke tests.

Rule for every `run:` script here: no `${{ }}` expression inside it. Values from the
event, inputs, variables and secrets reach scripts only through `env:`, so a branch
name or an input can never become shell code (GitHub's script-injection advice).
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import metadata
from typing import Any

from ruamel.yaml.scalarstring import LiteralScalarString

from ...program.building_blocks import (
    CI_SMOKE_MAX_TIME_SECONDS,
    CI_SMOKE_RETRIES,
    CI_SMOKE_RETRY_DELAY_SECONDS,
)
from ...program.model import ResolvedDeployment
from .actions import uses

TOOL_PYTHON = "3.12"
"""Python that runs the specql CLI in CI: a version every dependency ships wheels for."""

PULUMI_VERSION = metadata.version("pulumi")
"""Pulumi CLI that `specql deploy preview/up` drives: the installed SDK's version (pinned in pyproject)."""

RUNNER = "ubuntu-24.04"
"""A fixed runner image rather than ubuntu-latest, so an image upgrade is a reviewed change."""


def script(text: str) -> LiteralScalarString:
    """A `run:` body as a literal block, so it reads like the shell script it is."""
    return LiteralScalarString(text.strip("\n") + "\n")


def step(name: str, **fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"name": name}
    for key, value in fields.items():
        body[key.replace("_", "-") if key != "with_" else "with"] = value
    return body


def checkout() -> dict[str, Any]:
    # No token left in .git/config for later steps to find.
    return step("Check out", uses=uses("checkout"), with_={"persist-credentials": False})


@dataclass(frozen=True)
class Toolchain:
    setup: list[dict[str, Any]]
    install: str
    lint: str
    migrate: str
    test: str
    env: dict[str, str]


def toolchain(resolved: ResolvedDeployment) -> Toolchain:
    """How the application installs, lints, migrates and tests, per framework."""
    app = resolved.application
    framework = resolved.deployment.framework
    if framework in ("fraiseql", "django"):
        setup = [
            step(
                "Set up Python",
                uses=uses("setup-python"),
                with_={"python-version": app.runtime_version, "cache": "pip"},
            )
        ]
        if framework == "fraiseql":
            return Toolchain(
                setup=setup,
                install='python -m pip install --editable ".[dev]"',
                lint="ruff check .",
                migrate=(
                    "for file in migrations/*.sql; do\n"
                    '  [ -e "$file" ] || continue\n'
                    '  psql "$DATABASE_URL" --set ON_ERROR_STOP=1 --quiet --file "$file"\n'
                    "done"
                ),
                test="pytest",
                env={},
            )
        return Toolchain(
            setup=setup,
            install="python -m pip install -r requirements.txt -r requirements-dev.txt",
            lint="ruff check .",
            migrate="python manage.py migrate --noinput",
            test="python manage.py test",
            env={},
        )
    if framework == "rails":
        return Toolchain(
            setup=[
                step(
                    "Set up Ruby",
                    uses=uses("setup-ruby"),
                    with_={"ruby-version": app.runtime_version, "bundler-cache": True},
                )
            ],
            install="bundle install",
            lint="bundle exec rubocop",
            migrate="bin/rails db:prepare",
            test="bin/rails test",
            env={"RAILS_ENV": "test"},
        )
    return Toolchain(
        setup=[
            step("Set up Node.js", uses=uses("setup-node"), with_={"node-version": app.runtime_version, "cache": "npm"})
        ],
        install="npm ci",
        lint="npm run lint",
        migrate="npm run migrate --if-present",
        test="npm test",
        env={},
    )


def specql_tools(resolved: ResolvedDeployment, *, pulumi: bool = True) -> list[dict[str, Any]]:
    """Python, the specql CLI from `cicd.specql_source` (by default the tag of the release
    that ejected these files) and the Pulumi CLI."""
    env = {"SPECQL_SOURCE": resolved.cicd.specql_source}
    if resolved.cicd.specql_index:
        env["PIP_INDEX_URL"] = resolved.cicd.specql_index
    install = 'python -m pip install "$SPECQL_SOURCE"'
    setup = step("Set up Python for specql", uses=uses("setup-python"), with_={"python-version": TOOL_PYTHON})
    if not pulumi:
        return [setup, step("Install specql-deploy", env=env, run=install)]
    return [
        setup,
        step(
            "Install specql-deploy and the Pulumi CLI",
            env={**env, "PULUMI_VERSION": PULUMI_VERSION},
            run=script(f"""
{install}
curl --fail --silent --show-error --location https://get.pulumi.com/ | sh -s -- --version "$PULUMI_VERSION"
echo "$HOME/.pulumi/bin" >> "$GITHUB_PATH"
"""),
        ),
    ]


def cloud_access(resolved: ResolvedDeployment, *, role_variable: str) -> list[dict[str, Any]]:
    """Credentials for the pattern's target: OIDC for AWS, a kubeconfig, or SSH to the Docker host."""
    target = resolved.cloud
    if target == "aws":
        return [
            step(
                "Assume the AWS role (OIDC, no stored keys)",
                uses=uses("configure-aws-credentials"),
                with_={
                    "role-to-assume": "${{ vars." + role_variable + " }}",
                    "aws-region": resolved.platform.region,
                    "role-session-name": "specql-${{ github.run_id }}",
                },
            )
        ]
    if target == "kubernetes":
        return [
            step(
                "Write the kubeconfig",
                env={"KUBECONFIG_DATA": "${{ secrets.KUBECONFIG }}"},
                run=script("""
umask 077
printf '%s\\n' "$KUBECONFIG_DATA" > "$RUNNER_TEMP/kubeconfig"
echo "KUBECONFIG=$RUNNER_TEMP/kubeconfig" >> "$GITHUB_ENV"
"""),
            )
        ]
    return [
        step(
            "SSH access to the Docker host",
            env={
                "SSH_KEY": "${{ secrets.DEPLOY_SSH_KEY }}",
                "KNOWN_HOSTS": "${{ vars.DEPLOY_SSH_KNOWN_HOSTS }}",
            },
            run=script("""
install -m 700 -d "$HOME/.ssh"
umask 077
printf '%s\\n' "$SSH_KEY" > "$HOME/.ssh/id_deploy"
printf '%s\\n' "$KNOWN_HOSTS" > "$HOME/.ssh/known_hosts"
printf 'Host *\\n  IdentityFile ~/.ssh/id_deploy\\n  IdentitiesOnly yes\\n' > "$HOME/.ssh/config"
"""),
        )
    ]


def cloud_env(resolved: ResolvedDeployment) -> dict[str, str]:
    """Job-level variables the pattern's provider reads."""
    if resolved.cloud == "docker":
        return {"DOCKER_HOST": "${{ vars.DOCKER_HOST }}"}
    return {}


def stack_env() -> dict[str, str]:
    """State backend and the passphrase that encrypts the stack's secrets."""
    return {
        "PULUMI_CONFIG_PASSPHRASE": "${{ secrets.PULUMI_CONFIG_PASSPHRASE }}",
        "SPECQL_BACKEND": "${{ vars.SPECQL_BACKEND }}",
    }


def smoke_test(resolved: ResolvedDeployment) -> dict[str, Any]:
    path = resolved.application.health_check_path
    return step(
        "Smoke test the health endpoint",
        env={"HEALTH_PATH": path},
        run=script(f"""
if [ -z "$APP_URL" ]; then
  echo "::error::Set the APP_URL variable on the GitHub environment '$STACK' (https://host of this stack)."
  exit 1
fi
curl --fail --silent --show-error --max-time {CI_SMOKE_MAX_TIME_SECONDS} \\
  --retry {CI_SMOKE_RETRIES} --retry-delay {CI_SMOKE_RETRY_DELAY_SECONDS} --retry-all-errors \\
  "${{APP_URL%/}}$HEALTH_PATH"
"""),
    )


def app_url(resolved: ResolvedDeployment, environment: str) -> str:
    """Expression for the stack's public URL: the environment's APP_URL variable, or the
    manifest's domain for the production stage."""
    from ...program.catalogue import environment_class

    domain = resolved.deployment.domain
    if domain and environment_class(environment) == "production":
        return "${{ vars.APP_URL || '" + f"https://{domain}" + "' }}"
    return "${{ vars.APP_URL }}"
