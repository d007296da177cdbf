"""Edge: CloudFront in front of the load balancer, a WAFv2 web ACL and Shield Advanced."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pulumi
import pulumi_aws as aws

from ...program.building_blocks import (
    CLOUDFRONT_PRICE_CLASS,
    CLOUDFRONT_VIEWER_TLS_POLICY,
    HSTS_MAX_AGE_SECONDS,
)
from ...program.catalogue import PORTS
from .certificate import validated_certificate
from .children import child
from .load_balancer import serves_https
from .outputs import concat
from .web_acl import web_acl

if TYPE_CHECKING:
    from ...program.model import ResolvedDeployment

# AWS-managed CloudFront policies (fixed ids published by AWS).
CACHING_DISABLED_POLICY = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
ALL_VIEWER_ORIGIN_REQUEST_POLICY = "216adef6-5c7f-47e4-b989-5492eafa07d3"


@dataclass(frozen=True)
class EdgeArgs:
    """Arguments of :class:`Edge`."""

    load_balancer_arn: pulumi.Input[str]
    """The load balancer to front or protect (its own web ACL is the load balancer's). Required."""
    load_balancer_dns_name: pulumi.Input[str]
    """The load balancer's DNS name (CloudFront's origin). Required."""
    waf_log_kms_key_arn: pulumi.Input[str]
    """Key of the us-east-1 log groups (the CloudFront ACL's decisions, CloudFront's access
    logs): a us-east-1 key, where both live. Required."""
    cdn: bool
    """Put CloudFront in front of the load balancer. Required."""
    waf: bool
    """A CloudFront web ACL with AWS managed rules and a rate limit (with `cdn`). Required."""
    ddos_protection: bool
    """Shield Advanced protection (needs an account-level subscription). Required."""
    origin_https: bool
    """Reach the load balancer over HTTPS (it has a certificate for `domain`). Required."""
    log_retention_days: int
    """Days the WAF decisions and access logs are kept. Required."""
    global_provider: pulumi.ProviderResource | None = None
    """Provider for us-east-1, where CloudFront certificates and WAF ACLs live. Defaults to
    `None`: the component's provider (right when the region is us-east-1)."""
    domain: str | None = None
    """Public domain served by CloudFront (a us-east-1 ACM certificate is requested).
    Defaults to `None`: the distribution's own domain."""
    dns_zone_id: pulumi.Input[str] | None = None
    """Route 53 zone holding `domain`: gets the certificate's validation record and the A/AAAA
    aliases of `domain` to the distribution. Defaults to `None`: DNS is managed elsewhere."""
    access_logs: bool = True
    """CloudFront access logs (standard logging v2) to an encrypted CloudWatch log group;
    unlike legacy logging it needs no bucket ACLs. Defaults to `True`."""

    def __post_init__(self) -> None:
        if self.origin_https and not self.domain:
            raise ValueError("`origin_https` needs `domain` (the origin certificate names it)")
        if self.dns_zone_id is not None and not (self.domain and self.cdn):
            raise ValueError("`dns_zone_id` needs `domain` and `cdn` (the zone points the domain at CloudFront)")


class Edge(pulumi.ComponentResource):
    """What stands between the internet and the load balancer in production.

    CloudFront terminates viewer TLS close to users and forwards every request
    uncached (GraphQL responses are per user) with security headers added; the web
    ACL filters known attacks before they reach the application, and its decisions are
    logged; Shield Advanced adds DDoS response when the account subscribes to it.
    """

    web_acl: aws.wafv2.WebAcl | None
    """CloudFront's ACL (the load balancer keeps its own, see :class:`LoadBalancer`)."""
    distribution: aws.cloudfront.Distribution | None
    url: pulumi.Output[str] | None

    def __init__(self, name: str, args: EdgeArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("specql:aws:Edge", name, None, opts)
        global_opts = child(self, provider=args.global_provider) if args.global_provider else child(self)
        self.web_acl = None
        if args.waf and args.cdn:
            self.web_acl = web_acl(
                f"{name}-waf", "CLOUDFRONT", args.waf_log_kms_key_arn, args.log_retention_days, global_opts
            )
        self.distribution = None
        self.url = None
        if args.cdn:
            self.distribution = self._distribution(name, args, global_opts)
            if args.access_logs:
                self._access_logs(name, args, self.distribution, global_opts)
            self.url = (
                pulumi.Output.from_input(f"https://{args.domain}")
                if args.domain
                else concat("https://", self.distribution.domain_name)
            )

        if args.ddos_protection:
            aws.shield.Protection(
                f"{name}-shield-alb", name=f"{name}-alb", resource_arn=args.load_balancer_arn, opts=child(self)
            )
            if self.distribution is not None:
                aws.shield.Protection(
                    f"{name}-shield-cdn", name=f"{name}-cdn", resource_arn=self.distribution.arn, opts=global_opts
                )

        outputs: dict[str, object] = {}
        if self.web_acl is not None:
            outputs["web_acl_arn"] = self.web_acl.arn
        if self.distribution is not None:
            outputs["distribution_domain_name"] = self.distribution.domain_name
        self.register_outputs(outputs or {"waf": False})

    def _distribution(
        self, name: str, args: EdgeArgs, global_opts: pulumi.ResourceOptions
    ) -> aws.cloudfront.Distribution:
        viewer_certificate: dict[str, object]
        if args.domain:
            issued = validated_certificate(f"{name}-cdn-cert", args.domain, args.dns_zone_id, global_opts)
            viewer_certificate = {
                "acm_certificate_arn": issued.arn,
                "ssl_support_method": "sni-only",
                "minimum_protocol_version": CLOUDFRONT_VIEWER_TLS_POLICY,
            }
        else:
            viewer_certificate = {"cloudfront_default_certificate": True}
        headers = aws.cloudfront.ResponseHeadersPolicy(
            f"{name}-security-headers",
            comment=f"{name}: HSTS, no sniffing, no framing, strict referrer",
            security_headers_config={
                # `preload` only marks the header eligible; joining browsers' preload list
                # is a separate, deliberate submission by the domain owner.
                "strict_transport_security": {
                    "access_control_max_age_sec": HSTS_MAX_AGE_SECONDS,
                    "include_subdomains": True,
                    "preload": True,
                    "override": True,
                },
                "content_type_options": {"override": True},
                "frame_options": {"frame_option": "DENY", "override": True},
                "referrer_policy": {"referrer_policy": "strict-origin-when-cross-origin", "override": True},
                "xss_protection": {"protection": True, "mode_block": True, "override": True},
            },
            opts=global_opts,
        )
        distribution = aws.cloudfront.Distribution(
            f"{name}-cdn",
            enabled=True,
            comment=f"{name}: application entry point",
            is_ipv6_enabled=True,
            http_version="http2and3",
            price_class=CLOUDFRONT_PRICE_CLASS,
            aliases=[args.domain] if args.domain else None,
            origins=[
                {
                    "origin_id": "load-balancer",
                    "domain_name": args.load_balancer_dns_name,
                    "custom_origin_config": {
                        "http_port": PORTS["http"],
                        "https_port": PORTS["https"],
                        "origin_protocol_policy": "https-only" if args.origin_https else "http-only",
                        "origin_ssl_protocols": ["TLSv1.2"],
                    },
                }
            ],
            default_cache_behavior={
                "target_origin_id": "load-balancer",
                "viewer_protocol_policy": "redirect-to-https",
                "allowed_methods": ["GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"],
                "cached_methods": ["GET", "HEAD"],
                "cache_policy_id": CACHING_DISABLED_POLICY,
                "origin_request_policy_id": ALL_VIEWER_ORIGIN_REQUEST_POLICY,
                "response_headers_policy_id": headers.id,
                "compress": True,
            },
            restrictions={"geo_restriction": {"restriction_type": "none"}},
            viewer_certificate=viewer_certificate,
            web_acl_id=self.web_acl.arn if self.web_acl is not None else None,
            opts=global_opts,
        )
        if args.domain and args.dns_zone_id is not None:
            for record_type in ("A", "AAAA"):  # the distribution answers over IPv4 and IPv6
                aws.route53.Record(
                    f"{name}-cdn-alias-{record_type.lower()}",
                    zone_id=args.dns_zone_id,
                    name=args.domain,
                    type=record_type,
                    aliases=[
                        {
                            "name": distribution.domain_name,
                            "zone_id": distribution.hosted_zone_id,
                            "evaluate_target_health": False,
                        }
                    ],
                    opts=global_opts,
                )
        return distribution

    def _access_logs(
        self, name: str, args: EdgeArgs, distribution: aws.cloudfront.Distribution, global_opts: pulumi.ResourceOptions
    ) -> None:
        """Standard logging v2: the distribution's access logs delivered to a log group in us-east-1.

        Legacy logging writes to a bucket through ACLs, which would keep ACLs enabled on
        the log archive; CloudWatch Logs delivery needs none and is encrypted with our key.
        """
        group = aws.cloudwatch.LogGroup(
            f"{name}-cdn-logs",
            name=f"/aws/cloudfront/{name}",
            retention_in_days=args.log_retention_days,
            kms_key_id=args.waf_log_kms_key_arn,
            opts=global_opts,
        )
        source = aws.cloudwatch.LogDeliverySource(
            f"{name}-cdn-log-source",
            name=f"{name}-cdn",
            log_type="ACCESS_LOGS",
            resource_arn=distribution.arn,
            opts=global_opts,
        )
        destination = aws.cloudwatch.LogDeliveryDestination(
            f"{name}-cdn-log-destination",
            name=f"{name}-cdn",
            output_format="json",
            delivery_destination_configuration={"destination_resource_arn": group.arn},
            opts=global_opts,
        )
        aws.cloudwatch.LogDelivery(
            f"{name}-cdn-log-delivery",
            delivery_source_name=source.name,
            delivery_destination_arn=destination.arn,
            opts=global_opts,
        )


# ------------------------------------------------ what the block takes from the model


def edge_settings(resolved: ResolvedDeployment) -> dict[str, Any]:
    https = serves_https(resolved)
    return {
        "cdn": resolved.edge.cdn,
        "waf": resolved.edge.waf,
        "ddos_protection": resolved.edge.ddos_protection,
        "domain": resolved.deployment.domain if https else None,
        "origin_https": https,
        "log_retention_days": resolved.monitoring.log_retention_days,
    }
