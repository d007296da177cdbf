"""Input that once hung or crashed the CLI, and messages that name the field, its line and a fix."""

from __future__ import annotations

import time
import tracemalloc
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from specql_deploy.automation.cli import app

runner = CliRunner()

BILLION_LAUGHS = "\n".join(
    [
        'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
        *(f"{name}: &{name} [{', '.join([f'*{prev}'] * 9)}]" for prev, name in zip("abcdef", "bcdefg", strict=True)),
        "deployment: {pattern: small-saas, name: *g}",
    ]
)


def validate(tmp_path, text: str):
    manifest = tmp_path / "deployment.yaml"
    manifest.write_text(text, encoding="utf-8")
    return runner.invoke(app, ["deploy", "validate", str(manifest)])


def all_commands() -> list[list[str]]:
    """Every command path of the CLI, groups included (`[]` is `specql` itself)."""
    found: list[list[str]] = []

    def walk(command: Any, path: list[str]) -> None:
        found.append(path)
        if hasattr(command, "commands"):
            for name, child in command.commands.items():
                walk(child, [*path, name])

    walk(typer.main.get_command(app), [])
    return found


def test_nested_aliases_are_refused_fast_and_small(tmp_path):
    assert len(BILLION_LAUGHS) < 1024
    validate(tmp_path, "deployment: {pattern: small-saas}\n")  # the manifest modules are imported
    start = time.perf_counter()
    result = validate(tmp_path, BILLION_LAUGHS)
    elapsed = time.perf_counter() - start
    tracemalloc.start()
    validate(tmp_path, BILLION_LAUGHS)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert result.exit_code == 2
    assert elapsed < 1.0
    assert peak < 5_000_000
    assert result.stderr.splitlines() == [
        "b[0]: YAML aliases (*a) are not accepted in a deployment manifest; write the value out "
        "(54 more aliases follow) (line 2)"
    ]


@pytest.mark.parametrize("command", all_commands(), ids=lambda path: " ".join(path) or "specql")
def test_every_command_has_working_help(command):
    result = runner.invoke(app, [*command, "--help"])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == 0, result.output
    assert "Usage" in result.output


def test_the_help_shows_square_brackets_as_written():
    result = runner.invoke(app, ["deploy", "bootstrap", "--help"])
    assert "s3://bucket[/prefix]" in result.output


def test_a_duplicate_key_names_the_key_and_both_lines(tmp_path):
    result = validate(tmp_path, "deployment:\n  pattern: small-saas\n  name: shop\n  pattern: hobby-project\n")
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "deployment.pattern: the key `pattern` appears twice in the same mapping, first on line 2; keep one (line 4)"
    ]


def test_tabs_are_named(tmp_path):
    result = validate(tmp_path, "deployment:\n\tpattern: small-saas\n")
    assert result.exit_code == 2
    assert result.stderr.splitlines() == ["deployment.pattern: YAML forbids tabs for indentation (line 2)"]


def test_every_problem_is_reported_in_one_run_with_its_full_path_and_line(tmp_path):
    text = (
        "deployment:\n  pattern: small-saas\n  application:\n    memory: lots\n    port: x\ndatabase:\n  size: huge\n"
    )
    result = validate(tmp_path, text)
    assert result.exit_code == 2
    assert sorted(result.stderr.splitlines()) == [
        "database.size: 'huge' is not one of small, medium, large, xlarge (line 7)",
        "deployment.application.memory: 'lots' is not a memory size: write 512, 512Mi or 1Gi (line 4)",
        "deployment.application.port: must be a whole number, not 'x' (line 5)",
    ]


def test_resolution_problems_of_every_environment_come_at_once_with_their_lines(tmp_path):
    text = (
        "deployment: {pattern: small-saas}\n"
        "application:\n"
        "  autoscale: {min: 3, max: 2}\n"
        "environments:\n"
        "  - name: staging\n"
        "  - name: production\n"
    )
    result = validate(tmp_path, text)
    assert result.exit_code == 2
    # a problem every environment has is said once (a cpu/memory pair Fargate lacks is now
    # raised with a warning, not refused, so an impossible autoscale range stands in for it)
    assert result.stderr.splitlines() == ["application.autoscale: `min` (3) must not exceed `max` (2) (line 3)"]


