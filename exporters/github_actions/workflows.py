"""The four workflows as plain data, dumped to YAML by the target's ``render``.

Each workflow starts from ``permissions: contents: read`` and each job asks only for
what it uses (``id-token: write`` to assume a role, ``pull-requests: write`` to
comment, ``packages: write`` to push to GHCR). Deploys and rollbacks of one stage
share the concurrency group ``deploy-<stage>`` and never cancel each other, so two
updates of the same stack can never overlap.
"""

from __future__ import annotations

from typing import Any

from ...program.building_blocks import CI_JOB_TIMEOUT_MINUTES, CI_POSTGRES_HEALTH_OPTIONS
from ...program.model import ResolvedDeployment
from ..contract import ExportContext
from .steps import (
    RUNNER,
    app_url,
    checkout,
    cloud_access,
    cloud_env,
    script,
    smoke_test,
    specql_tools,
    stack_env,
    step,
    toolchain,
    uses,
)

TEST_DATABASE = "app_test"


def _read_only() -> dict[str, str]:
    return {"contents": "read"}


def _on_main(resolved: ResolvedDeployment) -> list[str]:
    return [resolved.cicd.main_branch]


def _stages(resolved: ResolvedDeployment) -> list[str]:
    return [environment.name for environment in resolved.cicd.environments]


# ----------------------------------------------------------------------------- test


def test_workflow(resolved: ResolvedDeployment, context: ExportContext) -> dict[str, Any]:
    from ...program.catalogue import IMAGES

    tools = toolchain(resolved)
    env = {"DATABASE_URL": f"postgresql://postgres@localhost:5432/{TEST_DATABASE}", **tools.env}
    return {
        "name": "test",
        "on": {
            "pull_request": {"branches": _on_main(resolved)},
            "push": {"branches": _on_main(resolved)},
        },
        "permissions": _read_only(),
        "concurrency": {"group": "test-${{ github.ref }}", "cancel-in-progress": True},
        "jobs": {
            "test": {
                "name": "Lint and test",
                "runs-on": RUNNER,
                "timeout-minutes": CI_JOB_TIMEOUT_MINUTES["test"],
                "services": {
                    "postgres": {
                        "image": IMAGES["postgres"],
                        # A throwaway database on the runner: trust auth, so no password exists at all.
                        "env": {"POSTGRES_DB": TEST_DATABASE, "POSTGRES_HOST_AUTH_METHOD": "trust"},
                        "ports": ["5432:5432"],
                        "options": ('--health-cmd "pg_isready --username=postgres" ' + CI_POSTGRES_HEALTH_OPTIONS),
                    },
                },
                "env": env,
                "steps": [
                    checkout(),
                    *tools.setup,
                    step("Install dependencies", run=tools.install),
                    step("Lint", run=tools.lint),
                    step("Apply migrations", run=script(tools.migrate)),
                    step("Test", run=tools.test),
                ],
            },
            "manifest": {
                "name": "Validate deployment.yaml",
                "runs-on": RUNNER,
                "timeout-minutes": CI_JOB_TIMEOUT_MINUTES["test"],
                "env": {"MANIFEST": context.manifest_name},
                "steps": [
                    checkout(),
                    *specql_tools(resolved, pulumi=False),
                    step("Validate", run='specql deploy validate "$MANIFEST"'),
                ],
            },
        },
    }


# -------------------------------------------------------------------------- preview


