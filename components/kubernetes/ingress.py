"""Public HTTP(S) entry: an Ingress of the chosen class and, with TLS, a cert-manager
ClusterIssuer that obtains and renews a Let's Encrypt certificate for the domain.

The ACME HTTP-01 challenge is answered through the same ingress class, so nothing
but the controller needs to be reachable from the internet.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from ...program.catalogue import PORTS
from .labels import labels
from .options import inherited_depends

CERT_MANAGER_API = "cert-manager.io/v1"
LETSENCRYPT_SERVER = "https://acme-v02.api.letsencrypt.org/directory"


@dataclass(frozen=True)
class IngressArgs:
    """Routing from the ingress controller to the application's Service."""

    namespace: str
    """Namespace of the application. Required."""
    app: str
    """Application name: the Ingress is named after it. Required."""
    environment: str
    """Environment name (labels). Required."""
    service_name: str
    """Service the Ingress routes to. Required."""
    ingress_class: str
    """IngressClass that serves it (`nginx` or `traefik`). Required."""
    host: str | None
    """Public host name; `None` answers on any host over plain HTTP. Required."""
    tls: bool
    """Certificate from Let's Encrypt through cert-manager (needs `host`). Required."""
    service_port: int = PORTS["http"]
    """Port of that Service. Defaults to HTTP's (`catalogue.PORTS["http"]`)."""
    acme_email: str | None = None
    """Contact address Let's Encrypt warns before a certificate expires. Defaults to `None` (no contact)."""

    def __post_init__(self) -> None:
        if self.tls and not self.host:
            raise ValueError("`tls` needs a `host`: Let's Encrypt certifies a domain name")

    @property
    def issuer_name(self) -> str:
        """ClusterIssuers are cluster-wide: the namespace in the name keeps deployments apart."""
        return f"{self.namespace}-letsencrypt"

    @property
    def tls_secret_name(self) -> str:
        return f"{self.app}-tls"


def cluster_issuer_spec(args: IngressArgs) -> dict[str, Any]:
    acme: dict[str, Any] = {
        "server": LETSENCRYPT_SERVER,
        "privateKeySecretRef": {"name": f"{args.issuer_name}-account-key"},
        "solvers": [{"http01": {"ingress": {"ingressClassName": args.ingress_class}}}],
    }
    if args.acme_email:
        acme["email"] = args.acme_email
    return {"acme": acme}


def ingress_spec(args: IngressArgs) -> dict[str, Any]:
    rule: dict[str, Any] = {
        "http": {
            "paths": [
                {
                    "path": "/",
                    "pathType": "Prefix",
                    "backend": {"service": {"name": args.service_name, "port": {"number": args.service_port}}},
                }
            ]
        }
    }
    if args.host:
        rule = {"host": args.host, **rule}
    spec: dict[str, Any] = {"ingressClassName": args.ingress_class, "rules": [rule]}
    if args.tls:
        spec["tls"] = [{"hosts": [args.host], "secretName": args.tls_secret_name}]
    return spec


class Ingress(pulumi.ComponentResource):
    """The Ingress and, with TLS, its Let's Encrypt ClusterIssuer."""

    url: str

    def __init__(
        self,
        name: str,
        args: IngressArgs,
        opts: pulumi.ResourceOptions | None = None,
        *,
        cert_manager: list[pulumi.Resource] | None = None,
    ):
        """`cert_manager`: what the ClusterIssuer waits for (the cert-manager release, if installed here)."""
        super().__init__("specql:kubernetes:Ingress", name, None, opts)
        object_labels = labels(args.app, "api", args.environment)
        annotations: dict[str, str] = {}
        after = inherited_depends(opts)
        depends: list[pulumi.Resource] = list(after)
        self.issuer: k8s.apiextensions.CustomResource | None = None
        if args.tls:
            self.issuer = k8s.apiextensions.CustomResource(
                f"{name}-issuer",
                api_version=CERT_MANAGER_API,
                kind="ClusterIssuer",
                metadata={"name": args.issuer_name, "labels": object_labels},
                spec=cluster_issuer_spec(args),
                opts=pulumi.ResourceOptions(parent=self, depends_on=[*after, *(cert_manager or [])]),
            )
            annotations["cert-manager.io/cluster-issuer"] = args.issuer_name
            depends.append(self.issuer)
        metadata: dict[str, Any] = {"name": args.app, "namespace": args.namespace, "labels": object_labels}
        if annotations:
            metadata["annotations"] = annotations
        self.ingress = k8s.networking.v1.Ingress(
            f"{name}-ingress",
            metadata=metadata,
            spec=ingress_spec(args),
            opts=pulumi.ResourceOptions(parent=self, depends_on=depends),
        )
        scheme = "https" if args.tls else "http"
        self.url = f"{scheme}://{args.host}" if args.host else ""
        self.register_outputs({"url": self.url, "ingress": self.ingress.metadata.name})
