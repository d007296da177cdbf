"""Stack commands' contract without the engine: bad usage exits 2, a missing or old CLI
exits 1 with how to install it, production needs confirmation, errors map to one message.
"""

from __future__ import annotations

import shutil
import stat
from importlib import metadata
from pathlib import Path

import pytest
from typer.testing import CliRunner

from specql_deploy.automation.cli import app
from specql_deploy.automation.errors import DeployError, explain

ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()
STACK_COMMANDS = ("preview", "up", "destroy", "refresh", "outputs", "cancel")
ALL_COMMANDS = (*STACK_COMMANDS, "stacks")


@pytest.fixture
def manifest(tmp_path: Path) -> Path:
    """full-manifest (development, staging, production) copied where .specql/ may be written."""
    path = tmp_path / "shop" / "deployment.yaml"
    path.parent.mkdir()
    shutil.copy(ROOT / "examples" / "full-manifest" / "deployment.yaml", path)
    return path


@pytest.fixture
def no_pulumi(tmp_path: Path, monkeypatch) -> Path:
    """PATH and the build cache without any pulumi binary."""
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", f"{empty}:/usr/bin:/bin")
    monkeypatch.setenv("SPECQL_CACHE", str(tmp_path / "no-cache"))
    return empty


def fake_pulumi(folder: Path, version_output: str) -> None:
    script = folder / "pulumi"
    script.write_text(f"#!/bin/sh\necho '{version_output}'\n")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)


def resolve_example(name: str):
    from specql_deploy.program.manifest import load
    from specql_deploy.program.resolve import resolve

    loaded = load(ROOT / "examples" / name / "deployment.yaml")
    return resolve(loaded.spec, None, default_name=loaded.default_name)


def invoke(*args: str):
    result = runner.invoke(app, ["deploy", *args])
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


# ------------------------------------------------------------------------- bad usage


@pytest.mark.parametrize("command", ALL_COMMANDS)
def test_every_command_reports_a_missing_manifest_with_exit_2(command, tmp_path):
    result = invoke(command, str(tmp_path / "nowhere" / "deployment.yaml"))
    assert result.exit_code == 2
    assert "file not found" in result.stderr


@pytest.mark.parametrize("command", STACK_COMMANDS)
def test_every_stack_command_rejects_an_unknown_stack_with_exit_2(command, manifest):
    result = (
        invoke(command, str(manifest), "--env", "qa", "--yes")
        if command in ("up", "destroy", "cancel")
        else invoke(command, str(manifest), "--env", "qa")
    )
    assert result.exit_code == 2
    assert "qa" in result.stderr
    assert not (manifest.parent / ".specql").exists(), "nothing may be written for bad input"


@pytest.mark.parametrize("option", ["--stack", "--env", "-e", "-s"])
def test_stack_and_env_are_the_same_option(option, manifest):
    result = invoke("outputs", str(manifest), option, "qa")
    assert result.exit_code == 2 and "qa" in result.stderr


@pytest.mark.parametrize("command", ALL_COMMANDS)
def test_help_shows_one_spelling_of_the_environment_and_the_backend_options_once(command):
    result = runner.invoke(app, ["deploy", command, "--help"])
    assert result.exit_code == 0
    assert "--stack" not in result.output  # the alias is hidden
    assert ("--env" in result.output) is (command != "stacks")
    for option in ("--backend-endpoint", "--backend-region", "--secrets-provider"):
        assert result.output.count(option) == 1, option


def test_env_and_its_alias_may_not_disagree(manifest):
    result = invoke("outputs", str(manifest), "--env", "staging", "--stack", "production")
    assert result.exit_code == 2 and "disagree" in result.output + result.stderr


