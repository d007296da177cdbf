"""Backup: a scheduled pg_dump of the database into the `backups` volume."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi

from .containers import Placement, container_name, pulled_image, service_container
from .stack import ServiceSpec


@dataclass(frozen=True)
class BackupArgs:
    """Arguments of :class:`Backup`."""

    service: ServiceSpec
    """The backup service from :func:`.stack.hobby_services` (the loop, its interval and
    retention come from `database.backup_frequency` and `database.backup_retention_days`). Required."""
    placement: Placement
    """Network, volumes, secrets (`DB_PASSWORD`) and name prefix of the stack. Required."""
    after: Mapping[str, pulumi.Resource] = field(default_factory=dict)
    """Containers already created, by service name (the database). Defaults to none."""


class Backup(pulumi.ComponentResource):
    """A small container that dumps the database on a schedule and prunes old dumps.

    It runs the PostgreSQL image itself, so `pg_dump` always matches the server's major
    version. Dumps use the custom format (compressed, restorable table by table with
    `pg_restore`). The volume survives `destroy` in production; copy it off the host
    (`docker run --rm -v <volume>:/b ... `) for an off-site copy.
    """

    container: pulumi.Resource

    def __init__(self, name: str, args: BackupArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("specql:docker:Backup", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        image = pulled_image(f"{name}-image", args.service, opts=child)
        self.container = service_container(f"{name}-job", args.service, args.placement, image=image.name,
                                           started=dict(args.after), opts=child)
        self.container_name = container_name(args.placement.project, args.service.name)
        self.register_outputs({"container": self.container_name})
