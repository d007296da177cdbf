"""CI deploys one release: `up --version/--image` change what runs, nothing else."""

from __future__ import annotations

from typer.testing import CliRunner

from specql_deploy.automation.cli import app
from specql_deploy.automation.cli_manifest import with_overrides

from support import resolve_example


def test_version_and_image_override_only_those_values():
    resolved = resolve_example("small-saas")
    released = with_overrides(resolved, version="3f2c1ab", image="ghcr.io/acme/shop:3f2c1ab")
    assert released.deployment.version == "3f2c1ab"
    assert released.application.image == "ghcr.io/acme/shop:3f2c1ab"
    assert released.provenance["deployment.version"].reason == "given on the command line (--version)"
    # everything else is untouched
    assert released.flat() | {"deployment.version": "unreleased", "application.image": None} == resolved.flat()
    assert with_overrides(resolved) is resolved


def test_up_offers_the_release_options():
    result = CliRunner().invoke(app, ["deploy", "up", "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    assert "--version" in result.stdout and "--image" in result.stdout
