"""Edge: CloudFront with its WAF and logs, the web ACL's managed rules, Shield Advanced.

The load balancer's own regional ACL is the load balancer's (test_aws_load_balancer.py)."""

from __future__ import annotations

from specql_deploy.components.aws.edge import Edge, EdgeArgs, edge_settings

from aws_harness import KEY, PRODUCTION, build, only

ALB = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/shop/abc"
ACL = "aws:wafv2/webAcl:WebAcl"
CDN = "aws:cloudfront/distribution:Distribution"
SHIELD = "aws:shield/protection:Protection"


def edge(**overrides):
    args = {
        **edge_settings(PRODUCTION),
        "domain": None,
        "origin_https": False,
        "ddos_protection": False,
        "load_balancer_arn": ALB,
        "load_balancer_dns_name": "shop.elb.amazonaws.com",
        "waf_log_kms_key_arn": KEY,
    }
    args.update(overrides)
    return build(lambda: Edge("shop-prod-edge", EdgeArgs(**args)))


def rule_groups(acl) -> list[str]:
    return [
        rule["statement"]["managedRuleGroupStatement"]["name"]
        for rule in acl.inputs["rules"]
        if "managedRuleGroupStatement" in rule["statement"]
    ]


# ----------------------------------------------------------------------------- defaults


def acls(graph) -> dict[str, object]:
    return {acl.inputs["scope"]: acl for acl in graph.of_type(ACL)}


def test_default_is_cloudfront_with_a_cloudfront_scoped_web_acl():
    graph = edge()
    acl = acls(graph)["CLOUDFRONT"]
    assert "AWSManagedRulesKnownBadInputsRuleSet" in rule_groups(acl)  # Log4Shell
    assert "AWSManagedRulesAnonymousIpList" in rule_groups(acl)
    assert "AWSManagedRulesCommonRuleSet" in rule_groups(acl)
    cdn = only(graph, CDN).inputs
    assert cdn["webAclId"] == f"arn:aws:offline:::{acl.name}"


def test_the_edge_creates_no_regional_acl_and_no_association():
    # the load balancer's regional ACL and its association live with the load balancer
    graph = edge()
    assert set(acls(graph)) == {"CLOUDFRONT"}
    assert graph.of_type("aws:wafv2/webAclAssociation:WebAclAssociation") == []


def test_hosting_provider_addresses_are_only_counted():
    acl = acls(edge())["CLOUDFRONT"]
    [anonymous] = [
        r
        for r in acl.inputs["rules"]
        if r["statement"].get("managedRuleGroupStatement", {}).get("name") == "AWSManagedRulesAnonymousIpList"
    ]
    assert anonymous["statement"]["managedRuleGroupStatement"]["ruleActionOverrides"] == [
        {"name": "HostingProviderIPList", "actionToUse": {"count": {}}}
    ]


def test_rate_limit_blocks_floods_before_the_managed_rules():
    for acl in edge().of_type(ACL):
        first = acl.inputs["rules"][0]
        assert first["action"] == {"block": {}}
        assert first["statement"]["rateBasedStatement"]["aggregateKeyType"] == "IP"


def test_web_acl_decisions_are_logged_to_encrypted_waf_log_groups():
    graph = edge(log_retention_days=365)
    groups = {g.name: g.inputs for g in graph.of_type("aws:cloudwatch/logGroup:LogGroup")}
    # WAF requires the `aws-waf-logs-` prefix on its destination
    assert groups["shop-prod-edge-waf-logs"]["name"].startswith("aws-waf-logs-")
    assert groups["shop-prod-edge-waf-logs"]["kmsKeyId"] == KEY
    assert groups["shop-prod-edge-waf-logs"]["retentionInDays"] == 365
    logging = graph.of_type("aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration")
    assert sorted(c.inputs["resourceArn"] for c in logging) == sorted(
        f"arn:aws:offline:::{acl.name}" for acl in graph.of_type(ACL)
    )


def test_distribution_redirects_to_https_and_forwards_uncached():
    cdn = only(edge(), CDN).inputs
    behaviour = cdn["defaultCacheBehavior"]
    assert behaviour["viewerProtocolPolicy"] == "redirect-to-https"
    assert "loggingConfig" not in cdn  # legacy logging would need bucket ACLs
    [origin] = cdn["origins"]
    assert origin["domainName"] == "shop.elb.amazonaws.com"
    assert origin["customOriginConfig"]["originSslProtocols"] == ["TLSv1.2"]
    assert cdn["viewerCertificate"] == {"cloudfrontDefaultCertificate": True}


