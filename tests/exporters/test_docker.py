"""Docker target: one Dockerfile per framework, accepted by hadolint and checkov."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

import validators
from eject_support import (
    EXAMPLES,
    FRAMEWORKS,
    framework_manifest,
    render_example,
    render_path,
    resolve_path,
)

pytestmark = pytest.mark.validators


@pytest.fixture(scope="module")
def dockerfiles(tmp_path_factory) -> dict[str, str]:
    """framework → Dockerfile text."""
    root = tmp_path_factory.mktemp("frameworks")
    return {fw: render_path(framework_manifest(root / fw, fw), "docker")["docker/Dockerfile"] for fw in FRAMEWORKS}


def instructions(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    joined = re.sub(r"\\\n\s*", " ", text)
    result = []
    for line in joined.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, rest = line.partition(" ")
            result.append((keyword.upper(), rest.strip()))
    return result


def stages(text: str) -> list[list[tuple[str, str]]]:
    found: list[list[tuple[str, str]]] = []
    for keyword, rest in instructions(text):
        if keyword == "FROM":
            found.append([])
        if found:
            found[-1].append((keyword, rest))
    return found


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_runtime_stage_runs_unprivileged_with_a_health_check(dockerfiles, framework, tmp_path):
    # GIVEN the Dockerfile of one framework
    resolved = resolve_path(framework_manifest(tmp_path, framework))
    app = resolved.application
    # WHEN its stages are read
    found = stages(dockerfiles[framework])
    runtime = found[-1]
    # THEN it is multi-stage and the last stage is the runtime, FROM the framework's pinned base
    assert len(found) >= 2
    assert runtime[0] == ("FROM", f"{app.base_image} AS runtime")
    # AND it switches to a numeric non-root user (Kubernetes runAsNonRoot can verify it)
    users = [rest for keyword, rest in runtime if keyword == "USER"]
    assert users and re.fullmatch(r"[1-9]\d{3,}:[1-9]\d{3,}", users[-1])
    # AND its health check probes the application's own port and path
    health = " ".join(rest for keyword, rest in runtime if keyword == "HEALTHCHECK")
    assert f"127.0.0.1:{app.port}{app.health_check_path}" in health
    assert f"--interval={app.health_check_interval}s" in health
    # AND it starts the resolved command in exec form
    assert ("CMD", json.dumps(list(app.command))) in runtime
    assert ("EXPOSE", str(app.port)) in runtime


def test_fraiseql_builds_its_rust_extensions_with_a_pinned_toolchain(dockerfiles):
    from specql_deploy.exporters.docker import TOOLCHAIN_IMAGES

    text = dockerfiles["fraiseql"]
    builder = stages(text)[0]
    copies = [rest for keyword, rest in builder if keyword == "COPY"]
    assert f"--from={TOOLCHAIN_IMAGES['rust']} /usr/local/cargo /usr/local/cargo" in copies
    assert re.fullmatch(r"rust:\d+\.\d+\.\d+-slim-\w+", TOOLCHAIN_IMAGES["rust"])
    # The runtime stage ships no compiler.
    assert "build-essential" not in " ".join(rest for _, rest in stages(text)[-1])


@pytest.mark.parametrize(("framework", "server"), [("django", "gunicorn"), ("rails", "puma"), ("nodejs", "node")])
def test_each_framework_starts_its_own_server(dockerfiles, framework, server):
    cmd = [rest for keyword, rest in stages(dockerfiles[framework])[-1] if keyword == "CMD"][-1]
    assert server in json.loads(cmd)


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_every_base_image_is_pinned_to_a_tag(dockerfiles, framework):
    for keyword, rest in instructions(dockerfiles[framework]):
        images = []
        if keyword == "FROM":
            images.append(rest.split()[0])
        if keyword == "COPY" and rest.startswith("--from="):
            images.append(rest.split()[0].removeprefix("--from="))
        for image in images:
            if ":" not in image:  # a stage name
                continue
            tag = image.rsplit(":", 1)[1]
            assert tag not in ("latest", ""), image
            assert re.search(r"\d", tag), image


def test_unknown_framework_is_refused_with_the_known_ones(tmp_path):
    from specql_deploy.exporters.docker.dockerfile import recipe_for

    resolved = resolve_path(framework_manifest(tmp_path, "django"))
    bogus = resolved.model_copy(update={"deployment": resolved.deployment.model_copy(update={"framework": "cobol"})})
    with pytest.raises(ValueError, match="django, fraiseql, nodejs, rails"):
        recipe_for(bogus)


def test_dockerignore_keeps_secrets_and_state_out_of_the_context():
    files = render_example("small-saas", "docker")
    ignore = files["docker/.dockerignore"].splitlines()
    for pattern in (".env", ".env.*", ".git", "config/secrets", "**/*.tfstate", ".specql"):
        assert pattern in ignore
    # BuildKit reads <Dockerfile>.dockerignore whatever the build context is.
    assert files["docker/Dockerfile.dockerignore"] == files["docker/.dockerignore"]


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_hadolint_finds_no_warning(dockerfiles, framework, tmp_path):
    path = tmp_path / "Dockerfile"
    path.write_text(dockerfiles[framework], encoding="utf-8")
    result = validators.hadolint(path)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("example", EXAMPLES)
def test_hadolint_accepts_every_example(example, tmp_path):
    path = tmp_path / "Dockerfile"
    path.write_text(render_example(example, "docker")["docker/Dockerfile"], encoding="utf-8")
    result = validators.hadolint(path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_hadolint_helper_does_fail_on_a_bad_dockerfile(tmp_path):
    # The validator is live: an unpinned base image and sudo are reported.
    path = tmp_path / "Dockerfile"
    path.write_text("FROM python\nRUN sudo pip install flask\n", encoding="utf-8")
    assert validators.hadolint(path).returncode != 0


def test_checkov_passes_every_dockerfile(dockerfiles, tmp_path):
    # GIVEN every framework's Dockerfile and every example's, in one directory (one checkov start-up)
    for framework, text in dockerfiles.items():
        (tmp_path / f"{framework}.Dockerfile").write_text(text, encoding="utf-8")
    for example in EXAMPLES:
        (tmp_path / f"example-{example}.Dockerfile").write_text(
            render_example(example, "docker")["docker/Dockerfile"], encoding="utf-8"
        )
    # WHEN checkov's dockerfile framework scans them
    report = validators.checkov(tmp_path, "dockerfile")
    # THEN it parsed all of them and no check failed
    assert report["summary"]["parsing_errors"] == 0
    assert report["summary"]["resource_count"] == len(FRAMEWORKS) + len(EXAMPLES)
    assert validators.failed_checks(report) == []
    assert report["summary"]["passed"] > 0


def test_checkov_helper_reports_failures(tmp_path):
    # A Dockerfile with no USER and no HEALTHCHECK must fail (CKV_DOCKER_2, CKV_DOCKER_3).
    Path(tmp_path / "Dockerfile").write_text('FROM python:3.12-slim\nCMD ["python"]\n', encoding="utf-8")
    failed = validators.failed_checks(validators.checkov(tmp_path, "dockerfile"))
    assert any(check.startswith("CKV_DOCKER_2 ") for check in failed)
    assert any(check.startswith("CKV_DOCKER_3 ") for check in failed)
