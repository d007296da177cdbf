"""Explicit tables from Pulumi's names to OpenTofu's: types, blocks, renamed arguments,
and what the translator does with them (modules, variables, data sources, outputs).

Pulumi's AWS provider is bridged from the Terraform provider, so most names translate
mechanically (camelCase → snake_case). What does not is listed here: the type tokens
(one entry per type the patterns use; an unmapped token fails the eject with its
name rather than vanish), list blocks the bridge pluralised (`parameters` ↔
`parameter`), map attributes that look like blocks (`tags`), and strings that hold
JSON documents (written as `jsonencode({...})`). Then the translator's own tables:
component → module, arguments that carry a manifest value (variables), data-source
calls, and the descriptions of the stack outputs.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .hcl import Expr

TYPES: Mapping[str, str] = {
    # networking
    "aws:ec2/vpc:Vpc": "aws_vpc",
    "aws:ec2/subnet:Subnet": "aws_subnet",
    "aws:ec2/internetGateway:InternetGateway": "aws_internet_gateway",
    "aws:ec2/natGateway:NatGateway": "aws_nat_gateway",
    "aws:ec2/eip:Eip": "aws_eip",
    "aws:ec2/routeTable:RouteTable": "aws_route_table",
    "aws:ec2/route:Route": "aws_route",
    "aws:ec2/routeTableAssociation:RouteTableAssociation": "aws_route_table_association",
    "aws:ec2/defaultRouteTable:DefaultRouteTable": "aws_default_route_table",
    "aws:ec2/securityGroup:SecurityGroup": "aws_security_group",
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": "aws_default_security_group",
    "aws:ec2/securityGroupRule:SecurityGroupRule": "aws_security_group_rule",
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": "aws_vpc_security_group_ingress_rule",
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": "aws_vpc_security_group_egress_rule",
    "aws:ec2/vpcEndpoint:VpcEndpoint": "aws_vpc_endpoint",
    "aws:ec2/flowLog:FlowLog": "aws_flow_log",
    # encryption, identity, secrets
    "aws:kms/key:Key": "aws_kms_key",
    "aws:kms/alias:Alias": "aws_kms_alias",
    "aws:iam/role:Role": "aws_iam_role",
    "aws:iam/rolePolicy:RolePolicy": "aws_iam_role_policy",
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": "aws_iam_role_policy_attachment",
    "aws:iam/policy:Policy": "aws_iam_policy",
    "aws:secretsmanager/secret:Secret": "aws_secretsmanager_secret",
    "aws:secretsmanager/secretVersion:SecretVersion": "aws_secretsmanager_secret_version",
    "aws:ssm/parameter:Parameter": "aws_ssm_parameter",
    "aws:acm/certificate:Certificate": "aws_acm_certificate",
    "aws:acm/certificateValidation:CertificateValidation": "aws_acm_certificate_validation",
    "aws:route53/record:Record": "aws_route53_record",
    # database
    "aws:rds/instance:Instance": "aws_db_instance",
    "aws:rds/parameterGroup:ParameterGroup": "aws_db_parameter_group",
    "aws:rds/subnetGroup:SubnetGroup": "aws_db_subnet_group",
    # compute
    "aws:ecs/cluster:Cluster": "aws_ecs_cluster",
    "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders": "aws_ecs_cluster_capacity_providers",
    "aws:ecs/service:Service": "aws_ecs_service",
    "aws:ecs/taskDefinition:TaskDefinition": "aws_ecs_task_definition",
    "aws:ecr/repository:Repository": "aws_ecr_repository",
    "aws:ecr/lifecyclePolicy:LifecyclePolicy": "aws_ecr_lifecycle_policy",
    "aws:appautoscaling/target:Target": "aws_appautoscaling_target",
    "aws:appautoscaling/policy:Policy": "aws_appautoscaling_policy",
    # kubernetes cluster (the kubernetes pattern's `cluster: create`)
    "aws:eks/cluster:Cluster": "aws_eks_cluster",
    "aws:eks/nodeGroup:NodeGroup": "aws_eks_node_group",
    # load balancer
    "aws:lb/loadBalancer:LoadBalancer": "aws_lb",
    "aws:lb/targetGroup:TargetGroup": "aws_lb_target_group",
    "aws:lb/listener:Listener": "aws_lb_listener",
    "aws:lb/listenerRule:ListenerRule": "aws_lb_listener_rule",
    # cache
    "aws:elasticache/replicationGroup:ReplicationGroup": "aws_elasticache_replication_group",
    "aws:elasticache/subnetGroup:SubnetGroup": "aws_elasticache_subnet_group",
    "aws:elasticache/parameterGroup:ParameterGroup": "aws_elasticache_parameter_group",
    # storage (pulumi-aws v7: `s3.Bucket` is the Terraform `aws_s3_bucket`; V2 names are aliases)
    "aws:s3/bucket:Bucket": "aws_s3_bucket",
    "aws:s3/bucketV2:BucketV2": "aws_s3_bucket",
    "aws:s3/bucketVersioning:BucketVersioning": "aws_s3_bucket_versioning",
    "aws:s3/bucketVersioningV2:BucketVersioningV2": "aws_s3_bucket_versioning",
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": "aws_s3_bucket_server_side_encryption_configuration",
    "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2": "aws_s3_bucket_server_side_encryption_configuration",
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": "aws_s3_bucket_public_access_block",
    "aws:s3/bucketPolicy:BucketPolicy": "aws_s3_bucket_policy",
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": "aws_s3_bucket_ownership_controls",
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": "aws_s3_bucket_lifecycle_configuration",
    "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2": "aws_s3_bucket_lifecycle_configuration",
    "aws:s3/bucketLogging:BucketLogging": "aws_s3_bucket_logging",
    "aws:s3/bucketLoggingV2:BucketLoggingV2": "aws_s3_bucket_logging",
    "aws:s3/bucketNotification:BucketNotification": "aws_s3_bucket_notification",
    "aws:s3/bucketReplicationConfig:BucketReplicationConfig": "aws_s3_bucket_replication_configuration",
    # monitoring
    "aws:cloudwatch/logGroup:LogGroup": "aws_cloudwatch_log_group",
    "aws:cloudwatch/metricAlarm:MetricAlarm": "aws_cloudwatch_metric_alarm",
    "aws:cloudwatch/dashboard:Dashboard": "aws_cloudwatch_dashboard",
    "aws:cloudwatch/logDeliverySource:LogDeliverySource": "aws_cloudwatch_log_delivery_source",
    "aws:cloudwatch/logDeliveryDestination:LogDeliveryDestination": "aws_cloudwatch_log_delivery_destination",
    "aws:cloudwatch/logDelivery:LogDelivery": "aws_cloudwatch_log_delivery",
    "aws:sns/topic:Topic": "aws_sns_topic",
    "aws:amp/workspace:Workspace": "aws_prometheus_workspace",
    "aws:amp/ruleGroupNamespace:RuleGroupNamespace": "aws_prometheus_rule_group_namespace",
    "aws:sns/topicPolicy:TopicPolicy": "aws_sns_topic_policy",
    "aws:sns/topicSubscription:TopicSubscription": "aws_sns_topic_subscription",
    # edge
    "aws:cloudfront/distribution:Distribution": "aws_cloudfront_distribution",
    "aws:cloudfront/originAccessControl:OriginAccessControl": "aws_cloudfront_origin_access_control",
    "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy": "aws_cloudfront_response_headers_policy",
    "aws:wafv2/webAcl:WebAcl": "aws_wafv2_web_acl",
    "aws:wafv2/webAclAssociation:WebAclAssociation": "aws_wafv2_web_acl_association",
    "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration": "aws_wafv2_web_acl_logging_configuration",
    "aws:shield/protection:Protection": "aws_shield_protection",
    "aws:shield/subscription:Subscription": "aws_shield_subscription",
    # A generated password becomes an ephemeral value of the AWS provider (see EPHEMERAL_TYPES).
    "random:index/randomPassword:RandomPassword": "aws_secretsmanager_random_password",
}
"""Pulumi type token → OpenTofu resource type."""

EPHEMERAL_TYPES = frozenset({"aws_secretsmanager_random_password"})
"""Types written as `ephemeral` blocks: a generated password never enters the OpenTofu state.
It may only be stored write-only (`secret_string_wo`) in a Secrets Manager secret, which its
readers read back; no third-party provider is needed for it."""

PASSWORD_ARGUMENTS: Mapping[str, tuple[str, bool | None]] = {
    "length": ("password_length", None),
    "special": ("exclude_punctuation", False),
    "upper": ("exclude_uppercase", False),
    "lower": ("exclude_lowercase", False),
    "numeric": ("exclude_numbers", False),
}
"""RandomPassword input → (argument of aws_secretsmanager_random_password, the input value that
sets it to true; None: copied as is)."""

EPHEMERAL_ATTRIBUTES: Mapping[str, str] = {"result": "random_password"}
"""RandomPassword output → the ephemeral resource's attribute."""

