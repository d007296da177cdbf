"""GitLab CI target: ``ci-cd/gitlab-ci/.gitlab-ci.yml`` for ``cicd.provider: gitlab-ci``.

The same pipeline as the GitHub workflows: tests against a PostgreSQL service and the
manifest check on every merge request and on the main branch; the infrastructure
preview posted as one merge-request note that later pushes edit in place; on the main
branch the image built once, then each CI stage deployed in order (a stage that needs
approval waits behind a manual, blocking job) and smoke tested; and rollback jobs that
redeploy an earlier image. Every deploy and rollback of one stage holds the resource
group ``deploy-<stage>``, so two updates of the same stack never overlap.

What the project settings must hold (CI/CD variables; no credential is written here):

- ``SPECQL_BACKEND`` (state backend URL) and ``PULUMI_CONFIG_PASSPHRASE`` (masked);
  ``APP_URL`` scoped to each environment (the smoke test's target);
- ``GITLAB_NOTES_TOKEN``: a project access token with the ``api`` scope (Reporter), used
  only to write the preview note (the job token cannot write notes);
- on AWS patterns ``AWS_ROLE_ARN`` (deploy role) and ``AWS_PREVIEW_ROLE_ARN``
  (read-only role for previews), both trusting GitLab's OIDC provider for audience
  ``sts.amazonaws.com``: jobs get an ``id_tokens`` token and the AWS SDKs exchange it
  themselves (``AWS_WEB_IDENTITY_TOKEN_FILE``), so no access key exists anywhere;
- kubernetes: ``KUBECONFIG`` as a *File* variable; hobby-project: ``DOCKER_HOST``
  (``ssh://deploy@server``), ``DEPLOY_SSH_KEY`` (File) and ``DEPLOY_SSH_KNOWN_HOSTS``;
- protected environments named after the manifest's CI stages, with approvers where
  the manifest asks for approval.

Rollback: run a pipeline from *Build > Pipelines > Run pipeline* on the main branch with
``ROLLBACK_IMAGE_TAG`` set to the commit SHA of an earlier deploy, then start the
``rollback-<stage>`` job.
"""

from __future__ import annotations

from importlib import metadata
from typing import Any

from ruamel.yaml.scalarstring import LiteralScalarString

from ... import __version__
from ...program.building_blocks import (
    CI_JOB_TIMEOUT_MINUTES,
    CI_SMOKE_MAX_TIME_SECONDS,
    CI_SMOKE_RETRIES,
    CI_SMOKE_RETRY_DELAY_SECONDS,
)
from ...program.catalogue import GITLAB_CI_IMAGES, IMAGES, environment_class
from ...program.model import ResolvedDeployment
from ..contract import ExportContext, GeneratedFile
from ..headers import hash_header
from ..yaml_text import dump_yaml

__all__ = ["render"]

OUTPUT = "ci-cd/gitlab-ci/.gitlab-ci.yml"
TEST_DATABASE = "app_test"
PULUMI_VERSION = metadata.version("pulumi")
"""Pulumi CLI that `specql deploy` drives: the installed SDK's version (pinned in pyproject)."""
AWS_AUDIENCE = "sts.amazonaws.com"
"""The audience AWS STS expects in a web-identity token (the IAM OIDC provider's client id)."""

MERGE_REQUEST = '$CI_PIPELINE_SOURCE == "merge_request_event"'
SAME_PROJECT = "$CI_MERGE_REQUEST_SOURCE_PROJECT_ID == $CI_PROJECT_ID"
"""Merge requests from forks get neither protected variables nor an OIDC role."""
WEB = '$CI_PIPELINE_SOURCE == "web"'
NOT_IN_ROLLBACK: dict[str, str] = {"if": "$ROLLBACK_IMAGE_TAG", "when": "never"}
"""A pipeline started to roll back builds and deploys nothing new."""


def _script(text: str) -> LiteralScalarString:
    return LiteralScalarString(text.strip("\n") + "\n")


def _on_main(resolved: ResolvedDeployment) -> str:
    return f'$CI_COMMIT_BRANCH == "{resolved.cicd.main_branch}"'


def _minutes(job: str) -> str:
    return f"{CI_JOB_TIMEOUT_MINUTES[job]} minutes"


# ------------------------------------------------------------------------- toolbox


