# ruff: noqa: F811 - fixtures imported from kube_fixtures are redefined as arguments
"""`specql deploy` on the kubernetes pattern for real: the Pulumi CLI, the real
pulumi-kubernetes provider and a real kube-apiserver (with its controller manager).

For each manifest (the shipped example and the proposal's own): preview, up, a second
preview with no changes, an update of replicas and image previewed and applied as an
update, and destroy. Between them the objects are read back from the API server: what
it stored is what it accepted after validation and admission (Pod Security
`restricted` on the namespace, enforced on the pods the controllers create).

The tests of one manifest run in order and share its stack (module-scoped `stack`).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from kube_cluster import Cluster, wait_until
from kube_fixtures import (  # noqa: F401 - pytest fixtures
    kube_binaries,
    kube_cluster,
    kube_crds,
    kube_env,
    offline_resources,
    pulumi_bin_dir,
)
from kube_support import (
    APP,
    CASES,
    SKIP_AWAIT,
    SKIPPED_TYPES,
    Case,
    changes,
    deploy,
    deployed_copy,
    kube_objects,
    original_copy,
    preview_json,
    real_program_without_awaits,  # noqa: F401 - pytest fixture
    with_update,
)

pytestmark = pytest.mark.kube

NAMESPACE = "myapp-prod"
"""Both manifests name it."""
ROLLOUT_SECONDS = 120


@dataclass
class Stack:
    case: Case
    manifest: Path
    cluster: Cluster
    original: Path
    destroyed: bool = False


@pytest.fixture(scope="module", params=CASES, ids=[case.name for case in CASES])
def stack(request, kube_env, kube_cluster, kube_crds, real_program_without_awaits, tmp_path_factory) -> Iterator[Stack]:
    case: Case = request.param
    root = tmp_path_factory.mktemp(f"kube-{case.name}")
    state = Stack(case, deployed_copy(case, root), kube_cluster, original_copy(case, root))
    yield state
    if not state.destroyed:  # a failed test must not leave objects the next manifest collides with
        deploy("destroy", str(state.manifest), "--yes")


def deployment_object(cluster: Cluster) -> dict:
    return cluster.get("deployment", APP, "-n", NAMESPACE)


def pods(cluster: Cluster) -> list[dict]:
    return cluster.get("pods", "-n", NAMESPACE, "-l", f"app.kubernetes.io/name={APP}")["items"]


# ----------------------------------------------------------------------------- preview


def test_preview_creates_every_object_with_its_kind(stack: Stack):
    markdown = stack.manifest.parent / "preview.md"
    result = deploy("preview", str(stack.manifest), "--json", "--markdown", str(markdown), "--detailed-exitcode")
    assert result.exit_code == 2, result.output  # changes
    summary = json.loads(result.stdout)
    planned = changes(summary)
    expected = {resource["name"]: resource["type"] for resource in kube_objects(offline_resources(stack.manifest))}
    assert expected, "the capture found no Kubernetes objects"
    assert {name: planned[name] for name in expected} == {name: (kind, "create") for name, kind in expected.items()}
    assert summary["summary"]["delete"] == summary["summary"]["update"] == summary["summary"]["replace"] == 0
    comment = markdown.read_text()
    for name, kind in expected.items():
        assert f"| + create | `{name}` | `{kind}` |" in comment
    if not stack.case.has_domain:
        assert "warning: ingress.ssl: cert-manager needs deployment.domain" in result.stderr


def test_the_tier_deploys_everything_but_the_one_skip_list(stack: Stack):
    """What the user's own manifest creates, less what the tier deploys, is SKIPPED_TYPES exactly."""
    wanted = {resource["type"] for resource in kube_objects(offline_resources(stack.original))}
    wanted |= {resource["type"] for resource in offline_resources(stack.original) if resource["type"] in SKIPPED_TYPES}
    deployed = {resource["type"] for resource in kube_objects(offline_resources(stack.manifest))}
    assert wanted - deployed == set(SKIPPED_TYPES)
    assert set(SKIP_AWAIT) <= deployed


# ---------------------------------------------------------------------------------- up


def test_up_creates_every_object_on_the_api_server(stack: Stack):
    result = deploy("up", str(stack.manifest), "--yes")
    assert result.exit_code == 0, result.output
    objects = kube_objects(offline_resources(stack.manifest))
    # progress: one line per finished resource, with its real kind
    for resource in objects:
        assert f"created    {resource['name']} ({resource['type']})" in result.stderr, result.stderr
    cluster = stack.cluster
    for resource in objects:
        inputs = resource["inputs"]
        metadata = inputs["metadata"]
        where = ["-n", metadata["namespace"]] if metadata.get("namespace") else []
        plural = (
            f"{inputs['kind'].lower()}.{inputs['apiVersion'].split('/')[0]}"
            if "/" in inputs["apiVersion"]
            else inputs["kind"].lower()
        )
        stored = cluster.get(plural, metadata["name"], *where)
        assert stored["kind"] == inputs["kind"] and stored["apiVersion"] == inputs["apiVersion"]
        assert stored["metadata"]["labels"]["app.kubernetes.io/managed-by"] == "specql-deploy"


