"""GitHub Actions target: test, preview, deploy and rollback workflows in ``ci-cd/github-actions/``.

Copy them to ``.github/workflows/`` to enable them. What they expect from the
repository settings (no credential is ever written into a workflow):

- variables: ``SPECQL_BACKEND`` (state backend URL, e.g. ``s3://bucket/prefix``);
  ``APP_URL`` on each GitHub environment (the smoke test's target); on AWS patterns
  ``AWS_ROLE_ARN`` (deploy role) and ``AWS_PREVIEW_ROLE_ARN`` (read-only role for
  previews), both assumed through GitHub's OIDC provider;
- secrets: ``PULUMI_CONFIG_PASSPHRASE``; ``KUBECONFIG`` (kubernetes pattern) or
  ``DEPLOY_SSH_KEY`` with variables ``DOCKER_HOST`` and ``DEPLOY_SSH_KNOWN_HOSTS``
  (hobby-project);
- GitHub environments named after the manifest's CI stages, with required reviewers
  where the manifest asks for approval.
"""

from __future__ import annotations

from typing import Any

from ...program.model import ResolvedDeployment
from ..contract import ExportContext, GeneratedFile
from ..headers import hash_header
from ..yaml_text import dump_yaml
from .actions import ACTIONS, annotate_versions
from .dependabot import PATH as DEPENDABOT_PATH
from .dependabot import dependabot_config
from .workflows import (
    deploy_workflow,
    preview_workflow,
    rollback_workflow,
    test_workflow,
)

__all__ = ["ACTIONS", "render"]

OUTPUT_DIR = "ci-cd/github-actions"

ROLLBACK_INPUTS_WAIVER = (
    "# checkov:skip=CKV_GHA_7: rollback builds nothing; its inputs only choose an image that deploy.yml already built"
)
"""checkov's SLSA rule forbids workflow_dispatch inputs because they could alter a build;
rollback.yml builds nothing, and its inputs reach scripts only through env and a format check."""


def render(resolved: ResolvedDeployment, context: ExportContext) -> list[GeneratedFile]:
    if resolved.cicd.provider != "github-actions":
        return []
    workflows: list[tuple[str, str, dict[str, Any]]] = [
        ("test.yml", "Pull requests and main: lint and tests against PostgreSQL.", test_workflow(resolved, context)),
        (
            "preview.yml",
            "Pull requests: the infrastructure preview as one sticky comment.",
            preview_workflow(resolved, context),
        ),
        (
            "deploy.yml",
            "Main: build the image once, deploy it stage by stage, smoke test each stage.",
            deploy_workflow(resolved, context),
        ),
        (
            "rollback.yml",
            "Manual: redeploy an image tag that deploy.yml pushed earlier.",
            rollback_workflow(resolved, context),
        ),
    ]
    files = []
    for name, what, document in workflows:
        text = annotate_versions(dump_yaml(document))
        if name == "rollback.yml":
            text = text.replace(
                "on:\n  workflow_dispatch:\n", f"on:\n  {ROLLBACK_INPUTS_WAIVER}\n  workflow_dispatch:\n", 1
            )
        header = hash_header(context, what=f"{what}\nCopy to .github/workflows/ to enable it.")
        files.append(GeneratedFile(f"{OUTPUT_DIR}/{name}", header + "\n" + text))
    header = hash_header(
        context,
        what=(
            "Dependabot: weekly pull requests updating the pinned actions, images, OpenTofu providers\n"
            "and the application's dependencies (remove an entry for a folder you did not keep)."
        ),
    )
    files.append(GeneratedFile(DEPENDABOT_PATH, header + "\n" + dump_yaml(dependabot_config(resolved))))
    return files