def preview_workflow(resolved: ResolvedDeployment, context: ExportContext) -> dict[str, Any]:
    stage = _stages(resolved)[0]
    permissions = {"contents": "read", "pull-requests": "write"}
    if resolved.cloud == "aws":
        permissions["id-token"] = "write"
    # The summary's first line is a hidden marker naming project and stack; the comment
    # that starts with it is edited in place, so a pull request keeps one preview comment.
    comment = """
MARKER="$(head -n 1 preview.md)"
export MARKER
# $ENV.MARKER below is jq reading the environment, not a shell expansion.
# shellcheck disable=SC2016
comment_id="$(gh api --paginate "repos/$GITHUB_REPOSITORY/issues/$PR_NUMBER/comments" \\
  --jq '.[] | select(.user.login == "github-actions[bot]") | select(.body | startswith($ENV.MARKER)) | .id' \\
  | head -n 1)"
if [ -n "$comment_id" ]; then
  gh api --method PATCH "repos/$GITHUB_REPOSITORY/issues/comments/$comment_id" -F body=@preview.md > /dev/null
else
  gh pr comment "$PR_NUMBER" --repo "$GITHUB_REPOSITORY" --body-file preview.md
fi
"""
    return {
        "name": "preview",
        "on": {"pull_request": {"branches": _on_main(resolved)}},
        "permissions": _read_only(),
        "concurrency": {"group": "preview-${{ github.event.pull_request.number }}", "cancel-in-progress": True},
        "jobs": {
            "preview": {
                "name": f"Preview {stage}",
                # Pull requests from forks get neither secrets nor an OIDC token.
                "if": "github.event.pull_request.head.repo.full_name == github.repository",
                "runs-on": RUNNER,
                "timeout-minutes": CI_JOB_TIMEOUT_MINUTES["preview"],
                "permissions": permissions,
                "env": {"MANIFEST": context.manifest_name, "STACK": stage, **stack_env(), **cloud_env(resolved)},
                "steps": [
                    checkout(),
                    *specql_tools(resolved),
                    *cloud_access(resolved, role_variable="AWS_PREVIEW_ROLE_ARN"),
                    step(
                        "Preview",
                        run=(
                            'specql deploy preview "$MANIFEST" --stack "$STACK" --backend "$SPECQL_BACKEND" '
                            "--markdown preview.md"
                        ),
                    ),
                    step(
                        "Post or update the preview comment",
                        env={
                            "GH_TOKEN": "${{ github.token }}",
                            "PR_NUMBER": "${{ github.event.pull_request.number }}",
                        },
                        run=script(comment),
                    ),
                ],
            },
        },
    }


# --------------------------------------------------------------------------- deploy
#
# Where the image comes from follows the program:
# - AWS: every stack owns its ECR repository (the program creates it; the task's
#   execution role may pull only from it) and runs `<repository>:<deployment.version>`.
#   The build job pushes into the first stage's repository; each later stage copies
#   that same manifest digest into its own before deploying, so production runs the
#   exact bytes staging tested. `up --version <sha>` selects it.
# - Kubernetes: one image in GHCR for every stage, selected with `up --image`.
# - Docker host (hobby-project): the program builds the image on the host from
#   docker/Dockerfile and tags it with deployment.version: no registry, no build job.


def _stack_repository() -> dict[str, Any]:
    """Read the stack's `ecr_repository_url` output into `steps.repository.outputs.url`."""
    return step(
        "Find the stack's image repository",
        id="repository",
        run=script("""
url="$(specql deploy outputs "$MANIFEST" --stack "$STACK" --backend "$SPECQL_BACKEND" --json \\
  | jq --raw-output '.ecr_repository_url // empty')"
if [ -z "$url" ]; then
  echo "::error::Stack '$STACK' has no image repository yet: run 'specql deploy up' for it once to create it."
  exit 1
fi
echo "url=$url" >> "$GITHUB_OUTPUT"
"""),
    )


def _build_steps(resolved: ResolvedDeployment) -> list[dict[str, Any]]:
    """Log in to the registry and compute the image name into `steps.image.outputs.image`."""
    if resolved.cloud == "aws":
        return [
            *specql_tools(resolved),
            *cloud_access(resolved, role_variable="AWS_ROLE_ARN"),
            _stack_repository(),
            step("Log in to Amazon ECR", uses=uses("amazon-ecr-login")),
            step(
                "Image name",
                id="image",
                env={"REPOSITORY": "${{ steps.repository.outputs.url }}"},
                run=script("""
# The commit's SHA: tags are immutable in the stack's repository, and every stage deploys this one.
tag="$GITHUB_SHA"
echo "tag=$tag" >> "$GITHUB_OUTPUT"
echo "image=$REPOSITORY:$tag" >> "$GITHUB_OUTPUT"
# A re-run for the same commit reuses the image it pushed.
if aws ecr describe-images --repository-name "${REPOSITORY#*/}" --image-ids imageTag="$tag" > /dev/null 2>&1; then
  echo "exists=true" >> "$GITHUB_OUTPUT"
fi
"""),
            ),
        ]
    return [
        step(
            "Log in to GitHub Container Registry",
            uses=uses("docker-login"),
            with_={
                "registry": "ghcr.io",
                "username": "${{ github.actor }}",
                "password": "${{ secrets.GITHUB_TOKEN }}",
            },
        ),
        # Registry paths must be lower case; repository names may not be.
        step(
            "Image name",
            id="image",
            run=script("""
tag="$GITHUB_SHA"
echo "tag=$tag" >> "$GITHUB_OUTPUT"
echo "image=ghcr.io/${GITHUB_REPOSITORY,,}:$tag" >> "$GITHUB_OUTPUT"
"""),
        ),
    ]