COUNT_BINDINGS: Mapping[str, str] = {"aws_db_instance": "database.read_replicas"}
"""A `count` family of this type, as many as this manifest value, counts with its variable."""

PROVIDER_SOURCES: Mapping[str, tuple[str, str]] = {
    # The release the test tier applies every eject with (scripts/install-opentofu.sh);
    # older ones are untested, a new major may rename arguments.
    "aws": ("hashicorp/aws", ">= 6.47.1, < 7.0.0"),
}
"""Provider name → (registry source, version constraint). pulumi-aws 7 bridges aws provider v6."""

BLOCK_NAMES: Mapping[str, str] = {
    # field (camelCase, as Pulumi names a list of nested blocks) → HCL block name
    "parameters": "parameter",
    "ingress": "ingress",
    "egress": "egress",
    "defaultActions": "default_action",
    "actions": "action",
    "conditions": "condition",
    "rules": "rule",
    "loadBalancers": "load_balancer",
    "capacityProviderStrategies": "capacity_provider_strategy",
    "defaultCapacityProviderStrategies": "default_capacity_provider_strategy",
    "serviceRegistries": "service_registries",
    "settings": "setting",
    "volumes": "volume",
    "origins": "origin",
    "originGroups": "origin_group",
    "orderedCacheBehaviors": "ordered_cache_behavior",
    "customErrorResponses": "custom_error_response",
    "functionAssociations": "function_association",
    "lambdaFunctionAssociations": "lambda_function_association",
    "customHeaders": "custom_header",
    "transitions": "transition",
    "noncurrentVersionTransitions": "noncurrent_version_transition",
    "logDeliveryConfigurations": "log_delivery_configuration",
    "replicas": "replica",
    "aliases": "alias",
    "validationOptions": "validation_option",
    "metricQueries": "metric_query",
    "inlinePolicies": "inline_policy",
    "subnetMappings": "subnet_mapping",
    "ruleActionOverrides": "rule_action_override",
    "excludedRules": "excluded_rule",
    "statements": "statement",
    "items": "items",
    "headers": "header",
    "targetGroups": "target_group",
    "redactedFields": "redacted_fields",
    "cookies": "cookies",
    "topics": "topic",
    "encryptionConfigurations": "encryption_configuration",
    "imageScanningConfigurations": "image_scanning_configuration",
    "queues": "queue",
}
"""List-of-objects inputs become repeated blocks; the bridge pluralised most of their names."""

