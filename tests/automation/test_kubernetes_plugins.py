"""The kubernetes pattern asks only for the plugins its resources use.

`specql deploy up` installs every plugin `required_plugins` names before it starts, and
fails when one cannot be had. The kubernetes pattern once also asked for `random`,
which none of its resources use: on a machine with only the kubernetes plugin (the
real-provider tier, an air-gapped runner) every operation failed before it began.
"""

from __future__ import annotations

import json

from typer.testing import CliRunner

from support import ROOT, resolve_example


def plugin_names(resolved) -> set[str]:
    from specql_deploy.automation.plugins import required_plugins

    return {plugin.name for plugin in required_plugins(resolved)}


def test_existing_cluster_needs_only_the_kubernetes_plugin():
    # GIVEN the kubernetes example (cluster: existing)
    resolved = resolve_example("kubernetes")
    # WHEN / THEN
    assert plugin_names(resolved) == {"kubernetes"}


def test_created_cluster_adds_aws(tmp_path):
    # GIVEN the example with cluster: create (EKS)
    manifest = tmp_path / "app" / "deployment.yaml"
    manifest.parent.mkdir()
    manifest.write_text(
        (ROOT / "examples" / "kubernetes" / "deployment.yaml")
        .read_text()
        .replace("cluster: existing", "cluster: create")
    )
    from specql_deploy.program.manifest import load
    from specql_deploy.program.resolve import resolve

    loaded = load(manifest)
    resolved = resolve(loaded.spec, default_name=loaded.default_name)
    # WHEN / THEN
    assert plugin_names(resolved) == {"kubernetes", "aws"}


def test_every_plugin_named_is_used_by_a_resource_of_the_program():
    from specql_deploy.automation.cli import app

    result = CliRunner().invoke(
        app, ["deploy", "preview", str(ROOT / "examples" / "kubernetes" / "deployment.yaml"), "--offline", "--json"]
    )
    assert result.exit_code == 0, result.output
    packages = {resource["type"].split(":")[0] for resource in json.loads(result.stdout)["resources"]}
    packages |= {
        resource["type"].split(":")[2]
        for resource in json.loads(result.stdout)["resources"]
        if resource["type"].startswith("pulumi:providers:")
    }
    assert plugin_names(resolve_example("kubernetes")) <= packages
