"""LoadBalancer: ALB with access logs and header hygiene; HTTPS and redirect with a domain."""

from __future__ import annotations

import pytest

from specql_deploy.components.aws.load_balancer import LoadBalancer, LoadBalancerArgs, load_balancer_settings

from aws_harness import SMALL, SUBNETS, VPC, build, only

LISTENER = "aws:lb/listener:Listener"


def load_balancer(**overrides):
    args = {
        **load_balancer_settings(SMALL),
        "vpc_id": VPC,
        "subnet_ids": SUBNETS,
        "vpc_cidr": "10.0.0.0/16",
        "access_logs_bucket": "logs",
    }
    args.update(overrides)
    return build(lambda: LoadBalancer("shop-dev-lb", LoadBalancerArgs(**args)))


def listeners(graph) -> dict[int, dict]:
    return {listener.inputs["port"]: listener.inputs for listener in graph.of_type(LISTENER)}


def test_alb_drops_invalid_headers_and_logs_to_the_archive():
    alb = only(load_balancer(), "aws:lb/loadBalancer:LoadBalancer").inputs
    assert alb["dropInvalidHeaderFields"] is True
    assert alb["accessLogs"] == {"bucket": "logs", "prefix": "alb", "enabled": True}
    assert alb["subnets"] == SUBNETS and alb["internal"] is False
    assert alb["enableDeletionProtection"] is True  # the small-saas example keeps it on


def test_without_a_domain_one_http_listener_forwards():
    graph = load_balancer()
    assert list(listeners(graph)) == [80]
    assert listeners(graph)[80]["defaultActions"][0]["type"] == "forward"
    assert graph.of_type("aws:acm/certificate:Certificate") == []


def test_target_group_health_check_comes_from_the_application():
    graph = load_balancer(health_check_path="/healthz", health_check_interval=15, unhealthy_threshold=5, app_port=3000)
    group = only(graph, "aws:lb/targetGroup:TargetGroup").inputs
    assert group["targetType"] == "ip" and group["port"] == 3000
    check = group["healthCheck"]
    assert (check["path"], check["interval"], check["unhealthyThreshold"]) == ("/healthz", 15, 5)


def test_domain_brings_a_certificate_tls12_listener_and_a_redirect():
    graph = load_balancer(domain="app.example.com")
    cert = only(graph, "aws:acm/certificate:Certificate").inputs
    assert cert == {"domainName": "app.example.com", "validationMethod": "DNS"}
    by_port = listeners(graph)
    assert by_port[80]["defaultActions"] == [
        {"type": "redirect", "redirect": {"protocol": "HTTPS", "port": "443", "statusCode": "HTTP_301"}}
    ]
    assert by_port[443]["protocol"] == "HTTPS"
    assert by_port[443]["sslPolicy"].startswith("ELBSecurityPolicy-TLS13-1-2")


def test_an_existing_certificate_is_used_as_is():
    arn = "arn:aws:acm:us-east-1:123456789012:certificate/abc"
    graph = load_balancer(domain="app.example.com", certificate_arn=arn)
    assert graph.of_type("aws:acm/certificate:Certificate") == []
    assert listeners(graph)[443]["certificateArn"] == arn


def test_no_access_logs_bucket_means_no_access_logs():
    assert "accessLogs" not in only(load_balancer(access_logs_bucket=None), "aws:lb/loadBalancer:LoadBalancer").inputs


def test_deletion_protection_override():
    alb = only(load_balancer(deletion_protection=True), "aws:lb/loadBalancer:LoadBalancer").inputs
    assert alb["enableDeletionProtection"] is True


def test_certificate_without_domain_is_refused():
    with pytest.raises(ValueError, match="domain"):
        LoadBalancerArgs(
            **{**load_balancer_settings(SMALL), "certificate_arn": "arn:x"}, vpc_id=VPC, subnet_ids=SUBNETS
        )


# --------------------------------------------------------------------------------- WAF

KEY = "arn:aws:kms:us-east-1:123456789012:key/lb"


def test_no_web_acl_unless_asked():
    graph = load_balancer()
    assert graph.of_type("aws:wafv2/webAcl:WebAcl") == []
    assert graph.of_type("aws:wafv2/webAclAssociation:WebAclAssociation") == []


def test_waf_is_a_regional_acl_associated_with_this_load_balancer_and_logged():
    graph = load_balancer(waf=True, waf_log_kms_key_arn=KEY, waf_log_retention_days=365)
    acl = only(graph, "aws:wafv2/webAcl:WebAcl")
    alb = only(graph, "aws:lb/loadBalancer:LoadBalancer")
    assert acl.inputs["scope"] == "REGIONAL" and acl.inputs["defaultAction"] == {"allow": {}}
    groups = [
        rule["statement"]["managedRuleGroupStatement"]["name"]
        for rule in acl.inputs["rules"]
        if "managedRuleGroupStatement" in rule["statement"]
    ]
    assert {"AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet"} <= set(groups)
    assert acl.inputs["rules"][0]["statement"]["rateBasedStatement"]["aggregateKeyType"] == "IP"
    association = only(graph, "aws:wafv2/webAclAssociation:WebAclAssociation")
    assert association.inputs == {
        "resourceArn": f"arn:aws:offline:::{alb.name}",
        "webAclArn": f"arn:aws:offline:::{acl.name}",
    }
    # the association is the load balancer's child: it lives (and is ejected) beside the ALB
    assert association.parent == alb.parent
    logs = only(graph, "aws:cloudwatch/logGroup:LogGroup").inputs
    assert logs["name"].startswith("aws-waf-logs-") and logs["kmsKeyId"] == KEY and logs["retentionInDays"] == 365
    logging = only(graph, "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration").inputs
    assert logging["resourceArn"] == f"arn:aws:offline:::{acl.name}"