MAP_ATTRIBUTES: frozenset[str] = frozenset(
    {
        "tags",
        "tagsAll",
        "dimensions",
        "variables",
        "attributes",
        "options",
        "keepers",
        "triggers",
        "labels",
        "parameters_map",
        "environmentVariables",
        "context",
    }
)
"""Object-valued inputs that are map attributes (`tags = {...}`), not nested blocks."""

JSON_FIELDS: frozenset[str] = frozenset(
    {
        "policy",
        "assumeRolePolicy",
        "containerDefinitions",
        "accessPolicies",
        "redrivePolicy",
        "eventPattern",
        "dashboardBody",
        "deliveryPolicy",
        "secretString",
    }
)
"""String inputs holding a JSON document; written as `jsonencode(...)` so references stay live."""

RENAMED: Mapping[tuple[str, str], str] = {
    # (OpenTofu type, Pulumi input) → OpenTofu argument, where snake_case is not enough
    ("aws_cloudwatch_metric_alarm", "name"): "alarm_name",
    ("aws_sns_topic_subscription", "topic"): "topic_arn",
}

AUTONAMES: Mapping[str, tuple[str, str]] = {
    # OpenTofu type → (Pulumi name input, input to add); the longest value AWS accepts is
    # catalogue.AWS_NAME_MAX_LENGTH
    # A `...Prefix` input keeps Pulumi's behaviour (a random suffix per resource); the
    # others are required arguments without a prefix form, so they get a fixed name.
    "aws_ecs_cluster": ("name", "name"),
    "aws_ecs_service": ("name", "name"),
    "aws_ecr_repository": ("name", "name"),
    "aws_cloudwatch_metric_alarm": ("name", "name"),
    "aws_appautoscaling_policy": ("name", "name"),
    "aws_wafv2_web_acl": ("name", "name"),
    "aws_shield_protection": ("name", "name"),
    "aws_cloudfront_response_headers_policy": ("name", "name"),
    "aws_cloudfront_origin_access_control": ("name", "name"),
    "aws_elasticache_subnet_group": ("name", "name"),
    "aws_elasticache_replication_group": ("replicationGroupId", "replicationGroupId"),
    "aws_ssm_parameter": ("name", "name"),
    "aws_iam_role": ("name", "namePrefix"),
    "aws_iam_role_policy": ("name", "namePrefix"),
    "aws_iam_policy": ("name", "namePrefix"),
    "aws_security_group": ("name", "namePrefix"),
    "aws_sns_topic": ("name", "namePrefix"),
    "aws_s3_bucket": ("bucket", "bucketPrefix"),
    "aws_secretsmanager_secret": ("name", "namePrefix"),
    "aws_db_parameter_group": ("name", "namePrefix"),
    "aws_db_subnet_group": ("name", "namePrefix"),
    "aws_cloudwatch_log_group": ("name", "namePrefix"),
    "aws_eks_cluster": ("name", "name"),
    "aws_eks_node_group": ("nodeGroupName", "nodeGroupNamePrefix"),
}
"""Cloud names Pulumi generates when a component gives none (`<resource name>-<random>`)."""

