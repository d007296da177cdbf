"""The `specql` front door: exit codes, one line per problem, no traceback, fast start-up."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from specql_deploy.automation.cli import app

from support import EXAMPLE_NAMES, example_path

runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=True)


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_validate_ok_on_every_example(name):
    result = run("deploy", "validate", str(example_path(name)))
    assert result.exit_code == 0, result.output
    # one OK line on stdout; stderr holds only `warning: field.path: message` lines
    assert result.stdout.startswith("OK ") and result.stdout.count("\n") == 1
    assert all(
        re.match(r"warning: [a-z_]+(\[\d+\])?(\.[a-z_]+(\[\d+\])?)*: ", line) for line in result.stderr.splitlines()
    )


def test_validate_reports_each_problem_on_its_own_line(tmp_path):
    manifest = tmp_path / "deployment.yaml"
    manifest.write_text("deployment:\n  pattern: small-saas\ndatabase:\n  size: huge\napplication:\n  instances: 0\n")
    result = run("deploy", "validate", str(manifest))
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "database.size: 'huge' is not one of small, medium, large, xlarge (line 4)",
        "application.instances: must be at least 1 (line 6)",
    ]


@pytest.mark.parametrize("target", ["missing.yaml", "."])
def test_validate_missing_file_or_directory(tmp_path, target):
    result = run("deploy", "validate", str(tmp_path / target))
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert ("file not found" in result.stderr) or ("is a directory" in result.stderr)


def test_resolve_json_and_explain():
    result = run("deploy", "resolve", str(example_path("small-saas")), "--json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["database"]["instance_class"] == "db.t4g.micro"
    assert "provenance" not in data
    explained = json.loads(run("deploy", "resolve", str(example_path("small-saas")), "--json", "--explain").stdout)
    assert explained["provenance"]["database.instance_class"]["source"] == "pattern"
    table = run("deploy", "resolve", str(example_path("small-saas")), "--explain")
    assert table.exit_code == 0 and "pattern" in table.stdout


def test_resolve_unknown_environment_is_usage_error():
    result = run("deploy", "resolve", str(example_path("full-manifest")), "--env", "prodution")
    assert result.exit_code == 2
    assert "did you mean 'production'" in result.stderr


def test_resolve_lock_and_upgrade(tmp_path):
    manifest = tmp_path / "deployment.yaml"
    manifest.write_text("deployment: {pattern: small-saas}\n")
    assert run("deploy", "resolve", str(manifest), "--lock").exit_code == 0
    lock = json.loads((tmp_path / "deployment.lock.json").read_text())
    assert lock["environments"]["dev"]["database.instance_class"]["value"] == "db.t4g.micro"
    upgrade = run("deploy", "resolve", str(manifest), "--upgrade")
    assert upgrade.exit_code == 0 and "already matches today's defaults" in upgrade.stdout
    (tmp_path / "deployment.lock.json").write_text("{not json")
    broken = run("deploy", "resolve", str(manifest))
    assert broken.exit_code == 2 and "deployment.lock.json" in broken.stderr


def test_schema_documents_every_field():
    result = run("deploy", "schema")
    schema = json.loads(result.stdout)
    undocumented = [
        f"{name}.{field}"
        for name, definition in schema["$defs"].items()
        for field, prop in definition.get("properties", {}).items()
        if not prop.get("description")
    ]
    assert undocumented == []
    backup = schema["$defs"]["DatabaseSpec"]["properties"]["backup"]
    assert {
        "type": "string",
        "enum": ["hourly", "daily", "weekly", "continuous"],
        "description": "Short for `{frequency: <value>}`.",
    } in backup["anyOf"]


def test_schema_accepts_every_example():
    jsonschema = pytest.importorskip("jsonschema")
    from ruamel.yaml import YAML

    schema = json.loads(run("deploy", "schema").stdout)
    for name in EXAMPLE_NAMES:
        document = YAML(typ="safe").load(example_path(name).read_text())
        jsonschema.validate(document, schema)


def test_version():
    result = run("--version")
    assert result.exit_code == 0 and result.stdout.startswith("specql-deploy ")


PULUMI_AND_AWS = ("pulumi", "pulumi_aws", "pulumi_docker", "pulumi_kubernetes", "pulumi_random", "boto3", "botocore")


@pytest.mark.parametrize(
    ("argv", "not_imported"),
    [
        (["--help"], PULUMI_AND_AWS),
        # validate prints plain lines: no rich (typer's help renders with it), no schema validator,
        # and libyaml parses the manifest: ruamel's pure-Python parser was most of validate's time
        (
            ["deploy", "validate", str(example_path("production-saas"))],
            (*PULUMI_AND_AWS, "rich", "markdown_it", "jsonschema", "ruamel"),
        ),
    ],
)
def test_start_up_does_not_import_pulumi(argv, not_imported):
    code = textwrap.dedent(f"""
        import sys
        from specql_deploy.automation.cli import main
        sys.argv = ["specql", *{argv!r}]
        try:
            main()
        except SystemExit:
            pass
        heavy = sorted(m for m in sys.modules if m.split('.')[0] in {not_imported!r})
        from pydantic.plugin import _loader
        print(heavy, "plugins scanned" if _loader._plugins is not None else "no plugin scan")
    """)
    env = {key: value for key, value in os.environ.items() if key != "PYDANTIC_DISABLE_PLUGINS"}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False, env=env)
    assert result.returncode == 0, result.stderr
    # AND pydantic never scans every installed distribution for plugins the CLI does not use
    assert result.stdout.strip().splitlines()[-1] == "[] no plugin scan"


# ------------------------------------------------------------------------- robustness

KEYS = [
    "deployment",
    "pattern",
    "platform",
    "database",
    "application",
    "size",
    "memory",
    "cpu",
    "cache",
    "storage",
    "monitoring",
    "environments",
    "variables",
    "backup",
    "regions",
    "name",
    "autoscale",
    "min",
    "max",
    "networking",
    "vpc_cidr",
    "security",
    "waf",
    "replicas",
    "ingress",
]
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 100000),
    st.floats(allow_nan=False, width=32),
    st.sampled_from(
        [
            "small-saas",
            "kubernetes",
            "512Mi",
            "enabled",
            "redis-cluster",
            "s3",
            "us-east-1",
            "10.0.0.0/16",
            "daily",
            "",
            "x" * 70,
            "${A}",
        ]
    ),
    st.text(max_size=12),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.sampled_from(KEYS), inner, max_size=5)),
    max_leaves=20,
)
documents = st.one_of(
    values,
    st.dictionaries(st.sampled_from(KEYS), values, max_size=6),
    st.builds(
        lambda extra: {"deployment": {"pattern": "small-saas", **extra}},
        st.dictionaries(st.sampled_from(KEYS), values, max_size=4),
    ),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(document=documents)
def test_cli_never_raises_on_random_manifests(tmp_path, document):
    manifest = tmp_path / "deployment.yaml"
    manifest.write_text(json.dumps(document))  # JSON is YAML
    for command in (["deploy", "validate"], ["deploy", "resolve"]):
        result = run(*command, str(manifest))
        assert result.exit_code in (0, 2), (document, result.output, result.exception)
        assert not result.exception or isinstance(result.exception, SystemExit), repr(result.exception)
        if result.exit_code == 2:
            assert result.stderr and all(": " in line for line in result.stderr.splitlines())


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_cli_never_raises_on_mutated_examples(tmp_path, data):
    name = data.draw(st.sampled_from(EXAMPLE_NAMES))
    text = example_path(name).read_text()
    lines = text.splitlines()
    index = data.draw(st.integers(0, len(lines) - 1))
    mutation = data.draw(st.sampled_from(["drop", "duplicate", "garble", "indent", "truncate"]))
    if mutation == "drop":
        del lines[index]
    elif mutation == "duplicate":
        lines.insert(index, lines[index])
    elif mutation == "garble":
        lines[index] = lines[index].replace(":", data.draw(st.sampled_from([" ", "::", ": [", ": {"])), 1)
    elif mutation == "indent":
        lines[index] = "  " + lines[index]
    else:
        lines = lines[:index]
    manifest = tmp_path / "deployment.yaml"
    manifest.write_text("\n".join(lines) + "\n")
    result = run("deploy", "validate", str(manifest))
    assert result.exit_code in (0, 2), (result.output, result.exception)
    assert not result.exception or isinstance(result.exception, SystemExit), repr(result.exception)


def _alerts_manifest(tmp_path, pattern: str, key: str, second: str) -> str:
    """A manifest whose second alert (its entry on line 9) is the one the pattern refuses or warns about."""
    manifest = tmp_path / "deployment.yaml"
    manifest.write_text(
        f"deployment:\n  pattern: {pattern}\nmonitoring:\n  metrics:\n    prometheus: true\n  {key}:\n"
        "    - name: cpu\n      condition: cpu > 80\n" + textwrap.indent(second, "    ")
    )
    return str(manifest)


@pytest.mark.parametrize("key", ["alerts", "alarms"])
@pytest.mark.parametrize(
    ("pattern", "second", "message"),
    [
        ("small-saas", "- name: queue\n  condition: queue_depth > 5\n", "no CloudWatch metric is known"),
        ("production-saas", "- name: queue\n  condition: queue_depth > 5\n", "no CloudWatch metric is known"),
        ("small-saas", "- type: cache_memory\n", "cache_memory watches the cache, and this deployment has none"),
        ("hobby-project", "- name: queue\n  condition: queue_depth > 5\n", "Prometheus on hobby-project does not"),
        ("kubernetes", "- name: queue\n  condition: queue_depth > 5\n", "Prometheus on kubernetes does not"),
    ],
)
def test_a_refused_alert_is_named_as_the_manifest_writes_it_on_its_own_line(tmp_path, key, pattern, second, message):
    # GIVEN two alerts under the key the user chose, the second one refused by the pattern
    manifest = _alerts_manifest(tmp_path, pattern, key, second)
    # WHEN validated
    result = run("deploy", "validate", manifest)
    # THEN the refusal names that entry by the manifest's key, at the line of its `- `
    assert result.exit_code == 2
    [line] = [line for line in result.stderr.splitlines() if message in line]
    assert line.startswith(f"monitoring.{key}[1]: ") and line.endswith(" (line 9)"), line
    # AND --json gives the same path and line
    [error] = json.loads(run("deploy", "validate", manifest, "--json").stdout)["errors"]
    assert (error["path"], error["line"]) == (f"monitoring.{key}[1]", 9)


@pytest.mark.parametrize("key", ["alerts", "alarms"])
@pytest.mark.parametrize(
    ("pattern", "second", "field", "line", "message"),
    [
        ("small-saas", "- name: mem\n  condition: memory > 90\n  channel: slack\n", "channel", 11, "AWS Chatbot"),
        ("hobby-project", "- name: mem\n  condition: memory > 90\n  email: ops@example.com\n", "email", 11, "mail"),
        ("kubernetes", "- name: mem\n  condition: memory > 90\n  email: ops@example.com\n", "email", 11, "mail"),
    ],
)
def test_a_warned_alert_is_named_as_the_manifest_writes_it_on_its_own_line(
    tmp_path, key, pattern, second, field, line, message
):
    # GIVEN two alerts, the second with a setting the pattern does not deliver
    manifest = _alerts_manifest(tmp_path, pattern, key, second)
    # WHEN validated
    result = run("deploy", "validate", manifest)
    # THEN the warning names that entry's key by the manifest's spelling, at the key's line
    assert result.exit_code == 0, result.output
    [warning] = [text for text in result.stderr.splitlines() if message in text]
    assert warning.startswith(f"warning: monitoring.{key}[1].{field}: ") and warning.endswith(f" (line {line})")
    # AND --strict refuses it with that path and line
    strict = json.loads(run("deploy", "validate", manifest, "--strict", "--json").stdout)["errors"]
    assert {"path": f"monitoring.{key}[1].{field}", "line": line} in [
        {"path": item["path"], "line": item["line"]} for item in strict
    ]
