"""`.github/dependabot.yml`: update pull requests for everything the eject pins.

The generated files pin actions to commit SHAs, images to exact tags and the
application's dependencies to lock files; pins only stay safe while someone moves
them. Dependabot reads the `@sha # vX.Y.Z` convention of the workflows, the `FROM`
lines of the Dockerfile, the compose files' images, the OpenTofu providers and the
framework's own lock file, and proposes each update as a pull request the test
workflow checks.
"""

from __future__ import annotations

from typing import Any

from ...program.building_blocks import (
    DEPENDABOT_CONFIG_VERSION,
    DEPENDABOT_INTERVAL,
    DEPENDABOT_OPEN_PULL_REQUESTS,
)
from ...program.model import ResolvedDeployment

PACKAGE_ECOSYSTEM = {"fraiseql": "pip", "django": "pip", "rails": "bundler", "nodejs": "npm"}
"""Framework → the Dependabot ecosystem of its dependency files at the repository root."""

PATH = ".github/dependabot.yml"


def dependabot_config(resolved: ResolvedDeployment) -> dict[str, Any]:
    """One update entry per ecosystem the eject pins, weekly."""
    entries: list[tuple[str, str, str]] = [
        # the workflows, once copied to .github/workflows/ as their headers say
        ("github-actions", "/", "the workflows' actions (pinned to commit SHAs)"),
        ("docker", "/docker", "the Dockerfile's base and toolchain images"),
        ("docker-compose", "/docker", "the images of the compose files"),
    ]
    ecosystem = PACKAGE_ECOSYSTEM.get(resolved.deployment.framework)
    if ecosystem:
        entries.append((ecosystem, "/", f"the {resolved.deployment.framework} application's dependencies"))
    if resolved.cloud == "aws":
        entries.append(("opentofu", "/infrastructure/opentofu", "the OpenTofu providers"))
    return {
        "version": DEPENDABOT_CONFIG_VERSION,
        "updates": [
            {
                "package-ecosystem": name,
                "directory": directory,
                "schedule": {"interval": DEPENDABOT_INTERVAL},
                "open-pull-requests-limit": DEPENDABOT_OPEN_PULL_REQUESTS,
                "commit-message": {"prefix": "deps"},
                "labels": ["dependencies"],
            }
            for name, directory, _ in entries
        ],
    }
