"""The ID each OpenTofu resource type's `import` takes, built from a Pulumi stack's state.

Pulumi's AWS provider is bridged from the Terraform provider, so a resource's Pulumi ID is
the Terraform ID and its outputs are the Terraform attributes in camelCase. For most types
the import takes that ID. For the others the provider documents another form (its
"Import" section: route table associations by `subnet/route table`, ECS services by
`cluster/service`, ...), built here from the outputs. Every OpenTofu type the eject writes
has one entry (a test checks it against :data:`.mapping.TYPES`), or an entry in
:data:`NOT_IMPORTABLE` saying what adopting it means instead.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

Outputs = Mapping[str, Any]


class MissingAttribute(LookupError):
    """The state lacks an attribute the import ID is built from."""


@dataclass(frozen=True)
class ImportId:
    """How one OpenTofu type's `import` ID is written."""

    documented: str
    """The form the provider's Import section gives (`subnet_id/route_table_id`)."""
    build: Callable[[str, Outputs], str]
    """(Pulumi ID, Pulumi outputs) → the import ID."""


def _get(outputs: Outputs, name: str) -> str:
    value = outputs.get(name)
    if value is None or value == "":
        raise MissingAttribute(name)
    return str(value)


def _the_id(documented: str = "`id`") -> ImportId:
    return ImportId(documented, lambda identifier, outputs: identifier)


def _attribute(name: str, documented: str) -> ImportId:
    return ImportId(documented, lambda identifier, outputs: _get(outputs, name))


def _joined(separator: str, *names: str) -> Callable[[str, Outputs], str]:
    return lambda identifier, outputs: separator.join(_get(outputs, name) for name in names)


def _bucket(identifier: str, outputs: Outputs) -> str:
    """`bucket`, or `bucket,expected_bucket_owner` when the owner is set (S3 sub-resources)."""
    owner = outputs.get("expectedBucketOwner")
    return f"{_get(outputs, 'bucket')},{owner}" if owner else _get(outputs, "bucket")


_BUCKET = ImportId("`bucket` (or `bucket,expected_bucket_owner`)", _bucket)


def _association(identifier: str, outputs: Outputs) -> str:
    associated = outputs.get("subnetId") or outputs.get("gatewayId")
    if not associated:
        raise MissingAttribute("subnetId")
    return f"{associated}/{_get(outputs, 'routeTableId')}"


def _route(identifier: str, outputs: Outputs) -> str:
    for destination in ("destinationCidrBlock", "destinationIpv6CidrBlock", "destinationPrefixListId"):
        if outputs.get(destination):
            return f"{_get(outputs, 'routeTableId')}_{outputs[destination]}"
    raise MissingAttribute("destinationCidrBlock")


def _ecs_service(identifier: str, outputs: Outputs) -> str:
    cluster = _get(outputs, "cluster").rsplit("/", 1)[-1]  # an ARN (`...:cluster/<name>`) or the name
    return f"{cluster}/{_get(outputs, 'name')}"


_PROTOCOL_NAMES = {"-1": "all"}
"""Protocol numbers the rule import names by word (`all` for every protocol)."""


def _security_group_rule(identifier: str, outputs: Outputs) -> str:
    protocol = _get(outputs, "protocol")
    parts = [
        _get(outputs, "securityGroupId"),
        _get(outputs, "type"),
        _PROTOCOL_NAMES.get(protocol, protocol),
        _get(outputs, "fromPort"),
        _get(outputs, "toPort"),
    ]
    sources = [
        *(outputs.get("cidrBlocks") or []),
        *(outputs.get("ipv6CidrBlocks") or []),
        *(outputs.get("prefixListIds") or []),
    ]
    if outputs.get("self"):
        sources.append("self")
    if outputs.get("sourceSecurityGroupId"):
        sources.append(outputs["sourceSecurityGroupId"])
    if not sources:
        raise MissingAttribute("cidrBlocks")
    return "_".join(str(part) for part in [*parts, *sources])


def _web_acl(identifier: str, outputs: Outputs) -> str:
    return f"{identifier}/{_get(outputs, 'name')}/{_get(outputs, 'scope')}"