PREFIX_FIELDS: Mapping[str, str] = {"namePrefix": "name", "bucketPrefix": "bucket"}
"""Inputs that ask for a generated name (`<prefix><random>`) → the input naming it outright."""


PROVIDER_INPUTS_IGNORED: frozenset[str] = frozenset(
    {
        "skipRegionValidation",
        "skipCredentialsValidation",
        "version",
        "skipMetadataApiCheck",
        "skipRequestingAccountId",
    }
)
"""Provider inputs the Pulumi SDK adds with its own defaults; OpenTofu's defaults are the same."""

PROVIDER_INPUTS: frozenset[str] = frozenset({"region", "defaultTags"})
"""Provider inputs the eject writes (as `region = var...` and a `default_tags` block)."""


OTHER_TARGETS: Mapping[str, str] = {
    "kubernetes:": "the `kubernetes` target: infrastructure/kubernetes/ (manifests and a Helm chart)",
}
"""Type-token prefix → the eject target that writes those resources instead (their providers
go with them). The OpenTofu eject of the kubernetes pattern is the cluster it creates."""


class UnmappedTypeError(LookupError):
    """A resource type has no OpenTofu equivalent in :data:`TYPES`."""

    def __init__(self, token: str, name: str):
        super().__init__(
            f"OpenTofu eject has no mapping for Pulumi type `{token}` (resource `{name}`): add it to "
            "exporters/opentofu/mapping.py TYPES so the resource is not silently left out"
        )
        self.token = token


def tofu_type(token: str, name: str = "?") -> str:
    try:
        return TYPES[token]
    except KeyError:
        raise UnmappedTypeError(token, name) from None


_CAMEL_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")


def snake(name: str) -> str:
    """`multiAz` → `multi_az`; `enableHttp2` → `enable_http2`; `iamRoleARN` → `iam_role_arn`."""
    return _CAMEL_BOUNDARY.sub("_", name).lower()


def argument_name(tf_type: str, field: str) -> str:
    return RENAMED.get((tf_type, field)) or snake(field)


ATTRIBUTE_NAMES: Mapping[str, str] = {
    # output attributes the bridge pluralised (lists of objects)
    "masterUserSecrets": "master_user_secret",
}
"""Pulumi output property → OpenTofu attribute, where snake_case is not enough."""


def attribute_name(output: str) -> str:
    """The OpenTofu attribute a reference to a Pulumi output property reads."""
    return ATTRIBUTE_NAMES.get(output) or BLOCK_NAMES.get(output) or snake(output)


def block_name(tf_type: str, field: str) -> str:
    """The HCL block name of a list-of-objects input (table first, then the bridge's rule)."""
    if field in BLOCK_NAMES:
        return BLOCK_NAMES[field]
    return singular(snake(field))


def singular(name: str) -> str:
    """Undo the bridge's pluralisation for names missing from :data:`BLOCK_NAMES`."""
    if name.endswith("ies"):
        return name[:-3] + "y"
    if name.endswith(("sses", "xes")):
        return name[:-2]
    if name.endswith("s") and not name.endswith("ss"):
        return name[:-1]
    return name


