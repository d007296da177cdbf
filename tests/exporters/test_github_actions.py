"""GitHub Actions target: actionlint, the workflow schema and checkov accept every
example's workflows, and the security rules hold (OIDC, pins, permissions, no
expressions in scripts, one deploy per stage at a time)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from ruamel.yaml import YAML

import validators
from eject_support import (
    EXAMPLES,
    FRAMEWORKS,
    framework_manifest,
    render_example,
    render_path,
    write_tree,
)

WORKFLOWS = ("test.yml", "preview.yml", "deploy.yml", "rollback.yml")
PREFIX = "ci-cd/github-actions/"
SHA_PIN = re.compile(r"^[\w.-]+/[\w.-]+@[0-9a-f]{40}$")
TAG_PIN = re.compile(r"^[\w.-]+/[\w.-]+@v\d+\.\d+\.\d+$")
DOCUMENTED_WAIVER = "CKV_GHA_7"


def load(text: str) -> dict:
    # GitHub reads `on` as a string key; YAML 1.1 would make it True.
    return YAML(typ="rt").load(text)


def workflows(example: str) -> dict[str, dict]:
    files = render_example(example, "github-actions")
    return {name: load(files[PREFIX + name]) for name in WORKFLOWS}


def steps_of(workflow: dict):
    for job_id, job in workflow["jobs"].items():
        for step in job.get("steps", []):
            yield job_id, step


def test_all_four_workflows_are_generated():
    assert sorted(render_example("small-saas", "github-actions")) == sorted(
        [*(PREFIX + name for name in WORKFLOWS), ".github/dependabot.yml"]
    )


@pytest.mark.validators
@pytest.mark.parametrize("example", EXAMPLES)
def test_actionlint_and_schema_accept_every_workflow(example, tmp_path):
    root = write_tree(tmp_path, render_example(example, "github-actions"))
    paths = [root / PREFIX / name for name in WORKFLOWS]
    lint = validators.actionlint(paths)
    assert lint.returncode == 0, lint.stdout + lint.stderr
    schema = validators.check_jsonschema("vendor.github-workflows", paths)
    assert schema.returncode == 0, schema.stdout + schema.stderr


@pytest.mark.validators
@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_actionlint_accepts_each_framework_toolchain(framework, tmp_path):
    files = render_path(framework_manifest(tmp_path / "manifest", framework), "github-actions")
    root = write_tree(tmp_path / "out", files)
    lint = validators.actionlint([root / PREFIX / name for name in WORKFLOWS])
    assert lint.returncode == 0, lint.stdout + lint.stderr


@pytest.mark.validators
def test_actionlint_helper_reports_script_injection(tmp_path):
    # The validator is live: an event field inside run: is flagged.
    bad = tmp_path / "bad.yml"
    bad.write_text(
        "on: pull_request\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    steps:\n"
        '      - run: echo "${{ github.event.pull_request.title }}"\n',
        encoding="utf-8",
    )
    assert validators.actionlint([bad]).returncode != 0


@pytest.mark.validators
def test_checkov_passes_every_example(tmp_path):
    # GIVEN each example's workflows where GitHub (and checkov) look for them
    for example in EXAMPLES:
        directory = tmp_path / example / ".github" / "workflows"
        directory.mkdir(parents=True)
        for name, content in render_example(example, "github-actions").items():
            (directory / Path(name).name).write_text(content, encoding="utf-8")
    # WHEN checkov's github_actions framework scans them all (one start-up)
    report = validators.checkov(tmp_path, "github_actions")
    # THEN nothing fails, and the only waiver is the documented one on rollback's inputs
    assert validators.failed_checks(report) == []
    assert validators.skipped_checks(report) == sorted(
        f"{DOCUMENTED_WAIVER} /{example}/.github/workflows/rollback.yml" for example in EXAMPLES
    )
    assert report["summary"]["passed"] > 0 and report["summary"]["parsing_errors"] == 0


@pytest.mark.parametrize("example", EXAMPLES)
def test_actions_are_pinned_to_commits_or_exact_releases(example):
    files = render_example(example, "github-actions")
    for name in WORKFLOWS:
        for _, step in steps_of(load(files[PREFIX + name])):
            if "uses" in step:
                assert SHA_PIN.match(step["uses"]) or TAG_PIN.match(step["uses"]), step["uses"]
        # SHA pins carry the release they were cut from, for humans and Dependabot.
        for line in files[PREFIX + name].splitlines():
            if re.search(r"uses: \S+@[0-9a-f]{40}", line):
                assert re.search(r"  # v\d+\.\d+\.\d+$", line), line


@pytest.mark.parametrize("example", EXAMPLES)
def test_no_expression_is_interpolated_into_a_script(example):
    for name, workflow in workflows(example).items():
        for job_id, step in steps_of(workflow):
            assert "${{" not in str(step.get("run", "")), f"{name}:{job_id}:{step['name']}"


@pytest.mark.parametrize("example", EXAMPLES)
def test_permissions_are_minimal_and_every_job_has_a_timeout(example):
    for name, workflow in workflows(example).items():
        assert dict(workflow["permissions"]) == {"contents": "read"}, name
        for job_id, job in workflow["jobs"].items():
            assert 0 < job["timeout-minutes"] <= 60, f"{name}:{job_id}"
            for scope, level in dict(job.get("permissions", {})).items():
                assert (scope, level) in {
                    ("contents", "read"),
                    ("id-token", "write"),
                    ("pull-requests", "write"),
                    ("packages", "write"),
                }, f"{name}:{job_id}"


@pytest.mark.parametrize("example", ["small-saas", "production-saas", "full-manifest"])
def test_aws_access_is_oidc_only(example):
    files = render_example(example, "github-actions")
    text = "\n".join(files.values())
    assert "aws-access-key-id" not in text and "AWS_SECRET_ACCESS_KEY" not in text
    deploy = load(files[PREFIX + "deploy.yml"])
    assume = [step for _, step in steps_of(deploy) if "configure-aws-credentials" in step.get("uses", "")]
    assert assume and all(step["with"]["role-to-assume"] == "${{ vars.AWS_ROLE_ARN }}" for step in assume)
    assert all(dict(job["permissions"]).get("id-token") == "write" for job in deploy["jobs"].values())
    assert any("amazon-ecr-login" in step.get("uses", "") for _, step in steps_of(deploy))


def test_deploy_goes_to_staging_then_production_behind_approval():
    deploy = workflows("small-saas")["deploy.yml"]
    jobs = deploy["jobs"]
    assert list(deploy["on"]["push"]["branches"]) == ["main"]
    assert list(jobs) == ["build", "deploy-staging", "deploy-production"]
    assert jobs["deploy-production"]["needs"] == ["build", "deploy-staging"]
    assert jobs["deploy-production"]["environment"]["name"] == "production"
    for stage in ("staging", "production"):
        job = jobs[f"deploy-{stage}"]
        # One update per stack at a time, never cancelled half-way.
        assert dict(job["concurrency"]) == {"group": f"deploy-{stage}", "cancel-in-progress": False}
        runs = [step["run"] for step in job["steps"] if "run" in step]
        assert any(run.startswith('specql deploy up "$MANIFEST" --stack "$STACK"') and "--yes" in run for run in runs)
        smoke = job["steps"][-1]
        assert smoke["env"]["HEALTH_PATH"] == "/health" and "curl --fail" in smoke["run"]
    assert jobs["deploy-staging"]["env"]["STACK"] == "staging"


def test_later_stages_promote_the_tested_digest_into_their_own_repository():
    # Each AWS stack owns its ECR repository; production must run the bytes staging tested.
    deploy = workflows("small-saas")["deploy.yml"]
    build = deploy["jobs"]["build"]
    assert build["env"]["STACK"] == "staging"
    build_runs = "\n".join(step.get("run", "") for step in build["steps"])
    assert ".ecr_repository_url" in build_runs
    production = deploy["jobs"]["deploy-production"]
    assert production["env"]["SOURCE_IMAGE"] == "${{ needs.build.outputs.image }}"
    assert production["env"]["IMAGE_TAG"] == "${{ needs.build.outputs.tag }}"
    runs = "\n".join(step.get("run", "") for step in production["steps"])
    assert 'image="$REPOSITORY:$IMAGE_TAG"' in runs
    assert 'docker buildx imagetools create --tag "$image" "$SOURCE_IMAGE"' in runs
    assert '--version "$IMAGE_TAG"' in runs
    assert runs.index("imagetools create") < runs.index('specql deploy up "$MANIFEST"')
    assert "ECR_REPOSITORY" not in render_example("small-saas", "github-actions")[PREFIX + "deploy.yml"]


@pytest.mark.parametrize("example", ["small-saas", "production-saas", "kubernetes"])
def test_every_stage_deploys_the_immutable_tag_the_build_pushed(example):
    # GIVEN the deploy workflow of a pattern that pushes an image to a registry
    deploy = workflows(example)["deploy.yml"]
    build = deploy["jobs"]["build"]
    [image_step] = [step for step in build["steps"] if step.get("id") == "image"]
    [push] = [step for step in build["steps"] if step["name"] == "Build and push"]
    # THEN the build pushes `<repository>:<commit SHA>`, never a moving tag, and publishes that tag
    assert 'tag="$GITHUB_SHA"' in image_step["run"]
    assert re.search(r'echo "image=\S+:\$tag" >> "\$GITHUB_OUTPUT"', image_step["run"]), image_step["run"]
    assert 'echo "tag=$tag" >> "$GITHUB_OUTPUT"' in image_step["run"]
    assert push["with"]["tags"] == "${{ steps.image.outputs.image }}"
    assert build["outputs"]["tag"] == "${{ steps.image.outputs.tag }}"
    assert "latest" not in image_step["run"]
    # AND every stage deploys exactly that tag (the repository's tag on AWS, the whole image elsewhere)
    stages = [job for job_id, job in deploy["jobs"].items() if job_id.startswith("deploy-")]
    assert stages
    for job in stages:
        assert "build" in job["needs"]
        assert job["env"]["IMAGE_TAG"] == "${{ needs.build.outputs.tag }}"
        runs = "\n".join(step.get("run", "") for step in job["steps"])
        if example == "kubernetes":
            assert job["env"]["IMAGE"] == "${{ needs.build.outputs.image }}" and '--image "$IMAGE"' in runs
        else:
            assert '--version "$IMAGE_TAG"' in runs


def test_rollback_shares_the_deploy_concurrency_group_and_checks_its_input():
    rollback = workflows("small-saas")["rollback.yml"]
    inputs = rollback["on"]["workflow_dispatch"]["inputs"]
    assert list(inputs["environment"]["options"]) == ["staging", "production"]
    job = rollback["jobs"]["rollback"]
    assert job["concurrency"]["group"] == "deploy-${{ inputs.environment }}"
    assert job["env"]["IMAGE_TAG"] == "${{ inputs.image_tag }}"
    first = job["steps"][0]
    assert "grep --quiet --extended-regexp '^[0-9a-f]{7,40}$'" in first["run"]


def test_preview_updates_one_sticky_comment():
    preview = workflows("small-saas")["preview.yml"]
    job = preview["jobs"]["preview"]
    assert "head.repo.full_name == github.repository" in job["if"]
    runs = [step["run"] for step in job["steps"] if "run" in step]
    assert any("--markdown preview.md" in run for run in runs)
    comment = runs[-1]
    assert "--method PATCH" in comment and "startswith($ENV.MARKER)" in comment
    assert dict(job["permissions"])["pull-requests"] == "write"


def test_preview_marker_matches_the_preview_summary():
    # The workflow finds its comment by the summary's first line, so that line must be the marker.
    summary = pytest.importorskip("specql_deploy.automation.summary")
    assert summary.sticky_marker("p", "s").startswith("<!--")


def test_test_workflow_runs_against_a_postgres_service():
    test = workflows("small-saas")["test.yml"]
    job = test["jobs"]["test"]
    service = job["services"]["postgres"]
    from specql_deploy.program.catalogue import IMAGES

    assert service["image"] == IMAGES["postgres"]
    assert "--health-cmd" in service["options"]
    assert "POSTGRES_PASSWORD" not in service["env"]  # trust auth: no password exists to leak
    assert job["env"]["DATABASE_URL"].startswith("postgresql://postgres@localhost:5432/")
    names = [step["name"] for step in job["steps"]]
    assert names[-3:] == ["Lint", "Apply migrations", "Test"]


def test_kubernetes_pushes_one_ghcr_image_for_every_stage():
    deploy = workflows("kubernetes")["deploy.yml"]
    build = deploy["jobs"]["build"]
    assert dict(build["permissions"]) == {"contents": "read", "packages": "write"}
    assert any("docker/login-action" in step.get("uses", "") for step in build["steps"])
    for stage in ("staging", "production"):
        job = deploy["jobs"][f"deploy-{stage}"]
        assert job["env"]["IMAGE"] == "${{ needs.build.outputs.image }}"
        assert any('--image "$IMAGE"' in step.get("run", "") for step in job["steps"])
    assert "secrets.KUBECONFIG" in "\n".join(render_example("kubernetes", "github-actions").values())


def test_hobby_project_builds_on_its_host_without_a_registry():
    # The program builds the image on the Docker host, tagged with deployment.version.
    files = render_example("hobby-project", "github-actions")
    deploy = load(files[PREFIX + "deploy.yml"])
    assert list(deploy["jobs"]) == ["deploy-staging", "deploy-production"]
    staging = deploy["jobs"]["deploy-staging"]
    assert staging["env"]["IMAGE_TAG"] == "${{ github.sha }}"
    assert any('--version "$IMAGE_TAG"' in step.get("run", "") for step in staging["steps"])
    assert "aws-actions" not in "\n".join(files.values())
    # Rolling back rebuilds the old commit's source, so it checks that commit out.
    rollback = load(files[PREFIX + "rollback.yml"])
    checkout = rollback["jobs"]["rollback"]["steps"][1]
    assert checkout["with"]["ref"] == "${{ inputs.image_tag }}"


def test_missing_validator_skips_locally(monkeypatch, tmp_path):
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setenv("SPECQL_CACHE", str(tmp_path))
    monkeypatch.delenv("SPECQL_CHECKOV", raising=False)
    with pytest.raises(pytest.skip.Exception, match="install-validators.sh"):
        validators.checkov_binary()


def test_missing_validator_fails_in_ci(monkeypatch, tmp_path):
    monkeypatch.setenv("CI", "true")
    monkeypatch.setenv("SPECQL_CACHE", str(tmp_path))
    monkeypatch.delenv("SPECQL_CHECKOV", raising=False)
    with pytest.raises(pytest.fail.Exception, match="CI must run every validator"):
        validators.checkov_binary()
    assert shutil.which("definitely-not-a-validator") is None


# ------------------------------------------------------------- where specql comes from


def install_steps(files: dict[str, str]) -> list[dict]:
    found = []
    for name in WORKFLOWS:
        for _, step in steps_of(load(files[PREFIX + name])):
            if "SPECQL_SOURCE" in str(step.get("run", "")):
                found.append(step)
    return found


@pytest.mark.parametrize("example", EXAMPLES)
def test_every_workflow_installs_specql_from_its_tagged_repository(example):
    from importlib import metadata

    from specql_deploy import __version__
    from specql_deploy.program.spec import PINNED_SPECQL

    # GIVEN the workflows of an example, which names no source
    steps = install_steps(render_example(example, "github-actions"))
    assert steps, "no step installs specql-deploy"
    # THEN each installs specql-deploy from the repository the package declares, at the
    # tag of the release that ejected it (no package index serves specql-deploy)
    urls = dict(entry.split(", ", 1) for entry in metadata.metadata("specql-deploy").get_all("Project-URL") or ())
    expected = f"specql-deploy @ git+{urls['Repository']}@v{__version__}"
    for step in steps:
        assert step["env"]["SPECQL_SOURCE"] == expected
        assert PINNED_SPECQL.fullmatch(step["env"]["SPECQL_SOURCE"])
        assert 'pip install "$SPECQL_SOURCE"' in step["run"]
        assert "PIP_INDEX_URL" not in step["env"]


def test_the_manifest_names_another_source_and_index(tmp_path):
    # GIVEN a manifest installing a release from a private index
    path = framework_manifest(tmp_path, "fraiseql")
    path.write_text(
        path.read_text()
        + "cicd:\n  specql_source: specql-deploy==0.1.0\n  specql_index: https://pypi.example.com/simple\n"
    )
    # THEN the install steps use both
    for step in install_steps(render_path(path, "github-actions")):
        assert step["env"]["SPECQL_SOURCE"] == "specql-deploy==0.1.0"
        assert step["env"]["PIP_INDEX_URL"] == "https://pypi.example.com/simple"


@pytest.mark.parametrize(
    "source",
    ["specql-deploy", "specql-deploy>=0.1", "specql-deploy @ git+https://github.com/o/specql-deploy", "requests==2"],
)
def test_an_unpinned_source_is_refused(tmp_path, source):
    from typer.testing import CliRunner

    from specql_deploy.automation.cli import app

    path = framework_manifest(tmp_path, "fraiseql")
    path.write_text(path.read_text() + f'cicd:\n  specql_source: "{source}"\n')
    result = CliRunner().invoke(app, ["deploy", "validate", str(path)])
    assert result.exit_code == 2
    assert "cicd.specql_source" in result.output and "name one release" in result.output


@pytest.mark.slow_build
def test_the_default_source_installs_this_release(tmp_path):
    """pip resolves the default requirement's form (`git+<repository>@v<version>`) to this
    project at this version: a clone of the repository tagged as releases are."""
    import subprocess
    import sys
    import zipfile

    from specql_deploy import __version__

    root = Path(__file__).resolve().parents[2]
    source = install_steps(render_example("small-saas", "github-actions"))[0]["env"]["SPECQL_SOURCE"]
    repository, _, tag = source.removeprefix("specql-deploy @ git+").rpartition("@")
    # GIVEN a clone of this repository with the release tag the requirement names
    clone = tmp_path / "specql-deploy"
    subprocess.run(["git", "clone", "--quiet", "--no-hardlinks", str(root), str(clone)], check=True)
    subprocess.run(["git", "-C", str(clone), "tag", tag], check=True)
    # WHEN pip builds the requirement with the clone standing in for the repository
    local = source.replace(repository, f"file://localhost{clone}")  # pip 23 wants a host in a URL
    built = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(tmp_path),
            local,
        ],
        capture_output=True,
        text=True,
    )
    # THEN it yields specql-deploy at this version
    assert built.returncode == 0, built.stderr
    [wheel] = tmp_path.glob("specql_deploy-*.whl")
    assert wheel.name.startswith(f"specql_deploy-{__version__}-")
    with zipfile.ZipFile(wheel) as archive:
        assert "specql_deploy/exporters/github_actions/steps.py" in archive.namelist()


# ------------------------------------------------------------------------- Dependabot


@pytest.mark.validators
@pytest.mark.parametrize("example", EXAMPLES)
def test_the_eject_configures_dependabot_and_its_schema_accepts_it(example, tmp_path):
    # GIVEN the github-actions target of an example
    files = render_example(example, "github-actions")
    # THEN it writes .github/dependabot.yml, which the Dependabot schema accepts
    assert ".github/dependabot.yml" in files
    root = write_tree(tmp_path, {".github/dependabot.yml": files[".github/dependabot.yml"]})
    schema = validators.check_jsonschema("vendor.dependabot", [root / ".github/dependabot.yml"])
    assert schema.returncode == 0, schema.stdout + schema.stderr


@pytest.mark.parametrize(("framework", "ecosystem"), [("fraiseql", "pip"), ("rails", "bundler"), ("nodejs", "npm")])
def test_dependabot_updates_everything_the_eject_pins(tmp_path, framework, ecosystem):
    # GIVEN an AWS eject of one framework
    config = load(render_path(framework_manifest(tmp_path, framework), "github-actions")[".github/dependabot.yml"])
    updates = {(entry["package-ecosystem"], entry["directory"]) for entry in config["updates"]}
    # THEN the pinned actions, images, providers and the app's dependencies each get updates
    assert {
        ("github-actions", "/"),
        ("docker", "/docker"),
        ("docker-compose", "/docker"),
        (ecosystem, "/"),
        ("opentofu", "/infrastructure/opentofu"),
    } == updates
    assert all(entry["schedule"]["interval"] for entry in config["updates"])