def test_ejected_manifests_are_the_live_objects(stack: Stack, tmp_path: Path):
    """Server-side apply of the ejected manifests under another field manager (dry run):
    a field whose value differs from what `up` set is a conflict, and fails it."""
    out = tmp_path / "generated"
    ejected = deploy("eject", str(stack.manifest), "-o", str(out), "--only", "kubernetes")
    assert ejected.exit_code == 0, ejected.output
    applied = stack.cluster.kubectl(
        "apply",
        "--server-side",
        "--dry-run=server",
        "--field-manager",
        "ejected",
        "-f",
        str(out / "infrastructure" / "kubernetes" / "manifests"),
        check=False,
    )
    assert applied.returncode == 0, applied.stderr
    assert "conflict" not in applied.stderr.lower(), applied.stderr
    assert applied.stdout.count("serverside-applied (server dry run)") == len(
        kube_objects(offline_resources(stack.manifest))
    )


def test_namespace_enforces_pod_security_restricted(stack: Stack):
    labels = stack.cluster.get("namespace", NAMESPACE)["metadata"]["labels"]
    assert labels["pod-security.kubernetes.io/enforce"] == "restricted"
    assert labels["pod-security.kubernetes.io/warn"] == "restricted"


def test_deployment_is_stored_as_hardened(stack: Stack):
    deployment = deployment_object(stack.cluster)
    pod = deployment["spec"]["template"]["spec"]
    container = pod["containers"][0]
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
    assert pod["automountServiceAccountToken"] is False
    assert container["securityContext"]["allowPrivilegeEscalation"] is False
    assert container["securityContext"]["capabilities"] == {"drop": ["ALL"]}
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    assert container["readinessProbe"]["httpGet"]["port"] == "http"
    assert container["livenessProbe"]["successThreshold"] == 1
    assert container["resources"]["limits"] == container["resources"]["requests"]
    assert container["image"] == f"{APP}:latest"
    assert deployment["metadata"]["annotations"]["pulumi.com/skipAwait"] == "true"


def test_autoscaler_owns_the_replica_count(stack: Stack):
    """With an HPA the program sends no `replicas` (an update would undo the HPA's
    scaling): the server starts the Deployment at 1 and the HPA controller raises it to
    its minimum, the manifest's `replicas`."""
    inputs = next(
        resource["inputs"]
        for resource in offline_resources(stack.manifest)
        if resource["type"] == "kubernetes:apps/v1:Deployment"
    )
    assert "replicas" not in inputs["spec"]
    wait_until(
        lambda: deployment_object(stack.cluster)["spec"]["replicas"] == 3,
        ROLLOUT_SECONDS,
        "the HPA controller to scale the Deployment to minReplicas 3",
    )


def test_controllers_create_pods_that_pass_restricted_admission(stack: Stack):
    """The ReplicaSet controller creates the pods through admission: a pod that broke
    `restricted` would be refused (a FailedCreate event) and never exist."""
    cluster = stack.cluster
    wait_until(lambda: len(pods(cluster)) == 3, ROLLOUT_SECONDS, "3 pods created by the ReplicaSet")
    replica_sets = cluster.get("replicasets", "-n", NAMESPACE)["items"]
    assert [rs["metadata"]["ownerReferences"][0]["name"] for rs in replica_sets] == [APP]
    refused = [event for event in cluster.get("events", "-n", NAMESPACE)["items"] if event["reason"] == "FailedCreate"]
    assert refused == []


def test_service_ingress_autoscaler_and_budget_are_stored(stack: Stack):
    cluster = stack.cluster
    service = cluster.get("service", APP, "-n", NAMESPACE)
    assert service["spec"]["clusterIP"].startswith("10.96.0.")
    assert service["spec"]["ports"][0]["targetPort"] == "http"
    ingress = cluster.get("ingress", APP, "-n", NAMESPACE)
    # the example names Traefik; the proposal's copy, written before ingress-nginx was retired, nginx
    assert ingress["spec"]["ingressClassName"] == ("traefik" if stack.case.name == "example" else "nginx")
    if stack.case.has_domain:
        assert ingress["spec"]["tls"] == [{"hosts": ["myapp.example.com"], "secretName": f"{APP}-tls"}]
        assert ingress["metadata"]["annotations"]["cert-manager.io/cluster-issuer"] == f"{NAMESPACE}-letsencrypt"
        assert cluster.exists("clusterissuer", f"{NAMESPACE}-letsencrypt")
    else:
        assert "tls" not in ingress["spec"] and "host" not in ingress["spec"]["rules"][0]
        assert not cluster.exists("clusterissuer", f"{NAMESPACE}-letsencrypt")
    hpa = cluster.get("hpa", APP, "-n", NAMESPACE)
    assert (hpa["spec"]["minReplicas"], hpa["spec"]["maxReplicas"]) == (3, 10)
    pdb = cluster.get("pdb", APP, "-n", NAMESPACE)
    assert pdb["spec"]["maxUnavailable"] == 1
    policies = {policy["metadata"]["name"] for policy in cluster.get("networkpolicy", "-n", NAMESPACE)["items"]}
    assert f"{APP}-default-deny" in policies and f"{APP}-allow-app-to-database" in policies
    assert (f"{APP}-allow-acme-solver" in policies) is stack.case.has_domain
    database = cluster.get("cluster.postgresql.cnpg.io", f"{APP}-db", "-n", NAMESPACE)
    assert database["spec"]["instances"] >= 1


