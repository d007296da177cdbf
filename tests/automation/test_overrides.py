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


def test_an_aws_up_without_a_release_says_which_tag_it_runs_and_how_to_give_one():
    from specql_deploy.automation.cli_stack import release_note

    # GIVEN small-saas with no release given, and the same with CI's --version
    resolved = resolve_example("small-saas")
    released = with_overrides(resolved, version="3f2c1ab")
    # THEN only the first gets the note, naming the tag it runs and the option that replaces it
    note = release_note(resolved)
    assert note is not None and "`unreleased`" in note and "--version <sha>" in note
    assert release_note(released) is None
    # AND a manifest that names its version, or a pattern not on ECR, gets none
    assert release_note(resolve_example("full-manifest")) is None
    assert release_note(resolve_example("kubernetes")) is None
