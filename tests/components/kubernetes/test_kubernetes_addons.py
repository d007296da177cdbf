"""Addons: pinned Helm releases, skipped when the cluster has them; CRD objects wait for them."""

from __future__ import annotations

from specql_deploy.components.kubernetes.addons import addon_namespace
from specql_deploy.program.catalogue import HELM_CHARTS

from k8s_support import captured, one  # noqa: F401  (captured is a fixture)

RELEASE = "kubernetes:helm.sh/v3:Release"


def releases(graph) -> dict[str, dict]:
    return {resource.inputs["name"]: resource for resource in graph.of_type(RELEASE)}


def test_example_installs_every_addon_at_its_pinned_version(captured):
    # GIVEN the example: Traefik, cert-manager, CloudNativePG, kube-prometheus-stack, Loki and Alloy
    _, graph = captured("kubernetes")
    found = releases(graph)
    assert set(found) == {"traefik", "cert-manager", "cloudnative-pg", "kube-prometheus-stack", "loki", "alloy"}
    for key, release in found.items():
        chart, version, repository = HELM_CHARTS[key]
        # THEN each release is the pinned chart from its repository
        assert release.inputs["chart"] == chart
        assert release.inputs["version"] == version
        assert release.inputs["repositoryOpts"] == {"repo": repository}
        assert release.inputs["createNamespace"] is True
        assert release.inputs["atomic"] is True
    assert found["cert-manager"].inputs["values"] == {"crds": {"enabled": True}}
    assert found["traefik"].inputs["values"]["ingressClass"] == {
        "enabled": True,
        "isDefaultClass": False,
        "name": "traefik",
    }
    assert found["cloudnative-pg"].inputs["namespace"] == "cnpg-system"


def test_loki_runs_as_one_process_on_a_volume_keeping_the_manifests_retention(captured):
    from specql_deploy.program.building_blocks import KUBERNETES_LOKI_VOLUME
    from specql_deploy.program.catalogue import IMAGES

    # GIVEN the example, whose logs go to Loki (the pattern's default), kept a year (the global default)
    resolved, graph = captured("kubernetes")
    assert resolved.monitoring.log_aggregator == "loki"
    values = releases(graph)["loki"].inputs["values"]
    # THEN Loki is the chart's monolithic mode with its chunks and index on a PVC
    assert values["deploymentMode"] == "Monolithic"
    assert values["singleBinary"]["replicas"] == 1
    assert values["singleBinary"]["persistence"] == {"enabled": True, "size": KUBERNETES_LOKI_VOLUME}
    assert values["loki"]["storage"] == {"type": "filesystem"}
    assert values["loki"]["commonConfig"] == {"replication_factor": 1}
    assert {values[target]["replicas"] for target in ("read", "write", "backend")} == {0}
    assert values["loki"]["schemaConfig"]["configs"][0]["object_store"] == "filesystem"
    # AND the compactor deletes what is older than the retention (from the defaults tables)
    assert resolved.monitoring.log_retention_days == 365
    assert values["loki"]["limits_config"] == {"retention_period": "8760h"}
    assert values["loki"]["compactor"]["retention_enabled"] is True
    # AND nothing beyond the one process runs, and it is the Loki the hobby stack runs
    for off in ("gateway", "chunksCache", "resultsCache", "lokiCanary", "test"):
        assert values[off] == {"enabled": False}, off
    assert values["loki"]["image"]["tag"] == IMAGES["loki"].split(":")[1]
    assert releases(graph)["loki"].inputs["namespace"] == "monitoring"


def test_loki_keeps_a_retention_the_manifest_writes(tmp_path):
    from specql_deploy.capture import capture
    from specql_deploy.program.manifest import load
    from specql_deploy.program.resolve import resolve

    # GIVEN logs kept 14 days
    path = tmp_path / "app" / "deployment.yaml"
    path.parent.mkdir()
    path.write_text("deployment:\n  name: app\n  pattern: kubernetes\n  monitoring:\n    logs:\n      retention: 14\n")
    manifest = load(path)
    graph = capture(resolve(manifest.spec, None, default_name=manifest.default_name))
    # THEN Loki keeps 14 days
    assert releases(graph)["loki"].inputs["values"]["loki"]["limits_config"]["retention_period"] == "336h"


def test_alloy_ships_the_application_namespace_with_the_ejected_configuration(captured, tmp_path):
    from specql_deploy.components.observability import ALLOY_CONFIG
    from specql_deploy.components.observability.logs import loki_url
    from specql_deploy.exporters.contract import ExportContext
    from specql_deploy.exporters.observability import render, strip_header
    from specql_deploy.program.catalogue import IMAGES

    resolved, graph = captured("kubernetes")
    release = releases(graph)["alloy"]
    values = release.inputs["values"]
    # GIVEN the Alloy file the eject writes
    ejected = {file.path: file.content for file in render(resolved, ExportContext(tmp_path / "x.yaml", resolved))}
    # THEN the chart's ConfigMap holds exactly that text (under the file's provenance header)
    content = values["alloy"]["configMap"]["content"]
    assert values["alloy"]["configMap"]["create"] is True
    assert strip_header(ejected[ALLOY_CONFIG]) == content
    # the chart passes the content through `tpl`: nothing in it may look like a template
    assert "{{" not in content
    # AND it reads the application's namespace and pushes to Loki's Service in the cluster
    assert f'names = ["{resolved.kubernetes.namespace}"]' in content
    assert f'url = "{loki_url(resolved)}/loki/api/v1/push"' in content
    assert loki_url(resolved) == "http://loki.monitoring.svc:3100"
    # AND it may read pods and their logs, nothing else (no secrets, no nodes), and creates
    # nothing in the application's namespace (which may not exist yet when add-ons install)
    assert values["rbac"] == {
        "rules": [{"apiGroups": [""], "resources": ["pods"], "verbs": ["get", "list", "watch"]}],
        "clusterRules": [{"apiGroups": [""], "resources": ["pods/log"], "verbs": ["get"]}],
    }
    # AND it runs as one unprivileged Deployment (no host paths), as `restricted` requires
    assert values["controller"] == {"type": "deployment", "replicas": 1}
    context = values["alloy"]["securityContext"]
    assert context["runAsNonRoot"] is True and context["allowPrivilegeEscalation"] is False
    assert context["capabilities"] == {"drop": ["ALL"]} and context["seccompProfile"] == {"type": "RuntimeDefault"}
    assert "mounts" not in values["alloy"]
    assert values["image"]["tag"] == IMAGES["alloy"].split(":")[1]
    assert release.inputs["namespace"] == "monitoring"