def test_an_unsupported_backend_is_bad_usage(manifest, monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", f"{_cached_or_fake(tmp_path)}:/usr/bin:/bin")
    result = invoke("outputs", str(manifest), "--backend", "ftp://state")
    assert result.exit_code == 2
    assert "unsupported backend" in result.stderr


def _cached_or_fake(tmp_path: Path) -> Path:
    """A folder with a pulumi that passes the version check (no engine call follows)."""
    folder = tmp_path / "fake-bin"
    folder.mkdir(exist_ok=True)
    fake_pulumi(folder, f"v{metadata.version('pulumi')}")
    return folder


# --------------------------------------------------------------- the Pulumi CLI itself


@pytest.mark.parametrize("command", ALL_COMMANDS)
def test_a_missing_pulumi_cli_is_one_clear_message_with_exit_1(command, manifest, no_pulumi):
    args = [command, str(manifest)] + (["--stack", "development"] if command != "stacks" else [])
    result = invoke(*args, *(["--yes"] if command in ("up", "destroy", "cancel") else []))
    assert result.exit_code == 1
    assert "the Pulumi CLI (`pulumi`) was not found on PATH" in result.stderr
    assert f"--version {metadata.version('pulumi')}" in result.stderr
    assert "scripts/install-pulumi-cli.sh" in result.stderr


def test_a_pulumi_cli_older_than_the_sdk_needs_is_refused(manifest, no_pulumi):
    fake_pulumi(no_pulumi, "v3.0.0")
    result = invoke("preview", str(manifest), "--stack", "development")
    assert result.exit_code == 1
    assert "is version 3.0.0" in result.stderr and "at least 3.1.0" in result.stderr
    assert "install it with" in result.stderr


def test_a_pulumi_cli_of_another_major_version_is_refused(manifest, no_pulumi):
    fake_pulumi(no_pulumi, "v4.2.0")
    result = invoke("outputs", str(manifest), "--stack", "development")
    assert result.exit_code == 1 and "is version 4.2.0" in result.stderr


def test_a_pulumi_cli_that_reports_no_version_is_refused(manifest, no_pulumi):
    fake_pulumi(no_pulumi, "garbage")
    result = invoke("stacks", str(manifest))
    assert result.exit_code == 1 and "did not report a version" in result.stderr


# --------------------------------------------------------------------- confirmations


def test_destroying_production_with_yes_alone_is_refused(manifest):
    result = invoke("destroy", str(manifest), "--stack", "production", "--yes")
    assert result.exit_code == 2
    assert "production stack: --yes also needs --confirm-production" in result.stderr


def test_destroying_production_without_a_terminal_is_refused(manifest):
    result = invoke("destroy", str(manifest), "--stack", "production")
    assert result.exit_code == 2
    assert "type its name in a terminal" in result.stderr


def test_destroying_production_needs_the_exact_stack_name(manifest, monkeypatch):
    monkeypatch.setattr("specql_deploy.automation.policy.interactive", lambda: True)
    result = runner.invoke(app, ["deploy", "destroy", str(manifest), "--stack", "production"], input="prod\n")
    assert result.exit_code == 2
    assert "the name did not match; nothing was destroyed" in result.stderr


def test_typing_the_production_name_or_both_flags_passes_the_confirmation(manifest, monkeypatch, no_pulumi):
    # the next step needs the engine, absent here: reaching its message proves the gate opened
    monkeypatch.setattr("specql_deploy.automation.policy.interactive", lambda: True)
    typed = runner.invoke(app, ["deploy", "destroy", str(manifest), "--stack", "production"], input="production\n")
    flags = invoke("destroy", str(manifest), "--stack", "production", "--yes", "--confirm-production")
    for result in (typed, flags):
        assert result.exit_code == 1
        assert "was not found on PATH" in result.stderr


@pytest.mark.parametrize(("stack", "lifted"), [("staging", True), ("production", False)])
def test_destroy_hands_the_deployer_a_program_without_deletion_protection_outside_production(
    manifest, monkeypatch, stack, lifted
):
    from contextlib import contextmanager

    from specql_deploy.automation.summary import PreviewSummary

    built, destroyed = [], []

    class Deployer:
        project = "shop"

        def destroy(self, listener=None, *, unprotected=None):
            destroyed.append(unprotected)
            return PreviewSummary(project="shop", stack=stack, changes=(), operation="destroy")

    @contextmanager
    def opened(target, *, with_program):
        yield Deployer(), None

    def make_program(resolved, project_root="."):
        built.append(resolved)
        return lambda: None

    monkeypatch.setattr("specql_deploy.automation.cli_stack.open_stack", opened)
    monkeypatch.setattr("specql_deploy.program.make_program", make_program)
    result = invoke("destroy", str(manifest), "--stack", stack, "--yes", "--confirm-production")
    assert result.exit_code == 0, result.stderr
    assert (destroyed[0] is not None) is lifted
    if lifted:
        [resolved] = built
        assert (resolved.database.deletion_protection, resolved.load_balancer.deletion_protection) == (False, False)
        assert resolved.deployment.environment == "staging"
    else:
        assert built == []


def test_non_production_destroy_and_cancel_need_yes_without_a_terminal(manifest):
    for command in ("destroy", "cancel"):
        result = invoke(command, str(manifest), "--stack", "staging")
        assert result.exit_code == 2 and "pass --yes" in result.stderr


# ----------------------------------------------------------------------- --offline


def test_preview_offline_delegates_with_the_environment(manifest, monkeypatch):
    calls = []

    def fake_offline_preview(manifest_path: Path, env: str | None, as_json: bool, **options) -> int:
        calls.append((manifest_path, env, as_json))
        return 0

    monkeypatch.setattr("specql_deploy.automation.offline.offline_preview", fake_offline_preview)
    result = invoke("preview", str(manifest), "--offline", "--env", "staging", "--json")
    assert result.exit_code == 0
    assert calls == [(manifest, "staging", True)]
    monkeypatch.setattr("specql_deploy.automation.offline.offline_preview", lambda *_, **__: 2)
    assert invoke("preview", str(manifest), "--offline").exit_code == 2


# ------------------------------------------------------------- stacks, config, plugins


def test_local_backend_and_passphrase_default_next_to_the_manifest(manifest, monkeypatch):
    from specql_deploy.automation.stacks import locate

    monkeypatch.delenv("PULUMI_CONFIG_PASSPHRASE", raising=False)
    monkeypatch.delenv("PULUMI_CONFIG_PASSPHRASE_FILE", raising=False)
    location = locate("shop", "staging", manifest)
    private = manifest.parent / ".specql"
    assert location.backend_url == (private / "state").as_uri()
    assert location.secrets_provider == "passphrase"
    assert stat.S_IMODE(private.stat().st_mode) == 0o700
    assert (private / ".gitignore").read_text() == "*\n"
    passphrase = private / "passphrase"
    assert stat.S_IMODE(passphrase.stat().st_mode) == 0o600 and len(passphrase.read_text()) >= 32
    assert location.env_vars == {"PULUMI_CONFIG_PASSPHRASE_FILE": str(passphrase)}
    again = locate("shop", "staging", manifest)
    assert again.notices == () and passphrase.read_text() == passphrase.read_text()


def test_a_shared_backend_without_a_passphrase_is_bad_usage(manifest, monkeypatch):
    from specql_deploy.automation.stacks import locate

    monkeypatch.delenv("PULUMI_CONFIG_PASSPHRASE", raising=False)
    monkeypatch.delenv("PULUMI_CONFIG_PASSPHRASE_FILE", raising=False)
    with pytest.raises(DeployError) as error:
        locate("shop", "staging", manifest, backend="s3://team-state")
    assert error.value.code == 2 and "PULUMI_CONFIG_PASSPHRASE" in error.value.message
    assert not (manifest.parent / ".specql" / "passphrase").exists()
    kms = locate("shop", "staging", manifest, backend="s3://team-state", secrets_provider="awskms://alias/k")
    assert kms.secrets_provider == "awskms://alias/k" and kms.env_vars == {}


def test_pulumi_cloud_uses_its_own_secrets_provider(manifest):
    from specql_deploy.automation.stacks import PULUMI_CLOUD_URL, locate

    location = locate("shop", "staging", manifest, backend="cloud")
    assert (location.backend_url, location.secrets_provider) == (PULUMI_CLOUD_URL, None)


def test_stack_config_comes_from_the_resolved_deployment():
    from specql_deploy.automation.stacks import stack_config

    small = stack_config(resolve_example("small-saas"))
    assert small["aws:region"] == "us-east-1"
    assert small["aws:defaultTags.tags.ManagedBy"] == "specql-deploy"
    assert small["aws:defaultTags.tags.Environment"] == "dev"
    kubernetes = stack_config(resolve_example("kubernetes"))
    assert "aws:region" not in kubernetes and "kubernetes:namespace" in kubernetes


def test_emulation_points_every_aws_service_at_the_emulator():
    from specql_deploy.automation.emulate import aws_provider_config

    config = aws_provider_config("http://127.0.0.1:4566")
    assert config["aws:endpoints[0].s3"] == config["aws:endpoints[0].rds"] == "http://127.0.0.1:4566"
    assert config["aws:skipCredentialsValidation"] is True and config["aws:s3UsePathStyle"] is True


def test_required_plugins_follow_the_pattern_and_the_installed_sdks():
    from specql_deploy.automation.plugins import required_plugins

    aws = {(p.name, p.version) for p in required_plugins(resolve_example("small-saas"))}
    assert aws == {("aws", metadata.version("pulumi_aws")), ("random", metadata.version("pulumi_random"))}
    docker = {p.name for p in required_plugins(resolve_example("hobby-project"))}
    assert docker == {"docker", "random"}
    assert "kubernetes" in {p.name for p in required_plugins(resolve_example("kubernetes"))}


# --------------------------------------------------------------------- error mapping


def command_error(stderr: str, stdout: str = ""):
    from pulumi.automation._cmd import CommandResult
    from pulumi.automation.errors import create_command_error

    return create_command_error(CommandResult(stdout=stdout, stderr=stderr, code=255))


def mapped(error, diagnostics=()) -> DeployError:
    return explain(error, stack="prod", cancel_hint="specql deploy cancel x --stack prod", diagnostics=diagnostics)


def test_a_locked_stack_is_explained_with_how_to_release_it():
    error = mapped(command_error("error: the stack is currently locked by 1 lock(s). Either wait ..."))
    assert error.code == 1
    assert error.message == (
        "the stack prod is locked by another update; wait for it to finish, or, if no "
        "update is running (one was interrupted), release the lock with: "
        "specql deploy cancel x --stack prod"
    )


def test_a_missing_plugin_names_plugin_version_and_command():
    error = mapped(command_error("error: no resource plugin 'aws-v7.51.1' found in the workspace"))
    assert error.message == (
        "the Pulumi plugin resource aws v7.51.1 is not installed and cannot be "
        "downloaded here; run: pulumi plugin install resource aws 7.51.1"
    )


def test_bad_credentials_are_named_as_such():
    error = mapped(
        command_error(
            "",
            "error: configuring Terraform AWS Provider: no valid credential sources "
            "for Terraform AWS Provider found.\nNo valid credential sources found",
        )
    )
    assert error.code == 1 and error.message.startswith("the cloud credentials are missing")


def test_a_failed_resource_is_named_with_its_reason():
    diagnostics = [
        (
            "urn:pulumi:prod::shop::aws:rds/instance:Instance::app-db",
            "creating RDS DB Instance: InvalidParameterCombination: bad class\n",
        )
    ]
    error = mapped(command_error("error: update failed"), diagnostics)
    assert error.message == "resource app-db failed: creating RDS DB Instance: InvalidParameterCombination: bad class"


def test_an_unknown_stack_is_bad_usage():
    error = mapped(command_error("error: no stack named 'prod' found"))
    assert error.code == 2 and "no stack named prod exists" in error.message


def test_any_other_failure_keeps_the_engines_error_lines():
    error = mapped(command_error("warning: noise\nerror: something specific broke"))
    assert (error.code, error.message) == (1, "something specific broke")


def test_a_python_providers_traceback_is_reported_as_its_last_line():
    from specql_deploy.automation.errors import failed_resources

    # GIVEN the engine's diagnostic for a dynamic provider's failure, whole traceback and all
    # (Pulumi 3.260 reports it so)
    text = (
        "Exception calling application: Traceback (most recent call last):\n"
        '  File "pulumi/dynamic/__main__.py", line 84, in wrapper\n    return fn(self, request, context)\n'
        '  File "engine_resources.py", line 35, in create\n    path.write_text(body)\n'
        "FileNotFoundError: [Errno 2] No such file or directory: '/tmp/x/y.txt'\n"
    )
    # THEN the user reads the resource and the exception's message, not the frames
    assert failed_resources([("urn:pulumi:dev::p::specql:test:File::broken", text)]) == [
        "resource broken failed: [Errno 2] No such file or directory: '/tmp/x/y.txt'"
    ]
