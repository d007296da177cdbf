# ruff: noqa: F811 - fixtures imported from engine_fixtures are redefined as arguments
"""The `specql deploy` stack commands end to end on the real engine.

Only the program is swapped (dynamic local-file resources instead of the pattern's
cloud resources, whose plugins cannot be installed here); manifest loading, backend,
passphrase, stack config, confirmation, progress, summaries and exit codes are real.
"""

from __future__ import annotations

import json
import shutil
import socket
from pathlib import Path

import pytest
from typer.testing import CliRunner

from engine_fixtures import engine_python_path, pulumi_bin_dir  # noqa: F401 - pytest fixtures

pytestmark = pytest.mark.engine

ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()


@pytest.fixture(scope="module")
def project(pulumi_bin_dir, engine_python_path, tmp_path_factory):
    """A copied manifest whose program writes files under `cloud/`, chosen by `state["files"]`."""
    from engine_resources import files_program

    root = tmp_path_factory.mktemp("cli")
    manifest = root / "app" / "deployment.yaml"
    manifest.parent.mkdir()
    shutil.copy(ROOT / "examples" / "small-saas" / "deployment.yaml", manifest)
    cloud = root / "cloud"
    cloud.mkdir()
    state = {"files": [{"name": "site", "path": str(cloud / "site.txt"), "content": "v1"}]}
    patch = pytest.MonkeyPatch()
    patch.setenv("PULUMI_HOME", str(root / "pulumi-home"))
    patch.setenv("PULUMI_CONFIG_PASSPHRASE", "cli-tests")
    patch.setenv("PYTHONPATH", engine_python_path)
    patch.setattr("specql_deploy.program.make_program", lambda _resolved, **_options: files_program(dict(state)))
    patch.setattr("specql_deploy.automation.plugins.required_plugins", lambda _resolved: ())
    yield manifest, cloud, state
    patch.undo()


def deploy(*args: str):
    from specql_deploy.automation.cli import app

    result = runner.invoke(app, ["deploy", *args])
    assert "Traceback" not in result.output, result.output
    return result


def test_full_cycle_through_the_cli(project):
    manifest, cloud, state = project
    file = str(manifest)
    markdown = manifest.parent / "comment.md"

    # preview of a new stack: changes → exit 2 with --detailed-exitcode, JSON and Markdown written
    preview = deploy("preview", file, "--json", "--markdown", str(markdown), "--detailed-exitcode")
    assert preview.exit_code == 2, preview.output
    assert json.loads(preview.stdout)["summary"]["create"] == 1
    comment = markdown.read_text()
    assert comment.startswith("<!-- specql-deploy:preview:app/dev -->")
    assert "<details><summary>1 to create</summary>" in comment

    # up without --yes and without a terminal: refused after showing the plan, nothing created
    refused = deploy("up", file)
    assert refused.exit_code == 2 and "pass --yes" in refused.stderr
    assert "1 to create" in refused.stdout
    assert not (cloud / "site.txt").exists()

    # up --yes: progress per resource, then a summary with the outputs
    up = deploy("up", file, "--yes")
    assert up.exit_code == 0, up.output
    assert (cloud / "site.txt").read_text() == "v1"
    assert "created" in up.stderr and "site (pulumi-python:dynamic:Resource)" in up.stderr
    assert "up app/dev: 1 to create" in up.stdout
    assert f"site_path: {cloud / 'site.txt'}" in up.stdout

    # nothing changed: detailed exit code 0
    assert deploy("preview", file, "--detailed-exitcode").exit_code == 0

    # outputs and stacks
    outputs = deploy("outputs", file, "--json")
    assert json.loads(outputs.stdout)["site_content"] == "v1"
    stacks = deploy("stacks", file, "--json")
    assert [(s["name"], s["resourceCount"] >= 2, s["declared"]) for s in json.loads(stacks.stdout)] == [
        ("dev", True, True)
    ]

    # a changed input through the CLI: update shown in the JSON, applied by up
    state["files"] = [{**state["files"][0], "content": "v2"}]
    changed = deploy("preview", file, "--json")
    assert [(r["name"], r["action"], r["changed"]) for r in json.loads(changed.stdout)["resources"]] == [
        ("site", "update", ["content"])
    ]
    assert deploy("up", file, "--yes").exit_code == 0
    assert (cloud / "site.txt").read_text() == "v2"

    # refresh finds no drift; cancel with nothing running succeeds
    refresh = deploy("refresh", file, "--json")
    assert refresh.exit_code == 0, refresh.output
    assert json.loads(refresh.stdout)["hasChanges"] is False
    assert deploy("cancel", file, "--yes").exit_code == 0

    # destroy --yes (dev is not production) removes everything
    destroy = deploy("destroy", file, "--yes")
    assert destroy.exit_code == 0, destroy.output
    assert "1 to delete" in destroy.stdout
    assert not (cloud / "site.txt").exists()
    assert json.loads(deploy("outputs", file, "--json").stdout) == {}