def test_grafana_gets_loki_as_a_datasource(captured):
    resolved, graph = captured("kubernetes")
    grafana = releases(graph)["kube-prometheus-stack"].inputs["values"]["grafana"]
    (source,) = grafana["additionalDataSources"]
    assert source["type"] == "loki" and source["url"] == "http://loki.monitoring.svc:3100"
    assert source["access"] == "proxy" and source["editable"] is False


def test_a_cluster_that_runs_its_own_logs_stack_gets_neither_loki_nor_alloy(captured):
    # GIVEN `existing_addons: [logs]`
    _, graph = captured("logs-existing")
    found = releases(graph)
    # THEN neither chart is installed; the rest still is
    assert "loki" not in found and "alloy" not in found
    assert {"traefik", "cert-manager", "cloudnative-pg", "kube-prometheus-stack"} <= set(found)


def test_no_log_aggregation_installs_neither_and_grafana_has_no_loki(captured):
    # GIVEN `logs.aggregator: none`
    resolved, graph = captured("logs-none")
    assert resolved.monitoring.log_aggregator == "none"
    found = releases(graph)
    # THEN no Loki, no Alloy, and Grafana has no datasource pointing at one
    assert "loki" not in found and "alloy" not in found
    assert "additionalDataSources" not in found["kube-prometheus-stack"].inputs["values"]["grafana"]


def test_existing_addons_are_not_installed(captured):
    # GIVEN a cluster that already runs monitoring and cert-manager, with traefik, PGO and logs wanted
    _, graph = captured("pgo-traefik-eks")
    found = releases(graph)
    assert set(found) == {"traefik", "crunchy-pgo", "loki", "alloy"}
    # PGO's chart lives in an OCI registry: the chart reference carries it, no repo option
    chart, version, repository = HELM_CHARTS["crunchy-pgo"]
    assert found["crunchy-pgo"].inputs["chart"] == f"{repository}/{chart}"
    assert "repositoryOpts" not in found["crunchy-pgo"].inputs
    # AND the ClusterIssuer does not wait for a cert-manager release that is not there
    issuer = one(graph, "kubernetes:cert-manager.io/v1:ClusterIssuer")
    assert not any(urn.endswith("cert-manager") for urn in issuer.dependencies)


def test_crd_objects_wait_for_their_operator_release(captured):
    _, graph = captured("kubernetes")
    found = releases(graph)
    cluster = one(graph, "kubernetes:postgresql.cnpg.io/v1:Cluster")
    backup = one(graph, "kubernetes:postgresql.cnpg.io/v1:ScheduledBackup")
    issuer = one(graph, "kubernetes:cert-manager.io/v1:ClusterIssuer")
    assert found["cloudnative-pg"].urn in cluster.dependencies
    assert found["cloudnative-pg"].urn in backup.dependencies
    assert found["cert-manager"].urn in issuer.dependencies


def test_every_kubernetes_object_uses_the_explicit_provider(captured):
    for name in ("kubernetes", "pgo-traefik-eks", "plain-http-no-hpa"):
        _, graph = captured(name)
        provider = one(graph, "pulumi:providers:kubernetes")
        objects = [r for r in graph.resources if r.custom and r.type.startswith("kubernetes:")]
        assert objects
        assert {r.provider for r in objects} == {provider.urn}, name


def test_no_cert_manager_without_tls(captured):
    _, graph = captured("plain-http-no-hpa")
    assert "cert-manager" not in releases(graph)
    assert graph.of_type("kubernetes:cert-manager.io/v1:ClusterIssuer") == []


def test_addon_namespace_is_known_even_when_existing():
    from dataclasses import replace

    from specql_deploy.components.patterns.kubernetes_app import addons_args

    from support import resolve_example

    example = addons_args(resolve_example("kubernetes"))
    args = replace(example, ingress_class="traefik", existing=frozenset({"ingress-controller"}))
    assert args.to_install().get("ingress-controller") is None
    assert addon_namespace(args, "ingress-controller") == "traefik"
    assert addon_namespace(replace(example, monitoring=False), "monitoring") is None
    assert addon_namespace(example, "logs") == "monitoring"
    assert addon_namespace(replace(example, logs=None), "logs") is None


def test_a_manifest_asking_for_retired_ingress_nginx_gets_it_without_snippets():
    from specql_deploy.components.kubernetes.addons import AddonsArgs, chart_values

    # GIVEN ingress-nginx asked for by name (resolution warns it is retired)
    values = chart_values("ingress-nginx", None)  # type: ignore[arg-type]
    # THEN snippet annotations stay off (CVE-2021-25742)
    assert values["controller"]["allowSnippetAnnotations"] is False
    assert AddonsArgs.__dataclass_fields__["ingress_class"]
