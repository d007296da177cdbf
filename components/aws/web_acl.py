"""Web ACLs: AWS managed rules behind a per-IP rate limit, every decision logged.

Shared by the load balancer (its regional ACL, associated where the load balancer is
defined) and the edge (CloudFront's ACL, which must live in us-east-1).
"""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from ...program.building_blocks import WAF_RATE_LIMIT_PER_5_MINUTES

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


def managed_rules() -> list[dict[str, object]]:
    """A rate limit first, then the AWS managed rule groups."""
    rules: list[dict[str, object]] = [
        {
            "name": "rate-limit",
            "priority": 0,
            "action": {"block": {}},
            "statement": {"rate_based_statement": {"limit": WAF_RATE_LIMIT_PER_5_MINUTES, "aggregate_key_type": "IP"}},
            "visibility_config": _visibility("rate-limit"),
        }
    ]
    for priority, group in enumerate(MANAGED_RULE_GROUPS, start=1):
        statement: dict[str, object] = {"name": group, "vendor_name": "AWS"}
        if group in COUNT_ONLY_RULES:
            statement["rule_action_overrides"] = [
                {"name": rule, "action_to_use": {"count": {}}} for rule in COUNT_ONLY_RULES[group]
            ]
        rules.append(
            {
                "name": group,
                "priority": priority,
                "override_action": {"none": {}},
                "statement": {"managed_rule_group_statement": statement},
                "visibility_config": _visibility(group),
            }
        )
    return rules


def _visibility(metric: str) -> dict[str, object]:
    return {"cloudwatch_metrics_enabled": True, "metric_name": metric, "sampled_requests_enabled": True}


def web_acl(
    name: str, scope: str, log_kms_key_arn: pulumi.Input[str], log_retention_days: int, opts: pulumi.ResourceOptions
) -> aws.wafv2.WebAcl:
    """One web ACL (managed rules, rate limit) whose decisions go to an encrypted log group.

    `scope` is `REGIONAL` (load balancers) or `CLOUDFRONT` (then `opts` must carry a
    us-east-1 provider, and the key must be a us-east-1 key).
    """
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
        retention_in_days=log_retention_days,
        kms_key_id=log_kms_key_arn,
        opts=opts,
    )
    aws.wafv2.WebAclLoggingConfiguration(
        f"{name}-logging", resource_arn=acl.arn, log_destination_configs=[logs.arn], opts=opts
    )
    return acl