def test_outputs_name_the_live_objects(stack: Stack):
    result = deploy("outputs", str(stack.manifest), "--json")
    assert result.exit_code == 0, result.output
    outputs = json.loads(result.stdout)
    assert outputs["namespace"] == NAMESPACE and outputs["service"] == APP
    assert outputs["database_secret"] == f"{APP}-db-app"
    assert outputs.get("url") == ("https://myapp.example.com" if stack.case.has_domain else None)


# ------------------------------------------------------------------------ no changes


def test_second_preview_shows_no_changes(stack: Stack):
    result = deploy("preview", str(stack.manifest), "--detailed-exitcode", "--json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["hasChanges"] is False
    assert {action for _, action in changes(summary).values()} <= {"same"}


# ------------------------------------------------------------------------------ update


def test_update_of_replicas_and_image_is_previewed_as_an_update(stack: Stack):
    with_update(stack.manifest)
    markdown = stack.manifest.parent / "update.md"
    summary = preview_json(stack.manifest, "--markdown", str(markdown))
    planned = {name: change for name, change in changes(summary).items() if change[1] != "same"}
    assert planned == {
        f"{APP}-dev-app-deployment": ("kubernetes:apps/v1:Deployment", "update"),
        f"{APP}-dev-app-hpa": ("kubernetes:autoscaling/v2:HorizontalPodAutoscaler", "update"),
    }, planned
    changed = {resource["name"]: resource["changed"] for resource in summary["resources"]}
    assert "spec" in changed[f"{APP}-dev-app-deployment"]
    assert summary["statefulAtRisk"] == []
    comment = markdown.read_text()
    assert f"| ~ update | `{APP}-dev-app-deployment` | `kubernetes:apps/v1:Deployment` |" in comment


def test_update_is_applied_in_place(stack: Stack):
    cluster = stack.cluster
    uid = deployment_object(cluster)["metadata"]["uid"]
    result = deploy("up", str(stack.manifest), "--yes")
    assert result.exit_code == 0, result.output
    assert f"updated    {APP}-dev-app-deployment (kubernetes:apps/v1:Deployment)" in result.stderr
    deployment = deployment_object(cluster)
    assert deployment["metadata"]["uid"] == uid  # the same object, not a replacement
    assert deployment["spec"]["template"]["spec"]["containers"][0]["image"] == f"{APP}:2.0.0"
    assert cluster.get("hpa", APP, "-n", NAMESPACE)["spec"]["minReplicas"] == 4
    wait_until(
        lambda: deployment_object(cluster)["spec"]["replicas"] == 4,
        ROLLOUT_SECONDS,
        "the HPA controller to scale the Deployment to the new minReplicas 4",
    )
    # the new template rolls out as a new ReplicaSet whose pods pass admission too
    wait_until(
        lambda: any(pod["spec"]["containers"][0]["image"] == f"{APP}:2.0.0" for pod in pods(cluster)),
        ROLLOUT_SECONDS,
        "a pod of the new image",
    )
    assert deploy("preview", str(stack.manifest), "--detailed-exitcode").exit_code == 0


# ----------------------------------------------------------------------------- destroy


def test_destroy_removes_every_object(stack: Stack):
    cluster = stack.cluster
    result = deploy("destroy", str(stack.manifest), "--yes")
    assert result.exit_code == 0, result.output
    stack.destroyed = True
    assert f"deleted    {APP}-dev-app-deployment (kubernetes:apps/v1:Deployment)" in result.stderr
    # the summary names the database cluster as the stateful object the destroy deleted
    assert (
        f"stateful kubernetes:postgresql.cnpg.io/v1:Cluster {APP}-dev-postgres-cluster will be deleted" in result.stdout
    ), result.stdout
    assert not cluster.exists("namespace", NAMESPACE)
    assert not cluster.exists("clusterissuer", f"{NAMESPACE}-letsencrypt")
    assert json.loads(deploy("outputs", str(stack.manifest), "--json").stdout) == {}
