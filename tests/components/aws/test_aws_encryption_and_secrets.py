"""Encryption (the deployment's KMS key) and Secrets (the application's Secrets Manager entries)."""

from __future__ import annotations

from specql_deploy.components.aws.encryption import Encryption, EncryptionArgs, encryption_settings
from specql_deploy.components.aws.secrets import Secrets, SecretsArgs

from aws_harness import ACCOUNT, KEY, SMALL, build, only, statements

KMS = "aws:kms/key:Key"


def keys(**overrides):
    args = {**encryption_settings(SMALL, "eu-west-1"), "account_id": ACCOUNT}
    args.update(overrides)
    return build(lambda: Encryption("shop-dev-kms", EncryptionArgs(**args)))


def test_key_rotates_yearly_and_waits_the_longest_before_deletion():
    key = only(keys(), KMS)
    assert key.inputs["enableKeyRotation"] is True
    assert key.inputs["deletionWindowInDays"] == 30
    assert (key.protect, key.retain_on_delete) == (False, False)
    assert only(keys(), "aws:kms/alias:Alias").inputs["name"] == "alias/shop-dev-kms"


def test_key_policy_lets_this_regions_cloudwatch_logs_encrypt_only_this_accounts_groups():
    granted = statements(only(keys(), KMS))
    assert granted["AccountAdministers"]["Principal"] == {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}
    logs = granted["CloudWatchLogsEncrypts"]
    assert logs["Principal"] == {"Service": "logs.eu-west-1.amazonaws.com"}
    assert logs["Condition"]["ArnLike"]["kms:EncryptionContext:aws:logs:arn"] == (
        f"arn:aws:logs:eu-west-1:{ACCOUNT}:log-group:*"
    )
    assert granted["CloudWatchAlarmsPublish"]["Action"] == ["kms:Decrypt", "kms:GenerateDataKey*"]


def test_partition_follows_the_region():
    granted = statements(only(keys(region="cn-north-1"), KMS))
    assert granted["AccountAdministers"]["Principal"] == {"AWS": f"arn:aws-cn:iam::{ACCOUNT}:root"}


def test_production_key_is_protected_and_kept():
    key = only(keys(protect=True), KMS)
    assert (key.protect, key.retain_on_delete) == (True, True)


def test_one_encrypted_secret_per_name_with_no_value():
    graph = build(
        lambda: Secrets("shop-prod-secrets", SecretsArgs(names=("JWT_SECRET", "STRIPE_API_KEY"), kms_key_arn=KEY))
    )
    secrets = graph.of_type("aws:secretsmanager/secret:Secret")
    assert sorted(s.inputs["name"] for s in secrets) == [
        "shop-prod-secrets/JWT_SECRET",
        "shop-prod-secrets/STRIPE_API_KEY",
    ]
    assert all(s.inputs["kmsKeyId"] == KEY and s.inputs["recoveryWindowInDays"] == 30 for s in secrets)
    assert graph.of_type("aws:secretsmanager/secretVersion:SecretVersion") == []
