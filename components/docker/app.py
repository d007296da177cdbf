"""App: the application image, its one-shot migration job and the long-running container."""

from __future__ import annotations

import posixpath
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pulumi
import pulumi_docker as docker

from .containers import Placement, container_name, service_container
from .service_model import ServiceSpec

MIGRATION_LABEL = "specql.migrations"
"""Label on the application container recording that migrations succeeded."""


def require_success(exit_code: int | None) -> str:
    """Stop the deployment when the migration job failed, before the app is replaced.

    The provider reports a one-shot container's exit code without failing on it, so the
    application container takes this value as a label: a non-zero code raises here and
    the old application keeps running on the old schema.
    """
    if exit_code is None:  # not run yet (preview, mocks)
        return "pending"
    if exit_code != 0:
        raise RuntimeError(
            f"migrations exited with code {exit_code}; the application was not updated "
            "(see the migrate container's logs)"
        )
    return "applied"


def require_dockerfile(path: str) -> None:
    """Fail before the engine does, with the command that writes the Dockerfile."""
    if not Path(path).is_file():
        raise FileNotFoundError(
            f"{path} not found: the application image is built from the generated Dockerfile; "
            "write it with `specql deploy eject deployment.yaml -o . --only docker` "
            "(or set application.image to a published image)"
        )


@dataclass(frozen=True)
class AppArgs:
    """Arguments of :class:`App`."""

    service: ServiceSpec
    """The application service from :func:`.hobby_stack.hobby_services`. Required."""
    migrate: ServiceSpec | None
    """The one-shot migration service, run to completion before the application starts;
    `None` skips migrations. Required."""
    placement: Placement
    """Network, volumes, secrets and name prefix of the stack. Required."""
    offline: bool
    """Nothing is built or started (a preview, the offline capture): the Dockerfile need
    not exist yet. Required."""
    after: Mapping[str, pulumi.Resource] = field(default_factory=dict)
    """Containers already created, by service name (the database). Defaults to none."""
    replicas: tuple[ServiceSpec, ...] = ()
    """Further instances of the application (`app-2` ...), the same image and migration
    gate. Defaults to none (one instance)."""
    project_root: str = "."
    """Directory the build context and Dockerfile paths are relative to (where
    `deployment.yaml` and the ejected `docker/` live). Defaults to `.` (the working directory)."""


class App(pulumi.ComponentResource):
    """The application, built from the generated Dockerfile on the target engine.

    The image is built where it runs (the provider's engine, local or over SSH) and is
    never pushed: a single host needs no registry. A manifest that names its own image
    pulls that instead. Migrations run in a separate container from the same image,
    attached until they finish, so the application never starts on an old schema.

    Containers follow the image *tag*: deploy a new `deployment.version` (CI uses the
    git SHA) to roll out a rebuild; a rebuild under the same tag leaves them as they are.
    """

    image_name: pulumi.Output[str]
    container: pulumi.Resource
    migration: docker.Container | None

    def __init__(self, name: str, args: AppArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("specql:docker:App", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        spec = args.service
        if spec.build is not None:
            dockerfile = posixpath.normpath(posixpath.join(args.project_root, spec.build.dockerfile))
            if not args.offline:
                require_dockerfile(dockerfile)
            image = docker.Image(
                f"{name}-image",
                image_name=spec.image,
                build=docker.DockerBuildArgs(
                    context=posixpath.normpath(posixpath.join(args.project_root, spec.build.context)),
                    dockerfile=dockerfile,
                ),
                skip_push=True,
                opts=child,
            )
            self.image_name = image.image_name
        else:
            pulled = docker.RemoteImage(f"{name}-image", name=spec.image, keep_locally=True, opts=child)
            self.image_name = pulled.name
        started = dict(args.after)
        self.migration = None
        if args.migrate is not None:
            self.migration = service_container(
                f"{name}-migrate", args.migrate, args.placement, image=self.image_name, started=started, opts=child
            )
            started[args.migrate.name] = self.migration
        gate = {MIGRATION_LABEL: self.migration.exit_code.apply(require_success)} if self.migration else None
        self.container = service_container(
            f"{name}-server", spec, args.placement, image=self.image_name, started=started, labels=gate, opts=child
        )
        self.container_name = container_name(args.placement.project, spec.name)
        self.replicas: dict[str, pulumi.Resource] = {}
        for replica in args.replicas:
            self.replicas[replica.name] = service_container(
                f"{name}-server-{replica.name.rsplit('-', 1)[1]}",
                replica,
                args.placement,
                image=self.image_name,
                started=started,
                labels=gate,
                opts=child,
            )
        self.container_names = {
            spec.name: self.container_name,
            **{replica.name: container_name(args.placement.project, replica.name) for replica in args.replicas},
        }
        self.register_outputs({"image": self.image_name, "container": self.container_name})
