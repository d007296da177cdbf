"""The kubernetes pattern's PostgreSQL cluster objects are stateful: deleting or
replacing one deletes the database's volumes, so a preview flags it at the top."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from support import ROOT


@pytest.mark.parametrize("operator,kind", [("cloudnative-pg", "Cluster"), ("crunchy-pgo", "PostgresCluster")])
def test_database_cluster_deletion_is_flagged(operator, kind, tmp_path):
    from specql_deploy.automation.cli import app
    from specql_deploy.automation.events import ResourceChange
    from specql_deploy.automation.summary import PreviewSummary, render_markdown

    # GIVEN the type the program registers for this operator's cluster
    manifest = tmp_path / "myapp" / "deployment.yaml"
    manifest.parent.mkdir()
    manifest.write_text(
        (ROOT / "examples" / "kubernetes" / "deployment.yaml")
        .read_text()
        .replace("operator: cloudnative-pg", f"operator: {operator}")
    )
    result = CliRunner().invoke(app, ["deploy", "preview", str(manifest), "--offline", "--json"])
    assert result.exit_code == 0, result.output
    cluster = next(
        r
        for r in json.loads(result.stdout)["resources"]
        if r["type"].startswith("kubernetes:") and r["type"].endswith(f":{kind}")
    )
    # WHEN a preview deletes it
    change = ResourceChange(
        urn=f"urn:pulumi:dev::myapp::{cluster['type']}::{cluster['name']}",
        type=cluster["type"],
        name=cluster["name"],
        action="delete",
    )
    summary = PreviewSummary(project="myapp", stack="dev", changes=(change,))
    # THEN it is at risk, and the PR comment says so first
    assert summary.stateful_at_risk() == (change,)
    assert "> [!CAUTION]" in render_markdown(summary)
