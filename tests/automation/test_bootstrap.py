"""`specql deploy bootstrap` against a moto server: secure by default, and idempotent."""

from __future__ import annotations

import json
import socket

import pytest
from typer.testing import CliRunner

from specql_deploy.automation.bootstrap import bootstrap, plan_for
from specql_deploy.automation.emulate import DUMMY_CREDENTIALS, MotoServer

runner = CliRunner()
BACKEND = "s3://team-state/specql?region=us-east-1"


@pytest.fixture(scope="module")
def moto():
    with MotoServer() as server:
        yield server


@pytest.fixture(autouse=True)
def dummy_credentials(monkeypatch):
    for key, value in DUMMY_CREDENTIALS.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)


def client(service: str, moto: MotoServer):
    import boto3

    return boto3.client(service, region_name="us-east-1", endpoint_url=moto.endpoint)


@pytest.fixture(scope="module")
def bootstrapped(moto):
    patch = pytest.MonkeyPatch()
    for key, value in DUMMY_CREDENTIALS.items():
        patch.setenv(key, value)
    plan = plan_for(BACKEND, endpoint_url=moto.endpoint)
    first = bootstrap(plan)
    second = bootstrap(plan)
    patch.undo()
    return plan, first, second


def test_plan_names_come_from_the_backend_url(moto):
    plan = plan_for(BACKEND, endpoint_url=moto.endpoint)
    assert (plan.bucket, plan.prefix, plan.region) == ("team-state", "specql", "us-east-1")
    assert plan.kms_alias == "alias/team-state-pulumi-secrets"
    assert plan.secrets_provider().startswith("awskms://alias/team-state-pulumi-secrets?region=us-east-1")


def test_the_state_bucket_is_versioned_encrypted_private_and_tls_only(bootstrapped, moto):
    plan, _, _ = bootstrapped
    s3 = client("s3", moto)
    assert s3.get_bucket_versioning(Bucket=plan.bucket)["Status"] == "Enabled"
    rule = s3.get_bucket_encryption(Bucket=plan.bucket)["ServerSideEncryptionConfiguration"]["Rules"][0]
    assert rule["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "aws:kms"
    block = s3.get_public_access_block(Bucket=plan.bucket)["PublicAccessBlockConfiguration"]
    assert all(
        block[key] for key in ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")
    )
    policy = json.loads(s3.get_bucket_policy(Bucket=plan.bucket)["Policy"])
    (statement,) = policy["Statement"]
    assert statement["Effect"] == "Deny"
    assert statement["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


def test_a_kms_key_with_rotation_backs_the_secrets_alias(bootstrapped, moto):
    plan, _, _ = bootstrapped
    kms = client("kms", moto)
    aliases = {a["AliasName"]: a.get("TargetKeyId") for a in kms.list_aliases()["Aliases"]}
    key_id = aliases[plan.kms_alias]
    assert kms.get_key_rotation_status(KeyId=key_id)["KeyRotationEnabled"] is True
    bucket_key = client("s3", moto).get_bucket_encryption(Bucket=plan.bucket)["ServerSideEncryptionConfiguration"][
        "Rules"
    ][0]["ApplyServerSideEncryptionByDefault"]["KMSMasterKeyID"]
    assert bucket_key.endswith(key_id)


def test_the_lock_table_has_the_key_opentofu_expects(bootstrapped, moto):
    plan, _, _ = bootstrapped
    table = client("dynamodb", moto).describe_table(TableName=plan.lock_table)["Table"]
    assert table["KeySchema"] == [{"AttributeName": "LockID", "KeyType": "HASH"}]


def test_bootstrap_twice_creates_nothing_the_second_time(bootstrapped, moto):
    _, first, second = bootstrapped
    assert dict(first.steps) == {
        "KMS key alias/team-state-pulumi-secrets": "created",
        "bucket team-state": "created",
        "bucket versioning": "updated",
        "lock table team-state-tofu-locks": "created",
    }
    assert dict(second.steps) == {
        "KMS key alias/team-state-pulumi-secrets": "exists",
        "bucket team-state": "exists",
        "lock table team-state-tofu-locks": "exists",
    }
    kms = client("kms", moto)
    ours = [
        key["KeyId"]
        for key in kms.list_keys()["Keys"]
        if "s3://team-state" in kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"].get("Description", "")
    ]
    assert len(ours) == 1


def test_cli_bootstrap_reports_and_points_at_the_secrets_provider(moto):
    from specql_deploy.automation.cli import app

    result = runner.invoke(
        app,
        [
            "deploy",
            "bootstrap",
            "--backend",
            "s3://cli-state",
            "--backend-endpoint",
            moto.endpoint,
            "--backend-region",
            "us-east-1",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "created  bucket cli-state" in result.stdout
    assert "--secrets-provider 'awskms://alias/cli-state-pulumi-secrets?region=us-east-1" in result.stdout


def test_cli_bootstrap_rejects_a_backend_that_is_not_s3():
    from specql_deploy.automation.cli import app

    result = runner.invoke(app, ["deploy", "bootstrap", "--backend", "gs://bucket"])
    assert result.exit_code == 2
    assert "bootstrap needs --backend s3://bucket" in result.stderr


def test_the_emulator_stops_and_frees_its_port():
    with MotoServer() as server:
        port = server.port
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=2).close()


def test_the_tls_only_policy_names_the_bucket_in_the_key_s_partition():
    from specql_deploy.automation.bootstrap import tls_only_policy

    statement = tls_only_policy("state", "aws-us-gov")["Statement"][0]
    assert statement["Resource"] == ["arn:aws-us-gov:s3:::state", "arn:aws-us-gov:s3:::state/*"]
    assert tls_only_policy("state")["Statement"][0]["Resource"][0] == "arn:aws:s3:::state"
