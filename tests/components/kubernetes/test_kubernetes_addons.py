"""Addons: pinned Helm releases, skipped when the cluster has them; CRD objects wait for them."""

from __future__ import annotations

from specql_deploy.components.kubernetes.addons import addon_namespace
from specql_deploy.program.catalogue import HELM_CHARTS

from k8s_support import captured, one  # noqa: F401  (captured is a fixture)

RELEASE = "kubernetes:helm.sh/v3:Release"


def releases(graph) -> dict[str, dict]:
    return {resource.inputs["name"]: resource for resource in graph.of_type(RELEASE)}


def test_example_installs_every_addon_at_its_pinned_version(captured):
    # GIVEN the example: Traefik, cert-manager, CloudNativePG, kube-prometheus-stack
    _, graph = captured("kubernetes")
    found = releases(graph)
    assert set(found) == {"traefik", "cert-manager", "cloudnative-pg", "kube-prometheus-stack"}
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


def test_existing_addons_are_not_installed(captured):
    # GIVEN a cluster that already runs monitoring and cert-manager, with traefik and PGO wanted
    _, graph = captured("pgo-traefik-eks")
    found = releases(graph)
    assert set(found) == {"traefik", "crunchy-pgo"}
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


def test_a_manifest_asking_for_retired_ingress_nginx_gets_it_without_snippets():
    from specql_deploy.components.kubernetes.addons import AddonsArgs, chart_values

    # GIVEN ingress-nginx asked for by name (resolution warns it is retired)
    values = chart_values("ingress-nginx", None)  # type: ignore[arg-type]
    # THEN snippet annotations stay off (CVE-2021-25742)
    assert values["controller"]["allowSnippetAnnotations"] is False
    assert AddonsArgs.__dataclass_fields__["ingress_class"]
