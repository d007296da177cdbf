"""Backup: a scheduled pg_dump of the database into the `backups` volume, and its off-site copy."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi

from .containers import Placement, container_name, pulled_image, service_container
from .service_model import ServiceSpec


@dataclass(frozen=True)
class BackupArgs:
    """Arguments of :class:`Backup`."""

    service: ServiceSpec
    """The backup service from :func:`.hobby_stack.hobby_services` (the loop, its interval and
    retention come from `database.backup_frequency` and `database.backup_retention_days`). Required."""
    placement: Placement
    """Network, volumes, secrets (`DB_PASSWORD`) and name prefix of the stack. Required."""
    after: Mapping[str, pulumi.Resource] = field(default_factory=dict)
    """Containers already created, by service name (the database). Defaults to none."""
    offsite: ServiceSpec | None = None
    """The off-site copy service (`database.backup.destination`), which copies each dump to
    an S3 bucket. Defaults to `None`: dumps stay on the host."""


class Backup(pulumi.ComponentResource):
    """A small container that dumps the database on a schedule and prunes old dumps.

    It runs the PostgreSQL image itself, so `pg_dump` always matches the server's major
    version. Dumps use the custom format (compressed, restorable table by table with
    `pg_restore`). The volume survives `destroy` in production. With an off-site
    destination, a second container copies each new dump to the bucket, from a read-only
    mount and as `nobody`, never deleting or overwriting there.
    """

    container: pulumi.Resource

    def __init__(self, name: str, args: BackupArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("specql:docker:Backup", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        image = pulled_image(f"{name}-image", args.service, opts=child)
        self.container = service_container(
            f"{name}-job", args.service, args.placement, image=image.name, started=dict(args.after), opts=child
        )
        self.container_name = container_name(args.placement.project, args.service.name)
        outputs: dict[str, object] = {"container": self.container_name}
        self.offsite_container_name: str | None = None
        if args.offsite is not None:
            offsite_image = pulled_image(f"{name}-offsite-image", args.offsite, opts=child)
            self.offsite = service_container(
                f"{name}-offsite",
                args.offsite,
                args.placement,
                image=offsite_image.name,
                started={**args.after, args.service.name: self.container},
                opts=child,
            )
            self.offsite_container_name = container_name(args.placement.project, args.offsite.name)
            outputs["offsite_container"] = self.offsite_container_name
        self.register_outputs(outputs)
