"""LoadBalancer: the public ALB (or NLB), its security group, target group and listeners, with access logs."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import pulumi
import pulumi_aws as aws

from ...program.building_blocks import ALB_DEREGISTRATION_DELAY_SECONDS, ALB_SSL_POLICY
from ...program.catalogue import PORTS
from .certificate import validated_certificate
from .children import child
from .firewall import cloudfront_prefix_list_id, load_balancer_group
from .outputs import concat
from .web_acl import web_acl

if TYPE_CHECKING:
    from ...program.model import ResolvedDeployment


LoadBalancerType = Literal["application", "network"]
"""Which Elastic Load Balancer fronts the service.

- ``application`` — an ALB: HTTP routing, the HTTP→HTTPS redirect, WAF, header
  hygiene and access logs; recommended for an HTTP API.
- ``network`` — an NLB: TCP passed through (TLS terminated on 443 with the ACM
  certificate when there is a domain), static per-zone addresses, no HTTP features:
  no redirect from port 80, no web ACL, no request access logs.
"""


@dataclass(frozen=True)
class LoadBalancerArgs:
    """Arguments of :class:`LoadBalancer`."""

    type: LoadBalancerType
    """Application or Network Load Balancer (see :data:`LoadBalancerType`). Required."""
    vpc_id: pulumi.Input[str]
    """VPC of the target group. Required."""
    subnet_ids: Sequence[pulumi.Input[str]]
    """Public subnets, one per zone (at least two). Required."""
    vpc_cidr: str
    """VPC range: the load balancer's group sends only to the application port inside it. Required."""
    app_port: int
    """Port of the application targets. Required."""
    health_check_path: str
    """Path the target group probes. Required."""
    health_check_interval: int
    """Seconds between probes. Required."""
    health_check_timeout: int
    """Seconds before a probe fails. Required."""
    healthy_threshold: int
    """Passing probes before a target gets traffic. Required."""
    unhealthy_threshold: int
    """Failing probes before a target loses traffic. Required."""
    idle_timeout: int
    """Connection idle timeout in seconds. Required."""
    deletion_protection: bool
    """Refuse API deletion. Required."""
    cdn_only: bool
    """Admit only CloudFront's origin-facing addresses: a CDN in front is the only way in;
    `False` opens the load balancer to the internet. Required."""
    waf: bool
    """A regional web ACL (managed rules, rate limit) associated with the load balancer. Required."""
    waf_log_retention_days: int
    """Days the web ACL's decisions are kept. Required."""
    domain: str | None = None
    """Public domain; with it come an ACM certificate, HTTPS and the HTTP→HTTPS redirect.
    Defaults to `None`: HTTP on the load balancer's DNS name."""
    certificate_arn: str | None = None
    """An existing ACM certificate to use instead of requesting one. Defaults to `None`."""
    dns_zone_id: pulumi.Input[str] | None = None
    """Route 53 zone holding `domain`: gets the certificate's validation record and, unless
    `cdn_only` (the CDN owns the name then), an alias of `domain` to the load balancer.
    Defaults to `None`: DNS is managed elsewhere."""
    access_logs_bucket: pulumi.Input[str] | None = None
    """Bucket for access logs (prefix `alb`). Defaults to `None`: no access logs."""
    waf_log_kms_key_arn: pulumi.Input[str] | None = None
    """Key of the web ACL's log group; required with `waf`. Defaults to `None`."""

    def __post_init__(self) -> None:
        if self.certificate_arn and not self.domain:
            raise ValueError("`certificate_arn` needs `domain`")
        if self.dns_zone_id is not None and not self.domain:
            raise ValueError("`dns_zone_id` needs `domain`")
        if self.waf and self.waf_log_kms_key_arn is None:
            raise ValueError("`waf` needs `waf_log_kms_key_arn` (its decisions are logged encrypted)")
        if self.waf and self.type == "network":
            raise ValueError(
                "`waf` needs `type` application: a web ACL cannot be associated with a Network Load Balancer"
            )


