# ruff: noqa: F811 - fixtures imported from engine_fixtures are redefined as arguments
"""preview / up / update / replace / destroy on the real engine, with dynamic resources."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from specql_deploy.automation.summary import render_markdown, sticky_marker

from engine_fixtures import pulumi_bin_dir, sandbox  # noqa: F401 - pytest fixtures

pytestmark = pytest.mark.engine


def files(root: Path, *, a_content: str = "alpha", b_path: str = "b.txt") -> list[dict]:
    return [
        {"name": "a", "path": str(root / "a.txt"), "content": a_content},
        {"name": "b", "path": str(root / b_path), "content": "bravo"},
    ]


@pytest.fixture(scope="module")
def deployed(sandbox):
    """A stack after a first preview and up: (preview summary, up summary)."""
    out = sandbox.root / "files"
    out.mkdir()
    deployer = sandbox.deployer(files(out))
    first_preview = deployer.preview()
    result = deployer.up()
    return out, first_preview, result


def by_name(summary) -> dict[str, object]:
    return {change.name: change for change in summary.changes}


def test_first_preview_reports_every_resource_as_a_create(deployed):
    # GIVEN a new stack WHEN previewed THEN both files are creates, nothing else
    _, preview, _ = deployed
    data = json.loads(preview.to_json())
    assert data["hasChanges"] is True
    assert data["summary"]["create"] == 2
    assert {r["name"]: r["action"] for r in data["resources"]} == {"a": "create", "b": "create"}


def test_up_creates_the_resources_and_returns_outputs(deployed):
    out, _, result = deployed
    assert (out / "a.txt").read_text() == "alpha"
    assert (out / "b.txt").read_text() == "bravo"
    assert result.outputs["a_path"] == str(out / "a.txt")
    assert result.outputs["b_content"] == "bravo"
    assert result.counts()["create"] == 2


def test_unchanged_program_previews_no_changes(sandbox, deployed):
    out, _, _ = deployed
    summary = sandbox.deployer(files(out)).preview()
    assert summary.has_changes is False
    assert summary.unchanged == 2
    assert "No changes" in render_markdown(summary)


def test_changed_input_previews_as_update_with_the_property(sandbox, deployed):
    # GIVEN a new content for a WHEN previewed THEN a is an update of `content`
    out, _, _ = deployed
    summary = sandbox.deployer(files(out, a_content="changed")).preview()
    change = by_name(summary)["a"]
    assert (change.action, change.changed) == ("update", ("content",))
    assert "b" not in by_name(summary)
    data = json.loads(summary.to_json())
    assert data["summary"]["update"] == 1 and data["summary"]["replace"] == 0
    markdown = render_markdown(summary)
    assert "| ~ update | `a` |" in markdown and "`content`" in markdown


def test_replace_only_input_previews_as_replace_in_json_and_markdown(sandbox, deployed):
    # GIVEN b moved to a new path (a replace-only input) WHEN previewed THEN b is replaced because of path
    out, _, _ = deployed
    summary = sandbox.deployer(files(out, b_path="moved.txt")).preview()
    change = by_name(summary)["b"]
    assert change.action == "replace"
    assert change.replace_reasons == ("path",)
    data = json.loads(summary.to_json())
    assert data["summary"]["replace"] == 1
    assert [r["replaceReasons"] for r in data["resources"] if r["name"] == "b"] == [["path"]]
    markdown = render_markdown(summary)
    assert markdown.startswith(sticky_marker("files", "dev"))
    assert "<details><summary>1 to replace</summary>" in markdown
    assert "| +- replace | `b` |" in markdown
    # a preview changes nothing
    assert (out / "b.txt").exists() and not (out / "moved.txt").exists()


def test_update_then_replace_apply_and_destroy_removes_everything(sandbox):
    # GIVEN a second stack WHEN updated, replaced, then destroyed THEN files follow and state empties
    out = sandbox.root / "cycle"
    out.mkdir()
    sandbox.deployer(files(out), stack="cycle").up()
    updated = sandbox.deployer(files(out, a_content="v2"), stack="cycle").up()
    assert {c.name: c.action for c in updated.changes} == {"a": "update"}
    assert (out / "a.txt").read_text() == "v2"
    replaced = sandbox.deployer(files(out, a_content="v2", b_path="b2.txt"), stack="cycle").up()
    assert {c.name: c.action for c in replaced.changes} == {"b": "replace"}
    assert (out / "b2.txt").exists() and not (out / "b.txt").exists()

    deployer = sandbox.deployer(files(out, a_content="v2", b_path="b2.txt"), stack="cycle")
    destroyed = deployer.destroy()
    assert {c.name: c.action for c in destroyed.changes} == {"a": "delete", "b": "delete"}
    assert list(out.iterdir()) == []
    resources = deployer.export_state().get("resources") or []
    assert [r for r in resources if r["type"] != "pulumi:pulumi:Stack"] == []


def test_a_failing_resource_is_named_with_its_reason_and_exit_code_1(sandbox):
    # GIVEN a file whose folder does not exist WHEN deployed THEN the error names it and why
    from specql_deploy.automation.errors import DeployError

    missing = sandbox.root / "no-such-folder" / "x.txt"
    with pytest.raises(DeployError) as failed:
        sandbox.deployer([{"name": "broken", "path": str(missing), "content": "x"}], stack="failing").up()
    assert failed.value.code == 1
    assert failed.value.message == (f"resource broken failed: [Errno 2] No such file or directory: '{missing}'")
    assert "Traceback" not in failed.value.message