def test_an_undeclared_environment_gets_a_did_you_mean(tmp_path):
    manifest = tmp_path / "deployment.yaml"
    manifest.write_text("deployment: {pattern: small-saas}\n")
    result = runner.invoke(app, ["deploy", "resolve", str(manifest), "--env", "prodution"])
    assert result.exit_code == 2
    assert "no environment named 'prodution'" in result.stderr
    assert "did you mean 'production'?" in result.stderr
    for stack in ("dev", "staging", "production"):
        assert runner.invoke(app, ["deploy", "resolve", str(manifest), "--env", stack, "--json"]).exit_code == 0


def test_a_non_ascii_name_gets_its_ascii_spelling(tmp_path):
    result = validate(tmp_path, "deployment:\n  pattern: small-saas\n  name: café-app\n")
    assert result.exit_code == 2
    assert "deployment.name: 'café-app' is not DNS-safe" in result.stderr
    assert "did you mean 'cafe-app'?" in result.stderr
    assert "(line 3)" in result.stderr


def test_an_internationalised_domain_gets_the_punycode_hint(tmp_path):
    result = validate(tmp_path, "deployment:\n  pattern: small-saas\n  domain: bücher.example\n")
    assert result.exit_code == 2
    assert "punycode 'xn--bcher-kva.example'" in result.stderr
    fixed = validate(tmp_path, "deployment:\n  pattern: small-saas\n  domain: xn--bcher-kva.example\n")
    assert fixed.exit_code == 0, fixed.output


def test_a_folder_with_accents_names_the_deployment_without_them(tmp_path):
    from specql_deploy.program.manifest import load

    folder = tmp_path / "Café Shop"
    folder.mkdir()
    (folder / "deployment.yaml").write_text("deployment: {pattern: small-saas}\n")
    assert load(folder / "deployment.yaml").default_name == "cafe-shop"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("!Ref shop", "deployment.name: the YAML tag `!Ref` is not accepted in a deployment manifest"),
        ("!!python/object:os.system ls", "deployment.name: the YAML tag `!!python/object:os.system` is not accepted"),
        ('!!int "abc"', "deployment.name: `!!int` cannot read 'abc'; write the plain value (line 3)"),
        ("!!float x", "deployment.name: `!!float` cannot read 'x'"),
        ("!!bool maybe", "deployment.name: `!!bool` cannot read 'maybe'"),
        ("!!null shop", "deployment.name: `!!null` cannot read 'shop'"),
        ("-_", "deployment.name: '-_' is not DNS-safe"),  # number-shaped text, read as written
        ("=", "deployment.name: '=' is not DNS-safe"),
        ("<<", "deployment.name: '<<' is not DNS-safe"),
    ],
)
def test_a_tag_or_number_yaml_cannot_read_is_a_problem_not_a_traceback(tmp_path, value, expected):
    result = validate(tmp_path, f"deployment:\n  pattern: small-saas\n  name: {value}\n")
    assert result.exit_code == 2, result.output
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit), result.exception
    assert result.stderr.splitlines()[0].startswith(expected), result.stderr


def test_a_tagged_section_is_reported_and_still_checked(tmp_path):
    result = validate(tmp_path, "deployment: !Config\n  pattern: small-saas\n  databse: {}\n")
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "deployment: the YAML tag `!Config` is not accepted in a deployment manifest; write the plain value (line 1)",
        "deployment.databse: unknown key; did you mean 'database'? (line 3)",
    ]


def test_core_tags_that_fit_are_read(tmp_path):
    result = validate(tmp_path, 'deployment:\n  pattern: !!str small-saas\n  name: !!str "shop"\n')
    assert result.exit_code == 0, result.output
