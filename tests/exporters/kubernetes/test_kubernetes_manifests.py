"""Plain manifests: parse, one kind per file, equal to what the program creates, no secrets."""

from __future__ import annotations

import pytest
import yaml

from specql_deploy.exporters.contract import ExportContext
from specql_deploy.exporters.kubernetes import render
from specql_deploy.exporters.kubernetes.manifests import (
    is_manifest_resource,
    kubernetes_object,
)

from k8s_export_support import (  # noqa: F401  (ejected is a fixture)
    CASES,
    OTHER_EXAMPLES,
    SECRET_VALUE,
    documents,
    ejected,
    manifest_path,
    resolve_path,
)


@pytest.mark.parametrize("case", CASES)
def test_every_manifest_parses_and_holds_one_kind(ejected, case):
    files = sorted(ejected[case].manifests.glob("*.yaml"))
    assert files[0].name == "00-namespace.yaml"
    for path in files:
        kinds = {doc["kind"] for doc in yaml.safe_load_all(path.read_text()) if doc}
        assert len(kinds) == 1, path.name
        assert path.name.split("-", 1)[1] == f"{kinds.pop().lower()}.yaml"


@pytest.mark.parametrize("case", CASES)
def test_manifests_are_exactly_the_captured_objects(ejected, case):
    # GIVEN what the Pulumi program registers
    item = ejected[case]
    captured = [r for r in item.graph.resources if is_manifest_resource(r)]
    expected = {
        (o["kind"], o["metadata"].get("namespace"), o["metadata"]["name"]): o
        for o in (kubernetes_object(r.inputs) for r in captured)
    }
    # THEN the manifests hold every one of them, unchanged, and nothing else
    assert documents(item.manifests.glob("*.yaml")) == expected
    kinds = {key[0] for key in expected}
    assert {"Namespace", "Deployment", "Service", "Ingress", "NetworkPolicy", "PodDisruptionBudget"} <= kinds
    assert kinds & {"Cluster", "PostgresCluster"}


@pytest.mark.parametrize("case", CASES)
def test_no_secret_value_reaches_any_file(ejected, case):
    item = ejected[case]
    for file in item.files:
        assert SECRET_VALUE not in file.content, file.path
    kinds = {key[0] for key in documents(item.manifests.glob("*.yaml"))}
    assert "Secret" not in kinds


def test_stored_secrets_are_documented_as_kubectl_commands(ejected):
    # GIVEN a manifest whose application reads STRIPE_API_KEY (and DATABASE_URL from the operator)
    item = ejected["plain-http-secrets"]
    assert item.graph.of_type("kubernetes:core/v1:Secret"), "the stack does store the secret"
    readme = (item.manifests / "README.md").read_text()
    assert (
        'kubectl -n notes-staging create secret generic notes-secrets --from-literal=STRIPE_API_KEY="$STRIPE_API_KEY"'
    ) in readme
    assert "DATABASE_URL" in readme


def test_readme_installs_the_pinned_addons(ejected):
    from specql_deploy.program.catalogue import HELM_CHARTS

    readme = (ejected["kubernetes"].manifests / "README.md").read_text()
    for key in ("traefik", "cert-manager", "cloudnative-pg", "kube-prometheus-stack"):
        chart, version, repository = HELM_CHARTS[key]
        assert f"helm upgrade --install {key} {chart}" in readme
        assert f"--repo {repository}" in readme and f"--version {version}" in readme
    assert "--set crds.enabled=true" in readme


def test_readme_installs_loki_and_alloy_with_the_ejected_alloy_file(ejected):
    import json
    import re

    from specql_deploy.components.observability import ALLOY_CONFIG
    from specql_deploy.exporters import observability
    from specql_deploy.program.catalogue import HELM_CHARTS

    # GIVEN the example (logs go to Loki) and the releases the program installs
    item = ejected["kubernetes"]
    releases = {r.inputs["name"]: r.inputs for r in item.graph.of_type("kubernetes:helm.sh/v3:Release")}
    readme = (item.manifests / "README.md").read_text()
    # THEN both READMEs install the pinned Loki and Alloy charts
    for key in ("loki", "alloy"):
        chart, version, repository = HELM_CHARTS[key]
        for text in (readme, (item.root / "infrastructure/kubernetes/helm/README.md").read_text()):
            assert f"helm upgrade --install {key} {chart}" in text
            assert f"--repo {repository}" in text and f"--version {version}" in text
    assert "--set loki.limits_config.retention_period=8760h" in readme
    # AND Alloy's configuration comes from the file the observability eject writes, by a
    # path that is right from the README's folder
    (path,) = re.findall(r"--set-file alloy\.configMap\.content=(\S+)", readme)
    assert (item.manifests / path).resolve() == (item.root / ALLOY_CONFIG).resolve()
    context = ExportContext(manifest_path=manifest_path("kubernetes", item.root), resolved=item.resolved)
    ejected_file = {f.path: f.content for f in observability.render(item.resolved, context)}[ALLOY_CONFIG]
    assert observability.strip_header(ejected_file) == releases["alloy"]["values"]["alloy"]["configMap"]["content"]
    # AND lists go as --set-json, exactly the values the program sets
    (rules,) = re.findall(r"--set-json 'rbac\.rules=(.+)'", readme)
    assert json.loads(rules) == releases["alloy"]["values"]["rbac"]["rules"]
    (sources,) = re.findall(r"--set-json 'grafana\.additionalDataSources=(.+)'", readme)
    assert json.loads(sources) == releases["kube-prometheus-stack"]["values"]["grafana"]["additionalDataSources"]


def test_files_start_with_the_provenance_header(ejected):
    for file in ejected["kubernetes"].files:
        if file.path.endswith(".yaml"):
            assert file.content.startswith("# Generated by specql-deploy from deployment.yaml"), file.path


def test_rendering_is_deterministic(ejected):
    # the engine's wire format keeps no key order; two ejects must still be byte-identical
    item = ejected["kubernetes"]
    path = manifest_path("kubernetes", item.root)
    again = render(item.resolved, ExportContext(manifest_path=path, resolved=item.resolved))
    assert [(f.path, f.content) for f in again] == [(f.path, f.content) for f in item.files]


@pytest.mark.parametrize("name", OTHER_EXAMPLES)
def test_other_patterns_get_nothing_and_no_capture(name, tmp_path):
    path = manifest_path(name, tmp_path)
    resolved = resolve_path(path)

    def no_capture():
        raise AssertionError("the kubernetes exporter captured a non-kubernetes program")

    assert render(resolved, ExportContext(manifest_path=path, resolved=resolved, graph_factory=no_capture)) == []
