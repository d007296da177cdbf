"""Every health check calls only what its image contains.

A health check that runs a program the image lacks fails forever: the ECS task, the
compose service or the pod is killed and restarted in a loop while the application is
fine. The generated application images are the framework's official base image plus the
packages the Dockerfile's runtime stage installs, so each check of every place the image
runs (the Dockerfile's HEALTHCHECK, the ECS container health check, the compose
healthchecks, exec probes of the Kubernetes pods) is read, its commands are taken out
(the first word of each shell pipeline too), and each must be one the image ships.

``IMAGE_COMMANDS`` lists what the official images ship, from their Dockerfiles on Docker
Hub: the Debian slim bases carry the interpreter and coreutils but neither curl nor wget;
the Alpine ones carry busybox (whose applets include wget).
"""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import pytest
import yaml

from eject_support import (
    EXAMPLES,
    FRAMEWORKS,
    example_manifest,
    framework_manifest,
    render_example,
    render_path,
    resolve_path,
)

SHELL = {"sh", "exit", "test", "[", "true", "false"}
"""What `/bin/sh` itself provides (every image here has a shell)."""
DEBIAN = {"bash", "cat", "grep", "ls", "sleep"}
BUSYBOX = {"wget", "nc", "grep", "cat", "ls", "sleep"}

IMAGE_COMMANDS: dict[str, set[str]] = {
    # Official language images (the application's runtime stage starts from these)
    "python": DEBIAN | {"python", "python3", "pip"},
    "ruby": DEBIAN | {"ruby", "gem", "bundle", "bundler", "irb"},
    "node": BUSYBOX | {"node", "npm", "npx"},  # the -alpine variants
    # The data services' pinned images
    "postgres": BUSYBOX | {"pg_isready", "psql", "pg_dump", "postgres"},
    "redis": BUSYBOX | {"redis-cli", "redis-server"},
    "minio/minio": {"bash", "cat", "mc", "minio"},
    "caddy": BUSYBOX | {"caddy"},
}
"""Image repository → the commands it ships."""

PACKAGE_COMMANDS = {"curl": {"curl"}, "wget": {"wget"}}
"""Debian packages a runtime stage may install → the commands they add (libraries add none)."""


def repository(image: str) -> str:
    name = image.rsplit(":", 1)[0] if ":" in image.split("/")[-1] else image
    return name


def commands_of(test: list[str] | tuple[str, ...]) -> set[str]:
    """The programs a Docker/ECS health check runs: exec form's first word, or every
    command word of a CMD-SHELL line."""
    kind, *rest = test
    if kind == "CMD":
        return {rest[0]}
    assert kind == "CMD-SHELL", test
    found = {"sh"}
    for segment in re.split(r"\|\||&&|\||;", " ".join(rest)):
        words = [word for word in shlex.split(segment) if not re.match(r"^\w+=", word)]
        if words:
            found.add(words[0])
    return found


def runtime_stage(dockerfile: str) -> tuple[str, set[str]]:
    """(base image, commands added by its apt installs) of the Dockerfile's last stage."""
    joined = re.sub(r"\\\n\s*", " ", dockerfile)
    stage = joined.split("\nFROM ")[-1]
    base = stage.split()[0]
    added: set[str] = set()
    for install in re.findall(r"apt-get install [^&\n]*", stage):
        for package in install.split()[2:]:
            added |= PACKAGE_COMMANDS.get(package, set())
    return base, added


def dockerfile_check(dockerfile: str) -> list[str]:
    joined = re.sub(r"\\\n\s*", " ", dockerfile)
    line = next(line for line in joined.splitlines() if line.startswith("HEALTHCHECK"))
    return ["CMD", *json.loads(line.split(" CMD ", 1)[1])]


def assert_available(test: list[str] | tuple[str, ...], image_commands: set[str], where: str) -> None:
    missing = commands_of(test) - image_commands - SHELL
    assert not missing, f"{where}: the health check runs {sorted(missing)}, which the image does not contain: {test}"


@pytest.fixture(scope="module", params=FRAMEWORKS)
def framework(request) -> str:
    return request.param


def app_image_commands(directory: Path, framework: str, pattern: str) -> set[str]:
    dockerfile = render_path(framework_manifest(directory, framework, pattern), "docker")["docker/Dockerfile"]
    base, added = runtime_stage(dockerfile)
    return IMAGE_COMMANDS[repository(base)] | added


