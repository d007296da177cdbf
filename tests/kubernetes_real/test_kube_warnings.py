# ruff: noqa: F811 - fixtures imported from kube_fixtures are redefined as arguments
"""Warnings from the engine reach the user: one `warning: ...` line on stderr each.

The kubernetes pattern warns, from inside the program, when a secret the application
needs has no value yet (its pods would then wait with CreateContainerConfigError).
That warning used to be dropped with every other engine warning (provider, API
server): only errors were kept.
"""

from __future__ import annotations

import json

import pytest
from kube_fixtures import kube_binaries, kube_cluster, kube_crds, kube_env, pulumi_bin_dir  # noqa: F401
from kube_support import (
    APP,
    EXAMPLE_MANIFEST,
    EXISTING_ADDONS,
    deploy,
    real_program_without_awaits,  # noqa: F401 - pytest fixture
)

pytestmark = pytest.mark.kube

SECRET = "STRIPE_API_KEY"
WARNING = (
    f"warning: secret {SECRET} has no value: set it with `pulumi config set --secret {SECRET}` "
    "(or `specql deploy` secrets) before the application can start"
)


@pytest.fixture
def manifest(tmp_path, kube_env, kube_crds, real_program_without_awaits):
    path = tmp_path / APP / "deployment.yaml"
    path.parent.mkdir()
    path.write_text(
        EXAMPLE_MANIFEST.read_text() + EXISTING_ADDONS + f"environments:\n  - name: dev\n    secrets: [{SECRET}]\n"
    )
    return path


def test_a_program_warning_is_printed_on_stderr(manifest):
    result = deploy("preview", str(manifest))
    assert result.exit_code == 0, result.output
    assert WARNING in result.stderr.splitlines(), result.stderr
    assert "warning: secret" not in result.stdout


def test_json_keeps_stdout_parseable_and_lists_the_warning(manifest):
    result = deploy("preview", str(manifest), "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["warnings"] == [WARNING.removeprefix("warning: ")]
    assert WARNING in result.stderr.splitlines()