def _stage_permissions(resolved: ResolvedDeployment) -> dict[str, str]:
    if resolved.cloud == "aws":
        return {"contents": "read", "id-token": "write"}
    return {"contents": "read"}


def _deploy_and_check(resolved: ResolvedDeployment) -> list[dict[str, Any]]:
    select = '--image "$IMAGE"' if resolved.cloud == "kubernetes" else '--version "$IMAGE_TAG"'
    return [
        step(
            "Deploy", run=(f'specql deploy up "$MANIFEST" --stack "$STACK" --backend "$SPECQL_BACKEND" {select} --yes')
        ),
        smoke_test(resolved),
    ]


def _stage_steps(resolved: ResolvedDeployment) -> list[dict[str, Any]]:
    """Deploy the commit's image to `$STACK` (promoting it into the stack's repository on AWS)."""
    steps = [checkout(), *specql_tools(resolved), *cloud_access(resolved, role_variable="AWS_ROLE_ARN")]
    if resolved.cloud == "aws":
        steps += [
            _stack_repository(),
            step("Log in to Amazon ECR", uses=uses("amazon-ecr-login")),
            step("Set up Docker Buildx", uses=uses("setup-buildx")),
            step(
                "Promote the tested image into this stack's repository",
                env={"REPOSITORY": "${{ steps.repository.outputs.url }}"},
                run=script("""
image="$REPOSITORY:$IMAGE_TAG"
# Same manifest digest under a new name: no rebuild, so this stage runs what the last one tested.
# Tags are immutable, so a re-run finds the copy already there.
if [ "$image" != "$SOURCE_IMAGE" ] && ! docker buildx imagetools inspect "$image" > /dev/null 2>&1; then
  docker buildx imagetools create --tag "$image" "$SOURCE_IMAGE"
fi
"""),
            ),
        ]
    return steps + _deploy_and_check(resolved)


def _build_job(resolved: ResolvedDeployment, context: ExportContext) -> dict[str, Any]:
    aws = resolved.cloud == "aws"
    job: dict[str, Any] = {
        "name": "Build and push the image",
        "runs-on": RUNNER,
        "timeout-minutes": CI_JOB_TIMEOUT_MINUTES["build"],
        "permissions": {"contents": "read", "id-token": "write"} if aws else {"contents": "read", "packages": "write"},
        # The tag it pushed, which every stage deploys (`--version`), and the whole reference.
        "outputs": {"image": "${{ steps.image.outputs.image }}", "tag": "${{ steps.image.outputs.tag }}"},
    }
    if aws:
        job["env"] = {"MANIFEST": context.manifest_name, "STACK": _stages(resolved)[0], **stack_env()}
    # A re-run for a commit already built (AWS tags are immutable) skips the build.
    only_new = {"if": "steps.image.outputs.exists != 'true'"} if aws else {}
    build = step(
        "Build and push",
        **only_new,
        uses=uses("build-push"),
        with_={
            "context": ".",
            "file": "docker/Dockerfile",
            "target": "runtime",
            "push": True,
            "tags": "${{ steps.image.outputs.image }}",
            "provenance": "mode=max",
            "sbom": True,
            "cache-from": "type=gha",
            "cache-to": "type=gha,mode=max",
        },
    )
    job["steps"] = [checkout(), *_build_steps(resolved), step("Set up Docker Buildx", uses=uses("setup-buildx")), build]
    return job


