"""`specql deploy bootstrap --backend s3://...`: the shared state backend, made once.

A team's state needs a home before the first `up`: an S3 bucket (versioned so a bad
write can be rolled back, encrypted, never public, reachable over TLS only), a KMS key
whose alias is the Pulumi secrets provider, and a DynamoDB table an ejected OpenTofu
S3 backend uses for locks. Every step checks before it creates, so running bootstrap
again changes nothing and reports what already existed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from .errors import EXIT_USAGE, DeployError

DEFAULT_REGION = "us-east-1"
"""Used only when neither the URL nor AWS_REGION names one."""
LOCK_TABLE_KEY = "LockID"
"""The partition key OpenTofu's S3 backend expects in its DynamoDB lock table."""


@dataclass(frozen=True)
class BackendPlan:
    """Names of everything bootstrap creates for one s3:// backend URL."""

    bucket: str
    prefix: str
    region: str
    endpoint_url: str | None

    @property
    def kms_alias(self) -> str:
        return f"alias/{self.bucket}-pulumi-secrets"

    @property
    def lock_table(self) -> str:
        return f"{self.bucket}-tofu-locks"

    def secrets_provider(self) -> str:
        query = f"region={self.region}"
        if self.endpoint_url:
            query += f"&endpoint={self.endpoint_url}"
        return f"awskms://{self.kms_alias}?{query}"


def plan_for(backend_url: str, region: str | None = None, endpoint_url: str | None = None) -> BackendPlan:
    parts = urlsplit(backend_url)
    if parts.scheme != "s3" or not parts.netloc:
        raise DeployError(f"bootstrap needs --backend s3://bucket[/prefix], not {backend_url!r}", code=EXIT_USAGE)
    query = dict(parse_qsl(parts.query))
    return BackendPlan(
        bucket=parts.netloc,
        prefix=parts.path.strip("/"),
        region=region or query.get("region") or _session_region() or DEFAULT_REGION,
        endpoint_url=endpoint_url or query.get("endpoint"),
    )


def _session_region() -> str | None:
    import boto3

    return boto3.session.Session().region_name


@dataclass
class BootstrapReport:
    steps: list[tuple[str, str]] = field(default_factory=list)
    """(what, created | exists | updated)."""

    def add(self, what: str, outcome: str) -> None:
        self.steps.append((what, outcome))


def tls_only_policy(bucket: str, partition: str = "aws") -> dict:
    """Deny every request to the state bucket that is not made over TLS."""
    arn = f"arn:{partition}:s3:::{bucket}"
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "DenyInsecureTransport",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:*",
                "Resource": [arn, f"{arn}/*"],
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            }
        ],
    }


def _client(service: str, plan: BackendPlan):
    import boto3

    return boto3.client(service, region_name=plan.region, endpoint_url=plan.endpoint_url)


def _bucket(plan: BackendPlan, report: BootstrapReport, kms_key_arn: str) -> None:
    from botocore.exceptions import ClientError

    s3 = _client("s3", plan)
    try:
        s3.head_bucket(Bucket=plan.bucket)
        report.add(f"bucket {plan.bucket}", "exists")
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") not in ("404", "NoSuchBucket", "NotFound"):
            raise
        arguments: dict[str, Any] = {"Bucket": plan.bucket}
        if plan.region != "us-east-1":
            arguments["CreateBucketConfiguration"] = {"LocationConstraint": plan.region}
        s3.create_bucket(**arguments)
        report.add(f"bucket {plan.bucket}", "created")
    if s3.get_bucket_versioning(Bucket=plan.bucket).get("Status") != "Enabled":
        s3.put_bucket_versioning(Bucket=plan.bucket, VersioningConfiguration={"Status": "Enabled"})
        report.add("bucket versioning", "updated")
    s3.put_bucket_encryption(
        Bucket=plan.bucket,
        ServerSideEncryptionConfiguration={
            "Rules": [
                {
                    "ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": kms_key_arn},
                    "BucketKeyEnabled": True,
                }
            ]
        },
    )
    s3.put_public_access_block(
        Bucket=plan.bucket,
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": True,
            "IgnorePublicAcls": True,
            "BlockPublicPolicy": True,
            "RestrictPublicBuckets": True,
        },
    )
    # the key's ARN names the partition (aws, aws-us-gov, aws-cn) the bucket's ARN must use
    partition = kms_key_arn.split(":")[1] if kms_key_arn.startswith("arn:") else "aws"
    s3.put_bucket_policy(Bucket=plan.bucket, Policy=json.dumps(tls_only_policy(plan.bucket, partition)))


def _kms_key(plan: BackendPlan, report: BootstrapReport) -> str:
    kms = _client("kms", plan)
    for page in kms.get_paginator("list_aliases").paginate():
        for alias in page["Aliases"]:
            if alias["AliasName"] == plan.kms_alias and alias.get("TargetKeyId"):
                report.add(f"KMS key {plan.kms_alias}", "exists")
                return kms.describe_key(KeyId=alias["TargetKeyId"])["KeyMetadata"]["Arn"]
    key = kms.create_key(
        Description=f"Pulumi secrets for the state in s3://{plan.bucket}",
        KeyUsage="ENCRYPT_DECRYPT",
        Tags=[{"TagKey": "ManagedBy", "TagValue": "specql-deploy"}],
    )
    key_id = key["KeyMetadata"]["KeyId"]
    kms.enable_key_rotation(KeyId=key_id)
    kms.create_alias(AliasName=plan.kms_alias, TargetKeyId=key_id)
    report.add(f"KMS key {plan.kms_alias}", "created")
    return key["KeyMetadata"]["Arn"]


def _lock_table(plan: BackendPlan, report: BootstrapReport) -> None:
    dynamodb = _client("dynamodb", plan)
    if plan.lock_table in _all_tables(dynamodb):
        report.add(f"lock table {plan.lock_table}", "exists")
        return
    dynamodb.create_table(
        TableName=plan.lock_table,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": LOCK_TABLE_KEY, "AttributeType": "S"}],
        KeySchema=[{"AttributeName": LOCK_TABLE_KEY, "KeyType": "HASH"}],
        SSESpecification={"Enabled": True},
        DeletionProtectionEnabled=True,
    )
    dynamodb.get_waiter("table_exists").wait(TableName=plan.lock_table)
    report.add(f"lock table {plan.lock_table}", "created")


def _all_tables(dynamodb) -> set[str]:
    names: set[str] = set()
    for page in dynamodb.get_paginator("list_tables").paginate():
        names.update(page["TableNames"])
    return names


def bootstrap(plan: BackendPlan) -> BootstrapReport:
    """Create what is missing; safe to run any number of times."""
    from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

    report = BootstrapReport()
    try:
        key_arn = _kms_key(plan, report)
        _bucket(plan, report, key_arn)
        _lock_table(plan, report)
    except NoCredentialsError:
        raise DeployError(
            "no AWS credentials found; set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY and retry"
        ) from None
    except ClientError as error:
        details = error.response.get("Error", {})
        raise DeployError(f"bootstrap failed: {details.get('Code')}: {details.get('Message')}") from None
    except BotoCoreError as error:
        raise DeployError(f"bootstrap failed: {error}") from None
    return report
