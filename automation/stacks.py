"""Where a deployment's stacks live and how their secrets are protected.

One stack per environment, in a project named after the deployment. State defaults to
a local file backend under `.specql/state` next to the manifest, so trying the tool
needs no account; `--backend s3://...` or Pulumi Cloud are opt-in. Secrets default to
the passphrase provider: the passphrase comes from the environment, or, on a local
backend only, is generated once into a 0600 file the user is told to back up.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from .errors import EXIT_USAGE, DeployError

if TYPE_CHECKING:
    from ..program.model import ResolvedDeployment

STATE_DIR = ".specql"
"""Folder next to the manifest holding local state, the engine's work files and the passphrase."""
PASSPHRASE_FILE = "passphrase"
PULUMI_CLOUD_URL = "https://api.pulumi.com"
CLOUD_ALIASES = ("cloud", "pulumi", "pulumi-cloud", "app.pulumi.com")
PASSPHRASE_BYTES = 32


@dataclass(frozen=True)
class StackLocation:
    """Everything that says where a stack lives, independent of the program it runs."""

    project: str
    """Pulumi project name: the deployment's name."""
    stack: str
    """Stack name: the environment."""
    work_dir: Path
    """The engine's work folder (Pulumi.yaml and Pulumi.<stack>.yaml are written here)."""
    backend_url: str
    """`file://...`, `s3://...` or `https://api.pulumi.com`."""
    secrets_provider: str | None = "passphrase"
    """`passphrase`, `awskms://...`; None for Pulumi Cloud's own provider."""
    env_vars: Mapping[str, str] = field(default_factory=dict)
    """Extra environment for the CLI (passphrase file, backend credentials)."""
    notices: tuple[str, ...] = ()
    """Things the user must be told once (a generated passphrase to back up)."""

    @property
    def is_local(self) -> bool:
        return self.backend_url.startswith("file://")


def _ensure_private_dir(path: Path) -> Path:
    if not path.exists():
        path.mkdir(parents=True)
        path.chmod(0o700)  # state and the passphrase are for this user only
    ignore = path / ".gitignore"
    if path.name == STATE_DIR and not ignore.exists():
        # Nothing in here belongs in git: state, engine files and the passphrase.
        ignore.write_text("*\n")
    return path


def normalize_backend(url: str | None, base: Path) -> str:
    """The backend URL the CLI understands; relative file paths are made absolute."""
    if not url:
        state = _ensure_private_dir(base / STATE_DIR) / "state"
        state.mkdir(exist_ok=True)
        return state.as_uri()
    if url.lower() in CLOUD_ALIASES:
        return PULUMI_CLOUD_URL
    scheme = urlsplit(url).scheme
    if scheme in ("s3", "gs", "azblob", "https", "http"):
        return url
    if scheme in ("file", ""):
        path = Path(url[len("file://") :] if scheme else url).expanduser()
        path = (path if path.is_absolute() else base / path).resolve()
        path.mkdir(parents=True, exist_ok=True)
        return path.as_uri()
    raise DeployError(
        f"--backend {url}: unsupported backend; use s3://bucket/prefix, a folder "
        f"path, file://..., or {PULUMI_CLOUD_URL}",
        code=EXIT_USAGE,
    )


def with_s3_endpoint(url: str, endpoint: str | None, region: str | None = None) -> str:
    """Add S3-compatible endpoint parameters (MinIO, moto, R2...) to an s3:// backend URL.

    Pulumi's DIY backend opens buckets with gocloud.dev's AWS SDK v2 opener: `endpoint`
    takes a full URL, `use_path_style` and `disable_https` are its S3 options.
    """
    if not url.startswith("s3://") or (not endpoint and not region):
        return url
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    if endpoint:
        if "://" not in endpoint:
            endpoint = f"https://{endpoint}"
        query["endpoint"] = endpoint
        query.setdefault("use_path_style", "true")
        if endpoint.startswith("http://"):
            query.setdefault("disable_https", "true")
    if region:
        query.setdefault("region", region)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))


