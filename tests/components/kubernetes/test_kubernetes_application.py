"""Application: Deployment, Service, HPA, PDB, ServiceAccount and Secret under mocks."""

from __future__ import annotations

import pytest

from specql_deploy.components.kubernetes.application import (
    ApplicationArgs,
    DatabaseRef,
    container_env,
    deployment_skips,
    image_tag,
)

from k8s_support import captured, one  # noqa: F401  (captured is a fixture)

DEPLOYMENT = "kubernetes:apps/v1:Deployment"
HPA = "kubernetes:autoscaling/v2:HorizontalPodAutoscaler"


def container(graph):
    return one(graph, DEPLOYMENT).inputs["spec"]["template"]["spec"]["containers"][0]


def test_example_deployment_runs_the_hardened_pod(captured):
    # GIVEN the kubernetes example (fraiseql: writes nothing to disk)
    resolved, graph = captured("kubernetes")
    pod = one(graph, DEPLOYMENT).inputs["spec"]["template"]["spec"]
    box = pod["containers"][0]
    # THEN the pod runs as a non-root UID above 10000 with no privileges and no token
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["runAsUser"] >= 10000
    assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
    assert pod["automountServiceAccountToken"] is False
    assert box["securityContext"]["allowPrivilegeEscalation"] is False
    assert box["securityContext"]["capabilities"] == {"drop": ["ALL"]}
    assert box["securityContext"]["readOnlyRootFilesystem"] is True
    assert {"name": "tmp", "mountPath": "/tmp"} in box["volumeMounts"]
    assert box["imagePullPolicy"] == "Always"
    assert resolved.application.read_only_root is True


def test_probes_hit_the_health_path_on_the_app_port(captured):
    resolved, graph = captured("kubernetes")
    box = container(graph)
    assert box["ports"] == [{"name": "http", "containerPort": resolved.application.port, "protocol": "TCP"}]
    for probe in (box["readinessProbe"], box["livenessProbe"]):
        assert probe["httpGet"] == {"path": resolved.application.health_check_path, "port": "http"}
        assert probe["failureThreshold"] == resolved.application.unhealthy_threshold
    assert box["readinessProbe"]["successThreshold"] == resolved.application.healthy_threshold
    # Kubernetes rejects a liveness probe with successThreshold other than 1
    assert box["livenessProbe"]["successThreshold"] == 1


def test_resources_come_from_cpu_and_memory(captured):
    # GIVEN the example (0.5 vCPU, 512 MiB from the kubernetes pattern)
    _, graph = captured("kubernetes")
    assert container(graph)["resources"] == {
        "requests": {"cpu": "500m", "memory": "512Mi"},
        "limits": {"cpu": "500m", "memory": "512Mi"},
    }
    # AND a manifest with cpu 1, memory 1Gi
    _, other = captured("plain-http-no-hpa")
    assert container(other)["resources"]["limits"] == {"cpu": "1", "memory": "1Gi"}


def test_hpa_owns_the_replica_count_when_on(captured):
    resolved, graph = captured("kubernetes")
    assert "replicas" not in one(graph, DEPLOYMENT).inputs["spec"]
    spec = one(graph, HPA).inputs["spec"]
    assert spec["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": "kubernetes"}
    assert spec["minReplicas"] == resolved.application.instances == 3
    assert spec["maxReplicas"] == resolved.application.autoscale_max
    assert spec["metrics"][0]["resource"] == {
        "name": "cpu",
        "target": {"type": "Utilization", "averageUtilization": resolved.application.target_cpu},
    }


def test_fixed_replicas_and_no_hpa_when_off(captured):
    _, graph = captured("plain-http-no-hpa")
    assert one(graph, DEPLOYMENT).inputs["spec"]["replicas"] == 2
    assert graph.of_type(HPA) == []


def test_pdb_service_and_service_account(captured):
    _, graph = captured("kubernetes")
    selector = one(graph, DEPLOYMENT).inputs["spec"]["selector"]["matchLabels"]
    pdb = one(graph, "kubernetes:policy/v1:PodDisruptionBudget").inputs["spec"]
    assert pdb == {"maxUnavailable": 1, "selector": {"matchLabels": selector}}
    service = one(graph, "kubernetes:core/v1:Service").inputs["spec"]
    assert service["type"] == "ClusterIP" and service["selector"] == selector
    assert service["ports"] == [{"name": "http", "port": 80, "targetPort": "http", "protocol": "TCP"}]
    account = one(graph, "kubernetes:core/v1:ServiceAccount").inputs
    assert account["automountServiceAccountToken"] is False
    assert account["metadata"]["namespace"] == "myapp-prod"


