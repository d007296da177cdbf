"""The habits of pulumi, tofu, kamal and friends: init, a default manifest, completion,
NO_COLOR and --color, exit codes, --json everywhere with JSON errors, the offline PR
comment and rollback's choice of release."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from specql_deploy.automation.cli import app

from support import example_path, venv_tool

runner = CliRunner()
JSON_COMMANDS = ("validate", "resolve", "preview", "up", "rollback", "destroy", "refresh", "outputs", "stacks", "eject")
FILE_COMMANDS = (*JSON_COMMANDS, "cancel", "generate")


def run(*args: str, **kwargs: Any):
    result = runner.invoke(app, list(args), **kwargs)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def specql(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """The installed console script, as a user runs it (main(): exit-code and JSON handling)."""
    command = venv_tool("specql")
    assert command, "the specql console script is installed with the package"
    environment = {key: value for key, value in os.environ.items() if key not in ("NO_COLOR", "FORCE_COLOR")}
    return subprocess.run(
        [command, *args], capture_output=True, text=True, env={**environment, **(env or {})}, cwd=cwd, check=False
    )


# ------------------------------------------------------------------------------- init


@pytest.mark.parametrize("pattern", ["hobby-project", "small-saas", "production-saas", "kubernetes"])
def test_init_writes_a_commented_manifest_its_schema_accepts(tmp_path, pattern):
    jsonschema = pytest.importorskip("jsonschema")
    from ruamel.yaml import YAML

    result = run("deploy", "init", str(tmp_path), "--pattern", pattern, "--framework", "django")
    assert result.exit_code == 0, result.output
    manifest = tmp_path / "deployment.yaml"
    text = manifest.read_text()
    assert text.splitlines()[0] == "# yaml-language-server: $schema=deployment.schema.json"
    assert f"pattern: {pattern}" in text and "framework: django" in text
    assert sum(line.lstrip().startswith("#") for line in text.splitlines()) >= 4
    schema = json.loads((tmp_path / "deployment.schema.json").read_text())
    jsonschema.validate(YAML(typ="safe").load(text), schema)
    assert run("deploy", "validate", str(manifest)).exit_code == 0


def test_init_never_overwrites(tmp_path):
    manifest = tmp_path / "deployment.yaml"
    manifest.write_text("deployment: {pattern: kubernetes}\n")
    result = run("deploy", "init", str(tmp_path))
    assert result.exit_code == 2
    assert "already exists" in result.stderr
    assert manifest.read_text() == "deployment: {pattern: kubernetes}\n"
    assert not (tmp_path / "deployment.schema.json").exists()


def test_init_refuses_an_unknown_pattern(tmp_path):
    result = run("deploy", "init", str(tmp_path), "--pattern", "serverless")
    assert result.exit_code == 2 and "unknown pattern 'serverless'" in result.stderr
    assert not (tmp_path / "deployment.yaml").exists()


# ---------------------------------------------------------------------- default FILE


@pytest.mark.parametrize("command", FILE_COMMANDS)
def test_file_defaults_to_deployment_yaml(command):
    result = run("deploy", command, "--help")
    assert "[default: deployment.yaml]" in result.output


def test_validate_reads_deployment_yaml_of_the_working_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    missing = run("deploy", "validate")
    assert missing.exit_code == 2
    assert "deployment.yaml: file not found" in missing.stderr and "specql deploy init" in missing.stderr
    (tmp_path / "deployment.yaml").write_text("deployment: {pattern: small-saas}\n")
    found = run("deploy", "validate")
    assert found.exit_code == 0 and found.stdout.startswith("OK deployment.yaml")


# ------------------------------------------------------------------ completion, colour


def test_shell_completion_is_offered():
    assert "--install-completion" in run("--help").output
    shown = specql("--show-completion", "bash")
    assert shown.returncode == 0, shown.stderr
    assert "_specql_completion" in shown.stdout


ESCAPE = "\x1b["


@pytest.mark.parametrize("argv", [["--help"], ["deploy", "resolve", str(example_path("small-saas"))]])
def test_no_color_and_color_never_print_no_escape_sequence_at_all(argv):
    # FORCE_COLOR makes rich and typer treat the pipe as a terminal, so styles would show
    styled = specql(*argv, env={"FORCE_COLOR": "1"})
    assert ESCAPE in styled.stdout
    assert ESCAPE not in specql(*argv, env={"FORCE_COLOR": "1", "NO_COLOR": "1"}).stdout
    assert ESCAPE not in specql("--color", "never", *argv, env={"FORCE_COLOR": "1"}).stdout


def test_color_always_styles_a_pipe_and_bad_modes_are_refused():
    assert ESCAPE in specql("--color", "always", "deploy", "resolve", str(example_path("small-saas"))).stdout
    bad = specql("--color", "sometimes", "--help")
    assert bad.returncode == 2 and "auto, always, never" in bad.stderr


# ------------------------------------------------------------------------ exit codes


def test_offline_preview_exit_codes(tmp_path):
    good = str(example_path("small-saas"))
    bad = tmp_path / "deployment.yaml"
    bad.write_text("deployment: {pattern: small-saas, databse: {}}\n")
    assert run("deploy", "preview", good, "--offline").exit_code == 0
    assert run("deploy", "preview", good, "--offline", "--detailed-exitcode").exit_code == 2  # all creates
    assert run("deploy", "preview", str(bad), "--offline").exit_code == 2
    assert run("deploy", "preview", str(bad), "--offline", "--detailed-exitcode").exit_code == 1


def test_usage_errors_are_1_under_detailed_exitcode():
    plain = specql("deploy", "preview", "--no-such-flag")
    assert plain.returncode == 2
    detailed = specql("deploy", "preview", "--no-such-flag", "--detailed-exitcode")
    assert detailed.returncode == 1


# ----------------------------------------------------------------------------- --json


@pytest.mark.parametrize("command", JSON_COMMANDS)
def test_every_scripted_command_takes_json_and_answers_errors_in_json(command, tmp_path):
    assert "--json" in run("deploy", command, "--help").output
    args = ["deploy", command, str(tmp_path / "missing.yaml"), "--json"]
    if command == "eject":
        args += ["-o", str(tmp_path / "out")]
    result = run(*args)
    assert result.exit_code == 2
    document = json.loads(result.stdout)
    assert document == {
        "errors": [
            {
                "path": str(tmp_path / "missing.yaml"),
                "line": None,
                "message": "file not found; pass the path of your deployment.yaml, or write one with "
                "`specql deploy init`",
            }
        ]
    }


def test_json_errors_carry_path_and_line(tmp_path):
    manifest = tmp_path / "deployment.yaml"
    manifest.write_text("deployment:\n  pattern: small-saas\n  application:\n    memory: lots\n")
    result = run("deploy", "validate", str(manifest), "--json")
    assert result.exit_code == 2
    assert json.loads(result.stdout)["errors"] == [
        {
            "path": "deployment.application.memory",
            "line": 4,
            "message": "'lots' is not a memory size: write 512, 512Mi or 1Gi",
        }
    ]
    assert json.loads(run("deploy", "validate", str(example_path("small-saas")), "--json").stdout)["ok"] is True


def test_a_usage_error_under_json_is_json_too():
    result = specql("deploy", "validate", "--no-such-flag", "--json")
    assert result.returncode == 2
    assert "No such option: --no-such-flag" in json.loads(result.stdout)["errors"][0]["message"]


def test_eject_json_lists_what_it_wrote(tmp_path):
    out = tmp_path / "out"
    result = run("deploy", "eject", str(example_path("small-saas")), "-o", str(out), "--only", "compose", "--json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["changed"] is True and document["targets"] == {"compose": len(document["created"])}
    assert all((out / path).is_file() for path in document["created"])


def test_offline_preview_json_carries_the_cost_estimate():
    result = run("deploy", "preview", str(example_path("small-saas")), "--offline", "--json")
    cost = json.loads(result.stdout)["cost"]
    assert cost["total"] > 0 and any(item["category"] == "database" for item in cost["items"])


# ------------------------------------------------------------------- --markdown offline


def test_markdown_with_offline_writes_the_pr_comment_with_the_cost(tmp_path):
    comment = tmp_path / "comment.md"
    result = run("deploy", "preview", str(example_path("small-saas")), "--offline", "--markdown", str(comment))
    assert result.exit_code == 0, result.output
    text = comment.read_text()
    assert text.startswith("<!-- specql-deploy:preview:")
    assert "to create</summary>" in text
    assert "Estimated monthly cost: $" in text and "| **Total** |" in text
    assert len(text) <= 65_536


# --------------------------------------------------------------------------- rollback


@dataclass
class Update:
    """The fields of pulumi.automation.UpdateSummary that releases read."""

    version: int
    config: dict[str, Any]
    kind: str = "update"
    result: str = "succeeded"
    start_time: str = "2026-12-01T10:00:00Z"
    end_time: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def tagged(version: int, tag: str, **kwargs: Any) -> Update:
    from pulumi.automation import ConfigValue

    return Update(version, {"specql:version": ConfigValue(tag)}, **kwargs)


def test_releases_come_from_successful_updates_newest_first():
    from specql_deploy.automation.releases import releases_from_history

    history = [
        tagged(6, "c3", result="failed"),
        tagged(5, "b2"),
        Update(4, {}, kind="refresh"),
        tagged(3, "b2"),
        tagged(2, "a1"),
        tagged(1, "a1", kind="destroy"),
    ]
    assert [(release.tag, release.update) for release in releases_from_history(history)] == [("b2", 5), ("a1", 2)]


def test_rollback_chooses_the_previous_release_or_the_one_named():
    from specql_deploy.automation.errors import DeployError
    from specql_deploy.automation.releases import Release, choose

    releases = [Release("v1.4.0", update=9), Release("v1.3.2", update=7), Release("v1.2.0", update=3)]
    assert choose(releases, None, "prod").tag == "v1.3.2"
    assert choose(releases, "v1.2.0", "prod").update == 3
    with pytest.raises(DeployError, match="did you mean 'v1.3.2'") as unknown:
        choose(releases, "v1.3.1", "prod")
    assert unknown.value.code == 2
    with pytest.raises(DeployError, match="already runs v1.4.0"):
        choose(releases, "v1.4.0", "prod")
    with pytest.raises(DeployError, match="no earlier release"):
        choose(releases[:1], None, "prod")


def test_releases_recorded_under_the_old_key_are_still_listed():
    from pulumi.automation import ConfigValue

    from specql_deploy.automation.releases import releases_from_history

    # GIVEN a stack deployed by 0.1 (`specql:imageTag`), then by this release, whose first
    # update still carried the old key beside the new one
    history = [
        Update(4, {"specql:version": ConfigValue("c3")}),
        Update(3, {"specql:version": ConfigValue("b2"), "specql:imageTag": ConfigValue("a1")}),
        Update(2, {"specql:imageTag": ConfigValue("a1")}),
        Update(1, {"specql:imageTag": ConfigValue("a0")}),
    ]
    # WHEN rollback lists its releases THEN the new key wins where both are, and the old updates are releases
    assert [release.tag for release in releases_from_history(history)] == ["c3", "b2", "a1", "a0"]


def test_each_up_records_its_release_in_the_stack_config():
    from specql_deploy.automation.cli_manifest import load_resolved, with_overrides
    from specql_deploy.automation.stacks import stack_config, stale_config

    _, resolved = load_resolved(example_path("small-saas"), None)
    config = stack_config(with_overrides(resolved, version="4f2c9e1"))
    assert config["specql:version"] == "4f2c9e1"
    assert "specql:image" not in config and "specql:imageTag" not in config
    # AND the image an earlier `--image` recorded and the 0.1 key are removed from the stack config
    assert set(stale_config(config)) == {"specql:image", "specql:imageTag"}
    pinned = stack_config(with_overrides(resolved, image="ghcr.io/acme/shop:4f2c9e1"))
    assert pinned["specql:image"] == "ghcr.io/acme/shop:4f2c9e1"
    assert stale_config(pinned) == ("specql:imageTag",)


@pytest.fixture
def stack_config_for_program():
    """Sets the Pulumi runtime config a stack would give the plain program; cleared afterwards."""
    from pulumi.runtime import config

    yield lambda values: config.set_all_config({key: str(value) for key, value in values.items()})
    config.set_all_config({})


def test_rollback_reads_the_release_up_recorded_under_the_key_the_program_reads(stack_config_for_program):
    import runpy

    from pulumi.automation import ConfigValue

    from specql_deploy.automation.cli_manifest import load_resolved, with_overrides
    from specql_deploy.automation.releases import releases_from_history
    from specql_deploy.automation.stacks import stack_config
    from specql_deploy.capture import run_under_mocks

    # GIVEN the stack config `specql deploy up --version 4f2c9e1` records
    manifest, resolved = load_resolved(example_path("small-saas"), None)
    recorded = stack_config(with_overrides(resolved, version="4f2c9e1"))
    # WHEN the plain `pulumi` program (Pulumi.yaml's) runs with that stack config
    program_keys = {key: value for key, value in recorded.items() if key.startswith("specql:")}
    stack_config_for_program({**program_keys, "specql:manifest": str(example_path("small-saas"))})
    graph = run_under_mocks(
        lambda: runpy.run_module("specql_deploy.program.__main__", run_name="__main__"),
        project=resolved.deployment.name,
        stack=resolved.deployment.environment,
    )
    # THEN it runs the tag up deployed
    [task] = graph.of_type("aws:ecs/taskDefinition:TaskDefinition")
    [container] = json.loads(task.inputs["containerDefinitions"])
    assert container["image"].endswith(":4f2c9e1")
    # AND rollback, reading the update that recorded this config, lists that same tag
    update = Update(7, {key: ConfigValue(str(value)) for key, value in recorded.items()})
    assert [release.tag for release in releases_from_history([update])] == ["4f2c9e1"]


def test_the_program_still_reads_a_tag_recorded_under_the_old_key(stack_config_for_program):
    import runpy

    from specql_deploy.capture import run_under_mocks

    # GIVEN a stack whose config holds only the 0.1 key
    stack_config_for_program(
        {"specql:manifest": str(example_path("small-saas")), "specql:environment": "dev", "specql:imageTag": "9d8e7f6"}
    )
    # WHEN the plain `pulumi` program runs
    graph = run_under_mocks(
        lambda: runpy.run_module("specql_deploy.program.__main__", run_name="__main__"), project="shop", stack="dev"
    )
    # THEN it runs that tag
    [task] = graph.of_type("aws:ecs/taskDefinition:TaskDefinition")
    [container] = json.loads(task.inputs["containerDefinitions"])
    assert container["image"].endswith(":9d8e7f6")


def test_rollback_runs_up_with_the_previous_release(tmp_path, monkeypatch):
    # GIVEN a stack whose history holds v3 (current), v2 and v1, and a deployer that records what up ran
    from contextlib import contextmanager

    from specql_deploy.automation.events import ResourceChange
    from specql_deploy.automation.releases import Release
    from specql_deploy.automation.summary import PreviewSummary

    manifest = tmp_path / "deployment.yaml"
    manifest.write_text("deployment: {pattern: small-saas}\n")
    deployed: list[tuple[str | None, str | None]] = []

    class Deployer:
        project, stack_name = "shop", "production"

        def __init__(self, target):
            self.target = target

        def releases(self):
            return [Release("v3", update=7), Release("v2", update=5), Release("v1", update=2)]

        def preview(self, listener=None):
            change = ResourceChange("urn:x::app", "aws:ecs/service:Service", "app", "update", ("taskDefinition",))
            return PreviewSummary(project="shop", stack="production", changes=(change,))

        def up(self, listener=None):
            deployed.append((self.target.version, self.target.image))
            return PreviewSummary(project="shop", stack="production", changes=(), operation="up")

    @contextmanager
    def opened(target, *, with_program):
        from specql_deploy.automation.cli_manifest import load_resolved

        yield Deployer(target), load_resolved(target.file, target.env)[1]

    monkeypatch.setattr("specql_deploy.automation.cli_stack.open_stack", opened)
    # WHEN rolled back without a release, then to one named, then to one never deployed
    assert run("deploy", "rollback", str(manifest), "--env", "production", "--yes").exit_code == 0
    assert run("deploy", "rollback", str(manifest), "--env", "production", "--to", "v1", "--yes").exit_code == 0
    unknown = run("deploy", "rollback", str(manifest), "--env", "production", "--to", "v4", "--yes", "--json")
    # THEN up ran v2, then v1; the unknown one is bad input, as JSON, and nothing ran
    assert deployed == [("v2", None), ("v1", None)]
    assert unknown.exit_code == 2
    assert "never ran 'v4'" in json.loads(unknown.stdout)["errors"][0]["message"]
    listed = run("deploy", "rollback", str(manifest), "--env", "production", "--list", "--json")
    assert [item["tag"] for item in json.loads(listed.stdout)] == ["v3", "v2", "v1"]


if __name__ == "__main__":  # pragma: no cover
    sys.exit(pytest.main([__file__]))