# ---------------------------------------------------------------- translator tables

MODULE_NAMES: Mapping[str, str] = {
    "Encryption": "encryption",
    "Network": "networking",
    "LogArchive": "logging",
    "Database": "database",
    "Service": "compute",
    "LoadBalancer": "loadbalancer",
    "Monitoring": "monitoring",
    "ManagedPrometheus": "prometheus",
    "Storage": "storage",
    "Cache": "cache",
    "Edge": "edge",
    "Secrets": "secrets",
    "EksCluster": "eks",
}
"""Component class (last part of its type token) → module folder name, in main.tf order."""


CREATE_BEFORE_DESTROY = frozenset({"aws_acm_certificate"})
"""Types whose replacement must exist before the old one goes, as Pulumi replaces by default
(a listener can never be left without a certificate)."""


@dataclass(frozen=True)
class Binding:
    """An argument whose value came from the manifest: exposed as a variable."""

    path: str
    """Dotted path in the ResolvedDeployment (also the variable name, dots as underscores)."""
    type: str
    """HCL type of the variable."""
    description: str
    """Used when neither the resolved model nor the manifest field has a doc."""
    manifest: str | None = None
    """`Spec class.field` the value is written as in deployment.yaml (its doc is preferred)."""
    key: str | None = None
    """The manifest key a user edits (`database.storage`)."""
    variable: str | None = None
    """The variable's name when the path alone would not say what it is (`application_image_tag`)."""

    @property
    def name(self) -> str:
        """The variable the value becomes."""
        return self.variable or self.path.replace(".", "_")


_B = Binding


BINDINGS: Mapping[tuple[str, str], Binding] = {
    ("aws_vpc", "cidr_block"): _B(
        "network.vpc_cidr", "string", "VPC address range.", "NetworkingSpec.vpc_cidr", "networking.vpc_cidr"
    ),
    ("aws_db_instance", "instance_class"): _B(
        "database.instance_class", "string", "RDS instance class of the database.", None, "database.size"
    ),
    ("aws_db_instance", "allocated_storage"): _B(
        "database.storage_gb", "number", "Allocated storage in GB.", "DatabaseSpec.storage", "database.storage"
    ),
    ("aws_db_instance", "max_allocated_storage"): _B(
        "database.max_storage_gb", "number", "Ceiling of storage autoscaling in GB."
    ),
    ("aws_db_instance", "multi_az"): _B(
        "database.multi_az",
        "bool",
        "Standby in a second availability zone.",
        "DatabaseSpec.multi_az",
        "database.multi_az",
    ),
    ("aws_db_instance", "backup_retention_period"): _B(
        "database.backup_retention_days",
        "number",
        "Days automated backups are kept.",
        "BackupSpec.retention",
        "database.backup.retention",
    ),
    ("aws_db_instance", "deletion_protection"): _B(
        "database.deletion_protection",
        "bool",
        "AWS refuses to delete the database while set (`./deploy.sh destroy` turns it off first).",
    ),
    ("aws_lb", "enable_deletion_protection"): _B(
        "load_balancer.deletion_protection",
        "bool",
        "AWS refuses to delete the load balancer while set (`./deploy.sh destroy` turns it off first).",
    ),
    ("aws_ecs_service", "desired_count"): _B(
        "application.instances",
        "number",
        "Running copies of the application.",
        "ApplicationSpec.instances",
        "application.instances",
    ),
    ("aws_ecs_task_definition", "cpu"): _B(
        "application.cpu_units", "string", "CPU units per task (1024 = 1 vCPU).", None, "application.cpu"
    ),
    ("aws_ecs_task_definition", "memory"): _B(
        "application.memory_mib", "string", "Memory per task in MiB.", None, "application.memory"
    ),
    ("aws_appautoscaling_target", "min_capacity"): _B(
        "application.autoscale_min",
        "number",
        "Fewest running tasks under autoscaling.",
        "AutoscaleSpec.min",
        "application.autoscale.min",
    ),
    ("aws_appautoscaling_target", "max_capacity"): _B(
        "application.autoscale_max",
        "number",
        "Most running tasks under autoscaling.",
        "AutoscaleSpec.max",
        "application.autoscale.max",
    ),
    ("aws_elasticache_replication_group", "node_type"): _B(
        "cache.node_type", "string", "ElastiCache node type.", None, "cache.size"
    ),
    ("aws_acm_certificate", "domain_name"): _B(
        "deployment.domain", "string", "Public domain of the application.", "DeploymentMeta.domain", "deployment.domain"
    ),
    ("aws_route53_record", "name"): _B(
        "deployment.domain", "string", "Public domain of the application.", "DeploymentMeta.domain", "deployment.domain"
    ),
}
"""(OpenTofu type, argument) → the manifest value it carries.

Log retention stays a literal on purpose: checkov resolves a variable's default in some
modules and not in others, so a variable there would hide a CKV_AWS_338 finding."""


