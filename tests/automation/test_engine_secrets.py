# ruff: noqa: F811 - fixtures imported from engine_fixtures are redefined as arguments
"""A secret config value never appears in plain text: state, CLI output, Markdown.

The CLI runs for real (engine, local backend, generated passphrase); only the program
is swapped for dynamic local-file resources, since cloud plugins cannot be installed.
"""

from __future__ import annotations

import json
import shutil
import stat
from pathlib import Path

import pytest
from typer.testing import CliRunner

from engine_fixtures import engine_python_path, pulumi_bin_dir  # noqa: F401 - pytest fixtures

pytestmark = pytest.mark.engine

ROOT = Path(__file__).resolve().parents[2]
SECRET = "s3cr3t-Value-that-must-never-leak-8c1f"
runner = CliRunner()


@pytest.fixture(scope="module")
def secret_deployment(pulumi_bin_dir, engine_python_path, tmp_path_factory):
    """A manifest in a temp folder whose dev stack was deployed with a secret config value."""
    from specql_deploy.automation.cli_manifest import load_resolved
    from specql_deploy.automation.deployer import Deployer, Secret
    from specql_deploy.automation.stacks import locate

    from engine_resources import files_program

    root = tmp_path_factory.mktemp("secrets")
    manifest = root / "app" / "deployment.yaml"
    manifest.parent.mkdir()
    shutil.copy(ROOT / "examples" / "small-saas" / "deployment.yaml", manifest)
    cloud = root / "cloud"  # where the "resources" (files) live: outside the state folder
    cloud.mkdir()
    spec = {
        "files": [
            {"name": "token", "path": str(cloud / "token.txt"), "secret": "token"},
            {"name": "plain", "path": str(cloud / "plain.txt"), "content": "public"},
        ]
    }
    _, resolved = load_resolved(manifest, None)
    patch = pytest.MonkeyPatch()
    patch.delenv("PULUMI_CONFIG_PASSPHRASE", raising=False)
    patch.delenv("PULUMI_CONFIG_PASSPHRASE_FILE", raising=False)
    patch.setenv("PULUMI_HOME", str(root / "pulumi-home"))
    patch.setenv("PYTHONPATH", engine_python_path)
    patch.setattr("specql_deploy.program.make_program", lambda _resolved, **_options: files_program(spec))
    patch.setattr("specql_deploy.automation.plugins.required_plugins", lambda _resolved: ())
    location = locate(resolved.deployment.name, resolved.deployment.environment, manifest)
    deployer = Deployer.at(location, files_program(spec), config={"token": Secret(SECRET)})
    result = deployer.up()
    yield manifest, location, result, cloud
    patch.undo()


def test_the_passphrase_is_generated_private_and_announced(secret_deployment):
    _, location, _, _ = secret_deployment
    passphrase = Path(location.env_vars["PULUMI_CONFIG_PASSPHRASE_FILE"])
    assert stat.S_IMODE(passphrase.stat().st_mode) == 0o600
    assert location.notices and str(passphrase) in location.notices[0]
    assert "back it up" in location.notices[0]


def test_the_secret_reached_the_resource_but_outputs_are_masked(secret_deployment):
    _, _, result, cloud = secret_deployment
    assert (cloud / "token.txt").read_text() == SECRET  # the program really used it
    assert result.outputs["token_content"] == "[secret]"
    assert result.outputs["plain_content"] == "public"
    assert SECRET not in result.to_json()


def test_no_state_or_engine_file_holds_the_plaintext(secret_deployment):
    manifest, location, _, _ = secret_deployment
    files = [path for path in (manifest.parent / ".specql").rglob("*") if path.is_file()]
    assert any(".pulumi" in path.parts for path in files), "the state files were not found"
    assert any(path.name.startswith("Pulumi.") for path in files), "the stack settings were not found"
    leaking = [path for path in files if SECRET.encode() in path.read_bytes()]
    assert leaking == []
    settings = (location.work_dir / f"Pulumi.{location.stack}.yaml").read_text()
    assert "secure:" in settings  # stored, encrypted


def test_cli_output_and_markdown_never_show_the_secret(secret_deployment):
    manifest, _, _, _ = secret_deployment
    markdown = manifest.parent / "preview.md"
    runs = {
        "preview": ["deploy", "preview", str(manifest), "--json", "--markdown", str(markdown)],
        "up": ["deploy", "up", str(manifest), "--yes"],
        "outputs-json": ["deploy", "outputs", str(manifest), "--json"],
        "outputs": ["deploy", "outputs", str(manifest)],
        "stacks": ["deploy", "stacks", str(manifest)],
    }
    from specql_deploy.automation.cli import app

    results = {name: runner.invoke(app, args) for name, args in runs.items()}
    for name, result in results.items():
        assert result.exit_code == 0, (name, result.output)
        assert SECRET not in result.stdout and SECRET not in result.stderr, name
    assert SECRET not in markdown.read_text()
    assert json.loads(results["outputs-json"].stdout)["token_content"] == "[secret]"
    assert json.loads(results["preview"].stdout)["hasChanges"] is False
    assert "token_content: [secret]" in results["outputs"].stdout
    assert "dev" in results["stacks"].stdout