class LoadBalancer(pulumi.ComponentResource):
    """The only public entry point of an AWS pattern.

    Drops requests with invalid headers (request smuggling), logs every request to the
    log archive, filters them through its own web ACL when asked, and with a domain
    serves TLS 1.2+ only while port 80 just redirects.
    The ACM certificate is validated by DNS and the HTTPS listener waits until ACM has
    issued it: with a Route 53 zone the validation record is written here, otherwise
    `up` prints it for whoever manages the zone (it is also an output).
    """

    alb: aws.lb.LoadBalancer
    security_group: aws.ec2.SecurityGroup
    """Internet in on 80 (and 443 with a domain), application port out."""
    target_group: aws.lb.TargetGroup
    listeners: list[aws.lb.Listener]
    certificate: aws.acm.Certificate | None
    web_acl: aws.wafv2.WebAcl | None
    """The regional web ACL, associated here so the load balancer and its protection are read together."""
    dns_name: pulumi.Output[str]
    url: pulumi.Output[str]

    def __init__(self, name: str, args: LoadBalancerArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("specql:aws:LoadBalancer", name, None, opts)
        access_logs = (
            {"bucket": args.access_logs_bucket, "prefix": "alb", "enabled": True}
            if args.access_logs_bucket is not None
            else None
        )
        network = args.type == "network"
        self.security_group = load_balancer_group(
            self,
            f"{name}-sg",
            args.vpc_id,
            args.vpc_cidr,
            args.app_port,
            https=args.domain is not None,
            cdn_prefix_list_id=cloudfront_prefix_list_id(self) if args.cdn_only else None,
            plain_http=not (network and args.domain is not None),
        )
        if network:
            # NLB access logs cover TLS listeners only and need their own bucket policy: none here.
            self.alb = aws.lb.LoadBalancer(
                f"{name}-nlb",
                load_balancer_type="network",
                internal=False,
                subnets=args.subnet_ids,
                security_groups=[self.security_group.id],
                enable_cross_zone_load_balancing=True,
                enable_deletion_protection=args.deletion_protection,
                opts=child(self),
            )
        else:
            self.alb = aws.lb.LoadBalancer(
                f"{name}-alb",
                load_balancer_type="application",
                internal=False,
                subnets=args.subnet_ids,
                security_groups=[self.security_group.id],
                drop_invalid_header_fields=True,
                desync_mitigation_mode="strictest",
                enable_deletion_protection=args.deletion_protection,
                idle_timeout=args.idle_timeout,
                access_logs=access_logs,
                opts=child(self),
            )
        self.target_group = aws.lb.TargetGroup(
            f"{name}-tg",
            vpc_id=args.vpc_id,
            target_type="ip",
            port=args.app_port,
            protocol="TCP" if network else "HTTP",
            deregistration_delay=ALB_DEREGISTRATION_DELAY_SECONDS,
            health_check={
                "enabled": True,
                "path": args.health_check_path,
                "protocol": "HTTP",
                "matcher": "200-399",
                "interval": args.health_check_interval,
                "timeout": args.health_check_timeout,
                "healthy_threshold": args.healthy_threshold,
                "unhealthy_threshold": args.unhealthy_threshold,
            },
            opts=child(self),
        )
        forward = [{"type": "forward", "target_group_arn": self.target_group.arn}]
        self.certificate = None
        if args.domain is None:
            self.listeners = [
                aws.lb.Listener(
                    f"{name}-http",
                    load_balancer_arn=self.alb.arn,
                    port=PORTS["http"],
                    protocol="TCP" if network else "HTTP",
                    default_actions=forward,
                    opts=child(self),
                )
            ]
            self.url = concat("http://", self.alb.dns_name)
        else:
            certificate_arn: pulumi.Input[str]
            if args.certificate_arn:
                certificate_arn = args.certificate_arn
            else:
                issued = validated_certificate(f"{name}-cert", args.domain, args.dns_zone_id, child(self))
                self.certificate, certificate_arn = issued.certificate, issued.arn
            https = aws.lb.Listener(
                f"{name}-https",
                load_balancer_arn=self.alb.arn,
                port=PORTS["https"],
                protocol="TLS" if network else "HTTPS",
                ssl_policy=ALB_SSL_POLICY,
                certificate_arn=certificate_arn,
                default_actions=forward,
                opts=child(self),
            )
            if network:
                # An NLB cannot redirect: port 80 stays closed rather than serve plain HTTP.
                self.listeners = [https]
            else:
                redirect = [
                    {
                        "type": "redirect",
                        "redirect": {"protocol": "HTTPS", "port": str(PORTS["https"]), "status_code": "HTTP_301"},
                    }
                ]
                self.listeners = [
                    aws.lb.Listener(
                        f"{name}-http",
                        load_balancer_arn=self.alb.arn,
                        port=PORTS["http"],
                        protocol="HTTP",
                        default_actions=redirect,
                        opts=child(self),
                    ),
                    https,
                ]
            self.url = pulumi.Output.from_input(f"https://{args.domain}")
            if args.dns_zone_id is not None and not args.cdn_only:
                aws.route53.Record(
                    f"{name}-alias",
                    zone_id=args.dns_zone_id,
                    name=args.domain,
                    type="A",
                    aliases=[{"name": self.alb.dns_name, "zone_id": self.alb.zone_id, "evaluate_target_health": True}],
                    opts=child(self),
                )
        self.web_acl = None
        if args.waf:
            assert args.waf_log_kms_key_arn is not None
            self.web_acl = web_acl(
                f"{name}-waf", "REGIONAL", args.waf_log_kms_key_arn, args.waf_log_retention_days, child(self)
            )
            aws.wafv2.WebAclAssociation(
                f"{name}-waf-alb", resource_arn=self.alb.arn, web_acl_arn=self.web_acl.arn, opts=child(self)
            )
        self.dns_name = self.alb.dns_name
        outputs: dict[str, object] = {"dns_name": self.dns_name, "url": self.url}
        if self.certificate is not None:
            outputs["certificate_validation"] = self.certificate.domain_validation_options
        self.register_outputs(outputs)

    @property
    def arn(self) -> pulumi.Output[str]:
        return self.alb.arn

    @property
    def arn_suffix(self) -> pulumi.Output[str]:
        return self.alb.arn_suffix


# ------------------------------------------------ what the block takes from the model


def serves_https(resolved: ResolvedDeployment) -> bool:
    """HTTPS needs a domain for its certificate, and the load balancer asked for it."""
    return bool(resolved.deployment.domain) and resolved.load_balancer.https


def load_balancer_settings(resolved: ResolvedDeployment) -> dict[str, Any]:
    app, https = resolved.application, serves_https(resolved)
    certificate = resolved.load_balancer.certificate
    return {
        "type": resolved.load_balancer.type,
        "vpc_cidr": resolved.network.vpc_cidr,
        "app_port": app.port,
        "domain": resolved.deployment.domain if https else None,
        "certificate_arn": certificate if https and certificate.startswith("arn:") else None,
        "health_check_path": app.health_check_path,
        "health_check_interval": app.health_check_interval,
        "health_check_timeout": app.health_check_timeout,
        "healthy_threshold": app.healthy_threshold,
        "unhealthy_threshold": app.unhealthy_threshold,
        "idle_timeout": resolved.load_balancer.idle_timeout,
        "deletion_protection": resolved.load_balancer.deletion_protection,
        "cdn_only": resolved.edge.cdn,
        "waf": resolved.edge.waf,
        "waf_log_retention_days": resolved.monitoring.log_retention_days,
    }
