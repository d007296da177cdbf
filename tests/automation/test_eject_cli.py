"""`specql deploy eject` / `generate`: the tree, the no-op re-run, user edits, atomicity, exit codes."""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from specql_deploy.automation.cli import app

ROOT = Path(__file__).resolve().parents[2]
MANIFEST = ROOT / "examples" / "full-manifest" / "deployment.yaml"
MINE = "docker,compose,config,github-actions"
EXPECTED = sorted(
    [
        "docker/Dockerfile",
        "docker/.dockerignore",
        "docker/Dockerfile.dockerignore",
        "docker/docker-compose.dev.yaml",
        "docker/docker-compose.prod.yaml",
        "docker/Caddyfile",
        "ci-cd/github-actions/test.yml",
        "ci-cd/github-actions/preview.yml",
        "ci-cd/github-actions/deploy.yml",
        "ci-cd/github-actions/rollback.yml",
        ".github/dependabot.yml",
        "config/.env.example",
        "config/.env.production.example",
        "config/secrets/secrets.yaml.example",
    ]
)

runner = CliRunner()


def eject(out: Path, *extra: str, command: str = "eject", manifest: Path = MANIFEST):
    return runner.invoke(app, ["deploy", command, str(manifest), "-o", str(out), "--only", MINE, *extra])