def _passphrase_settings(
    secrets_provider: str | None, backend_url: str, private_dir: Path
) -> tuple[dict[str, str], tuple[str, ...]]:
    """Environment for the passphrase provider, generating a passphrase when allowed."""
    if secrets_provider != "passphrase":
        return {}, ()
    if os.environ.get("PULUMI_CONFIG_PASSPHRASE") is not None or os.environ.get("PULUMI_CONFIG_PASSPHRASE_FILE"):
        return {}, ()
    stored = private_dir / PASSPHRASE_FILE
    if stored.is_file():
        return {"PULUMI_CONFIG_PASSPHRASE_FILE": str(stored)}, ()
    if not backend_url.startswith("file://"):
        raise DeployError(
            "a shared backend needs a secrets passphrase every user and CI job share: "
            "set PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE, or use "
            "--secrets-provider awskms://alias/<key>?region=<region>",
            code=EXIT_USAGE,
        )
    _ensure_private_dir(private_dir)
    descriptor = os.open(stored, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(secrets.token_urlsafe(PASSPHRASE_BYTES))
    notice = (
        f"generated a secrets passphrase in {stored} (mode 0600); back it up somewhere safe: "
        "without it this stack's secrets cannot be decrypted"
    )
    return {"PULUMI_CONFIG_PASSPHRASE_FILE": str(stored)}, (notice,)


def locate(
    project: str,
    stack: str,
    manifest_path: Path,
    *,
    backend: str | None = None,
    secrets_provider: str | None = None,
    s3_endpoint: str | None = None,
    s3_region: str | None = None,
) -> StackLocation:
    """Resolve backend, secrets provider and work folder for one stack of a manifest."""
    base = manifest_path.resolve().parent
    private_dir = base / STATE_DIR
    backend_url = with_s3_endpoint(normalize_backend(backend, base), s3_endpoint, s3_region)
    if secrets_provider is None and backend_url != PULUMI_CLOUD_URL:
        secrets_provider = "passphrase"
    env, notices = _passphrase_settings(secrets_provider, backend_url, private_dir)
    work_dir = _ensure_private_dir(private_dir) / "pulumi" / project
    work_dir.mkdir(parents=True, exist_ok=True)
    return StackLocation(
        project=project,
        stack=stack,
        work_dir=work_dir,
        backend_url=backend_url,
        secrets_provider=secrets_provider,
        env_vars=env,
        notices=notices,
    )


# ------------------------------------------------------------------------ stack config


def stack_config(resolved: ResolvedDeployment, provider_overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Provider configuration for the stack, from the resolved model.

    Keys are Pulumi config paths (`aws:defaultTags.tags.Project`), set with path=True.
    """
    cloud = resolved.cloud
    config: dict[str, Any] = {
        "specql:environment": resolved.deployment.environment,
        "specql:pattern": resolved.deployment.pattern,
    }
    if cloud == "aws":
        config["aws:region"] = resolved.platform.region
        for key, value in resolved.tags().items():
            config[f"aws:defaultTags.tags.{key}"] = value
    elif cloud == "kubernetes":
        if resolved.kubernetes.kubeconfig:
            config["kubernetes:kubeconfig"] = resolved.kubernetes.kubeconfig
        if resolved.kubernetes.context:
            config["kubernetes:context"] = resolved.kubernetes.context
        config["kubernetes:namespace"] = resolved.kubernetes.namespace
    elif cloud == "docker" and resolved.deployment.host:
        config["docker:host"] = resolved.deployment.host
    from ..program.resolve import IMAGE_CONFIG, VERSION_CONFIG

    # the release this update deploys, under the keys the plain `pulumi` program reads:
    # the stack history becomes the list `rollback` reads
    config[VERSION_CONFIG] = resolved.deployment.version
    if resolved.application.image:
        config[IMAGE_CONFIG] = resolved.application.image
    config.update(provider_overrides or {})
    return config


def stale_config(config: Mapping[str, Any]) -> tuple[str, ...]:
    """The release keys an earlier `up` may have left in the stack config that this one does not set.

    Removed before the update, so the stack config (what the plain `pulumi` program reads,
    and what its history records) names only the release that runs: no image reference of
    an earlier `--image`, and no tag under the key specql-deploy 0.1 recorded it under.
    """
    from ..program.resolve import IMAGE_CONFIG, LEGACY_VERSION_CONFIG

    return tuple(key for key in (IMAGE_CONFIG, LEGACY_VERSION_CONFIG) if key not in config)