IMAGE_TAG_BINDINGS: Mapping[str, Binding] = {
    "aws_ecs_task_definition": _B(
        "deployment.version",
        "string",
        "Image tag the service runs from its repository: the commit SHA CI pushed (tags are immutable "
        "there, so a moving tag such as `latest` could be pushed only once).",
        "DeploymentMeta.version",
        "deployment.version",
        "application_image_tag",
    ),
}
"""Type → the manifest value that is the tag of its container definitions' `image` when that
is `<repository URL>:<tag>` (an `application.image` given in full stays as written)."""


SET_ATTRIBUTES = frozenset({("aws_acm_certificate", "domain_validation_options")})
"""Attributes the provider types as sets: indexing one needs `tolist()` first."""


DATA_CALLS: Mapping[str, Mapping[str, str]] = {
    "aws:index/getCallerIdentity:getCallerIdentity": {
        "accountId": "data.aws_caller_identity.current.account_id",
        "arn": "data.aws_caller_identity.current.arn",
        "userId": "data.aws_caller_identity.current.user_id",
        "id": "data.aws_caller_identity.current.id",
    },
    "aws:index/getPartition:getPartition": {
        "partition": "data.aws_partition.current.partition",
        "dnsSuffix": "data.aws_partition.current.dns_suffix",
        "id": "data.aws_partition.current.id",
    },
    "aws:index/getRegion:getRegion": {
        "name": "data.aws_region.current.region",
        "region": "data.aws_region.current.region",
        "id": "data.aws_region.current.region",
    },
    "aws:ec2/getManagedPrefixList:getManagedPrefixList": {
        "id": "data.aws_ec2_managed_prefix_list.cloudfront_origin_facing.id",
    },
    "aws:route53/getZone:getZone": {
        "zoneId": "data.aws_route53_zone.domain.zone_id",
        "id": "data.aws_route53_zone.domain.id",
        "name": "data.aws_route53_zone.domain.name",
    },
}
"""Data-source calls answered with references to OpenTofu data sources."""


DATA_ARGUMENTS: Mapping[str, Mapping[str, Any]] = {
    "aws_ec2_managed_prefix_list.cloudfront_origin_facing": {"name": "com.amazonaws.global.cloudfront.origin-facing"},
    "aws_route53_zone.domain": {"name": Expr("var.deployment_dns_zone"), "private_zone": False},
}
"""`kind.label` → arguments of the data sources that read one named object (others have none)."""


NAME_FIELDS = (
    "name",
    "identifier",
    "bucket",
    "family",
    "namePrefix",
    "bucketPrefix",
    "replicationGroupId",
    "nodeGroupName",
    "nodeGroupNamePrefix",
)


TAG_FIELDS = ("tags", "tagsAll")


STACK_OUTPUTS: Mapping[str, str] = {
    "url": "Public URL of the application",
    "vpc_id": "ID of the VPC",
    "cluster_name": "Name of the ECS cluster",
    "service_name": "Name of the ECS service",
    "database_endpoint": "Endpoint (host:port) of the primary database",
    "dr_database_endpoint": "Endpoint (host:port) of the disaster-recovery database replica",
    "cache_endpoint": "Endpoint of the Redis cache",
    "ecr_repository_url": "URL of the ECR repository images are pushed to",
    "load_balancer_dns_name": "DNS name of the load balancer",
    "buckets": "Object storage buckets by manifest name",
}
"""Descriptions of the pattern's stack outputs (others are described from their name)."""

PATTERN_STACK_OUTPUTS: Mapping[str, Mapping[str, str]] = {
    "kubernetes": {"cluster_name": "Name of the EKS cluster, for `aws eks update-kubeconfig --name`"},
}
"""Pattern → descriptions that differ from :data:`STACK_OUTPUTS` for it."""