def _specql_setup(resolved: ResolvedDeployment) -> LiteralScalarString:
    """Python, specql at the version that ejected this file, the Pulumi CLI, and the cloud's tools."""
    packages = ["python3", "py3-pip", "bash", "curl", "git"]
    if resolved.cloud == "aws":
        packages.append("aws-cli")
    if resolved.cloud == "docker":
        packages.append("openssh-client")
    return _script(f"""
apk add --no-cache {" ".join(packages)}
python3 -m venv /opt/specql
/opt/specql/bin/python -m pip install --quiet "specql-deploy=={__version__}"
curl --fail --silent --show-error --location https://get.pulumi.com/ | sh -s -- --version "$PULUMI_VERSION"
export PATH="/opt/specql/bin:$HOME/.pulumi/bin:$PATH"
""")


def _access(resolved: ResolvedDeployment) -> LiteralScalarString:
    """Credentials for the pattern's target; none of them is ever echoed."""
    if resolved.cloud == "aws":
        return _script("""
# OIDC: the job's token for sts.amazonaws.com, exchanged by the AWS SDKs for the role's credentials.
umask 077
printf '%s' "$AWS_ID_TOKEN" > "$CI_BUILDS_DIR/.aws-web-identity"
export AWS_WEB_IDENTITY_TOKEN_FILE="$CI_BUILDS_DIR/.aws-web-identity"
export AWS_ROLE_ARN="$ROLE_ARN"
export AWS_ROLE_SESSION_NAME="gitlab-$CI_PROJECT_ID-$CI_JOB_ID"
""")
    if resolved.cloud == "kubernetes":
        return _script("""
# KUBECONFIG is a File variable: GitLab has already written it to a private file.
test -s "$KUBECONFIG"
""")
    return _script("""
install -m 700 -d "$HOME/.ssh"
install -m 600 "$DEPLOY_SSH_KEY" "$HOME/.ssh/id_deploy"
printf '%s\\n' "$DEPLOY_SSH_KNOWN_HOSTS" > "$HOME/.ssh/known_hosts"
printf 'Host *\\n  IdentityFile ~/.ssh/id_deploy\\n  IdentitiesOnly yes\\n' > "$HOME/.ssh/config"
""")


def _specql_job(resolved: ResolvedDeployment) -> dict[str, Any]:
    job: dict[str, Any] = {
        "image": GITLAB_CI_IMAGES["docker"],
        "variables": {"PULUMI_VERSION": PULUMI_VERSION, "PULUMI_SKIP_UPDATE_CHECK": "true"},
        "before_script": [_specql_setup(resolved), _access(resolved)],
    }
    if resolved.cloud == "aws":
        job["id_tokens"] = {"AWS_ID_TOKEN": {"aud": AWS_AUDIENCE}}
    return job


def _docker_engine() -> dict[str, Any]:
    """A Docker engine beside the job (docker:dind), reached over TLS."""
    return {
        "services": [{"name": GITLAB_CI_IMAGES["docker-dind"], "alias": "docker"}],
        "variables": {"DOCKER_HOST": "tcp://docker:2376", "DOCKER_TLS_CERTDIR": "/certs", "DOCKER_TLS_VERIFY": "1"},
    }


def _with_docker_engine(job: dict[str, Any]) -> dict[str, Any]:
    engine = _docker_engine()
    job["services"] = engine["services"]
    job["variables"] = {**job.get("variables", {}), **engine["variables"], "DOCKER_CERT_PATH": "/certs/client"}
    return job


# ---------------------------------------------------------------------------- test


def _toolchain(resolved: ResolvedDeployment) -> dict[str, str]:
    framework = resolved.deployment.framework
    if framework == "fraiseql":
        return {
            "setup": "apt-get update -q && apt-get install -y -q --no-install-recommends postgresql-client",
            "install": 'python -m pip install --editable ".[dev]"',
            "lint": "ruff check .",
            "migrate": (
                "for file in migrations/*.sql; do\n"
                '  [ -e "$file" ] || continue\n'
                '  psql "$DATABASE_URL" --set ON_ERROR_STOP=1 --quiet --file "$file"\n'
                "done"
            ),
            "test": "pytest",
        }
    if framework == "django":
        return {
            "setup": "true",
            "install": "python -m pip install -r requirements.txt -r requirements-dev.txt",
            "lint": "ruff check .",
            "migrate": "python manage.py migrate --noinput",
            "test": "python manage.py test",
        }
    if framework == "rails":
        return {
            "setup": "export RAILS_ENV=test",
            "install": "bundle install",
            "lint": "bundle exec rubocop",
            "migrate": "bin/rails db:prepare",
            "test": "bin/rails test",
        }
    return {
        "setup": "true",
        "install": "npm ci",
        "lint": "npm run lint",
        "migrate": "npm run migrate --if-present",
        "test": "npm test",
    }