IMPORT_IDS: Mapping[str, ImportId] = {
    # networking
    "aws_vpc": _the_id(),
    "aws_subnet": _the_id(),
    "aws_internet_gateway": _the_id(),
    "aws_nat_gateway": _the_id(),
    "aws_eip": _the_id("the allocation `id`"),
    "aws_route_table": _the_id(),
    "aws_route": ImportId("`ROUTETABLEID_DESTINATION` (IPv4, IPv6 CIDR or prefix list)", _route),
    "aws_route_table_association": ImportId(
        "`subnet_id/route_table_id` (or `gateway_id/route_table_id`)", _association
    ),
    "aws_default_route_table": _attribute("vpcId", "`vpc_id`"),
    "aws_security_group": _the_id("the security group `id`"),
    "aws_default_security_group": _the_id("the security group `id`"),
    "aws_security_group_rule": ImportId(
        "`security_group_id_type_protocol_from_port_to_port_source[_source...]`", _security_group_rule
    ),
    "aws_vpc_security_group_ingress_rule": _the_id("the `security_group_rule_id`"),
    "aws_vpc_security_group_egress_rule": _the_id("the `security_group_rule_id`"),
    "aws_vpc_endpoint": _the_id(),
    "aws_flow_log": _the_id(),
    # encryption, identity, secrets
    "aws_kms_key": _the_id("the key `id`"),
    "aws_kms_alias": _attribute("name", "`name` (`alias/...`)"),
    "aws_iam_role": _attribute("name", "`name`"),
    "aws_iam_role_policy": ImportId("`role_name:role_policy_name`", _joined(":", "role", "name")),
    "aws_iam_role_policy_attachment": ImportId("`role/policy_arn`", _joined("/", "role", "policyArn")),
    "aws_iam_policy": _attribute("arn", "`arn`"),
    "aws_secretsmanager_secret": _attribute("arn", "`arn`"),
    "aws_secretsmanager_secret_version": ImportId(
        "`secret_id|version_id`",
        lambda identifier, outputs: f"{_get(outputs, 'secretId')}|{_get(outputs, 'versionId')}",
    ),
    "aws_ssm_parameter": _attribute("name", "`name`"),
    "aws_acm_certificate": _attribute("arn", "`arn`"),
    "aws_route53_record": _the_id("the record `id`: `ZONEID_NAME_TYPE[_SET-IDENTIFIER]`"),
    # database
    "aws_db_instance": _attribute("identifier", "`identifier`"),
    "aws_db_parameter_group": _attribute("name", "`name`"),
    "aws_db_subnet_group": _attribute("name", "`name`"),
    # compute
    "aws_ecs_cluster": _attribute("name", "`name`"),
    "aws_ecs_cluster_capacity_providers": _attribute("clusterName", "`cluster_name`"),
    "aws_ecs_service": ImportId("`cluster-name/service-name`", _ecs_service),
    "aws_ecs_task_definition": _attribute("arn", "`arn`"),
    "aws_ecr_repository": _attribute("name", "`name`"),
    "aws_ecr_lifecycle_policy": _attribute("repository", "the repository name"),
    "aws_appautoscaling_target": ImportId(
        "`service-namespace/resource-id/scalable-dimension`",
        _joined("/", "serviceNamespace", "resourceId", "scalableDimension"),
    ),
    "aws_appautoscaling_policy": ImportId(
        "`service-namespace/resource-id/scalable-dimension/policy-name`",
        _joined("/", "serviceNamespace", "resourceId", "scalableDimension", "name"),
    ),
    # load balancer
    "aws_lb": _attribute("arn", "`arn`"),
    "aws_lb_target_group": _attribute("arn", "`arn`"),
    "aws_lb_listener": _attribute("arn", "`arn`"),
    "aws_lb_listener_rule": _attribute("arn", "`arn`"),
    # cache
    "aws_elasticache_replication_group": _attribute("replicationGroupId", "`replication_group_id`"),
    "aws_elasticache_subnet_group": _attribute("name", "`name`"),
    "aws_elasticache_parameter_group": _attribute("name", "`name`"),
    # storage: the bucket's sub-resources are imported by the bucket they configure
    "aws_s3_bucket": _attribute("bucket", "`bucket`"),
    "aws_s3_bucket_versioning": _BUCKET,
    "aws_s3_bucket_server_side_encryption_configuration": _BUCKET,
    "aws_s3_bucket_public_access_block": _attribute("bucket", "`bucket`"),
    "aws_s3_bucket_policy": _attribute("bucket", "`bucket`"),
    "aws_s3_bucket_ownership_controls": _attribute("bucket", "`bucket`"),
    "aws_s3_bucket_lifecycle_configuration": _BUCKET,
    "aws_s3_bucket_logging": _BUCKET,
    "aws_s3_bucket_notification": _attribute("bucket", "`bucket`"),
    "aws_s3_bucket_replication_configuration": _attribute("bucket", "`bucket`"),
    # monitoring
    "aws_cloudwatch_log_group": _attribute("name", "`name`"),
    "aws_cloudwatch_metric_alarm": _attribute("name", "`alarm_name`"),
    "aws_cloudwatch_dashboard": _attribute("dashboardName", "`dashboard_name`"),
    "aws_cloudwatch_log_delivery_source": _attribute("name", "`name`"),
    "aws_cloudwatch_log_delivery_destination": _attribute("name", "`name`"),
    "aws_cloudwatch_log_delivery": _the_id(),
    "aws_sns_topic": _attribute("arn", "`arn`"),
    "aws_sns_topic_policy": _attribute("arn", "the topic `arn`"),
    "aws_sns_topic_subscription": _attribute("arn", "the subscription `arn`"),
    # edge
    "aws_cloudfront_distribution": _the_id(),
    "aws_cloudfront_origin_access_control": _the_id(),
    "aws_cloudfront_response_headers_policy": _the_id(),
    "aws_wafv2_web_acl": ImportId("`ID/Name/Scope`", _web_acl),
    "aws_wafv2_web_acl_association": ImportId("`WEB_ACL_ARN,RESOURCE_ARN`", _joined(",", "webAclArn", "resourceArn")),
    "aws_wafv2_web_acl_logging_configuration": _attribute("resourceArn", "the web ACL's ARN"),
    "aws_shield_protection": _the_id(),
    "aws_shield_subscription": _the_id("the account ID"),
}
"""OpenTofu type → how its import ID is written (the provider docs' Import sections)."""


