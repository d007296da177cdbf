"""Service: ECR, ECS cluster, Fargate task definition, least-privilege roles, autoscaling."""

from __future__ import annotations

import json

import pytest

from specql_deploy.components.aws.service import Service, ServiceArgs, service_settings

from aws_harness import KEY, SMALL, SUBNETS, build, only, statements

TG = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/shop/abc"
SECRET = "arn:aws:secretsmanager:us-east-1:123456789012:secret:shop/STRIPE"


def service(**overrides):
    args = {
        **service_settings(SMALL),
        "region": "us-east-1",
        "subnet_ids": SUBNETS,
        "vpc_id": "vpc-0abc",
        "vpc_cidr": "10.0.0.0/16",
        "load_balancer_security_group_id": "sg-lb",
        "target_group_arn": TG,
        "kms_key_arn": KEY,
    }
    args.update(overrides)
    return build(lambda: Service("shop-dev-app", ServiceArgs(**args)))


def container(graph) -> dict:
    """The application's container (the essential one; a metrics collector may run beside it)."""
    definitions = json.loads(only(graph, "aws:ecs/taskDefinition:TaskDefinition").inputs["containerDefinitions"])
    [definition] = [item for item in definitions if item.get("essential", True)]
    return definition


def role_policy(graph, suffix: str):
    return next(r for r in graph.of_type("aws:iam/rolePolicy:RolePolicy") if r.name.endswith(suffix))


# ----------------------------------------------------------------------------- defaults


def test_repository_is_immutable_scanned_and_kms_encrypted_with_a_lifecycle():
    graph = service()
    repo = only(graph, "aws:ecr/repository:Repository").inputs
    assert repo["imageTagMutability"] == "IMMUTABLE"
    assert repo["imageScanningConfiguration"] == {"scanOnPush": True}
    assert repo["encryptionConfigurations"] == [{"encryptionType": "KMS", "kmsKey": KEY}]
    rules = json.loads(only(graph, "aws:ecr/lifecyclePolicy:LifecyclePolicy").inputs["policy"])["rules"]
    assert rules[0]["selection"]["countNumber"] == 30


def test_cluster_has_container_insights():
    cluster = only(service(), "aws:ecs/cluster:Cluster").inputs
    assert cluster["settings"] == [{"name": "containerInsights", "value": "enabled"}]


def test_task_definition_sizes_health_check_and_logs():
    graph = service()
    task = only(graph, "aws:ecs/taskDefinition:TaskDefinition").inputs
    assert (task["cpu"], task["memory"]) == ("256", "512")
    assert task["requiresCompatibilities"] == ["FARGATE"] and task["networkMode"] == "awsvpc"
    app = container(graph)
    # the probe runs the image's own interpreter (no curl in the generated images)
    assert app["healthCheck"]["command"][:2] == ["CMD", "python"]
    assert "http://127.0.0.1:8000/health" in app["healthCheck"]["command"][-1]
    assert app["logConfiguration"]["logDriver"] == "awslogs"
    assert app["logConfiguration"]["options"]["awslogs-group"] == "/ecs/shop-dev-app"
    assert app["readonlyRootFilesystem"] is True
    assert app["mountPoints"][0]["containerPath"] == "/tmp"
    group = only(graph, "aws:cloudwatch/logGroup:LogGroup").inputs
    assert group["kmsKeyId"] == KEY and group["retentionInDays"] == SMALL.monitoring.log_retention_days


def test_service_rolls_back_failed_deployments_and_stays_private():
    svc = only(service(), "aws:ecs/service:Service").inputs
    assert svc["deploymentCircuitBreaker"] == {"enable": True, "rollback": True}
    assert svc["desiredCount"] == 2
    assert svc["networkConfiguration"]["assignPublicIp"] is False
    assert svc["networkConfiguration"]["subnets"] == SUBNETS
    assert svc["loadBalancers"] == [{"targetGroupArn": TG, "containerName": "app", "containerPort": 8000}]
    assert svc["platformVersion"] == "LATEST"


def test_autoscaling_tracks_cpu_only_by_default():
    graph = service()
    target = only(graph, "aws:appautoscaling/target:Target").inputs
    assert (target["minCapacity"], target["maxCapacity"]) == (2, 4)
    policy = only(graph, "aws:appautoscaling/policy:Policy").inputs["targetTrackingScalingPolicyConfiguration"]
    assert policy["predefinedMetricSpecification"]["predefinedMetricType"] == "ECSServiceAverageCPUUtilization"
    assert policy["targetValue"] == 70


