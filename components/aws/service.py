"""Service: the application on ECS Fargate, its image repository, roles and autoscaling."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pulumi
import pulumi_aws as aws

from ...program.building_blocks import (
    ECR_KEEP_IMAGES,
    ECS_CONTAINER_HEALTH_RETRIES,
    ECS_CONTAINER_HEALTH_START_SECONDS,
    ECS_DEPLOYMENT_MAX_PERCENT,
    ECS_DEPLOYMENT_MIN_HEALTHY_PERCENT,
    ECS_HEALTH_CHECK_GRACE_SECONDS,
    ECS_SCALE_IN_COOLDOWN_SECONDS,
    ECS_SCALE_OUT_COOLDOWN_SECONDS,
)
from ...program.catalogue import FARGATE_MEMORY_BY_CPU, IMAGES, fargate_memory_hint
from ...program.frameworks import health_probe, probe_seconds
from .children import child, stateful
from .firewall import DataStoreAccess, admit, application_group
from .outputs import concat
from .policies import assume_role_policy, policy_document

if TYPE_CHECKING:
    from ...program.model import ResolvedDeployment

CONTAINER_NAME = "app"
COLLECTOR_NAME = "metrics-collector"
# With a read-only root file system the container still gets a writable /tmp (task storage).
SCRATCH_VOLUME = "tmp"


@dataclass(frozen=True)
class ServiceArgs:
    """Arguments of :class:`Service`."""

    region: str
    """Region (log configuration). Required."""
    subnet_ids: Sequence[pulumi.Input[str]]
    """Private subnets the tasks run in (no public address). Required."""
    vpc_id: pulumi.Input[str]
    """VPC of the tasks' security group. Required."""
    vpc_cidr: str
    """VPC range: the only destination of the tasks' data-tier traffic. Required."""
    load_balancer_security_group_id: pulumi.Input[str]
    """The load balancer's group, the only source admitted on `port`. Required."""
    target_group_arn: pulumi.Input[str]
    """Load balancer target group the tasks register with. Required."""
    kms_key_arn: pulumi.Input[str]
    """Key of the image repository, the log group and the injected secrets. Required."""
    version: str
    """Image tag deployed from the repository. Required."""
    image: str | None
    """A complete image reference to run instead of the repository's; `None` runs the repository's. Required."""
    port: int
    """Container port. Required."""
    command: tuple[str, ...]
    """Container command; empty runs the image's own. Required."""
    cpu_units: int
    """Fargate CPU units (1 vCPU = 1024). Required."""
    memory_mib: int
    """Fargate memory; must pair with `cpu_units`. Required."""
    framework: str
    """Application framework: the interpreter its image carries probes the health path. Required."""
    health_check_path: str
    """Path the container health check requests. Required."""
    health_check_interval: int
    """Seconds between container health checks. Required."""
    health_check_timeout: int
    """Seconds before a health check fails. Required."""
    read_only_root: bool
    """Read-only root file system. Required."""
    desired_count: int
    """Tasks kept running (the autoscaling floor when autoscaling). Required."""
    autoscale: bool
    """Target-tracking autoscaling on CPU. Required."""
    autoscale_min: int
    """Fewest tasks. Required."""
    autoscale_max: int
    """Most tasks. Required."""
    target_cpu: int
    """Average CPU percent autoscaling keeps. Required."""
    target_memory: int | None
    """Average memory percent autoscaling keeps; `None`: no memory policy. Required."""
    container_insights: bool
    """Per-task metrics in CloudWatch. Required."""
    log_retention_days: int
    """Days the application logs are kept. Required."""
    protect: bool
    """Protect the image repository and keep it when the stack is destroyed. Required."""
    environment: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    """Plain environment variables. Defaults to `{}`."""
    secrets: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    """Environment variable → Secrets Manager `valueFrom` (an ARN, optionally `:key::`).
    Defaults to `{}`."""
    secret_arns: Sequence[pulumi.Input[str]] = ()
    """Secrets the execution role may read (the ARNs behind `secrets`). Defaults to `()`."""
    task_policy_statements: Sequence[Mapping[str, Any]] = ()
    """What the application itself may do (buckets, IAM database login). Defaults to `()`."""
    data_stores: Sequence[DataStoreAccess] = ()
    """Data stores the tasks connect to: the service adds the rule admitting its group into
    each store's group. Defaults to `()`."""
    depends_on: Sequence[pulumi.Resource] = ()
    """Resources the service waits for (the listener attaching the target group). Defaults to `()`."""
    metrics_collector: pulumi.Input[str] | None = None
    """Configuration of a metrics collector container beside the app (AWS Distro for
    OpenTelemetry, `AOT_CONFIG_CONTENT`) remote-writing to Managed Prometheus; `None`: no
    collector. Defaults to `None`."""

    def __post_init__(self) -> None:
        if self.cpu_units not in FARGATE_MEMORY_BY_CPU:
            raise ValueError(f"`cpu_units` {self.cpu_units} is not a Fargate size: {sorted(FARGATE_MEMORY_BY_CPU)}")
        if self.memory_mib not in FARGATE_MEMORY_BY_CPU[self.cpu_units]:
            raise ValueError(f"`memory_mib` with `cpu_units`: {fargate_memory_hint(self.cpu_units, self.memory_mib)}")
        if self.autoscale and not self.autoscale_min <= self.desired_count <= self.autoscale_max:
            raise ValueError("`desired_count` must lie between `autoscale_min` and `autoscale_max`")