def _test_jobs(resolved: ResolvedDeployment, context: ExportContext) -> dict[str, Any]:
    tools = _toolchain(resolved)
    rules = [{"if": MERGE_REQUEST}, {"if": _on_main(resolved)}]
    return {
        "test": {
            "stage": "test",
            # The application's own base image (docker/Dockerfile's), so tests run on the runtime it ships with.
            "image": resolved.application.base_image,
            "timeout": _minutes("test"),
            "services": [
                {
                    "name": IMAGES["postgres"],
                    "alias": "postgres",
                    # A throwaway database in the job: trust auth, so no password exists at all.
                    "variables": {"POSTGRES_DB": TEST_DATABASE, "POSTGRES_HOST_AUTH_METHOD": "trust"},
                }
            ],
            "variables": {"DATABASE_URL": f"postgresql://postgres@postgres:5432/{TEST_DATABASE}"},
            "rules": rules,
            "script": [tools["setup"], tools["install"], tools["lint"], _script(tools["migrate"]), tools["test"]],
        },
        "validate-manifest": {
            "stage": "test",
            "image": GITLAB_CI_IMAGES["docker"],
            "timeout": _minutes("test"),
            "rules": rules,
            "script": [
                _script(f"""
apk add --no-cache python3
python3 -m venv /opt/specql
/opt/specql/bin/python -m pip install --quiet "specql-deploy=={__version__}"
/opt/specql/bin/specql deploy validate "$MANIFEST"
""")
            ],
        },
    }


# ------------------------------------------------------------------------- preview

NOTE_SCRIPT = """
# The summary's first line is a hidden marker naming project and stack: the note that
# starts with it is edited in place, so a merge request keeps one preview note.
python3 - <<'PY'
import json, os, urllib.request

api = f"{os.environ['CI_API_V4_URL']}/projects/{os.environ['CI_PROJECT_ID']}"
notes = f"{api}/merge_requests/{os.environ['CI_MERGE_REQUEST_IID']}/notes"
headers = {"PRIVATE-TOKEN": os.environ["GITLAB_NOTES_TOKEN"], "Content-Type": "application/json"}
body = open("preview.md", encoding="utf-8").read()
marker = body.splitlines()[0]


def call(method, url, data=None):
    payload = json.dumps(data).encode() if data is not None else None
    with urllib.request.urlopen(urllib.request.Request(url, payload, headers, method=method)) as answer:
        return json.load(answer), answer.headers.get("X-Next-Page")


existing, page = None, "1"
while page and existing is None:
    found, page = call("GET", f"{notes}?per_page=100&page={page}")
    existing = next((note["id"] for note in found if note["body"].startswith(marker)), None)
if existing is None:
    call("POST", notes, {"body": body})
else:
    call("PUT", f"{notes}/{existing}", {"body": body})
PY
"""


def _preview_job(resolved: ResolvedDeployment) -> dict[str, Any]:
    stage = resolved.cicd.environments[0].name
    job = _specql_job(resolved)
    job["variables"] = {**job["variables"], "STACK": stage}
    if resolved.cloud == "aws":
        job["variables"]["ROLE_ARN"] = "$AWS_PREVIEW_ROLE_ARN"
    job.update(
        {
            "stage": "preview",
            "timeout": _minutes("preview"),
            "rules": [{"if": f"{MERGE_REQUEST} && {SAME_PROJECT}"}],
            # A newer push makes this preview obsolete.
            "interruptible": True,
            "script": [
                'specql deploy preview "$MANIFEST" --env "$STACK" --backend "$SPECQL_BACKEND" --markdown preview.md',
                _script(NOTE_SCRIPT),
            ],
        }
    )
    return job


# ------------------------------------------------------------------- build / deploy