def test_execution_role_reaches_only_its_repository_log_group_and_key():
    graph = service()
    granted = statements(role_policy(graph, "-execution"))
    wildcard = [sid for sid, s in granted.items() if s["Resource"] == "*"]
    assert wildcard == ["RegistryLogin"]  # GetAuthorizationToken has no resource-level form
    assert granted["DecryptWithDeploymentKey"]["Resource"] == KEY
    assert "ReadSecrets" not in granted
    # no task policy when the application asks for nothing
    assert [r for r in graph.of_type("aws:iam/rolePolicy:RolePolicy") if r.name.endswith("-task")] == []


def test_repository_not_protected_by_default():
    repo = only(service(), "aws:ecr/repository:Repository")
    assert (repo.protect, repo.retain_on_delete) == (False, False)


# ---------------------------------------------------------------------------- overrides


def test_memory_target_adds_a_second_policy():
    graph = service(target_memory=80)
    metrics = sorted(
        p.inputs["targetTrackingScalingPolicyConfiguration"]["predefinedMetricSpecification"]["predefinedMetricType"]
        for p in graph.of_type("aws:appautoscaling/policy:Policy")
    )
    assert metrics == ["ECSServiceAverageCPUUtilization", "ECSServiceAverageMemoryUtilization"]


def test_autoscale_off_keeps_a_fixed_count():
    graph = service(autoscale=False, desired_count=3)
    assert graph.of_type("aws:appautoscaling/target:Target") == []
    assert only(graph, "aws:ecs/service:Service").inputs["desiredCount"] == 3


def test_sizes_and_secrets_come_from_the_arguments():
    graph = service(
        cpu_units=1024,
        memory_mib=2048,
        secrets={"STRIPE_API_KEY": SECRET},
        secret_arns=[SECRET],
        environment={"LOG_LEVEL": "warn"},
        image="ghcr.io/acme/shop:1.2.3",
    )
    task = only(graph, "aws:ecs/taskDefinition:TaskDefinition").inputs
    assert (task["cpu"], task["memory"]) == ("1024", "2048")
    app = container(graph)
    assert app["secrets"] == [{"name": "STRIPE_API_KEY", "valueFrom": SECRET}]
    assert {"name": "LOG_LEVEL", "value": "warn"} in app["environment"]
    assert app["image"] == "ghcr.io/acme/shop:1.2.3"
    assert statements(role_policy(graph, "-execution"))["ReadSecrets"]["Resource"] == [SECRET]


def test_task_role_gets_exactly_the_statements_asked_for():
    asked = {"Sid": "ReadUploads", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::up/*"}
    graph = service(task_policy_statements=[asked])
    assert statements(role_policy(graph, "-task")) == {"ReadUploads": asked}


def test_production_repository_is_protected_and_kept():
    repo = only(service(protect=True), "aws:ecr/repository:Repository")
    assert (repo.protect, repo.retain_on_delete) == (True, True)
    assert repo.inputs["forceDelete"] is False


def test_invalid_fargate_pair_is_refused_with_a_hint():
    with pytest.raises(ValueError, match="Fargate cannot run"):
        ServiceArgs(
            **{**service_settings(SMALL), "cpu_units": 512, "memory_mib": 512},
            subnet_ids=SUBNETS,
            vpc_id="vpc-0abc",
            load_balancer_security_group_id="sg-lb",
            target_group_arn=TG,
            kms_key_arn=KEY,
        )


# ------------------------------------------------------------------- the release it runs

AWS_EXAMPLES = ("small-saas", "production-saas", "full-manifest", "phase2-extended")


def test_the_task_runs_its_repository_at_the_release_tag():
    # GIVEN the release CI deploys (`up --version <sha>`)
    app = container(service(version="3f2c1ab"))
    # THEN the task runs the stack's own repository at exactly that tag
    assert app["image"].endswith(":3f2c1ab")


@pytest.mark.parametrize("example", AWS_EXAMPLES)
def test_no_aws_example_runs_a_moving_tag_in_its_immutable_repository(example):
    from specql_deploy.automation.cli_manifest import with_overrides
    from specql_deploy.capture import capture

    from support import resolve_example

    # GIVEN an AWS example as written (no release given) and as CI deploys it
    resolved = resolve_example(example)
    as_written = capture(resolved)
    released = capture(with_overrides(resolved, version="3f2c1ab"))
    # THEN the capture names no `:latest` anywhere: the repository's tags are immutable
    assert only(as_written, "aws:ecr/repository:Repository").inputs["imageTagMutability"] == "IMMUTABLE"
    assert ":latest" not in json.dumps([item.inputs for item in as_written.resources])
    # AND the task runs the manifest's version (or the pattern's tag that nothing is pushed as)
    expected = resolved.deployment.version
    assert expected != "latest"
    assert container(as_written)["image"].endswith(f":{expected}")
    # AND with a release, the commit's tag
    assert container(released)["image"].endswith(":3f2c1ab")
