"""Storage and LogArchive: private, versioned, encrypted, logged, TLS-only buckets."""

from __future__ import annotations

from specql_deploy.components.aws.log_archive import LogArchive, LogArchiveArgs, log_archive_settings
from specql_deploy.components.aws.storage import BucketSpec, Storage, StorageArgs, storage_settings

from aws_harness import ACCOUNT, KEY, PRODUCTION, SMALL, build, only, statements

PAB = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
SSE = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
VERSIONING = "aws:s3/bucketVersioning:BucketVersioning"
LIFECYCLE = "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration"
POLICY = "aws:s3/bucketPolicy:BucketPolicy"
OWNERSHIP = "aws:s3/bucketOwnershipControls:BucketOwnershipControls"


def storage(*buckets: BucketSpec, **overrides):
    args = {
        **storage_settings(SMALL),
        "buckets": buckets or (BucketSpec("uploads", True, None),),
        "kms_key_arn": KEY,
        "log_bucket": "shop-logs",
    }
    args.update(overrides)
    return build(lambda: Storage("shop-dev-storage", StorageArgs(**args)))


def archive(**overrides):
    args = {**log_archive_settings(SMALL), "region": "us-east-1", "account_id": ACCOUNT}
    args.update(overrides)
    return build(lambda: LogArchive("shop-dev-logarchive", LogArchiveArgs(**args)))


def assert_private(graph):
    for block in graph.of_type(PAB):
        assert all(
            block.inputs[flag] is True
            for flag in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")
        )


def assert_tls_only(resource):
    deny = statements(resource)["DenyInsecureTransport"]
    assert deny["Effect"] == "Deny" and deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


# ----------------------------------------------------------------------------- defaults


def test_each_manifest_bucket_is_private_kms_encrypted_versioned_and_logged():
    graph = storage(BucketSpec("uploads", True, None), BucketSpec("backups", True, 90))
    assert len(graph.of_type("aws:s3/bucket:Bucket")) == 2
    assert len(graph.of_type(PAB)) == 2
    assert_private(graph)
    for sse in graph.of_type(SSE):
        [rule] = sse.inputs["rules"]
        assert rule["applyServerSideEncryptionByDefault"] == {"sseAlgorithm": "aws:kms", "kmsMasterKeyId": KEY}
        assert rule["bucketKeyEnabled"] is True
    assert {v.inputs["versioningConfiguration"]["status"] for v in graph.of_type(VERSIONING)} == {"Enabled"}
    logging = graph.of_type("aws:s3/bucketLogging:BucketLogging")
    assert sorted(log.inputs["targetPrefix"] for log in logging) == ["s3/backups/", "s3/uploads/"]
    assert {log.inputs["targetBucket"] for log in logging} == {"shop-logs"}
    assert {o.inputs["rule"]["objectOwnership"] for o in graph.of_type(OWNERSHIP)} == {"BucketOwnerEnforced"}


def test_bucket_policy_refuses_plain_http():
    assert_tls_only(only(storage(), POLICY))


def test_default_lifecycle_expires_old_versions_but_keeps_current_objects():
    [rule] = only(storage(), LIFECYCLE).inputs["rules"]
    assert rule["noncurrentVersionExpiration"] == {"noncurrentDays": 30}
    assert rule["abortIncompleteMultipartUpload"] == {"daysAfterInitiation": 7}
    assert "expiration" not in rule


def test_buckets_are_not_protected_outside_production():
    bucket = only(storage(), "aws:s3/bucket:Bucket")
    assert (bucket.protect, bucket.retain_on_delete) == (False, False)
    assert bucket.inputs["forceDestroy"] is True


# ---------------------------------------------------------------------------- overrides


def test_lifecycle_days_expire_current_objects():
    [rule] = only(storage(BucketSpec("backups", True, 90), noncurrent_version_days=7), LIFECYCLE).inputs["rules"]
    assert rule["expiration"] == {"days": 90}
    assert rule["noncurrentVersionExpiration"] == {"noncurrentDays": 7}


def test_versioning_off_suspends_it():
    assert only(storage(BucketSpec("scratch", False, None)), VERSIONING).inputs["versioningConfiguration"] == {
        "status": "Suspended"
    }


def test_production_buckets_are_protected_kept_and_never_force_destroyed():
    bucket = only(storage(protect=True), "aws:s3/bucket:Bucket")
    assert (bucket.protect, bucket.retain_on_delete) == (True, True)
    assert bucket.inputs["forceDestroy"] is False


# ---------------------------------------------------------------------------- log archive


