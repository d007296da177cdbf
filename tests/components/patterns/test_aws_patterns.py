"""SmallSaas and ProductionSaas on every AWS example: inventory, providers, and safety properties."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from specql_deploy.capture import ResourceGraph, capture
from specql_deploy.program.manifest import load
from specql_deploy.program.resolve import resolve

from support import resolve_example

AWS_EXAMPLES = ["small-saas", "production-saas", "full-manifest", "phase2-extended"]
PROVIDER = "pulumi:providers:aws"
RDS = "aws:rds/instance:Instance"


@cache
def graph_of(example: str, environment: str | None = None) -> ResourceGraph:
    return capture(resolve_example(example, environment))


def graph_from_text(tmp_path: Path, text: str, environment: str | None = None) -> ResourceGraph:
    path = tmp_path / "shop" / "deployment.yaml"
    path.parent.mkdir(exist_ok=True)
    path.write_text(text)
    manifest = load(path)
    return capture(resolve(manifest.spec, environment, default_name=manifest.default_name))


def count(graph: ResourceGraph, suffix: str) -> int:
    """Resources whose type token ends with `suffix` (`ec2/natGateway:NatGateway`)."""
    return sum(1 for r in graph.resources if r.type.endswith(suffix) and r.type.startswith("aws:"))


def providers(graph: ResourceGraph) -> dict[str, str]:
    """Provider URN → region."""
    return {p.urn: p.inputs["region"] for p in graph.of_type(PROVIDER)}


# ------------------------------------------------------------------------------ inventory

# What each pattern example creates, by concept (counts come from the resolved values:
# zones, NAT strategy, replicas, cache, storage, edge, monitoring level, DR region).
INVENTORY = {
    "small-saas": {
        "ec2/vpc:Vpc": 1,
        "ec2/subnet:Subnet": 4,
        "ec2/natGateway:NatGateway": 1,
        "ec2/flowLog:FlowLog": 1,
        "rds/instance:Instance": 1,
        "elasticache/replicationGroup:ReplicationGroup": 0,
        "s3/bucket:Bucket": 1,
        "ecs/service:Service": 1,
        "lb/loadBalancer:LoadBalancer": 1,
        "lb/listener:Listener": 1,
        "cloudfront/distribution:Distribution": 0,
        "wafv2/webAcl:WebAcl": 0,
        "cloudwatch/metricAlarm:MetricAlarm": 7,
        "cloudwatch/dashboard:Dashboard": 1,
        "kms/key:Key": 1,
    },
    "production-saas": {
        # primary: 3 zones x (public, private, isolated); DR: 2 zones x (public, private)
        "ec2/vpc:Vpc": 2,
        "ec2/subnet:Subnet": 13,
        "ec2/natGateway:NatGateway": 3,
        "ec2/flowLog:FlowLog": 2,
        # primary + 2 read replicas + the cross-region replica
        "rds/instance:Instance": 4,
        "elasticache/replicationGroup:ReplicationGroup": 1,
        # log archive, uploads, and the uploads' replica in the DR region
        "s3/bucket:Bucket": 3,
        "s3/bucketReplicationConfig:BucketReplicationConfig": 1,
        "ecs/service:Service": 1,
        "lb/loadBalancer:LoadBalancer": 1,
        # a CloudFront ACL, and the load balancer's own regional ACL; the domain brings HTTPS
        # (redirect + TLS listeners) and certificates for the load balancer and CloudFront
        "lb/listener:Listener": 2,
        "acm/certificate:Certificate": 2,
        "cloudfront/distribution:Distribution": 1,
        "wafv2/webAcl:WebAcl": 2,
        "shield/protection:Protection": 2,
        "cloudwatch/metricAlarm:MetricAlarm": 14,
        "cloudwatch/dashboard:Dashboard": 1,
        "kms/key:Key": 2,
    },
    "full-manifest": {
        "ec2/vpc:Vpc": 1,
        "ec2/subnet:Subnet": 4,
        "ec2/natGateway:NatGateway": 1,
        "rds/instance:Instance": 2,
        "elasticache/replicationGroup:ReplicationGroup": 1,
        "s3/bucket:Bucket": 3,
        "s3/bucketReplicationConfig:BucketReplicationConfig": 0,
        "lb/listener:Listener": 2,
        "acm/certificate:Certificate": 1,
        "cloudfront/distribution:Distribution": 0,
        "cloudwatch/metricAlarm:MetricAlarm": 11,
        "appautoscaling/policy:Policy": 2,
        "kms/key:Key": 1,
    },
    "phase2-extended": {
        "ec2/vpc:Vpc": 1,
        "ec2/natGateway:NatGateway": 1,
        "rds/instance:Instance": 1,
        "elasticache/replicationGroup:ReplicationGroup": 0,
        "cloudwatch/metricAlarm:MetricAlarm": 9,
        "sns/topicSubscription:TopicSubscription": 1,
        "kms/key:Key": 1,
    },
}


@pytest.mark.parametrize("example", AWS_EXAMPLES)
def test_resource_inventory_per_pattern(example):
    # GIVEN an AWS example  WHEN its program is captured  THEN it creates what its pattern promises
    graph = graph_of(example)
    assert {suffix: count(graph, suffix) for suffix in INVENTORY[example]} == INVENTORY[example]


@pytest.mark.parametrize(
    ("example", "pattern"),
    [("small-saas", "SmallSaas"), ("full-manifest", "SmallSaas"), ("production-saas", "ProductionSaas")],
)
def test_pattern_component_is_the_root_of_every_block(example, pattern):
    graph = graph_of(example)
    [root] = graph.of_type(f"specql:patterns:{pattern}")
    blocks = [r for r in graph.resources if r.type.startswith("specql:aws:")]
    assert blocks and all(block.parent == root.urn for block in blocks)
    assert {
        "specql:aws:Network",
        "specql:aws:Database",
        "specql:aws:Service",
        "specql:aws:LoadBalancer",
        "specql:aws:Monitoring",
    } <= {block.type for block in blocks}


@pytest.mark.parametrize("example", AWS_EXAMPLES)
def test_stack_outputs_name_the_url_database_cluster_service_and_repository(example):
    outputs = graph_of(example).outputs
    assert {"url", "database_endpoint", "cluster_name", "service_name", "ecr_repository_url"} <= set(outputs)


# ------------------------------------------------------------------------------ providers


@pytest.mark.parametrize("example", AWS_EXAMPLES)
def test_every_aws_resource_uses_an_explicit_provider_pinned_to_the_region(example):
    graph = graph_of(example)
    regions = providers(graph)
    primary = resolve_example(example).platform.region
    assert primary in regions.values()
    for resource in graph.resources:
        if resource.custom and resource.type.startswith("aws:"):
            assert resource.provider in regions, resource.name


def test_provider_tags_every_resource_with_the_deployment_tags():
    [provider] = graph_of("small-saas").of_type(PROVIDER)
    tags = provider.inputs["defaultTags"]
    assert all(value in tags for value in ("small-saas", "specql-deploy", "dev"))


def test_production_saas_puts_the_cross_region_replica_in_the_dr_region():
    graph = graph_of("production-saas")
    regions = providers(graph)
    assert sorted(regions.values()) == ["eu-west-1", "us-east-1"]
    dr = next(r for r in graph.of_type(RDS) if "-dr-" in r.name)
    primary = next(r for r in graph.of_type(RDS) if r.name.endswith("-db-primary"))
    assert regions[dr.provider] == "eu-west-1"
    assert regions[primary.provider] == "us-east-1"
    assert dr.inputs["replicateSourceDb"] == f"arn:aws:offline:::{primary.name}"
    # a promoted copy keeps the primary's standby: no single-zone production after a regional failover
    assert primary.inputs["multiAz"] is True and dr.inputs["multiAz"] is True
    # encrypted with a key of its own region
    dr_key = next(k for k in graph.of_type("aws:kms/key:Key") if "-dr-" in k.name)
    assert regions[dr_key.provider] == "eu-west-1"
    assert dr.inputs["kmsKeyId"] == f"arn:aws:offline:::{dr_key.name}"


def test_production_saas_replicates_buckets_to_the_dr_region_under_its_key():
    graph = graph_of("production-saas")
    regions = providers(graph)
    [config] = graph.of_type("aws:s3/bucketReplicationConfig:BucketReplicationConfig")
    [rule] = config.inputs["rules"]
    replica = next(
        b
        for b in graph.of_type("aws:s3/bucket:Bucket")
        if f"arn:aws:offline:::{b.name}" == rule["destination"]["bucket"]
    )
    assert regions[replica.provider] == "eu-west-1"
    dr_key = next(k for k in graph.of_type("aws:kms/key:Key") if regions[k.provider] == "eu-west-1")
    assert rule["destination"]["encryptionConfiguration"]["replicaKmsKeyId"] == f"arn:aws:offline:::{dr_key.name}"
    assert rule["status"] == "Enabled" and rule["deleteMarkerReplication"] == {"status": "Enabled"}

    # the replica is held to the source's rules: private, KMS-encrypted, versioned, TLS only
    def of(type_token):
        return [r for r in graph.of_type(type_token) if r.inputs.get("bucket") == f"{replica.name}-id"]

    [block] = of("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock")
    assert block.inputs["restrictPublicBuckets"] is True and block.inputs["blockPublicAcls"] is True
    [sse] = of("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration")
    assert (
        sse.inputs["rules"][0]["applyServerSideEncryptionByDefault"]["kmsMasterKeyId"]
        == f"arn:aws:offline:::{dr_key.name}"
    )
    [versioning] = of("aws:s3/bucketVersioning:BucketVersioning")
    assert versioning.inputs["versioningConfiguration"] == {"status": "Enabled"}
    assert "aws:SecureTransport" in of("aws:s3/bucketPolicy:BucketPolicy")[0].inputs["policy"]


def test_small_saas_refuses_a_second_region_instead_of_ignoring_it(tmp_path):
    from specql_deploy.program.resolve import ResolutionError

    # a second region used to be accepted and silently dropped: now it is refused, naming production-saas
    with pytest.raises(ResolutionError, match="production-saas adds a disaster-recovery region"):
        graph_from_text(tmp_path, "deployment:\n  pattern: small-saas\n  regions: [us-east-1, eu-west-1]\n")
    # one region listed builds in that region, with one database
    graph = graph_from_text(tmp_path, "deployment:\n  pattern: small-saas\n  regions: [eu-west-1]\n")
    assert list(providers(graph).values()) == ["eu-west-1"]
    assert count(graph, "rds/instance:Instance") == 1


def test_cdn_outside_us_east_1_gets_a_global_provider_for_its_certificate_and_acl(tmp_path):
    graph = graph_from_text(tmp_path, "deployment:\n  pattern: production-saas\n  region: eu-central-1\n")
    regions = providers(graph)
    assert sorted(regions.values()) == ["eu-central-1", "us-east-1"]
    acls = {acl.inputs["scope"]: acl for acl in graph.of_type("aws:wafv2/webAcl:WebAcl")}
    assert regions[acls["CLOUDFRONT"].provider] == "us-east-1"
    assert regions[acls["REGIONAL"].provider] == "eu-central-1"
    [certificate] = graph.of_type("aws:cloudfront/distribution:Distribution")
    assert regions[certificate.provider] == "us-east-1"
    keys = {regions[k.provider]: k for k in graph.of_type("aws:kms/key:Key")}
    for group in graph.of_type("aws:cloudwatch/logGroup:LogGroup"):
        # every log group is encrypted with the key of its own region
        assert group.inputs["kmsKeyId"] == f"arn:aws:offline:::{keys[regions[group.provider]].name}", group.name


# ------------------------------------------------------------------------- sizes and counts


@pytest.mark.parametrize(
    ("pattern", "size", "database", "cache_node"),
    [
        ("small-saas", "small", "db.t4g.micro", "cache.t4g.micro"),
        ("small-saas", "medium", "db.t4g.medium", "cache.t4g.small"),
        ("production-saas", "large", "db.r7g.xlarge", "cache.r7g.large"),
        ("production-saas", "xlarge", "db.r7g.2xlarge", "cache.r7g.xlarge"),
    ],
)
def test_instance_classes_per_pattern_and_size(tmp_path, pattern, size, database, cache_node):
    graph = graph_from_text(
        tmp_path,
        f"deployment:\n  pattern: {pattern}\n  database:\n    size: {size}\n"
        f"  cache:\n    enabled: true\n    size: {size}\n",
    )
    assert {r.inputs["instanceClass"] for r in graph.of_type(RDS)} == {database}
    [redis] = graph.of_type("aws:elasticache/replicationGroup:ReplicationGroup")
    assert redis.inputs["nodeType"] == cache_node


def test_small_saas_runs_single_az_and_production_saas_multi_az():
    small = next(r for r in graph_of("small-saas").of_type(RDS) if r.name.endswith("-primary"))
    production = next(r for r in graph_of("production-saas").of_type(RDS) if r.name.endswith("-db-primary"))
    assert small.inputs["multiAz"] is False
    assert production.inputs["multiAz"] is True


def test_nat_none_is_honoured_and_tasks_reach_aws_apis_through_endpoints(tmp_path):
    graph = graph_from_text(tmp_path, "deployment:\n  pattern: small-saas\n  networking:\n    nat_gateway: false\n")
    assert count(graph, "ec2/natGateway:NatGateway") == 0
    services = sorted(
        e.inputs["serviceName"]
        for e in graph.of_type("aws:ec2/vpcEndpoint:VpcEndpoint")
        if e.inputs["vpcEndpointType"] == "Interface"
    )
    assert services == [f"com.amazonaws.us-east-1.{name}" for name in ("ecr.api", "ecr.dkr", "logs", "secretsmanager")]


def test_log_delivery_waits_for_the_log_bucket_policy():
    # an ALB refuses an access-log bucket it cannot write to yet
    graph = graph_of("small-saas")
    [policy] = [p for p in graph.of_type("aws:s3/bucketPolicy:BucketPolicy") if "logarchive" in p.name]
    [alb] = graph.of_type("aws:lb/loadBalancer:LoadBalancer")
    assert policy.urn in alb.dependencies


def test_task_size_and_count_come_from_the_manifest():
    graph = graph_of("full-manifest")
    [task] = graph.of_type("aws:ecs/taskDefinition:TaskDefinition")
    assert (task.inputs["cpu"], task.inputs["memory"]) == ("512", "1024")
    [service] = graph.of_type("aws:ecs/service:Service")
    assert service.inputs["desiredCount"] == 2
    [target] = graph.of_type("aws:appautoscaling/target:Target")
    assert (target.inputs["minCapacity"], target.inputs["maxCapacity"]) == (2, 10)


# --------------------------------------------------------------------------------- safety


def _walk(value, path=""):
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _walk(item, f"{path}.{key}" if path else key)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _walk(item, f"{path}[{index}]")
    else:
        yield path, value


@pytest.mark.parametrize("example", AWS_EXAMPLES)
def test_no_input_holds_a_literal_password(example):
    for resource in graph_of(example).resources:
        for path, _value in _walk(dict(resource.inputs)):
            leaf = path.rsplit(".", 1)[-1].lower()
            if any(word in leaf for word in ("password", "authtoken", "secretstring")) and not leaf.startswith(
                "managemasteruser"
            ):
                assert path in resource.secret_paths, f"{resource.name}: {path} is not a secret"


@pytest.mark.parametrize("example", AWS_EXAMPLES)
def test_nothing_is_public_but_the_load_balancer_on_80_and_443(example):
    graph = graph_of(example)
    for group in graph.of_type("aws:ec2/securityGroup:SecurityGroup"):
        for rule in group.inputs.get("ingress", []):
            assert rule["description"]
            if "0.0.0.0/0" in rule.get("cidrBlocks", []):
                assert group.name.endswith("-lb-sg") and rule["fromPort"] in (80, 443), group.name
    assert all(r.inputs["publiclyAccessible"] is False for r in graph.of_type(RDS))
    assert all(s.inputs["mapPublicIpOnLaunch"] is False for s in graph.of_type("aws:ec2/subnet:Subnet"))
    blocks = graph.of_type("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock")
    assert len(blocks) == count(graph, "s3/bucket:Bucket")
    assert all(block.inputs["restrictPublicBuckets"] is True for block in blocks)
    [service] = graph.of_type("aws:ecs/service:Service")
    assert service.inputs["networkConfiguration"]["assignPublicIp"] is False


def test_production_saas_load_balancer_admits_only_cloudfront():
    graph = graph_of("production-saas")
    [group] = [g for g in graph.of_type("aws:ec2/securityGroup:SecurityGroup") if g.name.endswith("-lb-sg")]
    assert [rule.get("prefixListIds") for rule in group.inputs["ingress"]] == [["pl-cloudfront-us-east-1"]]


@pytest.mark.parametrize("example", AWS_EXAMPLES)
def test_data_stores_admit_only_the_application_tasks_group(example):
    # GIVEN the captured graph (mocked ids are `<name>-id`)
    graph = graph_of(example)
    [service] = graph.of_type("aws:ecs/service:Service")
    [app_group] = service.inputs["networkConfiguration"]["securityGroups"]
    stores = [*graph.of_type(RDS), *graph.of_type("aws:elasticache/replicationGroup:ReplicationGroup")]
    primary_groups = {
        group
        for store in stores
        if not store.inputs.get("replicateSourceDb", "").startswith("arn:")
        for group in store.inputs.get("vpcSecurityGroupIds") or store.inputs.get("securityGroupIds")
    }
    rules = graph.of_type("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
    # THEN each store's group has exactly one rule, from the tasks' group, on one TCP port, and no CIDR
    assert sorted(rule.inputs["securityGroupId"] for rule in rules) == sorted(primary_groups)
    for rule in rules:
        assert rule.inputs["referencedSecurityGroupId"] == app_group and "cidrIpv4" not in rule.inputs
        assert rule.inputs["ipProtocol"] == "tcp" and rule.inputs["fromPort"] == rule.inputs["toPort"]
    for group in graph.of_type("aws:ec2/securityGroup:SecurityGroup"):
        if f"{group.name}-id" in primary_groups:
            assert "ingress" not in group.inputs and group.inputs["egress"] == []


@pytest.mark.parametrize("example", AWS_EXAMPLES)
def test_encryption_is_on_for_every_data_store_and_log_group(example):
    graph = graph_of(example)
    assert all(r.inputs["storageEncrypted"] is True and r.inputs["kmsKeyId"] for r in graph.of_type(RDS))
    assert all(g.inputs["kmsKeyId"] for g in graph.of_type("aws:cloudwatch/logGroup:LogGroup"))
    assert all(k.inputs["enableKeyRotation"] is True for k in graph.of_type("aws:kms/key:Key"))
    for redis in graph.of_type("aws:elasticache/replicationGroup:ReplicationGroup"):
        assert redis.inputs["atRestEncryptionEnabled"] and redis.inputs["transitEncryptionEnabled"]
    for topic in graph.of_type("aws:sns/topic:Topic"):
        assert topic.inputs["kmsMasterKeyId"]


STATEFUL = (
    "aws:rds/instance:Instance",
    "aws:s3/bucket:Bucket",
    "aws:elasticache/replicationGroup:ReplicationGroup",
    "aws:kms/key:Key",
    "aws:ecr/repository:Repository",
)


def test_production_environment_protects_and_keeps_every_stateful_resource():
    # GIVEN the full manifest's production environment
    graph = graph_of("full-manifest", "production")
    stateful = [r for r in graph.resources if r.type in STATEFUL]
    # THEN each stateful resource is protected and retained, and nothing else is
    assert len(stateful) == 8
    assert all(r.protect and r.retain_on_delete for r in stateful)
    assert not [r.name for r in graph.resources if r.protect and r.type not in STATEFUL]
    primary = next(r for r in graph.of_type(RDS) if r.name.endswith("-primary"))
    assert primary.inputs["deletionProtection"] is True and primary.inputs["skipFinalSnapshot"] is False
    assert only_lb(graph).inputs["enableDeletionProtection"] is True


def test_non_production_environment_protects_nothing_with_pulumi_but_keeps_the_aws_guard():
    graph = graph_of("full-manifest")
    assert not [r.name for r in graph.resources if r.protect or r.retain_on_delete]
    # AWS's own deletion protection stays on (a confirmed `specql deploy destroy` lifts it)
    assert all(r.inputs["deletionProtection"] is True for r in graph.of_type(RDS))
    assert only_lb(graph).inputs["enableDeletionProtection"] is True


def test_manifest_secrets_are_injected_from_secrets_manager():
    graph = graph_of("full-manifest", "production")
    names = sorted(
        s.inputs["name"].rsplit("/", 1)[-1]
        for s in graph.of_type("aws:secretsmanager/secret:Secret")
        if "name" in s.inputs
    )
    assert names == ["DATABASE_URL", "JWT_SECRET", "STRIPE_API_KEY"]


def only_lb(graph):
    [alb] = graph.of_type("aws:lb/loadBalancer:LoadBalancer")
    return alb


def test_the_manifest_healthy_threshold_reaches_the_target_group(tmp_path):
    # GIVEN small-saas with four passing checks before traffic
    graph = graph_from_text(
        tmp_path, "deployment: {pattern: small-saas}\napplication: {health_check: {healthy_threshold: 4}}\n"
    )
    # THEN the load balancer's target group waits for them
    [group] = graph.of_type("aws:lb/targetGroup:TargetGroup")
    assert group.inputs["healthCheck"]["healthyThreshold"] == 4


def test_a_network_load_balancer_is_what_small_saas_builds_when_asked():
    from specql_deploy.capture import capture
    from specql_deploy.program.manifest import parse
    from specql_deploy.program.resolve import resolve

    # GIVEN small-saas with `load_balancer.type: network` and a domain
    resolved = resolve(
        parse(
            "deployment: {pattern: small-saas, domain: app.example.com}\nnetworking: {load_balancer: {type: network}}"
        )
    )
    # WHEN captured
    graph = capture(resolved)
    # THEN the entry point is an NLB with a TLS listener, the service registers with its TCP group,
    (balancer,) = graph.of_type("aws:lb/loadBalancer:LoadBalancer")
    assert balancer.inputs["loadBalancerType"] == "network"
    assert [listener.inputs["protocol"] for listener in graph.of_type("aws:lb/listener:Listener")] == ["TLS"]
    (service,) = graph.of_type("aws:ecs/service:Service")
    (group,) = graph.of_type("aws:lb/targetGroup:TargetGroup")
    assert (
        group.inputs["protocol"] == "TCP"
        and service.inputs["loadBalancers"][0]["containerPort"] == group.inputs["port"]
    )
    # no alarm reads an Application Load Balancer metric, and the unhealthy-hosts one reads the NLB's
    alarms = graph.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")
    assert alarms and all(alarm.inputs["namespace"] != "AWS/ApplicationELB" for alarm in alarms)
    assert {alarm.inputs["namespace"] for alarm in alarms if alarm.inputs["metricName"] == "UnHealthyHostCount"} == {
        "AWS/NetworkELB"
    }
    (dashboard,) = graph.of_type("aws:cloudwatch/dashboard:Dashboard")
    assert "ApplicationELB" not in dashboard.inputs["dashboardBody"]
    # and it is priced as one
    from specql_deploy.capture.cost import estimate

    assert any("Network Load Balancer" in item.description for item in estimate(graph, resolved).items)
