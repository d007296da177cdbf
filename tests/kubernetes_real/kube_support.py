"""The tier's manifests, its one skip list, and `specql deploy` as the user runs it.

Two manifests go through the whole life cycle: `examples/kubernetes/deployment.yaml`
and the proposal's kubernetes manifest (`manifests/proposal-kubernetes.yaml`, copied
unchanged from the seeds). The tier adds one section to the copy it deploys,
`kubernetes: {existing_addons: [...]}` naming all five add-on roles, because their Helm
charts live in remote repositories this machine cannot reach.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
PROPOSAL_MANIFEST = HERE / "manifests" / "proposal-kubernetes.yaml"
EXAMPLE_MANIFEST = ROOT / "examples" / "kubernetes" / "deployment.yaml"
APP = "myapp"
"""The copies live in a folder of this name, so the deployment (no `name:`) is called it."""
EXISTING_ADDONS = (
    "kubernetes:\n  existing_addons: [ingress-controller, cert-manager, database-operator, monitoring, logs]\n"
)

SKIPPED_TYPES: Mapping[str, str] = {
    # The one list of what the program would create that this tier does not deploy.
    # It may only shrink: test_kube_lifecycle checks it is exactly what is left out.
    "kubernetes:helm.sh/v3:Release": (
        "the add-on charts (Traefik, cert-manager, cloudnative-pg, kube-prometheus-stack, Loki, Alloy) come from "
        "remote Helm repositories this machine cannot reach; the manifests declare them existing_addons"
    ),
}

SKIP_AWAIT: Mapping[str, str] = {
    # What the provider would wait for that cannot happen without a kubelet; the tier's
    # program adds `pulumi.com/skipAwait: "true"` to exactly these kinds, nothing else.
    "kubernetes:apps/v1:Deployment": "no kubelet runs the pods, so the rollout never becomes available",
    "kubernetes:core/v1:Service": "no pod is ever ready, so the Service never gets an endpoint",
    "kubernetes:networking.k8s.io/v1:Ingress": "no ingress controller publishes a load-balancer address",
}


@dataclass(frozen=True)
class Case:
    name: str
    source: Path
    has_domain: bool


CASES = (
    Case("example", EXAMPLE_MANIFEST, has_domain=True),
    Case("proposal", PROPOSAL_MANIFEST, has_domain=False),
)


def deployed_copy(case: Case, root: Path) -> Path:
    """The manifest the tier deploys: the source plus a `kubernetes:` section with `existing_addons`."""
    folder = root / case.name / APP
    folder.mkdir(parents=True)
    target = folder / "deployment.yaml"
    text = case.source.read_text()
    assert text.startswith("#") or text.startswith("deployment:\n"), "the manifest must open with `deployment:`"
    assert "existing_addons" not in text
    target.write_text(text.rstrip("\n") + "\n" + EXISTING_ADDONS)
    return target


def original_copy(case: Case, root: Path) -> Path:
    """The source as the user wrote it, in a folder of the same name (same resource names)."""
    folder = root / f"{case.name}-original" / APP
    folder.mkdir(parents=True)
    shutil.copy(case.source, folder / "deployment.yaml")
    return folder / "deployment.yaml"


def with_update(manifest: Path) -> None:
    """The update step: one more replica and a new image tag (deployment.version)."""
    text = manifest.read_text()
    assert "    replicas: 3\n" in text
    text = text.replace("    replicas: 3\n", "    replicas: 4\n")
    text = text.replace("deployment:\n", "deployment:\n  version: 2.0.0\n", 1)
    manifest.write_text(text)


def skip_await_transform(args: Any) -> Any:
    """Adds `pulumi.com/skipAwait` to the kinds in SKIP_AWAIT (engine wire format)."""
    import pulumi

    if args.type_ not in SKIP_AWAIT:
        return None
    props = dict(args.props)
    metadata = dict(props.get("metadata") or {})
    metadata["annotations"] = {**(metadata.get("annotations") or {}), "pulumi.com/skipAwait": "true"}
    props["metadata"] = metadata
    return pulumi.ResourceTransformResult(props=props, opts=args.opts)


def program_with_skip_await(make_program: Callable[..., Callable[[], None]]) -> Callable[..., Callable[[], None]]:
    """The project's real program, with the skip-await transform registered first."""

    def make(resolved: Any, **options: Any) -> Callable[[], None]:
        program = make_program(resolved, **options)

        def run() -> None:
            import pulumi

            pulumi.runtime.register_resource_transform(skip_await_transform)
            program()

        return run

    return make


@pytest.fixture(scope="module")
def real_program_without_awaits():
    """`specql deploy` runs the real program, plus the skip-await transform."""
    import specql_deploy.program as program_package

    patch = pytest.MonkeyPatch()
    patch.setattr(program_package, "make_program", program_with_skip_await(program_package.make_program))
    yield
    patch.undo()


def deploy(*args: str):
    """`specql deploy ARGS` in-process, as a user's shell runs it (never a traceback)."""
    from typer.testing import CliRunner

    from specql_deploy.automation.cli import app

    result = CliRunner().invoke(app, ["deploy", *args])
    assert "Traceback" not in result.output, result.output
    return result


def preview_json(manifest: Path, *extra: str) -> dict[str, Any]:
    result = deploy("preview", str(manifest), "--json", *extra)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def changes(summary: Mapping[str, Any]) -> dict[str, tuple[str, str]]:
    """Resource name → (type, action), for every resource the summary reports."""
    return {resource["name"]: (resource["type"], resource["action"]) for resource in summary["resources"]}


def kube_objects(resources: list[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """The Kubernetes objects (not components, providers or Helm releases) of an offline capture."""
    return [
        resource
        for resource in resources
        if resource["type"].startswith("kubernetes:") and "kind" in (resource.get("inputs") or {})
    ]