def test_the_dockerfile_healthcheck_runs_only_what_the_runtime_stage_has(framework, tmp_path):
    # GIVEN the Dockerfile of one framework
    dockerfile = render_path(framework_manifest(tmp_path, framework), "docker")["docker/Dockerfile"]
    base, added = runtime_stage(dockerfile)
    # THEN its HEALTHCHECK calls only what the runtime stage contains
    assert_available(dockerfile_check(dockerfile), IMAGE_COMMANDS[repository(base)] | added, "Dockerfile")


@pytest.mark.parametrize("pattern", ["small-saas", "production-saas"])
def test_the_ecs_container_health_check_runs_only_what_the_image_has(framework, pattern, tmp_path):
    from specql_deploy.capture import capture

    # GIVEN an AWS pattern running the image built from the generated Dockerfile
    path = framework_manifest(tmp_path, framework, pattern)
    available = app_image_commands(tmp_path, framework, pattern)
    # WHEN the task definition is captured
    graph = capture(resolve_path(path))
    [task] = [r for r in graph.resources if r.type == "aws:ecs/taskDefinition:TaskDefinition"]
    [container] = json.loads(task.inputs["containerDefinitions"])
    # THEN its health check calls only what the image contains
    assert_available(container["healthCheck"]["command"], available, "ECS task definition")


@pytest.mark.parametrize("pattern", ["hobby-project", "small-saas"])
def test_every_compose_healthcheck_runs_only_what_its_image_has(framework, pattern, tmp_path):
    # GIVEN the compose files of a pattern
    available = app_image_commands(tmp_path, framework, pattern)
    files = render_path(framework_manifest(tmp_path, framework, pattern), "compose")
    checked = 0
    for name, text in files.items():
        if not name.endswith((".yaml", ".yml")):
            continue
        for service_name, service in (yaml.safe_load(text).get("services") or {}).items():
            if "healthcheck" not in service:
                continue
            # THEN each service's check calls only what its own image contains
            image = service.get("image")
            built = "build" in service or image is None or image.startswith(("${", "ghcr.io/")) or "/app" in str(image)
            commands = available if built or service_name == "app" else IMAGE_COMMANDS[repository(image)]
            assert_available(service["healthcheck"]["test"], commands, f"{name} service {service_name}")
            checked += 1
    assert checked, "no healthcheck found"


def test_kubernetes_probes_are_http_or_run_only_what_the_image_has(framework, tmp_path):
    from specql_deploy.capture import capture

    # GIVEN the kubernetes pattern's Deployment
    path = framework_manifest(tmp_path, framework, "kubernetes")
    available = app_image_commands(tmp_path, framework, "kubernetes")
    graph = capture(resolve_path(path))
    deployments = [r for r in graph.resources if r.type == "kubernetes:apps/v1:Deployment"]
    assert deployments
    for deployment in deployments:
        for container in deployment.inputs["spec"]["template"]["spec"]["containers"]:
            for kind in ("livenessProbe", "readinessProbe", "startupProbe"):
                probe = container.get(kind)
                if probe is None:
                    continue
                # THEN a probe is an HTTP GET the kubelet makes, or an exec of what the image has
                if "exec" in probe:
                    assert_available(["CMD", *probe["exec"]["command"]], available, f"pod {kind}")
                else:
                    assert "httpGet" in probe or "tcpSocket" in probe, probe


@pytest.mark.parametrize("example", EXAMPLES)
def test_every_example_probes_with_what_its_image_has(example):
    from specql_deploy.capture import capture

    # GIVEN an example (full-manifest writes `runtime: nodejs` beside framework fraiseql:
    # the image is still the framework's Python one)
    dockerfile = render_example(example, "docker")["docker/Dockerfile"]
    base, added = runtime_stage(dockerfile)
    available = IMAGE_COMMANDS[repository(base)] | added
    # THEN the Dockerfile's check and, on AWS, the ECS check call only what the image has
    assert_available(dockerfile_check(dockerfile), available, "Dockerfile")
    resolved = resolve_path(example_manifest(example))
    if resolved.cloud == "aws":
        [task] = [r for r in capture(resolved).resources if r.type == "aws:ecs/taskDefinition:TaskDefinition"]
        [container] = [item for item in json.loads(task.inputs["containerDefinitions"]) if item.get("essential", True)]
        assert_available(container["healthCheck"]["command"], available, "ECS task definition")
