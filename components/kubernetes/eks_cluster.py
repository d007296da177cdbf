"""EKS for `cluster: create`: a VPC (the AWS `Network` component), a private control
plane endpoint reachable by the deployer, a managed node group in the private subnets,
secrets envelope-encrypted with the deployment's KMS key, and a kubeconfig that
authenticates with `aws eks get-token` (no long-lived credentials in it).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from ...program.building_blocks import EKS_CONTROL_PLANE_LOGS, EKS_NODE_INSTANCE_TYPE, EKS_NODE_MAX_FACTOR
from ...program.catalogue import EKS_MIN_AVAILABILITY_ZONES
from ..aws.encryption import Encryption, EncryptionArgs
from ..aws.network import NatStrategy, Network, NetworkArgs
from ..aws.policies import assume_role_policy
from ..aws.regions import partition


@dataclass(frozen=True)
class EksClusterArgs:
    """An EKS cluster with one managed node group."""

    region: str
    """AWS region. Required."""
    availability_zones: int
    """How many of the region's zones the VPC and node group span (at least two: EKS requires
    subnets in two zones). Required."""
    vpc_cidr: str
    """VPC address range. Required."""
    nat_strategy: NatStrategy
    """NAT gateways that give the private nodes outbound access. Required."""
    flow_logs: bool
    """VPC flow logs. Required."""
    log_retention_days: int
    """Days flow logs are kept. Required."""
    node_count: int
    """Nodes the group runs (and never goes below). Required."""
    deletion_protection: bool
    """Refuse to delete the cluster (production). Required."""
    node_instance_type: str = EKS_NODE_INSTANCE_TYPE
    """EC2 instance type of the nodes. Defaults to `t3.large`."""

    def __post_init__(self) -> None:
        if self.availability_zones < EKS_MIN_AVAILABILITY_ZONES:
            raise ValueError(
                f"EKS needs `availability_zones` >= {EKS_MIN_AVAILABILITY_ZONES}: the control plane spans two zones"
            )
        if self.node_count < 1:
            raise ValueError("`node_count` must be at least 1")


def kubeconfig(cluster_name: str, endpoint: str, certificate_authority: str, region: str) -> str:
    """A kubeconfig whose user runs `aws eks get-token`: short-lived tokens from the
    caller's own AWS credentials, nothing secret stored in the file."""
    return json.dumps(
        {
            "apiVersion": "v1",
            "kind": "Config",
            "clusters": [
                {
                    "name": cluster_name,
                    "cluster": {"server": endpoint, "certificate-authority-data": certificate_authority},
                }
            ],
            "contexts": [{"name": cluster_name, "context": {"cluster": cluster_name, "user": cluster_name}}],
            "current-context": cluster_name,
            "users": [
                {
                    "name": cluster_name,
                    "user": {
                        "exec": {
                            "apiVersion": "client.authentication.k8s.io/v1beta1",
                            "command": "aws",
                            "args": ["eks", "get-token", "--cluster-name", cluster_name, "--region", region],
                        }
                    },
                }
            ],
        }
    )


def managed_policy(region: str, policy: str) -> str:
    return f"arn:{partition(region)}:iam::aws:policy/{policy}"


class EksCluster(pulumi.ComponentResource):
    """VPC, EKS control plane, node group and a kubeconfig for the Kubernetes provider."""

    kubeconfig: pulumi.Output[str]
    """Secret kubeconfig JSON for `pulumi_kubernetes.Provider`."""
    cluster_name: pulumi.Output[str]
    network: Network

    def __init__(self, name: str, args: EksClusterArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("specql:kubernetes:EksCluster", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        identity = aws.get_caller_identity_output(opts=pulumi.InvokeOutputOptions(parent=self))
        self.encryption = Encryption(
            f"{name}-kms",
            EncryptionArgs(account_id=identity.account_id, region=args.region, protect=args.deletion_protection),
            opts=child,
        )
        self.network = Network(
            f"{name}-network",
            NetworkArgs(
                region=args.region,
                availability_zones=args.availability_zones,
                cidr=args.vpc_cidr,
                nat_strategy=args.nat_strategy,
                isolated_subnets=False,
                flow_logs=args.flow_logs,
                log_retention_days=args.log_retention_days,
                kms_key_arn=self.encryption.key_arn,
            ),
            opts=child,
        )

        cluster_role = aws.iam.Role(
            f"{name}-cluster-role", assume_role_policy=assume_role_policy("eks.amazonaws.com"), opts=child
        )
        cluster_policy = aws.iam.RolePolicyAttachment(
            f"{name}-cluster-policy",
            role=cluster_role.name,
            policy_arn=managed_policy(args.region, "AmazonEKSClusterPolicy"),
            opts=child,
        )

        self.cluster = aws.eks.Cluster(
            f"{name}-cluster",
            role_arn=cluster_role.arn,
            vpc_config={
                "subnet_ids": self.network.private_subnet_ids,
                # The deployer (CI, `specql deploy up`) reaches the API from outside the VPC;
                # nodes use the private endpoint.
                "endpoint_private_access": True,
                "endpoint_public_access": True,
            },
            access_config={"authentication_mode": "API", "bootstrap_cluster_creator_admin_permissions": True},
            encryption_config={"provider": {"key_arn": self.encryption.key_arn}, "resources": ["secrets"]},
            enabled_cluster_log_types=list(EKS_CONTROL_PLANE_LOGS),
            deletion_protection=args.deletion_protection,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[cluster_policy]),
        )

        node_role = aws.iam.Role(
            f"{name}-node-role", assume_role_policy=assume_role_policy("ec2.amazonaws.com"), opts=child
        )
        node_policies = [
            aws.iam.RolePolicyAttachment(
                f"{name}-node-{policy.lower()}",
                role=node_role.name,
                policy_arn=managed_policy(args.region, policy),
                opts=child,
            )
            for policy in ("AmazonEKSWorkerNodePolicy", "AmazonEKS_CNI_Policy", "AmazonEC2ContainerRegistryReadOnly")
        ]
        self.node_group = aws.eks.NodeGroup(
            f"{name}-nodes",
            cluster_name=self.cluster.name,
            node_role_arn=node_role.arn,
            subnet_ids=self.network.private_subnet_ids,
            instance_types=[args.node_instance_type],
            scaling_config={
                "desired_size": args.node_count,
                "min_size": args.node_count,
                "max_size": args.node_count * EKS_NODE_MAX_FACTOR,
            },
            update_config={"max_unavailable": 1},
            opts=pulumi.ResourceOptions(parent=self, depends_on=node_policies),
        )

        self.cluster_name = self.cluster.name
        self.kubeconfig = pulumi.Output.secret(
            pulumi.Output.all(
                self.cluster.name,
                self.cluster.endpoint,
                # Known only once the cluster exists (empty during an offline preview).
                self.cluster.certificate_authority.apply(lambda authority: getattr(authority, "data", None) or ""),
            ).apply(lambda values: kubeconfig(values[0], values[1], values[2], args.region))
        )
        self.register_outputs({"cluster_name": self.cluster_name, "kubeconfig": self.kubeconfig})
