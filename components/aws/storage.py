"""Storage: the manifest's S3 buckets, private, versioned, KMS-encrypted and logged."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pulumi
import pulumi_aws as aws

from ...program.building_blocks import S3_ABORT_MULTIPART_DAYS
from .children import child, stateful
from .outputs import concat
from .policies import assume_role_policy, policy_document, tls_only_statement

if TYPE_CHECKING:
    from ...program.model import ResolvedDeployment


@dataclass(frozen=True)
class BucketSpec:
    """One bucket of the manifest."""

    name: str
    """Logical name (`uploads`); the physical name gets the stack prefix and a suffix. Required."""
    versioning: bool
    """Keep every version of every object. Required."""
    lifecycle_days: int | None
    """Days before current objects expire; `None` keeps them forever. Required."""


@dataclass(frozen=True)
class StorageArgs:
    """Arguments of :class:`Storage`."""

    buckets: tuple[BucketSpec, ...]
    """Buckets to create. Required."""
    kms_key_arn: pulumi.Input[str]
    """Key encrypting every object (with S3 bucket keys to keep KMS calls cheap). Required."""
    log_bucket: pulumi.Input[str]
    """Bucket receiving the server access logs. Required."""
    noncurrent_version_days: int
    """Days an overwritten or deleted version is kept. Required."""
    protect: bool
    """Protect the buckets and keep them when the stack is destroyed. Required."""
    replica: ReplicaTarget | None = None
    """Where versioned buckets replicate to. Defaults to `None`: no replication."""


@dataclass(frozen=True)
class ReplicaTarget:
    """A disaster-recovery region the buckets replicate to."""

    provider: pulumi.ProviderResource
    """Provider pinned to the DR region (the replicas are created with it). Required."""
    kms_key_arn: pulumi.Input[str]
    """Key of the DR region encrypting the replicas. Required."""


class Storage(pulumi.ComponentResource):
    """Application buckets nobody outside the account can read.

    Each bucket blocks every kind of public access, disables ACLs, encrypts with the
    deployment's key, logs requests to the log archive, refuses plain HTTP, publishes
    object events to EventBridge, and expires old versions so versioning never grows
    the bill without bound. With a disaster-recovery region, versioned buckets replicate
    there, into replicas held to the same rules under the DR region's key.
    """

    buckets: dict[str, aws.s3.Bucket]
    replicas: dict[str, aws.s3.Bucket]
    """The cross-region copies of the versioned buckets (empty without a replica target)."""

    def __init__(self, name: str, args: StorageArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("specql:aws:Storage", name, None, opts)
        self._versioning: dict[str, aws.s3.BucketVersioning] = {}
        self._replica_versioning: dict[str, aws.s3.BucketVersioning] = {}
        self.buckets = {spec.name: self._bucket(name, spec, args) for spec in args.buckets}
        self.replicas = {}
        # Replication needs versioning on both sides: unversioned buckets stay in one region.
        replicated = [spec for spec in args.buckets if spec.versioning]
        if args.replica is not None and replicated:
            self._replicate(name, replicated, args, args.replica)
        self.register_outputs({key: bucket.bucket for key, bucket in self.buckets.items()})

    def _bucket(self, name: str, spec: BucketSpec, args: StorageArgs) -> aws.s3.Bucket:
        prefix = f"{name}-{spec.name}"
        bucket = aws.s3.Bucket(prefix, force_destroy=not args.protect, opts=stateful(self, args.protect))
        blocked = aws.s3.BucketPublicAccessBlock(
            f"{prefix}-public-access",
            bucket=bucket.id,
            block_public_acls=True,
            block_public_policy=True,
            ignore_public_acls=True,
            restrict_public_buckets=True,
            opts=child(self),
        )
        aws.s3.BucketOwnershipControls(
            f"{prefix}-ownership", bucket=bucket.id, rule={"object_ownership": "BucketOwnerEnforced"}, opts=child(self)
        )
        aws.s3.BucketServerSideEncryptionConfiguration(
            f"{prefix}-encryption",
            bucket=bucket.id,
            rules=[
                {
                    "apply_server_side_encryption_by_default": {
                        "sse_algorithm": "aws:kms",
                        "kms_master_key_id": args.kms_key_arn,
                    },
                    "bucket_key_enabled": True,
                }
            ],
            opts=child(self),
        )
        self._versioning[spec.name] = versioning = aws.s3.BucketVersioning(
            f"{prefix}-versioning",
            bucket=bucket.id,
            versioning_configuration={"status": "Enabled" if spec.versioning else "Suspended"},
            opts=child(self),
        )
        aws.s3.BucketLogging(
            f"{prefix}-logging",
            bucket=bucket.id,
            target_bucket=args.log_bucket,
            target_prefix=f"s3/{spec.name}/",
            opts=child(self),
        )
        aws.s3.BucketLifecycleConfiguration(
            f"{prefix}-lifecycle",
            bucket=bucket.id,
            rules=lifecycle_rules(spec, args.noncurrent_version_days),
            opts=child(self, depends_on=[versioning]),
        )
        aws.s3.BucketPolicy(
            f"{prefix}-policy",
            bucket=bucket.id,
            policy=policy_document([tls_only_statement(bucket.arn)]),
            opts=child(self, depends_on=[blocked]),
        )
        # Object events go to the account's default EventBridge bus, where a rule can
        # start processing (thumbnails, virus scans) without touching the bucket again.
        aws.s3.BucketNotification(f"{prefix}-events", bucket=bucket.id, eventbridge=True, opts=child(self))
        return bucket

    def _replicate(self, name: str, specs: list[BucketSpec], args: StorageArgs, target: ReplicaTarget) -> None:
        """Each versioned bucket copies every object to a private, KMS-encrypted replica in the DR region.

        One role serves all buckets and may only read versions of these sources, write
        replicas into these destinations, and use each side's key through S3.
        """
        dr_opts = {"provider": target.provider}
        for spec in specs:
            prefix = f"{name}-{spec.name}-replica"
            replica = aws.s3.Bucket(
                prefix, force_destroy=not args.protect, opts=stateful(self, args.protect, **dr_opts)
            )
            blocked = aws.s3.BucketPublicAccessBlock(
                f"{prefix}-public-access",
                bucket=replica.id,
                block_public_acls=True,
                block_public_policy=True,
                ignore_public_acls=True,
                restrict_public_buckets=True,
                opts=child(self, **dr_opts),
            )
            aws.s3.BucketOwnershipControls(
                f"{prefix}-ownership",
                bucket=replica.id,
                rule={"object_ownership": "BucketOwnerEnforced"},
                opts=child(self, **dr_opts),
            )
            aws.s3.BucketServerSideEncryptionConfiguration(
                f"{prefix}-encryption",
                bucket=replica.id,
                rules=[
                    {
                        "apply_server_side_encryption_by_default": {
                            "sse_algorithm": "aws:kms",
                            "kms_master_key_id": target.kms_key_arn,
                        },
                        "bucket_key_enabled": True,
                    }
                ],
                opts=child(self, **dr_opts),
            )
            versioning = aws.s3.BucketVersioning(
                f"{prefix}-versioning",
                bucket=replica.id,
                versioning_configuration={"status": "Enabled"},
                opts=child(self, **dr_opts),
            )
            aws.s3.BucketLifecycleConfiguration(
                f"{prefix}-lifecycle",
                bucket=replica.id,
                rules=lifecycle_rules(spec, args.noncurrent_version_days),
                opts=child(self, depends_on=[versioning], **dr_opts),
            )
            aws.s3.BucketPolicy(
                f"{prefix}-policy",
                bucket=replica.id,
                policy=policy_document([tls_only_statement(replica.arn)]),
                opts=child(self, depends_on=[blocked], **dr_opts),
            )
            aws.s3.BucketNotification(
                f"{prefix}-events", bucket=replica.id, eventbridge=True, opts=child(self, **dr_opts)
            )
            self.replicas[spec.name] = replica
            self._replica_versioning[spec.name] = versioning
        role = aws.iam.Role(
            f"{name}-replication",
            assume_role_policy=assume_role_policy("s3.amazonaws.com"),
            description=f"{name}: S3 replication to the disaster-recovery region",
            opts=child(self),
        )
        sources = [self.buckets[spec.name].arn for spec in specs]
        replicas = [self.replicas[spec.name].arn for spec in specs]
        aws.iam.RolePolicy(
            f"{name}-replication",
            role=role.id,
            policy=policy_document(
                [
                    {
                        "Sid": "ReadSourceConfiguration",
                        "Effect": "Allow",
                        "Action": ["s3:GetReplicationConfiguration", "s3:ListBucket"],
                        "Resource": sources,
                    },
                    {
                        "Sid": "ReadSourceVersions",
                        "Effect": "Allow",
                        "Action": [
                            "s3:GetObjectVersionForReplication",
                            "s3:GetObjectVersionAcl",
                            "s3:GetObjectVersionTagging",
                        ],
                        "Resource": [concat(arn, "/*") for arn in sources],
                    },
                    {
                        "Sid": "WriteReplicas",
                        "Effect": "Allow",
                        "Action": ["s3:ReplicateObject", "s3:ReplicateDelete", "s3:ReplicateTags"],
                        "Resource": [concat(arn, "/*") for arn in replicas],
                    },
                    {"Sid": "DecryptSources", "Effect": "Allow", "Action": "kms:Decrypt", "Resource": args.kms_key_arn},
                    {
                        "Sid": "EncryptReplicas",
                        "Effect": "Allow",
                        "Action": ["kms:Encrypt", "kms:GenerateDataKey"],
                        "Resource": target.kms_key_arn,
                    },
                ]
            ),
            opts=child(self),
        )
        for spec in specs:
            aws.s3.BucketReplicationConfig(
                f"{name}-{spec.name}-replication",
                bucket=self.buckets[spec.name].id,
                role=role.arn,
                rules=[
                    {
                        "id": "disaster-recovery",
                        "status": "Enabled",
                        "filter": {},
                        "delete_marker_replication": {"status": "Enabled"},
                        "source_selection_criteria": {"sse_kms_encrypted_objects": {"status": "Enabled"}},
                        "destination": {
                            "bucket": self.replicas[spec.name].arn,
                            "encryption_configuration": {"replica_kms_key_id": target.kms_key_arn},
                        },
                    }
                ],
                opts=child(self, depends_on=[self._versioning[spec.name], self._replica_versioning[spec.name]]),
            )


def lifecycle_rules(spec: BucketSpec, noncurrent_version_days: int) -> list[dict[str, object]]:
    """Old versions and abandoned uploads expire; current objects only when the manifest says."""
    rule: dict[str, object] = {
        "id": "expire-old-versions",
        "status": "Enabled",
        "filter": {},
        "noncurrent_version_expiration": {"noncurrent_days": noncurrent_version_days},
        "abort_incomplete_multipart_upload": {"days_after_initiation": S3_ABORT_MULTIPART_DAYS},
    }
    if spec.lifecycle_days is not None:
        rule["expiration"] = {"days": spec.lifecycle_days}
    return [rule]


# ------------------------------------------------ what the block takes from the model


def storage_settings(resolved: ResolvedDeployment) -> dict[str, Any]:
    return {
        "buckets": tuple(BucketSpec(b.name, b.versioning, b.lifecycle_days) for b in resolved.storage.buckets),
        "noncurrent_version_days": resolved.storage.noncurrent_version_days,
        "protect": resolved.is_production,
    }
