"""Encryption: the customer-managed KMS key a deployment encrypts everything with."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pulumi
import pulumi_aws as aws

from ...program.building_blocks import KMS_KEY_DELETION_WINDOW_DAYS
from .children import stateful
from .outputs import concat
from .policies import policy_document
from .regions import partition

if TYPE_CHECKING:
    from ...program.model import ResolvedDeployment


@dataclass(frozen=True)
class EncryptionArgs:
    """Arguments of :class:`Encryption`."""

    account_id: pulumi.Input[str]
    """AWS account that owns the key (its root administers it). Required."""
    region: str
    """Region of the key; CloudWatch Logs in this region may use it. Required."""
    protect: bool
    """Protect the key from deletion and keep it when the stack is destroyed. Required."""
    deletion_window_days: int = KMS_KEY_DELETION_WINDOW_DAYS
    """Days between a delete request and the key's destruction. Defaults to `30`."""


class Encryption(pulumi.ComponentResource):
    """One KMS key with yearly rotation and an alias, shared by every encrypted resource.

    One key per deployment and region keeps revocation a single action; its policy
    also lets CloudWatch Logs encrypt this deployment's log groups and CloudWatch
    alarms publish to an encrypted SNS topic, which IAM policies alone cannot grant.
    """

    key: aws.kms.Key
    key_arn: pulumi.Output[str]

    def __init__(self, name: str, args: EncryptionArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("specql:aws:Encryption", name, None, opts)
        part = partition(args.region)
        self.key = aws.kms.Key(
            f"{name}-key",
            description=f"Encrypts the data, logs and secrets of {name}",
            enable_key_rotation=True,
            deletion_window_in_days=args.deletion_window_days,
            policy=key_policy(args.account_id, args.region, part),
            opts=stateful(self, args.protect),
        )
        aws.kms.Alias(
            f"{name}-alias",
            name=f"alias/{name}",
            target_key_id=self.key.key_id,
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.key_arn = self.key.arn
        self.register_outputs({"key_arn": self.key_arn})


def key_policy(account_id: pulumi.Input[str], region: str, part: str) -> pulumi.Output[str]:
    """Root administers the key (IAM policies then grant use); two services get narrow use."""
    root = concat("arn:", part, ":iam::", account_id, ":root")
    log_groups = concat("arn:", part, ":logs:", region, ":", account_id, ":log-group:*")
    return policy_document(
        [
            {
                "Sid": "AccountAdministers",
                "Effect": "Allow",
                "Principal": {"AWS": root},
                "Action": "kms:*",
                "Resource": "*",
            },
            {
                "Sid": "CloudWatchLogsEncrypts",
                "Effect": "Allow",
                "Principal": {"Service": f"logs.{region}.amazonaws.com"},
                "Action": ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
                "Resource": "*",
                "Condition": {"ArnLike": {"kms:EncryptionContext:aws:logs:arn": log_groups}},
            },
            {
                "Sid": "CloudWatchAlarmsPublish",
                "Effect": "Allow",
                "Principal": {"Service": "cloudwatch.amazonaws.com"},
                "Action": ["kms:Decrypt", "kms:GenerateDataKey*"],
                "Resource": "*",
            },
        ]
    )


# ------------------------------------------------ what the block takes from the model


def encryption_settings(resolved: ResolvedDeployment, region: str) -> dict[str, Any]:
    return {"region": region, "protect": resolved.is_production}
