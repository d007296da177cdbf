"""Small pure helpers the AWS components share (no resources are created here).

Naming rule: every child is named `<component name>-<role>` (`shop-prod-db`,
`shop-prod-db-params`), and the component name is the stack prefix plus a fixed
suffix chosen by the pattern. Renaming a role or a component later must add
`aliases=[pulumi.Alias(name=<old>)]` to the stateful children (RDS, S3, ElastiCache,
KMS, ECR) so an upgrade never replaces them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import pulumi


def partition(region: str) -> str:
    """The ARN partition a region lives in (`aws`, `aws-cn`, `aws-us-gov`)."""
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"


def zone_names(region: str, count: int) -> tuple[str, ...]:
    """The first `count` zones of a region (`us-east-1a`, `us-east-1b`, ...).

    Zone letters a, b, c exist in every commercial region, so the names are known
    without an API call; the program stays runnable offline and under mocks.
    """
    return tuple(f"{region}{chr(ord('a') + index)}" for index in range(count))


def policy_document(statements: Sequence[Mapping[str, Any]]) -> pulumi.Output[str]:
    """An IAM policy JSON document; statements may hold Outputs (ARNs)."""
    return pulumi.Output.json_dumps({"Version": "2012-10-17", "Statement": list(statements)})


def assume_role_policy(service: str) -> str:
    """A trust policy letting one AWS service assume a role."""
    return json.dumps({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Principal": {"Service": service},
            "Action": "sts:AssumeRole",
        }],
    })


def tls_only_statement(bucket_arn: pulumi.Input[str]) -> dict[str, Any]:
    """A bucket-policy statement denying every request not made over TLS."""
    return {
        "Sid": "DenyInsecureTransport",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": [bucket_arn, concat(bucket_arn, "/*")],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }


def stateful(parent: pulumi.Resource, protect: bool, **extra: Any) -> pulumi.ResourceOptions:
    """Options for a resource that holds data: protected and retained in production."""
    return pulumi.ResourceOptions(parent=parent, protect=protect, retain_on_delete=protect, **extra)


def child(parent: pulumi.Resource, **extra: Any) -> pulumi.ResourceOptions:
    """Options for an ordinary child: parented so it inherits the component's provider."""
    return pulumi.ResourceOptions(parent=parent, **extra)


def name_tag(name: str) -> dict[str, str]:
    """The `Name` tag the console shows; the provider's default tags add the rest."""
    return {"Name": name}


def concat(*parts: pulumi.Input[Any]) -> pulumi.Output[str]:
    """`Output.concat` that tolerates a part not known yet (None under mocks).

    Offline capture answers only the inputs of a mocked resource, so computed outputs
    such as a DNS name arrive as None; the join renders them as empty text instead of
    failing the whole program.
    """
    return pulumi.Output.all(*parts).apply(lambda values: "".join("" if v is None else str(v) for v in values))