def _repository_lookup() -> str:
    return """
REPOSITORY="$(specql deploy outputs "$MANIFEST" --env "$STACK" --backend "$SPECQL_BACKEND" --json \\
  | python3 -c 'import json, sys; print(json.load(sys.stdin).get("ecr_repository_url") or "")')"
if [ -z "$REPOSITORY" ]; then
  echo "Stack '$STACK' has no image repository yet: run 'specql deploy up' for it once to create it." >&2
  exit 1
fi
aws ecr get-login-password | docker login --username AWS --password-stdin "${REPOSITORY%%/*}"
"""


def _build_job(resolved: ResolvedDeployment) -> dict[str, Any]:
    first = resolved.cicd.environments[0].name
    build = "docker buildx build --file docker/Dockerfile --target runtime --provenance mode=max --sbom true"
    if resolved.cloud == "aws":
        job = _specql_job(resolved)
        job["variables"] = {**job["variables"], "STACK": first, "ROLE_ARN": "$AWS_ROLE_ARN"}
        script = _script(
            _repository_lookup()
            + f"""
IMAGE="$REPOSITORY:$CI_COMMIT_SHA"
# Tags are immutable in the stack's repository: a re-run for the same commit reuses the image.
if ! docker buildx imagetools inspect "$IMAGE" > /dev/null 2>&1; then
  docker buildx create --use
  {build} --tag "$IMAGE" --push .
fi
echo "SOURCE_IMAGE=$IMAGE" > image.env
"""
        )
    else:
        job = {"image": GITLAB_CI_IMAGES["docker"], "variables": {}}
        script = _script(f"""
printf '%s' "$CI_REGISTRY_PASSWORD" | docker login --username "$CI_REGISTRY_USER" --password-stdin "$CI_REGISTRY"
IMAGE="$CI_REGISTRY_IMAGE:$CI_COMMIT_SHA"
docker buildx create --use
{build} --tag "$IMAGE" --push .
echo "IMAGE=$IMAGE" > image.env
""")
    job = _with_docker_engine(job)
    job.update(
        {
            "stage": "build",
            "timeout": _minutes("build"),
            "rules": [NOT_IN_ROLLBACK, {"if": _on_main(resolved)}],
            "script": [script],
            # The image name reaches the deploy jobs as a dotenv variable.
            "artifacts": {"reports": {"dotenv": "image.env"}},
        }
    )
    return job


def _smoke_test() -> LiteralScalarString:
    return _script(f"""
if [ -z "$APP_URL" ]; then
  echo "Set the APP_URL variable for the environment '$STACK' (https://host of this stack)." >&2
  exit 1
fi
curl --fail --silent --show-error --max-time {CI_SMOKE_MAX_TIME_SECONDS} \\
  --retry {CI_SMOKE_RETRIES} --retry-delay {CI_SMOKE_RETRY_DELAY_SECONDS} --retry-all-errors \\
  "${{APP_URL%/}}$HEALTH_PATH"
""")


def _deploy_commands(resolved: ResolvedDeployment, *, promote: bool) -> list[Any]:
    select = '--image "$IMAGE"' if resolved.cloud == "kubernetes" else '--version "$IMAGE_TAG"'
    commands: list[Any] = []
    if resolved.cloud == "aws":
        copy = (
            """
# Same manifest digest under this stack's repository: no rebuild, so this stage runs what the last one tested.
if [ "$REPOSITORY:$IMAGE_TAG" != "$SOURCE_IMAGE" ] && ! docker buildx imagetools inspect "$REPOSITORY:$IMAGE_TAG" > /dev/null 2>&1; then
  docker buildx imagetools create --tag "$REPOSITORY:$IMAGE_TAG" "$SOURCE_IMAGE"
fi
"""
            if promote
            else """
# The repository keeps recent images only (lifecycle policy): fail early if this one expired.
aws ecr describe-images --repository-name "${REPOSITORY#*/}" --image-ids imageTag="$IMAGE_TAG" > /dev/null
"""
        )
        commands.append(_script(_repository_lookup() + copy))
    commands.append(f'specql deploy up "$MANIFEST" --env "$STACK" --backend "$SPECQL_BACKEND" {select} --yes')
    commands.append(_smoke_test())
    return commands


