"""LogArchive: the private bucket that receives S3 server access logs and ALB access logs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pulumi
import pulumi_aws as aws

from ...program.building_blocks import S3_ABORT_MULTIPART_DAYS, S3_NONCURRENT_LOG_VERSION_DAYS
from ...program.catalogue import ELB_ACCOUNT_BY_REGION
from .children import child, stateful
from .outputs import concat
from .policies import policy_document, tls_only_statement
from .regions import partition

if TYPE_CHECKING:
    from ...program.model import ResolvedDeployment


@dataclass(frozen=True)
class LogArchiveArgs:
    """Arguments of :class:`LogArchive`."""

    region: str
    """Region of the bucket and the load balancer writing to it. Required."""
    account_id: pulumi.Input[str]
    """Account whose load balancers and buckets write logs here. Required."""
    retention_days: int
    """Days before log objects expire. Required."""
    protect: bool
    """Protect the bucket and keep it when the stack is destroyed. Required."""


class LogArchive(pulumi.ComponentResource):
    """Access logs of the deployment's buckets and load balancer (CloudFront logs to CloudWatch Logs).

    Encrypted with S3-managed keys because neither S3 server access logging nor ALB
    access logs can write to a bucket encrypted with a customer-managed KMS key.
    Private, versioned, TLS-only, and expiring after the log retention.
    """

    bucket: aws.s3.Bucket
    bucket_name: pulumi.Output[str]
    delivery_bucket: pulumi.Output[str]
    """The bucket's id, resolved once log delivery may write to it (use it as the target)."""

    def __init__(self, name: str, args: LogArchiveArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("specql:aws:LogArchive", name, None, opts)
        self.bucket = aws.s3.Bucket(f"{name}-logs", force_destroy=not args.protect, opts=stateful(self, args.protect))
        blocked = aws.s3.BucketPublicAccessBlock(
            f"{name}-logs-public-access",
            bucket=self.bucket.id,
            block_public_acls=True,
            block_public_policy=True,
            ignore_public_acls=True,
            restrict_public_buckets=True,
            opts=child(self),
        )
        ownership = aws.s3.BucketOwnershipControls(
            f"{name}-logs-ownership",
            bucket=self.bucket.id,
            rule={"object_ownership": "BucketOwnerEnforced"},
            opts=child(self),
        )
        aws.s3.BucketServerSideEncryptionConfiguration(
            f"{name}-logs-encryption",
            bucket=self.bucket.id,
            rules=[{"apply_server_side_encryption_by_default": {"sse_algorithm": "AES256"}}],
            opts=child(self),
        )
        aws.s3.BucketVersioning(
            f"{name}-logs-versioning",
            bucket=self.bucket.id,
            versioning_configuration={"status": "Enabled"},
            opts=child(self),
        )
        aws.s3.BucketLifecycleConfiguration(
            f"{name}-logs-lifecycle",
            bucket=self.bucket.id,
            rules=[
                {
                    "id": "expire-logs",
                    "status": "Enabled",
                    "filter": {},
                    "expiration": {"days": args.retention_days},
                    "noncurrent_version_expiration": {"noncurrent_days": S3_NONCURRENT_LOG_VERSION_DAYS},
                    "abort_incomplete_multipart_upload": {"days_after_initiation": S3_ABORT_MULTIPART_DAYS},
                }
            ],
            opts=child(self),
        )
        policy = aws.s3.BucketPolicy(
            f"{name}-logs-policy",
            bucket=self.bucket.id,
            policy=log_delivery_policy(self.bucket.arn, args.region, args.account_id),
            opts=child(self, depends_on=[blocked]),
        )
        # New log objects reach EventBridge, so an alert or an ingestion job can follow
        # deliveries without polling the bucket (EventBridge charges per matched event only).
        aws.s3.BucketNotification(f"{name}-logs-events", bucket=self.bucket.id, eventbridge=True, opts=child(self))
        self.bucket_name = self.bucket.bucket
        # Writers check their permission when they are configured (an ALB refuses a
        # bucket it cannot write to), so the target waits for the policy and ownership.
        ready = [policy.id, ownership.id]
        self.delivery_bucket = pulumi.Output.all(self.bucket.id, *ready).apply(lambda values: values[0])
        self.register_outputs({"bucket": self.bucket_name})


def log_delivery_policy(
    bucket_arn: pulumi.Input[str],
    region: str,
    account_id: pulumi.Input[str],
) -> pulumi.Output[str]:
    """TLS only; S3 logging and the region's load balancers may write, nothing else."""
    part = partition(region)
    objects = concat(bucket_arn, "/*")
    lb_objects = concat(bucket_arn, "/alb/AWSLogs/", account_id, "/*")
    elb_account = ELB_ACCOUNT_BY_REGION.get(region)
    lb_principal = (
        {"AWS": f"arn:{part}:iam::{elb_account}:root"}
        if elb_account
        else {"Service": "logdelivery.elasticloadbalancing.amazonaws.com"}
    )
    return policy_document(
        [
            tls_only_statement(bucket_arn),
            {
                "Sid": "S3ServerAccessLogs",
                "Effect": "Allow",
                "Principal": {"Service": "logging.s3.amazonaws.com"},
                "Action": "s3:PutObject",
                "Resource": objects,
                "Condition": {"StringEquals": {"aws:SourceAccount": account_id}},
            },
            {
                "Sid": "LoadBalancerAccessLogs",
                "Effect": "Allow",
                "Principal": lb_principal,
                "Action": "s3:PutObject",
                "Resource": lb_objects,
            },
        ]
    )


# ------------------------------------------------ what the block takes from the model


def log_archive_settings(resolved: ResolvedDeployment) -> dict[str, Any]:
    return {
        "region": resolved.platform.region,
        "retention_days": resolved.monitoring.log_retention_days,
        "protect": resolved.is_production,
    }
