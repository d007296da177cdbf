"""Cache: ElastiCache Redis encrypted at rest and in transit, with a generated AUTH token."""

from __future__ import annotations

import pytest

from specql_deploy.components.aws.cache import Cache, CacheArgs, cache_settings, parameter_group_name

from aws_harness import KEY, SMALL, SUBNETS, VPC, build, only

GROUP = "aws:elasticache/replicationGroup:ReplicationGroup"


def cache(**overrides):
    args = {**cache_settings(SMALL), "vpc_id": VPC, "subnet_ids": SUBNETS, "kms_key_arn": KEY}
    args.update(overrides)
    return build(lambda: Cache("shop-dev-cache", CacheArgs(**args)))


# ----------------------------------------------------------------------------- defaults


def test_encrypted_at_rest_with_the_key_and_in_transit():
    redis = only(cache(), GROUP).inputs
    assert redis["atRestEncryptionEnabled"] is True
    assert redis["kmsKeyId"] == KEY
    assert redis["transitEncryptionEnabled"] is True


def test_auth_token_is_a_generated_secret_stored_in_secrets_manager():
    graph = cache()
    redis = only(graph, GROUP)
    assert "authToken" in redis.secret_paths
    assert redis.public_inputs()["authToken"] == "[secret]"
    password = only(graph, "random:index/randomPassword:RandomPassword").inputs
    assert password["length"] >= 16 and password["special"] is False
    secret = only(graph, "aws:secretsmanager/secret:Secret").inputs
    assert secret["kmsKeyId"] == KEY
    version = only(graph, "aws:secretsmanager/secretVersion:SecretVersion")
    assert "secretString" in version.secret_paths


def test_default_is_one_node_without_failover_with_daily_snapshots():
    redis = only(cache(), GROUP).inputs
    assert redis["numCacheClusters"] == 1
    assert redis["automaticFailoverEnabled"] is False
    assert redis["multiAzEnabled"] is False
    assert redis["snapshotRetentionLimit"] == 1
    assert redis["nodeType"] == "cache.t4g.micro"
    assert redis["parameterGroupName"] == "default.redis7"


def test_its_group_admits_nobody_until_a_client_adds_its_rule():
    # the application admits itself (tests/components/aws/test_aws_firewall.py)
    graph = cache()
    sg = only(graph, "aws:ec2/securityGroup:SecurityGroup")
    assert "ingress" not in sg.inputs and sg.inputs["egress"] == []
    group = only(graph, "aws:elasticache/replicationGroup:ReplicationGroup")
    assert group.inputs["securityGroupIds"] == [f"{sg.name}-id"]


def test_slow_log_goes_to_an_encrypted_log_group():
    graph = cache()
    group = only(graph, "aws:cloudwatch/logGroup:LogGroup").inputs
    assert group["kmsKeyId"] == KEY
    [delivery] = only(graph, GROUP).inputs["logDeliveryConfigurations"]
    assert delivery["destination"] == group["name"] and delivery["logType"] == "slow-log"


def test_not_protected_by_default():
    redis = only(cache(), GROUP)
    assert (redis.protect, redis.retain_on_delete) == (False, False)


# ---------------------------------------------------------------------------- overrides


def test_replica_with_failover_spreads_over_zones():
    redis = only(cache(replicas=1, automatic_failover=True, node_type="cache.m7g.large"), GROUP).inputs
    assert redis["numCacheClusters"] == 2
    assert redis["automaticFailoverEnabled"] is True and redis["multiAzEnabled"] is True
    assert redis["nodeType"] == "cache.m7g.large"


def test_cluster_mode_shards_with_replicas_per_shard():
    redis = only(cache(replicas=1, automatic_failover=True, cluster_mode=True), GROUP).inputs
    assert redis["clusterMode"] == "enabled"
    assert redis["numNodeGroups"] == 2 and redis["replicasPerNodeGroup"] == 1
    assert redis["parameterGroupName"] == "default.redis7.cluster.on"
    assert "numCacheClusters" not in redis


def test_protected_in_production():
    redis = only(cache(protect=True), GROUP)
    assert (redis.protect, redis.retain_on_delete) == (True, True)


def test_failover_without_replica_is_refused():
    with pytest.raises(ValueError, match="replicas"):
        CacheArgs(
            **{**cache_settings(SMALL), "replicas": 0, "automatic_failover": True},
            vpc_id=VPC,
            subnet_ids=SUBNETS,
            kms_key_arn=KEY,
        )


def test_parameter_group_name_per_mode():
    assert parameter_group_name("7.1", False) == "default.redis7"
    assert parameter_group_name("7.1", True) == "default.redis7.cluster.on"
