# ruff: noqa: F811 - fixtures imported from engine_fixtures are redefined as arguments
"""A provider plugin that cannot be downloaded: one clear message, on the real CLI.

The download must fail here (no internet); where the plugin host is reachable the
tests skip rather than download tens of megabytes. Installs are bounded by a timeout,
so a network that swallows packets cannot hang the suite.
"""

from __future__ import annotations

import shutil
import socket
import time
from importlib import metadata
from pathlib import Path

import pytest
from typer.testing import CliRunner

from engine_fixtures import pulumi_bin_dir, sandbox  # noqa: F401 - pytest fixtures

pytestmark = pytest.mark.engine

ROOT = Path(__file__).resolve().parents[2]
PLUGIN_HOST = "get.pulumi.com"
INSTALL_TIMEOUT = 60


@pytest.fixture(scope="module")
def offline() -> None:
    try:
        socket.create_connection((PLUGIN_HOST, 443), timeout=3).close()
    except OSError:
        return
    pytest.skip(f"{PLUGIN_HOST} is reachable: a plugin would really be downloaded")


def expected_message(name: str, version: str) -> str:
    return (
        f"the Pulumi plugin resource {name} v{version} is not installed and cannot be downloaded here; "
        f"run: pulumi plugin install resource {name} {version}"
    )


def test_ensure_plugins_names_the_plugin_version_and_command(sandbox, offline):
    from specql_deploy.automation.errors import DeployError
    from specql_deploy.automation.plugins import ensure_plugins, sdk_plugin

    deployer = sandbox.deployer([])
    plugin = sdk_plugin("pulumi_aws")
    started = time.monotonic()
    with pytest.raises(DeployError) as error:
        ensure_plugins(deployer.workspace(), str(deployer.cli.path), [plugin], timeout=INSTALL_TIMEOUT)
    assert time.monotonic() - started < INSTALL_TIMEOUT + 10
    assert error.value.code == 1
    assert error.value.message == expected_message("aws", metadata.version("pulumi_aws"))


def test_cli_preview_and_up_fail_before_creating_the_stack(pulumi_bin_dir, offline, tmp_path, monkeypatch):
    from specql_deploy.automation.cli import app

    manifest = tmp_path / "app" / "deployment.yaml"
    manifest.parent.mkdir()
    shutil.copy(ROOT / "examples" / "small-saas" / "deployment.yaml", manifest)
    monkeypatch.setenv("PULUMI_HOME", str(tmp_path / "pulumi-home"))
    monkeypatch.setenv("PULUMI_CONFIG_PASSPHRASE", "plugins-test")
    runner = CliRunner()
    for args in (["preview", str(manifest)], ["up", str(manifest), "--yes", "--version", "3f2c1ab"]):
        result = runner.invoke(app, ["deploy", *args])
        assert result.exit_code == 1, result.output
        assert "Traceback" not in result.output
        assert result.stderr.strip() == f"error: {expected_message('aws', metadata.version('pulumi_aws'))}"
    stacks = runner.invoke(app, ["deploy", "stacks", str(manifest), "--json"])
    assert stacks.exit_code == 0, stacks.output
    assert stacks.stdout.strip() == "[]"