@pytest.mark.usefixtures("project")  # its isolated PULUMI_HOME and passphrase
def test_outputs_of_a_declared_but_never_deployed_stack_is_bad_usage(tmp_path):
    other = tmp_path / "deployment.yaml"
    shutil.copy(ROOT / "examples" / "full-manifest" / "deployment.yaml", other)
    result = deploy("outputs", str(other), "--stack", "staging")
    assert result.exit_code == 2
    assert "no stack named staging exists" in result.stderr


def test_emulate_points_the_program_at_a_moto_server_and_stops_it(project, monkeypatch):
    # GIVEN a program that records the aws config and endpoint it is given
    import pulumi

    seen: dict = {}

    def program() -> None:
        import os

        aws = pulumi.Config("aws")
        seen["s3"] = (aws.get_object("endpoints") or [{}])[0].get("s3")
        seen["skip"] = aws.get_bool("skipCredentialsValidation")
        seen["env"] = os.environ.get("AWS_ENDPOINT_URL")

    monkeypatch.setattr("specql_deploy.program.make_program", lambda _resolved, **_options: program)
    manifest, _, _ = project
    result = deploy("preview", str(manifest), "--stack", "dev", "--emulate")
    assert result.exit_code == 0, result.output
    assert "emulating AWS with moto at http://127.0.0.1:" in result.stderr
    endpoint = result.stderr.split("moto at ", 1)[1].split()[0]
    # THEN the aws provider config points at moto, and moto is gone afterwards
    assert seen["s3"] == endpoint and seen["skip"] is True
    port = int(endpoint.rsplit(":", 1)[1])
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=2).close()


def test_rollback_redeploys_the_previous_release(project, monkeypatch, tmp_path):
    # GIVEN a program whose one resource holds the image tag the stack config names
    # (`specql:version`, the plain program's image-tag input), deployed as v1 then v2
    import pulumi

    from engine_resources import LocalFile

    site = tmp_path / "running.txt"

    def program() -> None:
        tag = pulumi.Config("specql").require("version")
        LocalFile("release", str(site), tag, 0, None)

    monkeypatch.setattr("specql_deploy.program.make_program", lambda _resolved, **_options: program)
    manifest, _, _ = project
    file = str(manifest)
    for release in ("v1", "v2"):
        assert deploy("up", file, "--env", "staging", "--version", release, "--yes").exit_code == 0
    assert site.read_text() == "v2"
    listed = deploy("rollback", file, "--env", "staging", "--list", "--json")
    assert [item["tag"] for item in json.loads(listed.stdout)] == ["v2", "v1"]

    # WHEN rolled back without naming a release THEN v1 runs again, through `up`
    back = deploy("rollback", file, "--env", "staging", "--yes")
    assert back.exit_code == 0, back.output
    assert site.read_text() == "v1"
    # AND the history now has v1 on top, so the next rollback goes forward to v2 by name only
    again = deploy("rollback", file, "--env", "staging", "--to", "v1", "--yes")
    assert again.exit_code == 2 and "already runs v1" in again.stderr
    forward = deploy("rollback", file, "--env", "staging", "--to", "v2", "--yes")
    assert forward.exit_code == 0 and site.read_text() == "v2"
    unknown = deploy("rollback", file, "--env", "staging", "--to", "v3", "--yes")
    assert unknown.exit_code == 2 and "never ran 'v3'" in unknown.stderr


def test_rollback_reads_a_release_recorded_under_the_old_key(project, monkeypatch, tmp_path):
    # GIVEN a stack whose first update recorded its tag as specql-deploy 0.1 did (`specql:imageTag`),
    # and a program whose one resource holds the tag it runs and what the old key still says
    import pulumi

    from specql_deploy.automation import stacks

    from engine_resources import LocalFile

    site = tmp_path / "running.txt"

    def program() -> None:
        config = pulumi.Config("specql")
        LocalFile("release", str(site), f"{config.get('version')}|{config.get('imageTag') or ''}", 0, None)

    monkeypatch.setattr("specql_deploy.program.make_program", lambda _resolved, **_options: program)
    manifest, _, _ = project
    file = str(manifest)
    current = stacks.stack_config

    def as_in_0_1(resolved, overrides=None):
        config = current(resolved, overrides)
        config["specql:imageTag"] = config.pop("specql:version")
        return config

    with monkeypatch.context() as old:
        old.setattr(stacks, "stack_config", as_in_0_1)
        old.setattr(stacks, "stale_config", lambda _config: ())
        first = deploy("up", file, "--env", "production", "--version", "v1", "--yes")
        assert first.exit_code == 0, first.output
    assert site.read_text() == "None|v1"
    # WHEN this release deploys v2 over it
    assert deploy("up", file, "--env", "production", "--version", "v2", "--yes").exit_code == 0
    # THEN the stack config holds the one key (the old one is gone) and both releases are listed
    assert site.read_text() == "v2|"
    listed = deploy("rollback", file, "--env", "production", "--list", "--json")
    assert [item["tag"] for item in json.loads(listed.stdout)] == ["v2", "v1"]
    # AND rollback goes back to the release the old key recorded
    back = deploy("rollback", file, "--env", "production", "--yes")
    assert back.exit_code == 0, back.output
    assert site.read_text() == "v1|"
