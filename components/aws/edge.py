"""Edge: CloudFront in front of the load balancer, a WAFv2 web ACL and Shield Advanced."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from ...program.defaults import (
    CLOUDFRONT_PRICE_CLASS,
    CLOUDFRONT_VIEWER_TLS_POLICY,
    HSTS_MAX_AGE_SECONDS,
    WAF_RATE_LIMIT_PER_5_MINUTES,
)
from ._support import child, concat

# AWS-managed CloudFront policies (fixed ids published by AWS).
CACHING_DISABLED_POLICY = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
ALL_VIEWER_ORIGIN_REQUEST_POLICY = "216adef6-5c7f-47e4-b989-5492eafa07d3"

# AWS managed rule groups, in evaluation order. KnownBadInputs blocks Log4Shell probes;
# AnonymousIpList blocks Tor and anonymising VPNs.
MANAGED_RULE_GROUPS = (
    "AWSManagedRulesAmazonIpReputationList",
    "AWSManagedRulesAnonymousIpList",
    "AWSManagedRulesCommonRuleSet",
    "AWSManagedRulesKnownBadInputsRuleSet",
    "AWSManagedRulesSQLiRuleSet",
)
# Rules of those groups that only count: API clients and webhooks often run on cloud
# hosts, which the anonymous-IP group would otherwise block.
COUNT_ONLY_RULES = {"AWSManagedRulesAnonymousIpList": ("HostingProviderIPList",)}


@dataclass(frozen=True)
class EdgeArgs:
    """Arguments of :class:`Edge`."""

    load_balancer_arn: pulumi.Input[str]
    """The load balancer to front, protect or attach the web ACL to. Required."""
    load_balancer_dns_name: pulumi.Input[str]
    """The load balancer's DNS name (CloudFront's origin). Required."""
    waf_log_kms_key_arn: pulumi.Input[str]
    """Key of the WAF log groups; the us-east-1 one when `cdn` (CloudFront's ACL lives there). Required."""
    regional_log_kms_key_arn: pulumi.Input[str] | None = None
    """Key of the load balancer ACL's log group (the primary region's) when `cdn` puts the
    main ACL in us-east-1. Defaults to `None`: `waf_log_kms_key_arn`."""
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
        "statement": {"rate_based_statement": {"limit": WAF_RATE_LIMIT_PER_5_MINUTES, "aggregate_key_type": "IP"}},
        "visibility_config": _visibility("rate-limit"),
    }]
    for priority, group in enumerate(MANAGED_RULE_GROUPS, start=1):
        statement: dict[str, object] = {"name": group, "vendor_name": "AWS"}
        if group in COUNT_ONLY_RULES:
            statement["rule_action_overrides"] = [
                {"name": rule, "action_to_use": {"count": {}}} for rule in COUNT_ONLY_RULES[group]]
        rules.append({
            "name": group,
            "priority": priority,
            "override_action": {"none": {}},
            "statement": {"managed_rule_group_statement": statement},
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
    """The ACL in front of the traffic: CloudFront's with a CDN, else the load balancer's."""
    regional_web_acl: aws.wafv2.WebAcl | None
    """The load balancer's own ACL."""
    distribution: aws.cloudfront.Distribution | None
    url: pulumi.Output[str] | None

    def __init__(self, name: str, args: EdgeArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("specql:aws:Edge", name, None, opts)
        global_opts = child(self, provider=args.global_provider) if args.global_provider else child(self)
        self.web_acl = None
        self.regional_web_acl = None
        if args.waf:
            if args.cdn:
                self.web_acl = self._web_acl(f"{name}-waf", "CLOUDFRONT", args, global_opts)
            # The load balancer keeps its own regional ACL even behind CloudFront, so a
            # request that goes around the CDN to the ALB's DNS name is filtered too.
            self.regional_web_acl = self._web_acl(
                f"{name}-waf-regional" if args.cdn else f"{name}-waf", "REGIONAL", args, child(self),
                log_key=args.regional_log_kms_key_arn or args.waf_log_kms_key_arn)
            aws.wafv2.WebAclAssociation(
                f"{name}-waf-alb", resource_arn=args.load_balancer_arn, web_acl_arn=self.regional_web_acl.arn,
                opts=child(self))
            if not args.cdn:
                self.web_acl = self.regional_web_acl
        self.distribution = None
        self.url = None
        if args.cdn:
            self.distribution = self._distribution(name, args, global_opts)
            self.url = (pulumi.Output.from_input(f"https://{args.domain}") if args.domain
                        else concat("https://", self.distribution.domain_name))

        if args.ddos_protection:
            aws.shield.Protection(
                f"{name}-shield-alb", name=f"{name}-alb", resource_arn=args.load_balancer_arn, opts=child(self))
            if self.distribution is not None:
                aws.shield.Protection(
                    f"{name}-shield-cdn", name=f"{name}-cdn", resource_arn=self.distribution.arn, opts=global_opts)

        outputs: dict[str, object] = {}
        if self.web_acl is not None:
            outputs["web_acl_arn"] = self.web_acl.arn
        if self.distribution is not None:
            outputs["distribution_domain_name"] = self.distribution.domain_name
        self.register_outputs(outputs or {"waf": False})

    def _web_acl(self, name: str, scope: str, args: EdgeArgs, opts: pulumi.ResourceOptions,
                 log_key: pulumi.Input[str] | None = None) -> aws.wafv2.WebAcl:
        """One web ACL (managed rules, rate limit) whose decisions go to an encrypted log group."""
        acl = aws.wafv2.WebAcl(
            name,
            scope=scope,
            description=f"{name}: AWS managed rules and a per-IP rate limit",
            default_action={"allow": {}},
            rules=managed_rules(),
            visibility_config=_visibility(name),
            opts=opts,
        )
        logs = aws.cloudwatch.LogGroup(
            f"{name}-logs",
            name=f"aws-waf-logs-{name}",
            retention_in_days=args.log_retention_days,
            kms_key_id=log_key or args.waf_log_kms_key_arn,
            opts=opts,
        )
        aws.wafv2.WebAclLoggingConfiguration(
            f"{name}-logging", resource_arn=acl.arn, log_destination_configs=[logs.arn], opts=opts)
        return acl

    def _distribution(self, name: str, args: EdgeArgs, global_opts: pulumi.ResourceOptions) -> aws.cloudfront.Distribution:
        viewer_certificate: dict[str, object]
        if args.domain:
            certificate = aws.acm.Certificate(
                f"{name}-cdn-cert", domain_name=args.domain, validation_method="DNS", opts=global_opts)
            viewer_certificate = {
                "acm_certificate_arn": certificate.arn,
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
                    "access_control_max_age_sec": HSTS_MAX_AGE_SECONDS, "include_subdomains": True,
                    "preload": True, "override": True},
                "content_type_options": {"override": True},
                "frame_options": {"frame_option": "DENY", "override": True},
                "referrer_policy": {"referrer_policy": "strict-origin-when-cross-origin", "override": True},
                "xss_protection": {"protection": True, "mode_block": True, "override": True},
            },
            opts=global_opts,
        )
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
            price_class=CLOUDFRONT_PRICE_CLASS,
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
                "response_headers_policy_id": headers.id,
                "compress": True,
            },
            restrictions={"geo_restriction": {"restriction_type": "none"}},
            viewer_certificate=viewer_certificate,
            logging_config=logging_config,
            web_acl_id=self.web_acl.arn if self.web_acl is not None else None,
            opts=global_opts,
        )