def _stage_job(resolved: ResolvedDeployment, stage: str, *, rollback: bool) -> dict[str, Any]:
    job = _specql_job(resolved)
    variables = {
        **job["variables"],
        "STACK": stage,
        "IMAGE_TAG": "$ROLLBACK_IMAGE_TAG" if rollback else "$CI_COMMIT_SHA",
        "HEALTH_PATH": resolved.application.health_check_path,
    }
    if resolved.cloud == "aws":
        variables["ROLE_ARN"] = "$AWS_ROLE_ARN"
        job = _with_docker_engine(job)
        variables = {**job["variables"], **variables}
    if rollback and resolved.cloud == "kubernetes":
        variables["IMAGE"] = "$CI_REGISTRY_IMAGE:$ROLLBACK_IMAGE_TAG"
    domain = resolved.deployment.domain
    if domain and environment_class(stage) == "production":
        # The manifest's domain, unless an APP_URL variable scoped to this environment says otherwise.
        variables["APP_URL"] = f"https://{domain}"
    job["variables"] = variables
    job["environment"] = {"name": stage, "url": "$APP_URL"}
    # One update of a stack at a time: deploys and rollbacks of this stage queue behind each other.
    job["resource_group"] = f"deploy-{stage}"
    job["timeout"] = _minutes("rollback" if rollback else "deploy")
    script: list[Any] = []
    if rollback:
        script.append(
            _script("""
if ! printf '%s' "$IMAGE_TAG" | grep -q -E '^[0-9a-f]{7,40}$'; then
  echo "ROLLBACK_IMAGE_TAG must be the commit SHA an earlier deploy tagged the image with." >&2
  exit 1
fi
""")
        )
        if resolved.cloud == "docker":
            # The host builds the image from the source: check out the commit being redeployed.
            script.append('git fetch --depth 1 origin "$IMAGE_TAG" && git checkout --detach FETCH_HEAD')
    job["script"] = script + _deploy_commands(resolved, promote=not rollback)
    return job


def _deploy_jobs(resolved: ResolvedDeployment) -> dict[str, Any]:
    registry = resolved.cloud != "docker"
    jobs: dict[str, Any] = {}
    previous: str | None = None
    for environment in resolved.cicd.environments:
        job = _stage_job(resolved, environment.name, rollback=False)
        job["stage"] = "deploy"
        needs = [name for name in ("build" if registry else None, previous) if name]
        if needs:
            job["needs"] = needs
        rule: dict[str, Any] = {"if": _on_main(resolved)}
        if environment.approval_required or not environment.auto_deploy:
            # A manual job that blocks the pipeline: later stages wait until someone starts it
            # (a protected environment decides who may).
            rule.update({"when": "manual", "allow_failure": False})
        job["rules"] = [NOT_IN_ROLLBACK, rule]
        previous = f"deploy-{environment.name}"
        jobs[previous] = job
    for environment in resolved.cicd.environments:
        job = _stage_job(resolved, environment.name, rollback=True)
        job["stage"] = "rollback"
        job["needs"] = []
        job["rules"] = [{"if": f"{WEB} && $ROLLBACK_IMAGE_TAG", "when": "manual"}]
        jobs[f"rollback-{environment.name}"] = job
    return jobs


def pipeline(resolved: ResolvedDeployment, context: ExportContext) -> dict[str, Any]:
    registry = resolved.cloud != "docker"
    stages = ["test", "preview", *(["build"] if registry else []), "deploy", "rollback"]
    variables: dict[str, Any] = {"MANIFEST": context.manifest_name}
    document: dict[str, Any] = {
        "workflow": {
            "rules": [
                {"if": MERGE_REQUEST},
                # No branch pipeline beside a merge-request pipeline for the same push.
                {"if": "$CI_COMMIT_BRANCH && $CI_OPEN_MERGE_REQUESTS", "when": "never"},
                {"if": _on_main(resolved)},
                {"if": WEB},
            ]
        },
        "stages": stages,
        "variables": variables,
        "default": {"interruptible": False},
    }
    document.update(_test_jobs(resolved, context))
    document["preview"] = _preview_job(resolved)
    if registry:
        document["build"] = _build_job(resolved)
    document.update(_deploy_jobs(resolved))
    return document


def render(resolved: ResolvedDeployment, context: ExportContext) -> list[GeneratedFile]:
    if resolved.cicd.provider != "gitlab-ci":
        return []
    header = hash_header(
        context,
        what="Test, preview (one merge-request note), build, deploy stage by stage, rollback.\n"
        "Copy to the repository root as .gitlab-ci.yml to enable it.",
    )
    return [GeneratedFile(OUTPUT, header + "\n" + dump_yaml(pipeline(resolved, context)))]