def tree(root: Path) -> dict[str, tuple[bytes, int]]:
    """relative path → (bytes, mtime_ns) of every file under root."""
    return {
        path.relative_to(root).as_posix(): (path.read_bytes(), path.stat().st_mtime_ns)
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def test_first_eject_writes_the_tree_and_a_record(tmp_path):
    # WHEN ejecting into a directory that does not exist yet
    out = tmp_path / "generated"
    result = eject(out)
    # THEN it succeeds and writes exactly the expected files plus the record
    assert result.exit_code == 0, result.output
    files = tree(out)
    assert sorted(files) == sorted([*EXPECTED, ".specql-eject.json"])
    # AND the record holds each file's SHA-256 and target
    record = json.loads((out / ".specql-eject.json").read_text())
    assert record["manifest"] == "deployment.yaml" and record["pattern"] == "small-saas"
    for path in EXPECTED:
        assert record["files"][path]["sha256"] == hashlib.sha256(files[path][0]).hexdigest()
    assert record["files"]["docker/Dockerfile"]["target"] == "docker"
    # AND the summary says what was written
    assert "created  docker/Dockerfile" in result.stdout
    assert "wrote 14 created, 0 updated, 0 unchanged of 14 files" in result.stdout
    # AND no staging directory is left behind
    assert [path.name for path in tmp_path.iterdir()] == ["generated"]


def test_second_eject_is_a_byte_identical_no_op(tmp_path):
    out = tmp_path / "generated"
    assert eject(out).exit_code == 0
    before = tree(out)
    # WHEN ejecting the same manifest again
    result = eject(out)
    # THEN nothing changed: not a byte, not a modification time
    assert result.exit_code == 0, result.output
    assert tree(out) == before
    assert result.stdout.startswith("unchanged: 0 created, 0 updated, 14 unchanged")


def test_user_changed_file_is_refused_without_force(tmp_path):
    out = tmp_path / "generated"
    assert eject(out).exit_code == 0
    dockerfile = out / "docker" / "Dockerfile"
    dockerfile.write_text(dockerfile.read_text() + "LABEL team=payments\n")
    compose = out / "docker" / "docker-compose.dev.yaml"
    compose.write_text("services: {}\n")
    before = tree(out)
    # WHEN ejecting again without --force
    result = eject(out)
    # THEN it exits 2 naming each changed file and changes nothing
    assert result.exit_code == 2
    assert "2 file(s)" in result.stderr
    assert "  docker/Dockerfile" in result.stderr.splitlines()
    assert "  docker/docker-compose.dev.yaml" in result.stderr.splitlines()
    assert tree(out) == before


def test_force_replaces_user_changes(tmp_path):
    out = tmp_path / "generated"
    assert eject(out).exit_code == 0
    original = (out / "docker" / "Dockerfile").read_bytes()
    (out / "docker" / "Dockerfile").write_text("FROM scratch\n")
    result = eject(out, "--force")
    assert result.exit_code == 0, result.output
    assert "updated  docker/Dockerfile" in result.stdout
    assert (out / "docker" / "Dockerfile").read_bytes() == original


def test_existing_file_eject_never_wrote_counts_as_the_users(tmp_path):
    # GIVEN a repository that already has its own Dockerfile where eject would write one
    out = tmp_path / "repo"
    (out / "docker").mkdir(parents=True)
    (out / "docker" / "Dockerfile").write_text("FROM python:3.12-slim\n")
    # WHEN ejecting into it
    result = eject(out)
    # THEN that file is protected like an edited one, and nothing else was written either
    assert result.exit_code == 2
    assert "  docker/Dockerfile" in result.stderr.splitlines()
    assert sorted(tree(out)) == ["docker/Dockerfile"]


def test_a_folder_or_file_in_the_way_is_reported_before_anything_is_written(tmp_path):
    out = tmp_path / "repo"
    (out / "docker" / "Dockerfile").mkdir(parents=True)  # a folder where a file goes
    (out / "config").write_text("not a folder\n")  # a file where a folder goes
    for extra in ((), ("--force",)):
        result = eject(out, *extra)
        assert result.exit_code == 2
        assert "in the way" in result.stderr
        assert "docker/Dockerfile" in result.stderr and "config/.env.example" in result.stderr
    assert sorted(path.relative_to(out).as_posix() for path in out.rglob("*")) == [
        "config",
        "docker",
        "docker/Dockerfile",
    ]


def test_files_outside_the_eject_are_left_alone(tmp_path):
    out = tmp_path / "repo"
    out.mkdir()
    (out / "README.md").write_text("mine\n")
    assert eject(out).exit_code == 0
    assert (out / "README.md").read_text() == "mine\n"
    assert not list(out.glob(".specql-eject-*"))


def test_failing_exporter_leaves_nothing_behind(tmp_path, monkeypatch):
    import specql_deploy.exporters.config as config_target

    def explode(resolved, context):
        raise RuntimeError("template bug")

    monkeypatch.setattr(config_target, "render", explode)
    # WHEN a target fails on a fresh directory
    fresh = tmp_path / "fresh"
    result = eject(fresh)
    # THEN exit 1, a clear message, and no directory at all
    assert result.exit_code == 1
    assert "nothing was written" in result.stderr and "template bug" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_failure_while_writing_keeps_the_previous_tree(tmp_path, monkeypatch):
    out = tmp_path / "generated"
    assert eject(out).exit_code == 0
    (tmp_path / "manifest").mkdir()
    changed = tmp_path / "manifest" / "deployment.yaml"
    # A new domain changes two files (deploy.yml and .env.production.example).
    changed.write_text(MANIFEST.read_text().replace("app.example.com", "shop.example.com"))
    before = tree(out)

    import specql_deploy.automation.eject as eject_module

    real_write = eject_module.write_file
    calls = []

    def write_then_fail(root, item, data):
        calls.append(item.path)
        if len(calls) == 2:
            raise OSError("disk full")
        real_write(root, item, data)

    monkeypatch.setattr(eject_module, "write_file", write_then_fail)
    # WHEN the disk fails half-way through writing the new files
    result = eject(out, manifest=changed)
    # THEN the command fails and the directory is exactly as before
    assert result.exit_code == 1
    assert len(calls) == 2
    assert tree(out) == before
    assert not list(out.glob(".specql-eject-*"))


def test_stale_files_are_removed_unless_the_user_changed_them(tmp_path):
    out = tmp_path / "generated"
    assert eject(out).exit_code == 0
    # GIVEN the record lists two docker files this version no longer generates
    record_path = out / ".specql-eject.json"
    record = json.loads(record_path.read_text())
    for name, content in (("docker/old.txt", "old\n"), ("docker/edited.txt", "old\n")):
        (out / name).write_text(content)
        record["files"][name] = {"sha256": hashlib.sha256(b"old\n").hexdigest(), "target": "docker"}
    (out / "docker" / "edited.txt").write_text("edited by the team\n")
    record_path.write_text(json.dumps(record))
    # WHEN ejecting again
    result = eject(out)
    # THEN the untouched stale file is removed and the edited one stays, out of the record
    assert result.exit_code == 0, result.output
    assert not (out / "docker" / "old.txt").exists()
    assert (out / "docker" / "edited.txt").read_text() == "edited by the team\n"
    assert "removed  docker/old.txt" in result.stdout and "kept     docker/edited.txt" in result.stdout
    assert set(json.loads(record_path.read_text())["files"]) == set(EXPECTED)


def test_only_limits_the_targets_and_keeps_the_others_recorded(tmp_path):
    out = tmp_path / "generated"
    assert eject(out).exit_code == 0
    result = runner.invoke(app, ["deploy", "eject", str(MANIFEST), "-o", str(out), "--only", "compose"])
    assert result.exit_code == 0, result.output
    assert "compose 3" in result.stdout and "docker 3" not in result.stdout
    assert set(json.loads((out / ".specql-eject.json").read_text())["files"]) == set(EXPECTED)


def test_generate_is_an_alias_and_env_selects_the_stack(tmp_path):
    out = tmp_path / "generated"
    result = eject(out, "--env", "staging", command="generate")
    assert result.exit_code == 0, result.output
    assert "environment staging" in (out / "docker" / "Dockerfile").read_text().splitlines()[0]


def test_another_environments_eject_is_refused_naming_its_files(tmp_path):
    # GIVEN a folder holding the default environment's eject
    out = tmp_path / "generated"
    assert eject(out).exit_code == 0
    before = tree(out)
    # WHEN production is ejected into the same folder
    result = eject(out, "--env", "production")
    # THEN it exits 2, names the files it would overwrite and both ways out, and changes nothing
    assert result.exit_code == 2, result.output
    theirs = json.loads((out / ".specql-eject.json").read_text())["environment"]
    assert f"{out} holds the {theirs} eject; ejecting production there" in result.stderr
    assert f"-o {tmp_path / 'generated-production'}" in result.stderr and "--force" in result.stderr
    listed = {line.strip() for line in result.stderr.splitlines() if line.startswith("  ")}
    assert "docker/Dockerfile" in listed and "ci-cd/github-actions/deploy.yml" in listed
    assert listed <= set(EXPECTED)
    assert tree(out) == before


def test_each_environment_ejects_into_its_own_folder(tmp_path):
    # GIVEN the default environment's eject in `generated`
    assert eject(tmp_path / "generated").exit_code == 0
    # WHEN production goes to the folder the refusal suggests
    result = eject(tmp_path / "generated-production", "--env", "production")
    # THEN both stand side by side, each recorded with its environment
    assert result.exit_code == 0, result.output
    for folder, environment in (("generated", "development"), ("generated-production", "production")):
        record = json.loads((tmp_path / folder / ".specql-eject.json").read_text())
        assert {entry["environment"] for entry in record["files"].values()} == {environment}
        assert f"environment {environment}" in (tmp_path / folder / "docker" / "Dockerfile").read_text()


def test_force_replaces_another_environments_eject(tmp_path):
    out = tmp_path / "generated"
    assert eject(out).exit_code == 0
    # WHEN production is ejected over it with --force
    result = eject(out, "--env", "production", "--force")
    # THEN the folder is production's eject, and a second production eject is a no-op
    assert result.exit_code == 0, result.output
    record = json.loads((out / ".specql-eject.json").read_text())
    assert record["environment"] == "production"
    assert {entry["environment"] for entry in record["files"].values()} == {"production"}
    assert eject(out, "--env", "production").stdout.startswith("unchanged:")


def test_a_record_of_the_first_version_still_names_its_environment(tmp_path):
    # GIVEN an eject whose record predates per-file environments (one `environment` for all)
    out = tmp_path / "generated"
    assert eject(out).exit_code == 0
    path = out / ".specql-eject.json"
    record = json.loads(path.read_text())
    record["version"] = 1
    for entry in record["files"].values():
        del entry["environment"]
    path.write_text(json.dumps(record))
    # WHEN another environment is ejected there
    result = eject(out, "--env", "staging")
    # THEN it is refused all the same
    assert result.exit_code == 2 and f"holds the {record['environment']} eject" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--only", "docker,helm"], "unknown target(s) helm"),
        (["--env", "nowhere"], "nowhere"),
    ],
)
def test_bad_usage_exits_2(tmp_path, args, message):
    result = runner.invoke(app, ["deploy", "eject", str(MANIFEST), "-o", str(tmp_path / "o"), *args])
    assert result.exit_code == 2
    assert message in result.stderr
    assert not (tmp_path / "o").exists()