def test_database_url_comes_from_the_operator_secret(captured):
    _, graph = captured("kubernetes")
    env = container(graph)["env"]
    assert {"name": "DATABASE_URL", "valueFrom": {"secretKeyRef": {"name": "kubernetes-db-app", "key": "uri"}}} in env
    assert graph.of_type("kubernetes:core/v1:Secret") == []


def test_secrets_are_kubernetes_secrets_from_pulumi_config(tmp_path):
    # GIVEN a Pulumi config secret for the one secret the stack stores
    import pulumi.runtime.config as config

    from specql_deploy.capture import capture

    from k8s_support import resolve_variant

    resolved = resolve_variant("plain-http-no-hpa", tmp_path)
    key = f"{resolved.deployment.name}:STRIPE_API_KEY"
    config.CONFIG.get()[key] = "sk_test_not_for_files"
    try:
        graph = capture(resolved)
    finally:
        config.CONFIG.get().pop(key, None)
    # THEN the value lands in a Secret marked secret, and DATABASE_URL is the operator's
    secret = one(graph, "kubernetes:core/v1:Secret")
    assert secret.inputs["stringData"] == {"STRIPE_API_KEY": "sk_test_not_for_files"}
    assert "stringData" in secret.secret_paths
    env = container(graph)["env"]
    assert {
        "name": "STRIPE_API_KEY",
        "valueFrom": {"secretKeyRef": {"name": "notes-secrets", "key": "STRIPE_API_KEY"}},
    } in env
    assert [item["name"] for item in env] == ["LOG_LEVEL", "DATABASE_URL", "STRIPE_API_KEY"]
    # AND the Deployment waits for the Secret
    assert secret.urn in one(graph, DEPLOYMENT).dependencies


def test_missing_secret_value_is_left_out_not_invented(captured):
    _, graph = captured("plain-http-no-hpa")
    assert one(graph, "kubernetes:core/v1:Secret").inputs.get("stringData", {}) == {}


def test_rails_keeps_a_writable_root_and_says_why(captured):
    # GIVEN rails (writes tmp/ and log/)
    _, graph = captured("pgo-traefik-eks")
    deployment = one(graph, DEPLOYMENT).inputs
    assert container(graph)["securityContext"]["readOnlyRootFilesystem"] is False
    skips = deployment["metadata"]["annotations"].values()
    assert any(skip.startswith("CKV_K8S_22=") for skip in skips)


@pytest.mark.parametrize(
    ("image", "tag"),
    [
        ("shop:latest", "latest"),
        ("shop", "latest"),
        ("registry:5000/team/shop:1.2.3", "1.2.3"),
        ("registry:5000/team/shop", "latest"),
        ("shop@sha256:abc", ""),
    ],
)
def test_image_tag(image, tag):
    assert image_tag(image) == tag


def example_args(**overrides) -> ApplicationArgs:
    """What the kubernetes pattern passes the application for its example, with overrides."""
    from dataclasses import replace

    from specql_deploy.components.patterns.kubernetes_app import application_args

    from support import resolve_example

    base = application_args(resolve_example("kubernetes"), None)
    return replace(base, **{"namespace": "n", "app": "a", "environment": "dev", **overrides})


def test_skips_only_what_applies():
    args = example_args(image="a:1.0.0")
    assert args.read_only_root is True
    assert set(deployment_skips(args)) == {"CKV_K8S_43", "CKV_K8S_35"}
    latest = example_args(image="a:latest", read_only_root=False)
    assert set(deployment_skips(latest)) == {"CKV_K8S_43", "CKV_K8S_35", "CKV_K8S_14", "CKV_K8S_22"}
    assert all(reason for reason in deployment_skips(latest).values())


def test_database_url_secret_is_not_stored_twice():
    args = example_args(image="a:1", secrets=("DATABASE_URL", "X"), database=DatabaseRef("a-db-app"))
    assert args.stored_secrets() == ("X",)
    names = [item["name"] for item in container_env(args)]
    assert names == ["DATABASE_URL", "X"]