NOT_IMPORTABLE: Mapping[str, str] = {
    "aws_acm_certificate_validation": "it is no AWS object, only a wait until ACM has issued the certificate, and "
    "the provider has no import for it: OpenTofu creates it, which changes nothing in AWS",
    "aws_secretsmanager_random_password": "an ephemeral value, in no state; the password Pulumi generated stays in "
    "its secret, adopted with the secret version",
}
"""OpenTofu types with no import, and what adopting the stack does with them instead."""


CREATED_ON_ADOPTION = frozenset({"aws_acm_certificate_validation"})
"""Types the first plan after import creates (they are no cloud object: nothing changes in AWS)."""


KEPT_ON_ADOPTION: Mapping[str, tuple[tuple[str, tuple[str, ...]], ...]] = {
    # The secret version holding a generated password: once imported, its state holds the
    # value AWS returns and no write-only version, which the configuration's
    # `secret_string_wo_version` would replace with a new password (ForceNew).
    "aws_secretsmanager_secret_version": (("secret_string_wo", ("secret_string", "secret_string_wo_version")),),
    # ElastiCache never returns the AUTH token: the first plan would set it again, which
    # ModifyReplicationGroup applies as a token rotation.
    "aws_elasticache_replication_group": (("auth_token", ("auth_token",)),),
}
"""OpenTofu type → (argument the block writes, the arguments the adopted stack keeps): secrets
the provider cannot read back, so that the first plan after import sets no new value."""


@dataclass(frozen=True)
class StateOnly:
    """An argument AWS does not keep: once imported, it holds what the provider's import sets."""

    imported: Any
    """The value the import leaves in the state (None: unset)."""
    reason: str


STATE_ONLY: Mapping[tuple[str, str], StateOnly] = {
    # rds/instance.go resourceInstanceImport: "Neither skip_final_snapshot nor
    # final_snapshot_identifier can be fetched from any API call".
    ("aws_db_instance", "skip_final_snapshot"): StateOnly(True, "AWS keeps no final-snapshot setting"),
    ("aws_db_instance", "final_snapshot_identifier"): StateOnly(None, "AWS keeps no final-snapshot setting"),
    ("aws_db_instance", "delete_automated_backups"): StateOnly(True, "AWS keeps it only for the deletion call"),
    ("aws_db_instance", "apply_immediately"): StateOnly(None, "a flag of each modification, not kept by AWS"),
    # s3/bucket.go: the importer sets force_destroy to false.
    ("aws_s3_bucket", "force_destroy"): StateOnly(False, "a flag of the deletion call, not kept by AWS"),
    ("aws_ecr_repository", "force_delete"): StateOnly(None, "a flag of the deletion call, not kept by AWS"),
    ("aws_kms_key", "deletion_window_in_days"): StateOnly(None, "AWS takes it only when a deletion is scheduled"),
    ("aws_elasticache_replication_group", "apply_immediately"): StateOnly(
        None, "a flag of each modification, not kept by AWS"
    ),
}
"""(OpenTofu type, argument) → what its import leaves. The first plan after import sets the
configuration's value, in OpenTofu's state only: the provider sends these to AWS only when it
deletes or modifies the resource, so applying them makes no AWS call."""


KEPT_COMMENT = (
    "Adopted from the Pulumi stack: keeps the secret it holds (the provider cannot read it back).\n"
    "To rotate it, remove this line, raise the version (or change the value) and apply."
)


def import_id(tofu_type: str, identifier: str, outputs: Outputs) -> str:
    """The import ID of a resource of `tofu_type` with this Pulumi ID and these outputs.

    Raises KeyError for a type with no entry and :class:`MissingAttribute` when the state
    lacks what the ID is built from.
    """
    return IMPORT_IDS[tofu_type].build(identifier, outputs)


__all__ = [
    "STATE_ONLY",
    "StateOnly",
    "KEPT_COMMENT",
    "KEPT_ON_ADOPTION",
    "CREATED_ON_ADOPTION",
    "IMPORT_IDS",
    "NOT_IMPORTABLE",
    "ImportId",
    "MissingAttribute",
    "import_id",
]