def health_check_command(framework: str, port: int, path: str, timeout_seconds: int) -> list[str]:
    """The container health check: an HTTP GET on the application's own health path, made
    with the runtime's interpreter (the generated images have no curl), as the Dockerfile's
    HEALTHCHECK does."""
    url = f"http://127.0.0.1:{port}{path}"
    return ["CMD", *health_probe(framework, url, probe_seconds(timeout_seconds))]


def ecr_lifecycle_policy(keep: int) -> str:
    """Expire all but the newest `keep` images."""
    return json.dumps(
        {
            "rules": [
                {
                    "rulePriority": 1,
                    "description": f"Keep the last {keep} images",
                    "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": keep},
                    "action": {"type": "expire"},
                }
            ]
        }
    )


class Service(pulumi.ComponentResource):
    """The application behind the load balancer, with nothing it does not need.

    The execution role can pull this repository's images, write this log group and read
    exactly the listed secrets; the task role holds only what the application asks for.
    A failed deployment rolls back by itself (circuit breaker), and the task count
    follows CPU (and memory when asked) between the floor and the ceiling.
    """

    repository: aws.ecr.Repository
    cluster: aws.ecs.Cluster
    service: aws.ecs.Service
    task_definition: aws.ecs.TaskDefinition
    log_group: aws.cloudwatch.LogGroup
    security_group: aws.ec2.SecurityGroup
    """The tasks' group: the load balancer in, HTTPS and the data tier out."""

    def __init__(self, name: str, args: ServiceArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("specql:aws:Service", name, None, opts)
        self.security_group = application_group(
            self, f"{name}-sg", args.vpc_id, args.vpc_cidr, args.port, args.load_balancer_security_group_id
        )
        for store in args.data_stores:
            admit(self, f"{name}-to-{store.what.lower()}", self.security_group.id, store)
        self.repository = aws.ecr.Repository(
            f"{name}-repo",
            image_tag_mutability="IMMUTABLE",
            image_scanning_configuration={"scan_on_push": True},
            encryption_configurations=[{"encryption_type": "KMS", "kms_key": args.kms_key_arn}],
            force_delete=not args.protect,
            opts=stateful(self, args.protect),
        )
        aws.ecr.LifecyclePolicy(
            f"{name}-repo-lifecycle",
            repository=self.repository.name,
            policy=ecr_lifecycle_policy(ECR_KEEP_IMAGES),
            opts=child(self),
        )
        self.cluster = aws.ecs.Cluster(
            f"{name}-cluster",
            settings=[{"name": "containerInsights", "value": "enabled" if args.container_insights else "disabled"}],
            opts=child(self),
        )
        self.log_group = aws.cloudwatch.LogGroup(
            f"{name}-logs",
            name=f"/ecs/{name}",
            retention_in_days=args.log_retention_days,
            kms_key_id=args.kms_key_arn,
            opts=child(self),
        )

        execution_role = aws.iam.Role(
            f"{name}-execution-role", assume_role_policy=assume_role_policy("ecs-tasks.amazonaws.com"), opts=child(self)
        )
        aws.iam.RolePolicy(
            f"{name}-execution",
            role=execution_role.id,
            policy=policy_document(self._execution_statements(args)),
            opts=child(self),
        )
        task_role = aws.iam.Role(
            f"{name}-task-role", assume_role_policy=assume_role_policy("ecs-tasks.amazonaws.com"), opts=child(self)
        )
        if args.task_policy_statements:
            aws.iam.RolePolicy(
                f"{name}-task",
                role=task_role.id,
                policy=policy_document(list(args.task_policy_statements)),
                opts=child(self),
            )

        image = args.image or concat(self.repository.repository_url, ":", args.version)
        self.task_definition = aws.ecs.TaskDefinition(
            f"{name}-task",
            family=name,
            requires_compatibilities=["FARGATE"],
            network_mode="awsvpc",
            cpu=str(args.cpu_units),
            memory=str(args.memory_mib),
            execution_role_arn=execution_role.arn,
            task_role_arn=task_role.arn,
            runtime_platform={"operating_system_family": "LINUX", "cpu_architecture": "X86_64"},
            container_definitions=pulumi.Output.json_dumps(
                [container_definition(args, image, self.log_group.name)]
                + ([collector_definition(args, self.log_group.name)] if args.metrics_collector is not None else [])
            ),
            volumes=[{"name": SCRATCH_VOLUME}] if args.read_only_root else None,
            opts=child(self),
        )
        self.service = aws.ecs.Service(
            f"{name}-service",
            cluster=self.cluster.arn,
            task_definition=self.task_definition.arn,
            launch_type="FARGATE",
            platform_version="LATEST",
            desired_count=args.desired_count,
            deployment_minimum_healthy_percent=ECS_DEPLOYMENT_MIN_HEALTHY_PERCENT,
            deployment_maximum_percent=ECS_DEPLOYMENT_MAX_PERCENT,
            deployment_circuit_breaker={"enable": True, "rollback": True},
            health_check_grace_period_seconds=ECS_HEALTH_CHECK_GRACE_SECONDS,
            network_configuration={
                "subnets": args.subnet_ids,
                "security_groups": [self.security_group.id],
                "assign_public_ip": False,
            },
            load_balancers=[
                {
                    "target_group_arn": args.target_group_arn,
                    "container_name": CONTAINER_NAME,
                    "container_port": args.port,
                }
            ],
            propagate_tags="SERVICE",
            enable_ecs_managed_tags=True,
            opts=child(
                self, depends_on=list(args.depends_on), ignore_changes=["desiredCount"] if args.autoscale else None
            ),
        )
        if args.autoscale:
            self._autoscaling(name, args)
        self.register_outputs(
            {
                "cluster_name": self.cluster.name,
                "service_name": self.service.name,
                "repository_url": self.repository.repository_url,
            }
        )

    def _execution_statements(self, args: ServiceArgs) -> list[dict[str, Any]]:
        statements: list[dict[str, Any]] = [
            {"Sid": "RegistryLogin", "Effect": "Allow", "Action": "ecr:GetAuthorizationToken", "Resource": "*"},
            {
                "Sid": "PullImages",
                "Effect": "Allow",
                "Action": ["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"],
                "Resource": self.repository.arn,
            },
            {
                "Sid": "WriteLogs",
                "Effect": "Allow",
                "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                "Resource": concat(self.log_group.arn, ":*"),
            },
            {
                "Sid": "DecryptWithDeploymentKey",
                "Effect": "Allow",
                "Action": "kms:Decrypt",
                "Resource": args.kms_key_arn,
            },
        ]
        if args.secret_arns:
            known = pulumi.Output.all(*args.secret_arns).apply(lambda arns: [arn for arn in arns if arn])
            statements.append(
                {"Sid": "ReadSecrets", "Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": known}
            )
        return statements

    def _autoscaling(self, name: str, args: ServiceArgs) -> None:
        target = aws.appautoscaling.Target(
            f"{name}-scaling",
            service_namespace="ecs",
            scalable_dimension="ecs:service:DesiredCount",
            resource_id=concat("service/", self.cluster.name, "/", self.service.name),
            min_capacity=args.autoscale_min,
            max_capacity=args.autoscale_max,
            opts=child(self),
        )
        metrics = [("cpu", "ECSServiceAverageCPUUtilization", args.target_cpu)]
        if args.target_memory is not None:
            metrics.append(("memory", "ECSServiceAverageMemoryUtilization", args.target_memory))
        for short, metric, value in metrics:
            aws.appautoscaling.Policy(
                f"{name}-scale-{short}",
                policy_type="TargetTrackingScaling",
                service_namespace=target.service_namespace,
                scalable_dimension=target.scalable_dimension,
                resource_id=target.resource_id,
                target_tracking_scaling_policy_configuration={
                    "predefined_metric_specification": {"predefined_metric_type": metric},
                    "target_value": value,
                    "scale_in_cooldown": ECS_SCALE_IN_COOLDOWN_SECONDS,
                    "scale_out_cooldown": ECS_SCALE_OUT_COOLDOWN_SECONDS,
                },
                opts=child(self),
            )

    @property
    def cluster_name(self) -> pulumi.Output[str]:
        return self.cluster.name

    @property
    def service_name(self) -> pulumi.Output[str]:
        return self.service.name


def container_definition(args: ServiceArgs, image: pulumi.Input[str], log_group: pulumi.Input[str]) -> dict[str, Any]:
    """The one container: port, health check, logs, plain variables and injected secrets."""
    definition: dict[str, Any] = {
        "name": CONTAINER_NAME,
        "image": image,
        "essential": True,
        "readonlyRootFilesystem": args.read_only_root,
        "portMappings": [{"containerPort": args.port, "protocol": "tcp"}],
        "environment": [{"name": key, "value": value} for key, value in sorted(args.environment.items())],
        "secrets": [{"name": key, "valueFrom": value} for key, value in sorted(args.secrets.items())],
        "healthCheck": {
            "command": health_check_command(
                args.framework, args.port, args.health_check_path, args.health_check_timeout
            ),
            "interval": args.health_check_interval,
            "timeout": args.health_check_timeout,
            "retries": ECS_CONTAINER_HEALTH_RETRIES,
            "startPeriod": ECS_CONTAINER_HEALTH_START_SECONDS,
        },
        "logConfiguration": {
            "logDriver": "awslogs",
            "options": {"awslogs-group": log_group, "awslogs-region": args.region, "awslogs-stream-prefix": "app"},
        },
    }
    if args.read_only_root:
        definition["mountPoints"] = [{"sourceVolume": SCRATCH_VOLUME, "containerPath": "/tmp", "readOnly": False}]
    if args.command:
        definition["command"] = list(args.command)
    return definition


def collector_definition(args: ServiceArgs, log_group: pulumi.Input[str]) -> dict[str, Any]:
    """The metrics collector beside the app: scrapes it on localhost (the task shares one
    network namespace) and remote-writes to Managed Prometheus; not essential, so a failing
    collector never stops the app."""
    return {
        "name": COLLECTOR_NAME,
        "image": IMAGES["otel-collector"],
        "essential": False,
        "readonlyRootFilesystem": True,
        "environment": [{"name": "AOT_CONFIG_CONTENT", "value": args.metrics_collector}],
        "dependsOn": [{"containerName": CONTAINER_NAME, "condition": "START"}],
        "logConfiguration": {
            "logDriver": "awslogs",
            "options": {
                "awslogs-group": log_group,
                "awslogs-region": args.region,
                "awslogs-stream-prefix": COLLECTOR_NAME,
            },
        },
    }


# ------------------------------------------------ what the block takes from the model


def service_settings(resolved: ResolvedDeployment) -> dict[str, Any]:
    app = resolved.application
    return {
        "region": resolved.platform.region,
        "vpc_cidr": resolved.network.vpc_cidr,
        "version": resolved.deployment.version,
        "image": app.image,
        "port": app.port,
        "command": app.command,
        "cpu_units": app.cpu_units,
        "memory_mib": app.memory_mib,
        "framework": resolved.deployment.framework,
        "health_check_path": app.health_check_path,
        "health_check_interval": app.health_check_interval,
        "health_check_timeout": app.health_check_timeout,
        "read_only_root": app.read_only_root,
        "desired_count": app.instances,
        "autoscale": app.autoscale,
        "autoscale_min": app.autoscale_min,
        "autoscale_max": app.autoscale_max,
        "target_cpu": app.target_cpu,
        "target_memory": app.target_memory,
        "container_insights": resolved.monitoring.container_insights,
        "log_retention_days": resolved.monitoring.log_retention_days,
        "protect": resolved.is_production,
    }
