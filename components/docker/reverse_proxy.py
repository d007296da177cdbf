"""ReverseProxy: Caddy in front of the application, with automatic HTTPS for the domain."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi

from .containers import Placement, container_name, pulled_image, service_container
from .service_model import ServiceSpec


def public_url(domain: str | None, https: bool) -> str:
    """Where users reach the application: the domain, or port 80 of the host without one."""
    if domain:
        return f"{'https' if https else 'http'}://{domain}"
    return "http://localhost"


@dataclass(frozen=True)
class ReverseProxyArgs:
    """Arguments of :class:`ReverseProxy`."""

    service: ServiceSpec
    """The Caddy service from :func:`.hobby_stack.hobby_services` (ports, Caddyfile, volumes). Required."""
    placement: Placement
    """Network, volumes and name prefix of the stack. Required."""
    domain: str | None
    """Public domain Caddy obtains a certificate for. Required."""
    https: bool
    """Serve the domain over HTTPS with a Let's Encrypt certificate. Required."""
    after: Mapping[str, pulumi.Resource] = field(default_factory=dict)
    """Containers already created, by service name (the application). Defaults to none."""


class ReverseProxy(pulumi.ComponentResource):
    """The only container with public ports: 80 (redirects to HTTPS) and 443 (TCP and UDP).

    Caddy requests and renews the certificate itself once the domain's DNS points at
    the host; the certificate is kept in the `caddy_data` volume so a restart does not
    hit Let's Encrypt's rate limits. The Caddyfile is uploaded into the container, so
    the same stack works on a remote engine with no files on the server.
    """

    url: str
    container: pulumi.Resource

    def __init__(self, name: str, args: ReverseProxyArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("specql:docker:ReverseProxy", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        image = pulled_image(f"{name}-image", args.service, opts=child)
        self.container = service_container(
            f"{name}-caddy", args.service, args.placement, image=image.name, started=dict(args.after), opts=child
        )
        self.container_name = container_name(args.placement.project, args.service.name)
        self.url = public_url(args.domain, args.https)
        self.register_outputs({"url": self.url, "container": self.container_name})
