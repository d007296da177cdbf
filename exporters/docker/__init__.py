"""Docker target: ``docker/Dockerfile`` and its ignore files, from the ResolvedDeployment."""

from __future__ import annotations

from ...program.model import ResolvedDeployment
from ..contract import ExportContext, GeneratedFile
from ..headers import hash_header
from .dockerfile import (
    APP_UID,
    DEV_TARGETS,
    RECIPES,
    TOOLCHAIN_IMAGES,
    render_dockerfile,
)
from .dockerignore import render_dockerignore

__all__ = ["APP_UID", "DEV_TARGETS", "RECIPES", "TOOLCHAIN_IMAGES", "render"]


def render(resolved: ResolvedDeployment, context: ExportContext) -> list[GeneratedFile]:
    """Every pattern ships a container image, so every pattern gets the Docker files."""
    framework = resolved.deployment.framework
    dockerfile = render_dockerfile(
        resolved, hash_header(context, what=f"Multi-stage image for the {framework} application.")
    )
    ignore = render_dockerignore(resolved, hash_header(context, what="Files kept out of the build context."))
    return [
        GeneratedFile("docker/Dockerfile", dockerfile),
        # BuildKit reads <Dockerfile>.dockerignore beside the Dockerfile whatever the
        # context; .dockerignore is the classic name for builders run from docker/.
        GeneratedFile("docker/Dockerfile.dockerignore", ignore),
        GeneratedFile("docker/.dockerignore", ignore),
    ]