def deploy_workflow(resolved: ResolvedDeployment, context: ExportContext) -> dict[str, Any]:
    registry = resolved.cloud != "docker"
    jobs: dict[str, Any] = {"build": _build_job(resolved, context)} if registry else {}
    previous = None
    for environment in resolved.cicd.environments:
        needs = [job for job in ("build" if registry else None, previous) if job]
        job: dict[str, Any] = {"name": f"Deploy to {environment.name}"}
        if needs:
            job["needs"] = needs
        if not environment.auto_deploy and not environment.approval_required:
            job["if"] = "github.event_name == 'workflow_dispatch'"
        env = {
            "MANIFEST": context.manifest_name,
            "STACK": environment.name,
            # The tag the build job pushed; a Docker host builds the commit itself and tags it so.
            "IMAGE_TAG": "${{ needs.build.outputs.tag }}" if registry else "${{ github.sha }}",
            "APP_URL": app_url(resolved, environment.name),
            **stack_env(),
            **cloud_env(resolved),
        }
        if registry:
            key = "IMAGE" if resolved.cloud == "kubernetes" else "SOURCE_IMAGE"
            env[key] = "${{ needs.build.outputs.image }}"
        job.update(
            {
                "runs-on": RUNNER,
                "timeout-minutes": CI_JOB_TIMEOUT_MINUTES["deploy"],
                # Required reviewers on this GitHub environment gate the job when the manifest asks for approval.
                "environment": {"name": environment.name, "url": "${{ vars.APP_URL }}"},
                "concurrency": {"group": f"deploy-{environment.name}", "cancel-in-progress": False},
                "permissions": _stage_permissions(resolved),
                "env": env,
                "steps": _stage_steps(resolved),
            }
        )
        previous = f"deploy-{environment.name}"
        jobs[previous] = job
    return {
        "name": "deploy",
        "on": {"push": {"branches": _on_main(resolved)}, "workflow_dispatch": None},
        "permissions": _read_only(),
        "jobs": jobs,
    }


# ------------------------------------------------------------------------- rollback


def rollback_workflow(resolved: ResolvedDeployment, context: ExportContext) -> dict[str, Any]:
    stages = _stages(resolved)
    check_tag = """
if ! printf '%s' "$IMAGE_TAG" | grep --quiet --extended-regexp '^[0-9a-f]{7,40}$'; then
  echo "::error::image_tag must be the commit SHA deploy.yml tagged the image with."
  exit 1
fi
"""
    target = resolved.cloud
    if target == "docker":
        # The host builds the image from the source: build the tagged commit's source again.
        checkout_step = step(
            "Check out the commit to redeploy",
            uses=uses("checkout"),
            with_={"ref": "${{ inputs.image_tag }}", "persist-credentials": False},
        )
    else:
        checkout_step = checkout()
    steps = [
        step("Check the image tag", run=script(check_tag)),
        checkout_step,
        *specql_tools(resolved),
        *cloud_access(resolved, role_variable="AWS_ROLE_ARN"),
    ]
    if target == "aws":
        steps += [
            _stack_repository(),
            step(
                "Check the image is still in the repository",
                env={"REPOSITORY": "${{ steps.repository.outputs.url }}"},
                run=script("""
# The repository keeps recent images only (lifecycle policy): fail early if this one expired.
aws ecr describe-images --repository-name "${REPOSITORY#*/}" --image-ids imageTag="$IMAGE_TAG" > /dev/null
"""),
            ),
        ]
    elif target == "kubernetes":
        steps.append(step("Image", run='echo "IMAGE=ghcr.io/${GITHUB_REPOSITORY,,}:$IMAGE_TAG" >> "$GITHUB_ENV"'))
    return {
        "name": "rollback",
        "on": {
            "workflow_dispatch": {
                "inputs": {
                    "environment": {
                        "description": "Stage to roll back",
                        "required": True,
                        "type": "choice",
                        "options": stages,
                    },
                    "image_tag": {
                        "description": "Image tag to redeploy (the commit SHA of an earlier deploy)",
                        "required": True,
                        "type": "string",
                    },
                },
            },
        },
        "permissions": _read_only(),
        "jobs": {
            "rollback": {
                "name": "Roll back ${{ inputs.environment }}",
                "runs-on": RUNNER,
                "timeout-minutes": CI_JOB_TIMEOUT_MINUTES["rollback"],
                "environment": {"name": "${{ inputs.environment }}", "url": "${{ vars.APP_URL }}"},
                # The same group as deploy.yml's job for that stage: a rollback waits for a running deploy.
                "concurrency": {"group": "deploy-${{ inputs.environment }}", "cancel-in-progress": False},
                "permissions": _stage_permissions(resolved),
                "env": {
                    "MANIFEST": context.manifest_name,
                    "STACK": "${{ inputs.environment }}",
                    "IMAGE_TAG": "${{ inputs.image_tag }}",
                    "APP_URL": "${{ vars.APP_URL }}",
                    **stack_env(),
                    **cloud_env(resolved),
                },
                "steps": [*steps, *_deploy_and_check(resolved)],
            },
        },
    }