def test_waf_without_a_log_key_is_refused():
    with pytest.raises(ValueError, match="waf_log_kms_key_arn"):
        LoadBalancerArgs(**{**load_balancer_settings(SMALL), "waf": True}, vpc_id=VPC, subnet_ids=SUBNETS)


CERTIFICATE = "aws:acm/certificate:Certificate"
ISSUED = "aws:acm/certificateValidation:CertificateValidation"
RECORD = "aws:route53/record:Record"


def test_the_https_listener_waits_for_acm_to_issue_the_certificate():
    # a listener refuses a certificate still pending validation: it takes the validated ARN
    graph = load_balancer(domain="app.example.com")
    issued = only(graph, ISSUED)
    https = next(r for r in graph.of_type(LISTENER) if r.inputs["port"] == 443)
    assert issued.urn in https.dependencies
    assert issued.inputs["certificateArn"] == f"arn:aws:offline:::{only(graph, CERTIFICATE).name}"
    # without a Route 53 zone no record is written: the user publishes the CNAME `up` prints
    assert graph.of_type(RECORD) == [] and "validationRecordFqdns" not in issued.inputs


def test_a_route53_zone_gets_the_validation_record_and_the_alias():
    graph = load_balancer(domain="app.example.com", dns_zone_id="Z123")
    records = {record.name.rsplit("-", 1)[-1]: record for record in graph.of_type(RECORD)}
    assert set(records) == {"validation", "alias"}
    validation = records["validation"]
    assert validation.inputs["zoneId"] == "Z123" and validation.inputs["ttl"] == 60
    assert validation.inputs["allowOverwrite"] is True  # the CDN's certificate asks for the same record
    assert only(graph, CERTIFICATE).urn in validation.dependencies
    assert validation.urn in only(graph, ISSUED).dependencies
    alias = records["alias"].inputs
    assert (alias["name"], alias["type"], alias["zoneId"]) == ("app.example.com", "A", "Z123")
    assert alias["aliases"][0]["evaluateTargetHealth"] is True


def test_behind_a_cdn_the_zone_validates_but_the_domain_points_at_the_cdn():
    graph = load_balancer(domain="app.example.com", dns_zone_id="Z123", cdn_only=True)
    assert [record.name for record in graph.of_type(RECORD)] == ["shop-dev-lb-cert-validation"]


def test_a_zone_without_a_domain_is_refused():
    with pytest.raises(ValueError, match="`dns_zone_id` needs `domain`"):
        LoadBalancerArgs(**load_balancer_settings(SMALL), vpc_id=VPC, subnet_ids=SUBNETS, dns_zone_id="Z123")


# ----------------------------------------------------------- Network Load Balancer


def test_network_type_builds_a_network_load_balancer_with_tcp_targets():
    # GIVEN `load_balancer.type: network`, no domain
    graph = load_balancer(type="network")
    # THEN an NLB (no ALB-only attributes), TCP to the tasks, HTTP health checks on the app's path
    nlb = only(graph, "aws:lb/loadBalancer:LoadBalancer")
    assert nlb.name == "shop-dev-lb-nlb"
    assert nlb.inputs["loadBalancerType"] == "network"
    assert nlb.inputs["enableCrossZoneLoadBalancing"] is True
    assert nlb.inputs["securityGroups"] and nlb.inputs["subnets"] == SUBNETS
    assert not {"dropInvalidHeaderFields", "desyncMitigationMode", "idleTimeout", "accessLogs"} & set(nlb.inputs)
    group = only(graph, "aws:lb/targetGroup:TargetGroup").inputs
    assert (group["protocol"], group["targetType"]) == ("TCP", "ip")
    assert (
        group["healthCheck"]["protocol"] == "HTTP"
        and group["healthCheck"]["path"] == SMALL.application.health_check_path
    )
    assert {port: inputs["protocol"] for port, inputs in listeners(graph).items()} == {80: "TCP"}


def test_network_type_with_a_domain_terminates_tls_and_keeps_port_80_closed():
    # GIVEN an NLB and a domain
    graph = load_balancer(type="network", domain="app.example.com")
    # THEN one TLS listener on 443 with the certificate and the TLS 1.2+ policy; nothing on 80
    by_port = listeners(graph)
    assert list(by_port) == [443]
    assert by_port[443]["protocol"] == "TLS" and by_port[443]["sslPolicy"].startswith("ELBSecurityPolicy-TLS13")
    (group,) = graph.of_type("aws:ec2/securityGroup:SecurityGroup")
    assert [rule["fromPort"] for rule in group.inputs["ingress"]] == [443]


def test_a_web_acl_cannot_front_a_network_load_balancer():
    with pytest.raises(ValueError, match="Network Load Balancer"):
        LoadBalancerArgs(
            **{**load_balancer_settings(SMALL), "type": "network", "waf": True, "waf_log_kms_key_arn": "key"},
            vpc_id=VPC,
            subnet_ids=SUBNETS,
        )
