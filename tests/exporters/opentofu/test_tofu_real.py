"""The ejected OpenTofu, read by its real consumers: `tofu` and the real AWS provider on moto.

For every AWS example, in a non-production and a production environment:
init, `validate -json` with no error and no warning, plan, apply, a second plan with no
change, and (outside production, where `prevent_destroy` forbids it) destroy leaving
nothing. Resource types moto cannot create are listed in MOTO_GAPS with the gap; they
are left out with `-exclude`, and the list may only shrink.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from specql_deploy.automation.cli import app
from specql_deploy.automation.emulate import MotoServer
from typer.testing import CliRunner

from . import tofu_real as real
from .tofu_support import AWS_EXAMPLES, BASE, manifest

pytestmark = [pytest.mark.tofu, pytest.mark.filterwarnings("ignore::DeprecationWarning")]

NON_PRODUCTION = {"full-manifest": "development"}
"""The example's first non-production environment (others: `dev`, the default stack)."""

MOTO_GAPS: dict[str, str] = {}
"""OpenTofu type → what moto lacks for it. Applied with `-exclude`; may only shrink."""

CASES = [(name, NON_PRODUCTION.get(name, "dev")) for name in AWS_EXAMPLES] + [
    (name, "production") for name in AWS_EXAMPLES]


def eject(name: str, environment: str, out: Path) -> Path:
    result = CliRunner().invoke(app, ["deploy", "eject", str(manifest(name)), "-o", str(out), "--only", "opentofu",
                                      "--env", environment])
    assert result.exit_code == 0, result.output
    return out / BASE


def excluded(workspace: real.Workspace) -> list[str]:
    """`-exclude` options for every resource of a type moto cannot create."""
    addresses = []
    for path in sorted(workspace.root.rglob("*.tf")):
        if ".terraform" in path.parts:
            continue
        module = path.parent.name if path.parent.parent.name == "modules" else None
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.startswith('resource "'):
                kind, label = line.split('"')[1], line.split('"')[3]
                if kind in MOTO_GAPS:
                    addresses.append(f"module.{module}.{kind}.{label}" if module else f"{kind}.{label}")
    return [f"-exclude={address}" for address in addresses]


@pytest.fixture(scope="module")
def moto() -> Iterator[MotoServer]:
    with MotoServer() as server:
        yield server


@pytest.mark.parametrize(("name", "environment"), CASES, ids=[f"{n}-{e}" for n, e in CASES])
def test_the_eject_validates_plans_applies_and_converges(name, environment, moto, tmp_path):
    # GIVEN a fresh emulator and the eject of one example in one environment
    moto.reset()
    workspace = real.Workspace(eject(name, environment, tmp_path / "eject"), moto.endpoint)
    workspace.wire()
    skip = excluded(workspace)

    # WHEN OpenTofu initialises from the local mirror and validates
    workspace.init()
    problems = real.diagnostics(workspace.validate())
    # THEN there is no error and no warning (a deprecated argument is a failure)
    assert problems == [], "\n".join(problems)

    # WHEN it plans and applies against moto
    first = workspace.plan("-out=first.tfplan", *skip)
    assert first.returncode == 0, first.explain()
    creates = real.planned_changes(workspace.show_plan("first.tfplan"))
    assert set(creates) == {"create"}, creates
    applied = workspace.tofu("apply", "-input=false", "-no-color", "-lock=false", "first.tfplan")
    assert applied.returncode == 0, applied.explain()

    # THEN a second plan proposes nothing: no perpetual diff
    second = workspace.plan("-detailed-exitcode", "-out=second.tfplan", *skip)
    changes = real.planned_changes(workspace.show_plan("second.tfplan")) if second.returncode == 2 else {}
    assert second.returncode == 0, f"{changes}\n{second.explain()}"

    if environment == "production":
        # production data carries prevent_destroy: a destroy must be refused before deleting anything
        refused = workspace.tofu("destroy", "-input=false", "-no-color", "-lock=false", "-auto-approve", *skip)
        assert refused.returncode != 0
        assert "prevent_destroy" in refused.stderr + refused.stdout
        return

    # WHEN it destroys, deletion protection lifted first on exactly the resources ./deploy.sh names
    script = (workspace.root / "deploy.sh").read_text(encoding="utf-8")
    lifted = sorted(set(re.findall(r"-var=\w+_deletion_protection=false", script)))
    protected = sorted(set(re.findall(r"-target=\S+", script)))
    if protected:
        workspace.ok("apply", "-input=false", "-no-color", "-lock=false", "-auto-approve", *lifted, *protected)
    destroyed = workspace.tofu("destroy", "-input=false", "-no-color", "-lock=false", "-auto-approve", *lifted, *skip)
    # THEN nothing is left in the state
    assert destroyed.returncode == 0, destroyed.explain()
    assert workspace.state_addresses() == []


def test_versions_tf_accepts_exactly_the_provider_the_tier_runs(tmp_path):
    # GIVEN the provider version in the mirror and an eject
    version = real.provider_version()
    root = eject("small-saas", "dev", tmp_path / "eject")
    text = (root / "versions.tf").read_text(encoding="utf-8")
    # THEN the pinned constraint is that exact version (a new provider is an upgrade the owner makes)
    assert f'version = "{version}"' in text or f'version = "~> {version}"' in text, text
