"""GitLab CI target: GitLab's own schema accepts the pipeline of every pattern, and the
pipeline keeps the GitHub workflows' guarantees (PostgreSQL service, one preview note,
staging before a manual production job, rollback, OIDC, pinned images, one update of a
stack at a time)."""

from __future__ import annotations

import re

import pytest
from ruamel.yaml import YAML

import validators
from eject_support import gitlab_manifest, render_example, render_path, write_tree

PATH = "ci-cd/gitlab-ci/.gitlab-ci.yml"
PATTERN_EXAMPLES = ("hobby-project", "full-manifest", "kubernetes")
PINNED = re.compile(r"^[\w./-]+:[\w.-]*\d[\w.-]*$")


def pipeline(tmp_path, example: str) -> tuple[str, dict]:
    files = render_path(gitlab_manifest(tmp_path / example, example), "gitlab-ci")
    assert list(files) == [PATH]
    return files[PATH], YAML(typ="safe").load(files[PATH])


def jobs(document: dict) -> dict[str, dict]:
    reserved = {"workflow", "stages", "variables", "default"}
    return {name: job for name, job in document.items() if name not in reserved}


@pytest.mark.validators
@pytest.mark.parametrize("example", PATTERN_EXAMPLES)
def test_gitlab_schema_accepts_the_pipeline(example, tmp_path):
    # GIVEN the example with cicd.provider: gitlab-ci
    text, _ = pipeline(tmp_path, example)
    # WHEN GitLab's published schema checks it
    root = write_tree(tmp_path / "out", {PATH: text})
    result = validators.check_jsonschema("vendor.gitlab-ci", [root / PATH])
    # THEN it is a valid .gitlab-ci.yml
    assert result.returncode == 0, result.stdout + result.stderr


def test_nothing_is_written_for_github_actions():
    assert render_example("full-manifest", "gitlab-ci") == {}
    assert render_example("hobby-project", "gitlab-ci") == {}


@pytest.mark.parametrize("example", PATTERN_EXAMPLES)
def test_the_stages_mirror_the_github_workflows(example, tmp_path):
    _, document = pipeline(tmp_path, example)
    found = jobs(document)
    # Tests run against a PostgreSQL service, and the manifest is validated.
    services = found["test"]["services"]
    assert services[0]["name"].startswith("postgres:") and services[0]["alias"] == "postgres"
    assert "@postgres:5432/" in found["test"]["variables"]["DATABASE_URL"]
    assert any("specql deploy validate" in line for line in found["validate-manifest"]["script"])
    # The preview runs on merge requests from this project only, and posts one note it edits in place.
    preview = found["preview"]
    assert preview["rules"] == [
        {"if": '$CI_PIPELINE_SOURCE == "merge_request_event" && $CI_MERGE_REQUEST_SOURCE_PROJECT_ID == $CI_PROJECT_ID'}
    ]
    note = "\n".join(preview["script"])
    assert "--markdown preview.md" in note and '"PUT"' in note and "startswith(marker)" in note
    # Staging deploys on the main branch; production waits behind a manual, blocking job.
    staging, production = found["deploy-staging"], found["deploy-production"]
    assert staging["rules"][-1] == {"if": '$CI_COMMIT_BRANCH == "main"'}
    assert production["rules"][-1] == {"if": '$CI_COMMIT_BRANCH == "main"', "when": "manual", "allow_failure": False}
    assert "deploy-staging" in production["needs"]
    # A rollback job per stage, started by hand from a pipeline that names the tag.
    for stage in ("staging", "production"):
        rollback = found[f"rollback-{stage}"]
        assert rollback["rules"] == [{"if": '$CI_PIPELINE_SOURCE == "web" && $ROLLBACK_IMAGE_TAG', "when": "manual"}]
        assert rollback["variables"]["IMAGE_TAG"] == "$ROLLBACK_IMAGE_TAG"
        # Deploy and rollback of one stage share a resource group: two updates never overlap.
        assert rollback["resource_group"] == found[f"deploy-{stage}"]["resource_group"] == f"deploy-{stage}"
        assert rollback["environment"]["name"] == stage


@pytest.mark.parametrize("example", PATTERN_EXAMPLES)
def test_every_image_is_pinned(example, tmp_path):
    _, document = pipeline(tmp_path, example)
    for name, job in jobs(document).items():
        images = [job["image"], *(service["name"] for service in job.get("services", []))]
        for image in images:
            assert PINNED.match(image) and not image.endswith(":latest"), f"{name}: {image}"


def test_aws_jobs_assume_their_role_through_oidc(tmp_path):
    text, document = pipeline(tmp_path, "full-manifest")
    found = jobs(document)
    for name in ("preview", "build", "deploy-staging", "deploy-production", "rollback-production"):
        assert found[name]["id_tokens"] == {"AWS_ID_TOKEN": {"aud": "sts.amazonaws.com"}}, name
        assert "AWS_WEB_IDENTITY_TOKEN_FILE" in "\n".join(found[name]["before_script"])
    assert found["preview"]["variables"]["ROLE_ARN"] == "$AWS_PREVIEW_ROLE_ARN"
    assert found["deploy-production"]["variables"]["ROLE_ARN"] == "$AWS_ROLE_ARN"
    # No stored AWS key anywhere.
    assert "AWS_ACCESS_KEY_ID" not in text and "AWS_SECRET_ACCESS_KEY" not in text


def test_a_rollback_pipeline_builds_and_deploys_nothing_new(tmp_path):
    _, document = pipeline(tmp_path, "kubernetes")
    for name in ("build", "deploy-staging", "deploy-production"):
        assert document[name]["rules"][0] == {"if": "$ROLLBACK_IMAGE_TAG", "when": "never"}


def test_the_manifest_accepts_gitlab_ci(tmp_path):
    from eject_support import resolve_path

    resolved = resolve_path(gitlab_manifest(tmp_path, "hobby-project"))
    assert resolved.cicd.provider == "gitlab-ci"
    assert resolved.provenance["cicd.provider"].source == "user"