def test_output_that_is_a_file_exits_2(tmp_path):
    target = tmp_path / "file"
    target.write_text("x")
    result = eject(target)
    assert result.exit_code == 2 and "not a directory" in result.stderr


def test_invalid_manifest_exits_2_without_traceback(tmp_path):
    manifest = tmp_path / "deployment.yaml"
    manifest.write_text("deployment:\n  pattern: tiny-saas\n")
    result = eject(tmp_path / "o", manifest=manifest)
    assert result.exit_code == 2
    assert "Traceback" not in result.output + result.stderr
    assert "deployment.pattern" in result.stderr


@pytest.mark.parametrize(
    ("example", "applicable"),
    [
        ("hobby-project", {"docker", "compose", "config", "github-actions", "observability", "ansible", "docs"}),
        ("kubernetes", {"kubernetes", "docker", "compose", "config", "github-actions", "observability", "docs"}),
        (
            "kubernetes-eks",
            {"opentofu", "kubernetes", "docker", "compose", "config", "github-actions", "observability", "docs"},
        ),
    ],
)
def test_default_eject_runs_every_registered_target(tmp_path, example, applicable):
    from specql_deploy.exporters import TARGETS

    manifest = ROOT / "examples" / example / "deployment.yaml"
    result = runner.invoke(app, ["deploy", "eject", str(manifest), "-o", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output + result.stderr
    summary = result.stdout.splitlines()[-1]
    # Every registered target ran; the ones that do not apply to the pattern wrote nothing.
    for target in TARGETS:
        count = int(re.search(rf"\b{target} (\d+)", summary).group(1))
        assert (count > 0) is (target in applicable), (target, summary)


@pytest.mark.parametrize("example", ["hobby-project", "kubernetes", "production-saas"])
def test_full_eject_is_the_same_whatever_the_hash_seed(tmp_path, example):
    # Two processes with different string-hash seeds (set and dict-of-set orders differ):
    # every target must still write the same bytes, so the second eject is a no-op.
    manifest = str(ROOT / "examples" / example / "deployment.yaml")
    out = tmp_path / "out"
    command = [sys.executable, "-m", "specql_deploy", "deploy", "eject", manifest, "-o", str(out)]
    first = subprocess.run(
        command, capture_output=True, text=True, check=False, env={**os.environ, "PYTHONHASHSEED": "1"}
    )
    assert first.returncode == 0, first.stderr
    before = tree(out)
    second = subprocess.run(
        command, capture_output=True, text=True, check=False, env={**os.environ, "PYTHONHASHSEED": "2"}
    )
    assert second.returncode == 0, second.stderr
    after = tree(out)
    changed = {path for path, (data, _) in after.items() if before.get(path, (None,))[0] != data}
    changed.discard(".specql-eject.json")  # records the changed hashes, checked below when nothing changed
    assert changed == set(), second.stdout
    assert after == before


def test_cli_start_up_imports_no_exporter():
    code = (
        "import sys; import specql_deploy.automation.cli; "
        "print(sorted(m for m in sys.modules if m.startswith(('specql_deploy.exporters.', 'pulumi'))))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
