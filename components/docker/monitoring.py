"""Monitoring: Prometheus and Uptime Kuma beside the application, for one host."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi

from .containers import Placement, container_name, pulled_image, service_container
from .service_model import ServiceSpec


@dataclass(frozen=True)
class MonitoringArgs:
    """Arguments of :class:`Monitoring`."""

    services: tuple[ServiceSpec, ...]
    """The monitoring services from :func:`.hobby_stack.hobby_services` (`prometheus`,
    `uptime-kuma`, whichever the manifest enables). Required."""
    placement: Placement
    """Network, volumes and name prefix of the stack. Required."""
    after: Mapping[str, pulumi.Resource] = field(default_factory=dict)
    """Containers already created, by service name (the app, the proxy). Defaults to none."""


class Monitoring(pulumi.ComponentResource):
    """Metrics and uptime checks, with their UIs bound to 127.0.0.1 only.

    Prometheus scrapes the application over the private network; Uptime Kuma checks the
    public URL from inside the host. Neither UI is published to the internet: on a VPS,
    reach them with `ssh -L 9090:127.0.0.1:9090 user@server`.
    """

    containers: dict[str, pulumi.Resource]

    def __init__(self, name: str, args: MonitoringArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("specql:docker:Monitoring", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        started = dict(args.after)
        self.containers = {}
        self.container_names: dict[str, str] = {}
        for spec in args.services:
            image = pulled_image(f"{name}-{spec.name}-image", spec, opts=child)
            container = service_container(
                f"{name}-{spec.name}", spec, args.placement, image=image.name, started=started, opts=child
            )
            self.containers[spec.name] = container
            self.container_names[spec.name] = container_name(args.placement.project, spec.name)
            started[spec.name] = container
        self.register_outputs({"containers": dict(self.container_names)})
