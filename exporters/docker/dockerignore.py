"""What stays out of the build context: secrets, local state, VCS and tool caches.

Smaller contexts build faster, and an ``.env`` or Terraform state copied into an
image layer is a leaked secret even if a later layer deletes it.
"""

from __future__ import annotations

from ...program.model import ResolvedDeployment

_COMMON = (
    "# Version control and editors",
    ".git",
    ".gitignore",
    ".idea",
    ".vscode",
    "",
    "# Secrets and local configuration: never in an image layer",
    ".env",
    ".env.*",
    "**/*.pem",
    "**/*.key",
    "config/secrets",
    "",
    "# Infrastructure and deployment state",
    ".specql",
    "infrastructure",
    "ci-cd",
    "**/*.tfstate",
    "**/*.tfstate.*",
    "**/.terraform",
    "docker/docker-compose*.yaml",
    "",
    "# Tests and caches",
    "tests",
    "coverage",
    "**/.pytest_cache",
    "**/.mypy_cache",
    "**/.ruff_cache",
)

_BY_RUNTIME = {
    "python": ("**/__pycache__", "**/*.py[cod]", ".venv", "venv", "build", "dist", "*.egg-info", "target"),
    "ruby": ("log/*", "tmp/*", "storage/*", "vendor/bundle", "node_modules", "public/assets"),
    "nodejs": ("node_modules", "dist", "build", ".next", "npm-debug.log*"),
}


def render_dockerignore(resolved: ResolvedDeployment, header: str) -> str:
    runtime = (
        "python"
        if resolved.deployment.framework in ("fraiseql", "django")
        else ("ruby" if resolved.deployment.framework == "rails" else "nodejs")
    )
    lines = [
        *header.rstrip("\n").split("\n"),
        "",
        *_COMMON,
        "",
        f"# Build output and dependencies of the {runtime} toolchain (rebuilt in the image)",
        *_BY_RUNTIME[runtime],
    ]
    return "\n".join(lines) + "\n"