def test_log_archive_uses_s3_managed_keys_because_log_delivery_cannot_use_kms():
    graph = archive()
    [rule] = only(graph, SSE).inputs["rules"]
    assert rule["applyServerSideEncryptionByDefault"] == {"sseAlgorithm": "AES256"}
    assert_private(graph)
    assert only(graph, VERSIONING).inputs["versioningConfiguration"] == {"status": "Enabled"}
    assert only(graph, OWNERSHIP).inputs["rule"] == {"objectOwnership": "BucketOwnerEnforced"}


def test_log_archive_lets_only_s3_logging_and_the_regions_load_balancers_write():
    policy = statements(only(archive(), POLICY))
    assert_tls_only(only(archive(), POLICY))
    assert policy["S3ServerAccessLogs"]["Principal"] == {"Service": "logging.s3.amazonaws.com"}
    assert policy["S3ServerAccessLogs"]["Condition"] == {"StringEquals": {"aws:SourceAccount": ACCOUNT}}
    assert policy["LoadBalancerAccessLogs"]["Principal"] == {"AWS": "arn:aws:iam::127311923021:root"}
    assert policy["LoadBalancerAccessLogs"]["Resource"].endswith(f"/alb/AWSLogs/{ACCOUNT}/*")


def test_log_archive_in_a_newer_region_grants_the_delivery_service_principal():
    policy = statements(only(archive(region="ap-southeast-5"), POLICY))
    assert policy["LoadBalancerAccessLogs"]["Principal"] == {
        "Service": "logdelivery.elasticloadbalancing.amazonaws.com"
    }


def test_log_archive_expires_logs_after_the_retention():
    [rule] = only(archive(retention_days=365), LIFECYCLE).inputs["rules"]
    assert rule["expiration"] == {"days": 365}


def test_log_archive_disables_acls():
    # CloudFront logs through CloudWatch Logs delivery, so no writer needs an ACL
    assert only(archive(), OWNERSHIP).inputs["rule"] == {"objectOwnership": "BucketOwnerEnforced"}


def test_every_bucket_and_the_log_archive_publish_object_events_to_eventbridge():
    notifications = storage(BucketSpec("uploads", True, None), BucketSpec("backups", True, None)).of_type(
        "aws:s3/bucketNotification:BucketNotification"
    )
    assert len(notifications) == 2 and all(n.inputs["eventbridge"] is True for n in notifications)
    assert only(archive(), "aws:s3/bucketNotification:BucketNotification").inputs["eventbridge"] is True


DR_KEY = "arn:aws:kms:eu-west-1:123456789012:key/dr"


def replicated(*buckets: BucketSpec):
    import pulumi_aws as aws

    from specql_deploy.components.aws.storage import ReplicaTarget

    def program():
        provider = aws.Provider("dr", region="eu-west-1")
        return Storage(
            "shop-prod-storage",
            StorageArgs(
                **{**storage_settings(PRODUCTION), "buckets": buckets},
                kms_key_arn=KEY,
                log_bucket="shop-logs",
                replica=ReplicaTarget(provider, DR_KEY),
            ),
        )

    return build(program)


def test_versioned_buckets_replicate_with_a_least_privilege_role():
    graph = replicated(BucketSpec("uploads", True, None), BucketSpec("scratch", False, None))
    # only the versioned bucket replicates (replication requires versioning)
    [config] = graph.of_type("aws:s3/bucketReplicationConfig:BucketReplicationConfig")
    assert config.inputs["bucket"] == "shop-prod-storage-uploads-id"
    replica = graph.named("shop-prod-storage-uploads-replica")
    assert graph.named("dr").urn in (replica.provider or "")
    granted = statements(only(graph, "aws:iam/rolePolicy:RolePolicy"))
    assert granted["WriteReplicas"]["Resource"] == [f"arn:aws:offline:::{replica.name}/*"]
    assert granted["ReadSourceVersions"]["Resource"] == ["arn:aws:offline:::shop-prod-storage-uploads/*"]
    assert granted["DecryptSources"] == {
        "Sid": "DecryptSources",
        "Effect": "Allow",
        "Action": "kms:Decrypt",
        "Resource": KEY,
    }
    assert granted["EncryptReplicas"]["Resource"] == DR_KEY
    assert not any(statement["Resource"] == "*" or statement["Action"] == "s3:*" for statement in granted.values())
    trust = only(graph, "aws:iam/role:Role").inputs["assumeRolePolicy"]
    assert "s3.amazonaws.com" in trust


def test_no_replica_target_no_replication():
    assert storage().of_type("aws:s3/bucketReplicationConfig:BucketReplicationConfig") == []
