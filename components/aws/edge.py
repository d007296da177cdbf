"""Edge: CloudFront in front of the load balancer, a WAFv2 web ACL and Shield Advanced."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from ._support import child, concat

# AWS-managed CloudFront policies (fixed ids published by AWS).
CACHING_DISABLED_POLICY = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
ALL_VIEWER_ORIGIN_REQUEST_POLICY = "216adef6-5c7f-47e4-b989-5492eafa07d3"
SECURITY_HEADERS_POLICY = "67f7725c-6f97-4210-82d7-5512b31e9d03"

# AWS managed rule groups, in evaluation order. KnownBadInputs blocks Log4Shell probes.
MANAGED_RULE_GROUPS = (
    "AWSManagedRulesAmazonIpReputationList",
    "AWSManagedRulesCommonRuleSet",
    "AWSManagedRulesKnownBadInputsRuleSet",
    "AWSManagedRulesSQLiRuleSet",
)

# Defaults the lead should move into program/defaults.py:
# 2,000 requests per 5 minutes from one IP is far above a person, well below a flood.
RATE_LIMIT_PER_5_MINUTES = 2000
# North America and Europe edge locations: the cheapest price class.
PRICE_CLASS = "PriceClass_100"
# TLS 1.2 with modern ciphers for viewers (only possible with a custom certificate).
VIEWER_TLS_POLICY = "TLSv1.2_2021"


@dataclass(frozen=True)
class EdgeArgs:
    """Arguments of :class:`Edge`."""

    load_balancer_arn: pulumi.Input[str]
    """The load balancer to front, protect or attach the web ACL to. Required."""
    load_balancer_dns_name: pulumi.Input[str]
    """The load balancer's DNS name (CloudFront's origin). Required."""
    waf_log_kms_key_arn: pulumi.Input[str]
    """Key of the WAF log group; in us-east-1 when `cdn` (CloudFront's WAF lives there). Required."""
    global_provider: pulumi.ProviderResource | None = None
    """Provider for us-east-1, where CloudFront certificates and WAF ACLs live. Defaults to
    `None`: the component's provider (right when the region is us-east-1)."""
    cdn: bool = True
    """Put CloudFront in front of the load balancer. Defaults to `True`."""
    waf: bool = True
    """A web ACL with AWS managed rules and a rate limit. Defaults to `True`."""
    ddos_protection: bool = False
    """Shield Advanced protection (needs an account-level subscription). Defaults to `False`."""
    domain: str | None = None
    """Public domain served by CloudFront (a us-east-1 ACM certificate is requested).
    Defaults to `None`: the distribution's own domain."""
    origin_https: bool = False
    """Reach the load balancer over HTTPS (it has a certificate for `domain`). Defaults to `False`."""
    log_bucket_domain_name: pulumi.Input[str] | None = None
    """Bucket for CloudFront standard logs (prefix `cloudfront/`). Defaults to `None`: no logs."""
    log_retention_days: int = 30
    """Days the WAF logs are kept. Defaults to `30`."""

    def __post_init__(self) -> None:
        if self.origin_https and not self.domain:
            raise ValueError("`origin_https` needs `domain` (the origin certificate names it)")


def managed_rules() -> list[dict[str, object]]:
    """A rate limit first, then the AWS managed rule groups."""
    rules: list[dict[str, object]] = [{
        "name": "rate-limit",
        "priority": 0,
        "action": {"block": {}},
        "statement": {"rate_based_statement": {"limit": RATE_LIMIT_PER_5_MINUTES, "aggregate_key_type": "IP"}},
        "visibility_config": _visibility("rate-limit"),
    }]
    for priority, group in enumerate(MANAGED_RULE_GROUPS, start=1):
        rules.append({
            "name": group,
            "priority": priority,
            "override_action": {"none": {}},
            "statement": {"managed_rule_group_statement": {"name": group, "vendor_name": "AWS"}},
            "visibility_config": _visibility(group),
        })
    return rules


def _visibility(metric: str) -> dict[str, object]:
    return {"cloudwatch_metrics_enabled": True, "metric_name": metric, "sampled_requests_enabled": True}


class Edge(pulumi.ComponentResource):
    """What stands between the internet and the load balancer in production.

    CloudFront terminates viewer TLS close to users and forwards every request
    uncached (GraphQL responses are per user) with security headers added; the web
    ACL filters known attacks before they reach the application, and its decisions are
    logged; Shield Advanced adds DDoS response when the account subscribes to it.
    """

    web_acl: aws.wafv2.WebAcl | None
    distribution: aws.cloudfront.Distribution | None
    url: pulumi.Output[str] | None

    def __init__(self, name: str, args: EdgeArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("specql:aws:Edge", name, None, opts)
        scope = "CLOUDFRONT" if args.cdn else "REGIONAL"
        acl_opts = child(self, provider=args.global_provider) if args.cdn and args.global_provider else child(self)
        self.web_acl = None
        if args.waf:
            self.web_acl = aws.wafv2.WebAcl(
                f"{name}-waf",
                scope=scope,
                description=f"{name}: AWS managed rules and a per-IP rate limit",
                default_action={"allow": {}},
                rules=managed_rules(),
                visibility_config=_visibility(f"{name}-waf"),
                opts=acl_opts,
            )
            waf_logs = aws.cloudwatch.LogGroup(
                f"{name}-waf-logs",
                name=f"aws-waf-logs-{name}",
                retention_in_days=args.log_retention_days,
                kms_key_id=args.waf_log_kms_key_arn,
                opts=acl_opts,
            )
            aws.wafv2.WebAclLoggingConfiguration(
                f"{name}-waf-logging",
                resource_arn=self.web_acl.arn,
                log_destination_configs=[waf_logs.arn],
                opts=acl_opts,
            )
            if not args.cdn:
                aws.wafv2.WebAclAssociation(
                    f"{name}-waf-alb", resource_arn=args.load_balancer_arn, web_acl_arn=self.web_acl.arn,
                    opts=child(self))

        self.distribution = None
        self.url = None
        if args.cdn:
            self.distribution = self._distribution(name, args, acl_opts)
            self.url = (pulumi.Output.from_input(f"https://{args.domain}") if args.domain
                        else concat("https://", self.distribution.domain_name))

        if args.ddos_protection:
            aws.shield.Protection(
                f"{name}-shield-alb", name=f"{name}-alb", resource_arn=args.load_balancer_arn, opts=child(self))
            if self.distribution is not None:
                aws.shield.Protection(
                    f"{name}-shield-cdn", name=f"{name}-cdn", resource_arn=self.distribution.arn, opts=acl_opts)

        outputs: dict[str, object] = {}
        if self.web_acl is not None:
            outputs["web_acl_arn"] = self.web_acl.arn
        if self.distribution is not None:
            outputs["distribution_domain_name"] = self.distribution.domain_name
        self.register_outputs(outputs or {"waf": False})

    def _distribution(self, name: str, args: EdgeArgs, global_opts: pulumi.ResourceOptions) -> aws.cloudfront.Distribution:
        viewer_certificate: dict[str, object]
        if args.domain:
            certificate = aws.acm.Certificate(
                f"{name}-cdn-cert", domain_name=args.domain, validation_method="DNS", opts=global_opts)
            viewer_certificate = {
                "acm_certificate_arn": certificate.arn,
                "ssl_support_method": "sni-only",
                "minimum_protocol_version": VIEWER_TLS_POLICY,
            }
        else:
            viewer_certificate = {"cloudfront_default_certificate": True}
        logging_config = (
            {"bucket": args.log_bucket_domain_name, "prefix": "cloudfront/", "include_cookies": False}
            if args.log_bucket_domain_name is not None else None
        )
        return aws.cloudfront.Distribution(
            f"{name}-cdn",
            enabled=True,
            comment=f"{name}: application entry point",
            is_ipv6_enabled=True,
            http_version="http2and3",
            price_class=PRICE_CLASS,
            aliases=[args.domain] if args.domain else None,
            origins=[{
                "origin_id": "load-balancer",
                "domain_name": args.load_balancer_dns_name,
                "custom_origin_config": {
                    "http_port": 80,
                    "https_port": 443,
                    "origin_protocol_policy": "https-only" if args.origin_https else "http-only",
                    "origin_ssl_protocols": ["TLSv1.2"],
                },
            }],
            default_cache_behavior={
                "target_origin_id": "load-balancer",
                "viewer_protocol_policy": "redirect-to-https",
                "allowed_methods": ["GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"],
                "cached_methods": ["GET", "HEAD"],
                "cache_policy_id": CACHING_DISABLED_POLICY,
                "origin_request_policy_id": ALL_VIEWER_ORIGIN_REQUEST_POLICY,
                "response_headers_policy_id": SECURITY_HEADERS_POLICY,
                "compress": True,
            },
            restrictions={"geo_restriction": {"restriction_type": "none"}},
            viewer_certificate=viewer_certificate,
            logging_config=logging_config,
            web_acl_id=self.web_acl.arn if self.web_acl is not None else None,
            opts=global_opts,
        )
