"""The ejected compose file is the stack `up` creates: same services, images, ports, volumes.

The pulumi-docker components and ``docker/docker-compose.prod.yaml`` both come from
``components/docker/stack.py``. This test holds them to it from the outside: it reads
the containers the program registers (offline capture) and the compose file the
compose exporter writes, and compares what a user would see running.
"""

from __future__ import annotations

import re
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from specql_deploy.capture import ResourceGraph, capture
from specql_deploy.exporters.contract import ExportContext
from specql_deploy.program.manifest import load
from specql_deploy.program.resolve import resolve

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE_NAMES = sorted(path.parent.name for path in (ROOT / "examples").glob("*/deployment.yaml"))


def example_path(name: str) -> Path:
    return ROOT / "examples" / name / "deployment.yaml"


def resolve_example(name: str, environment: str | None = None):
    manifest = load(example_path(name))
    return resolve(manifest.spec, environment, default_name=manifest.default_name)


HOBBY_EXAMPLES = [name for name in EXAMPLE_NAMES if resolve_example(name).deployment.pattern == "hobby-project"]
PROD_FILE = "docker/docker-compose.prod.yaml"
DEFAULTED = re.compile(r"\$\{[A-Za-z_][A-Za-z0-9_]*:?-([^}]*)\}")


def compose_prod(resolved, graph: ResourceGraph, name: str) -> dict[str, Any]:
    from specql_deploy.exporters.compose import render

    context = ExportContext(manifest_path=example_path(name), resolved=resolved, graph_factory=lambda: graph)
    files = {generated.path: generated.content for generated in render(resolved, context)}
    assert PROD_FILE in files, sorted(files)
    return YAML(typ="safe").load(StringIO(files[PROD_FILE]))


def plain(text: str) -> str:
    """``${VAR:-default}`` as compose resolves it with VAR unset; other text unchanged."""
    return DEFAULTED.sub(lambda match: match.group(1), str(text))


def compose_port(entry: Any) -> tuple[str | None, int, int, str]:
    """(host ip, published, target, protocol) of a compose port, short or long syntax."""
    if isinstance(entry, dict):
        return (entry.get("host_ip"), int(entry["published"]), int(entry["target"]), entry.get("protocol", "tcp"))
    text, _, protocol = str(entry).partition("/")
    parts = text.split(":")
    host_ip = parts[0] if len(parts) == 3 else None
    return (host_ip, int(parts[-2]), int(parts[-1]), protocol or "tcp")


def compose_named_mounts(service: dict[str, Any], named: set[str]) -> set[tuple[str, str]]:
    """(volume key, container path) of the named volumes a compose service mounts."""
    mounts = set()
    for entry in service.get("volumes", []):
        if isinstance(entry, dict):
            source, target = entry.get("source"), entry["target"]
        else:
            source, target = str(entry).split(":")[:2]
        if source in named:
            mounts.add((source, target))
    return mounts


@pytest.fixture(
    scope="module",
    params=[(name, None) for name in HOBBY_EXAMPLES] + [("hobby-project", 3)],
    ids=lambda param: param[0] if param[1] is None else f"{param[0]}-{param[1]}-instances",
)
def both(request):
    name, instances = request.param
    resolved = resolve_example(name)
    if instances is not None:
        # several app containers behind Caddy: the same set in compose as `up` creates
        application = resolved.application.model_copy(update={"instances": instances})
        resolved = resolved.model_copy(update={"application": application})
    graph = capture(resolved)
    return resolved, graph, compose_prod(resolved, graph, name)


def containers_by_service(resolved, graph: ResourceGraph) -> dict[str, Any]:
    prefix = f"{resolved.stack_prefix}-"
    found = {}
    for container in graph.of_type("docker:index/container:Container"):
        name = container.inputs["name"]
        assert name.startswith(prefix), name
        found[name.removeprefix(prefix)] = container
    return found


def test_same_services(both):
    resolved, graph, compose = both
    assert set(compose["services"]) == set(containers_by_service(resolved, graph))


def test_same_images(both):
    resolved, graph, compose = both
    for service, container in containers_by_service(resolved, graph).items():
        assert plain(compose["services"][service]["image"]) == container.inputs["image"], service


def test_same_ports(both):
    resolved, graph, compose = both
    for service, container in containers_by_service(resolved, graph).items():
        pulumi_ports = {
            (port.get("ip"), port["external"], port["internal"], port.get("protocol", "tcp"))
            for port in container.inputs.get("ports", [])
        }
        compose_ports = {compose_port(entry) for entry in compose["services"][service].get("ports", [])}
        assert compose_ports == pulumi_ports, service


def test_same_named_volumes_with_the_same_names_on_the_host(both):
    resolved, graph, compose = both
    volumes = graph.of_type("docker:index/volume:Volume")
    # compose names a volume `<project>_<key>`; the program names it the same way, so an
    # ejected stack started on the same host finds the data `up` created.
    project = compose["name"]
    assert {f"{project}_{key}" for key in compose.get("volumes", {})} == {v.inputs["name"] for v in volumes}
    named = set(compose.get("volumes", {}))
    for service, container in containers_by_service(resolved, graph).items():
        pulumi_mounts = {
            (mount["volumeName"].removeprefix(f"{project}_"), mount["containerPath"])
            for mount in container.inputs.get("volumes", [])
        }
        assert compose_named_mounts(compose["services"][service], named) == pulumi_mounts, service


def test_same_restart_policies(both):
    resolved, graph, compose = both
    for service, container in containers_by_service(resolved, graph).items():
        assert str(compose["services"][service].get("restart", "no")) == container.inputs["restart"], service
