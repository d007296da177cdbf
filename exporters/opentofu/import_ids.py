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

from ...program.catalogue import AWS_PROVIDER_SECRET_RECOVERY_WINDOW_DAYS

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
    # the EKS cluster of `cluster: create`
    "aws_eks_cluster": _attribute("name", "the cluster `name`"),
    "aws_eks_node_group": ImportId("`cluster_name:node_group_name`", _joined(":", "clusterName", "nodeGroupName")),
    # Amazon Managed Service for Prometheus (`metrics.prometheus` on AWS)
    "aws_prometheus_workspace": _the_id("the workspace `id`"),
    "aws_prometheus_rule_group_namespace": _attribute("arn", "the namespace `arn`"),
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


@dataclass(frozen=True)
class Kept:
    """Arguments an adopted resource keeps as the stack set them (`lifecycle.ignore_changes`)."""

    when: str
    """The argument whose presence in the block calls for it."""
    arguments: tuple[str, ...]
    reason: str
    """Why the first plan would otherwise set them again (each a real AWS call)."""
    undo: str
    """What to do to manage them from OpenTofu again."""


KEPT_ON_ADOPTION: Mapping[str, tuple[Kept, ...]] = {
    # secretsmanager/secret_version.go: once imported, the state holds the value AWS returns
    # and no write-only version; `secret_string_wo_version` is ForceNew.
    "aws_secretsmanager_secret_version": (
        Kept(
            "secret_string_wo",
            ("secret_string", "secret_string_wo_version"),
            "an imported version has no write-only version number, so the plan would replace it with a "
            "new generated password",
            "to rotate the password, remove this line and raise secret_string_wo_version",
        ),
    ),
    # elasticache/replication_group.go: Read sets auth_token to nil; a change calls
    # ModifyReplicationGroup with the token (a rotation).
    "aws_elasticache_replication_group": (
        Kept(
            "auth_token",
            ("auth_token",),
            "ElastiCache never returns the AUTH token, so the plan would send it again as a token rotation",
            "to rotate the token, remove this line and change the secret it is read from",
        ),
    ),
    # rds/instance.go: Read never sets manage_master_user_password (the key is only in
    # master_user_secret); a change of either is a ModifyDBInstance call.
    "aws_db_instance": (
        Kept(
            "manage_master_user_password",
            ("manage_master_user_password", "master_user_secret_kms_key_id"),
            "the import reads the managed master password's settings back into master_user_secret only, so "
            "the plan would modify the instance to set them again",
            "to change them, remove this line and apply",
        ),
    ),
}
"""OpenTofu type → the arguments an adopted resource keeps: values the provider cannot read
back from AWS, which the first plan after import would send again."""


@dataclass(frozen=True)
class StateOnly:
    """An argument AWS does not keep: once imported, it holds what the provider's import sets."""

    imported: Any
    """The value the import leaves in the state (None: unset)."""
    default: Any
    """The provider's default when the block does not set it (None: no default)."""
    reason: str


STATE_ONLY: Mapping[tuple[str, str], StateOnly] = {
    # rds/instance.go resourceInstanceImport: "Neither skip_final_snapshot nor
    # final_snapshot_identifier can be fetched from any API call"; it sets
    # skip_final_snapshot and delete_automated_backups to true.
    ("aws_db_instance", "skip_final_snapshot"): StateOnly(True, False, "AWS keeps no final-snapshot setting"),
    ("aws_db_instance", "final_snapshot_identifier"): StateOnly(None, None, "AWS keeps no final-snapshot setting"),
    ("aws_db_instance", "delete_automated_backups"): StateOnly(True, True, "AWS takes it only when deleting"),
    ("aws_db_instance", "apply_immediately"): StateOnly(None, False, "a flag of each modification"),
    ("aws_elasticache_replication_group", "apply_immediately"): StateOnly(None, False, "a flag of each modification"),
    # s3/bucket.go: the importer sets force_destroy to false.
    ("aws_s3_bucket", "force_destroy"): StateOnly(False, False, "a flag of the deletion call"),
    ("aws_ecr_repository", "force_delete"): StateOnly(None, None, "a flag of the deletion call"),
    ("aws_kms_key", "deletion_window_in_days"): StateOnly(None, None, "AWS takes it only when scheduling a deletion"),
    ("aws_kms_key", "bypass_policy_lockout_safety_check"): StateOnly(None, False, "a flag of each policy call"),
    ("aws_secretsmanager_secret", "recovery_window_in_days"): StateOnly(
        None, AWS_PROVIDER_SECRET_RECOVERY_WINDOW_DAYS, "AWS takes it only when deleting"
    ),
    ("aws_secretsmanager_secret", "force_overwrite_replica_secret"): StateOnly(
        None, False, "AWS takes it only when replicating to a region"
    ),
    ("aws_route53_record", "allow_overwrite"): StateOnly(None, False, "AWS takes it only when creating"),
    ("aws_security_group", "revoke_rules_on_delete"): StateOnly(None, False, "a step of the deletion"),
    # ecs/service.go: a provider-side wait, never sent to AWS.
    ("aws_ecs_service", "wait_for_steady_state"): StateOnly(None, False, "the provider's own wait after a change"),
}
"""(OpenTofu type, argument) → what its import leaves. The first plan after import sets the
configuration's value in OpenTofu's state only: the provider reads these when it deletes or
modifies the resource and sends nothing to AWS for them, so applying them makes no AWS call."""


IMPORTED_FORMS: Mapping[tuple[str, str], tuple[str, tuple[str, ...]]] = {
    # ecs/service.go: Read writes the task definition as an ARN only when the state already
    # holds one; an import has none, so it writes `family:revision`.
    ("aws_ecs_service", "taskDefinition"): ("arn", ("family", "revision")),
}
"""(OpenTofu type, input) → (the attribute a fresh eject references, the attributes, joined
with `:`, the import reads the value back as): the adopting eject references those instead,
the same object written the way the state holds it."""


def import_id(tofu_type: str, identifier: str, outputs: Outputs) -> str:
    """The import ID of a resource of `tofu_type` with this Pulumi ID and these outputs.

    Raises KeyError for a type with no entry and :class:`MissingAttribute` when the state
    lacks what the ID is built from.
    """
    return IMPORT_IDS[tofu_type].build(identifier, outputs)


__all__ = [
    "IMPORTED_FORMS",
    "STATE_ONLY",
    "StateOnly",
    "Kept",
    "KEPT_ON_ADOPTION",
    "CREATED_ON_ADOPTION",
    "IMPORT_IDS",
    "NOT_IMPORTABLE",
    "ImportId",
    "MissingAttribute",
    "import_id",
]