def test_access_logs_are_delivered_to_an_encrypted_log_group_without_acls():
    graph = edge(log_retention_days=365)
    cdn = only(graph, CDN)
    groups = {g.name: g.inputs for g in graph.of_type("aws:cloudwatch/logGroup:LogGroup")}
    logs = groups["shop-prod-edge-cdn-logs"]
    assert logs["kmsKeyId"] == KEY and logs["retentionInDays"] == 365
    source = only(graph, "aws:cloudwatch/logDeliverySource:LogDeliverySource").inputs
    assert source["logType"] == "ACCESS_LOGS" and source["resourceArn"] == f"arn:aws:offline:::{cdn.name}"
    destination = only(graph, "aws:cloudwatch/logDeliveryDestination:LogDeliveryDestination")
    assert destination.inputs["deliveryDestinationConfiguration"] == {
        "destinationResourceArn": "arn:aws:offline:::shop-prod-edge-cdn-logs"
    }
    delivery = only(graph, "aws:cloudwatch/logDelivery:LogDelivery").inputs
    assert delivery == {
        "deliverySourceName": source["name"],
        "deliveryDestinationArn": f"arn:aws:offline:::{destination.name}",
    }


def test_access_logs_off_creates_no_delivery():
    graph = edge(access_logs=False)
    assert graph.of_type("aws:cloudwatch/logDelivery:LogDelivery") == []


def test_responses_carry_security_headers_from_our_own_policy():
    graph = edge()
    policy = only(graph, "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy")
    headers = policy.inputs["securityHeadersConfig"]
    assert headers["strictTransportSecurity"] == {
        "accessControlMaxAgeSec": 31_536_000,
        "includeSubdomains": True,
        "preload": True,
        "override": True,
    }
    assert headers["frameOptions"]["frameOption"] == "DENY"
    assert headers["contentTypeOptions"] == {"override": True}
    assert only(graph, CDN).inputs["defaultCacheBehavior"]["responseHeadersPolicyId"] == f"{policy.name}-id"


def test_no_shield_unless_asked():
    assert edge().of_type(SHIELD) == []


# ---------------------------------------------------------------------------- overrides


def test_domain_brings_a_certificate_and_tls12_for_viewers_and_origin():
    graph = edge(domain="app.example.com", origin_https=True)
    cert = only(graph, "aws:acm/certificate:Certificate").inputs
    assert cert["domainName"] == "app.example.com"
    cdn = only(graph, CDN).inputs
    assert cdn["aliases"] == ["app.example.com"]
    assert cdn["viewerCertificate"]["minimumProtocolVersion"] == "TLSv1.2_2021"
    assert cdn["origins"][0]["customOriginConfig"]["originProtocolPolicy"] == "https-only"


def test_the_distribution_waits_for_its_certificate_to_be_issued():
    graph = edge(domain="app.example.com", origin_https=True)
    issued = only(graph, "aws:acm/certificateValidation:CertificateValidation")
    assert issued.urn in only(graph, CDN).dependencies
    assert graph.of_type("aws:route53/record:Record") == []


def test_a_route53_zone_points_the_domain_at_the_distribution_over_ipv4_and_ipv6():
    graph = edge(domain="app.example.com", origin_https=True, dns_zone_id="Z123")
    records = {
        record.inputs["type"]: record
        for record in graph.of_type("aws:route53/record:Record")
        if record.inputs.get("name") == "app.example.com"
    }
    assert sorted(records) == ["A", "AAAA"]
    for record in records.values():
        assert record.inputs["zoneId"] == "Z123"
        assert record.inputs["aliases"][0]["evaluateTargetHealth"] is False  # CloudFront has no health
        assert only(graph, CDN).urn in record.dependencies
    validation = next(r for r in graph.of_type("aws:route53/record:Record") if r.name.endswith("-validation"))
    assert validation.urn in only(graph, "aws:acm/certificateValidation:CertificateValidation").dependencies


def test_without_cdn_the_edge_holds_no_acl_and_no_distribution():
    graph = edge(cdn=False, ddos_protection=True)
    assert graph.of_type(ACL) == [] and graph.of_type(CDN) == []
    assert [p.inputs["resourceArn"] for p in graph.of_type(SHIELD)] == [ALB]


def test_ddos_protection_shields_the_load_balancer_and_the_distribution():
    graph = edge(ddos_protection=True)
    arns = sorted(p.inputs["resourceArn"] for p in graph.of_type(SHIELD))
    assert arns == sorted([ALB, f"arn:aws:offline:::{only(graph, CDN).name}"])


def test_cdn_without_waf_has_no_acl():
    graph = edge(waf=False)
    assert graph.of_type(ACL) == []
    assert "webAclId" not in only(graph, CDN).inputs
