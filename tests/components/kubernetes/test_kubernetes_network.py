"""Ingress, ClusterIssuer and NetworkPolicies."""

from __future__ import annotations

import pytest

from specql_deploy.components.kubernetes.ingress import LETSENCRYPT_SERVER, IngressArgs
from specql_deploy.components.kubernetes.network_policies import (
    NetworkPoliciesArgs,
    policy_specs,
)

from k8s_support import captured, one  # noqa: F401  (captured is a fixture)

POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy"


def test_ingress_with_class_and_lets_encrypt_tls(captured):
    # GIVEN the example: Traefik, cert-manager, a domain
    _, graph = captured("kubernetes")
    ingress = one(graph, "kubernetes:networking.k8s.io/v1:Ingress").inputs
    spec = ingress["spec"]
    assert spec["ingressClassName"] == "traefik"
    assert spec["rules"][0]["host"] == "myapp.example.com"
    assert spec["rules"][0]["http"]["paths"][0]["backend"] == {
        "service": {"name": "kubernetes", "port": {"number": 80}}
    }
    assert spec["tls"] == [{"hosts": ["myapp.example.com"], "secretName": "kubernetes-tls"}]
    issuer = one(graph, "kubernetes:cert-manager.io/v1:ClusterIssuer").inputs
    assert ingress["metadata"]["annotations"] == {"cert-manager.io/cluster-issuer": issuer["metadata"]["name"]}
    acme = issuer["spec"]["acme"]
    assert acme["server"] == LETSENCRYPT_SERVER
    assert acme["solvers"] == [{"http01": {"ingress": {"ingressClassName": "traefik"}}}]


def test_traefik_class_is_used_by_ingress_and_solver(captured):
    _, graph = captured("pgo-traefik-eks")
    assert one(graph, "kubernetes:networking.k8s.io/v1:Ingress").inputs["spec"]["ingressClassName"] == "traefik"
    solver = one(graph, "kubernetes:cert-manager.io/v1:ClusterIssuer").inputs["spec"]["acme"]["solvers"][0]
    assert solver["http01"]["ingress"]["ingressClassName"] == "traefik"


def test_no_domain_means_plain_http_on_any_host(captured):
    _, graph = captured("plain-http-no-hpa")
    spec = one(graph, "kubernetes:networking.k8s.io/v1:Ingress").inputs["spec"]
    assert "tls" not in spec and "host" not in spec["rules"][0]


def test_tls_needs_a_host():
    with pytest.raises(ValueError, match="`tls` needs a `host`"):
        IngressArgs(
            namespace="n", app="a", environment="dev", service_name="a", ingress_class="nginx", tls=True, host=None
        )


def test_namespace_denies_inbound_by_default_and_admits_only_the_needed_paths(captured):
    resolved, graph = captured("kubernetes")
    policies = {r.inputs["metadata"]["name"]: r.inputs["spec"] for r in graph.of_type(POLICY)}
    assert policies["kubernetes-default-deny"] == {"podSelector": {}, "policyTypes": ["Ingress"]}
    app = policies["kubernetes-allow-ingress-controller"]
    assert app["ingress"] == [
        {
            "from": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "traefik"}}}],
            "ports": [{"protocol": "TCP", "port": resolved.application.port}],
        }
    ]
    database = policies["kubernetes-allow-app-to-database"]
    assert database["podSelector"] == {"matchLabels": {"cnpg.io/cluster": "kubernetes-db"}}
    assert database["ingress"] == [
        {
            "from": [{"podSelector": {"matchLabels": app["podSelector"]["matchLabels"]}}],
            "ports": [{"protocol": "TCP", "port": 5432}],
        }
    ]
    internal = policies["kubernetes-allow-database-internal"]["ingress"][0]
    assert {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "cnpg-system"}}} in internal["from"]
    assert "kubernetes-allow-acme-solver" in policies
    # Prometheus (kube-prometheus-stack) reaches the app port and CloudNativePG's exporter only
    monitoring = {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "monitoring"}}}
    assert policies["kubernetes-allow-monitoring-to-app"]["ingress"] == [
        {"from": [monitoring], "ports": [{"protocol": "TCP", "port": resolved.application.port}]}
    ]
    assert policies["kubernetes-allow-monitoring-to-database"]["ingress"] == [
        {"from": [monitoring], "ports": [{"protocol": "TCP", "port": 9187}]}
    ]
    assert len(policies) == 7


def test_policy_specs_without_database_or_tls():
    specs = policy_specs(
        NetworkPoliciesArgs(
            namespace="n",
            app="a",
            environment="dev",
            app_pod_labels={"x": "y"},
            app_port=3000,
            ingress_namespace="traefik",
        )
    )
    assert set(specs) == {"default-deny", "allow-ingress-controller"}


def test_prometheus_scrapes_the_app_and_cloudnative_pg(captured):
    # GIVEN the example (kube-prometheus-stack installed here)
    _, graph = captured("kubernetes")
    release = next(
        r for r in graph.of_type("kubernetes:helm.sh/v3:Release") if r.inputs["name"] == "kube-prometheus-stack"
    )
    service_monitor = one(graph, "kubernetes:monitoring.coreos.com/v1:ServiceMonitor")
    pod_monitor = one(graph, "kubernetes:monitoring.coreos.com/v1:PodMonitor")
    service_labels = one(graph, "kubernetes:core/v1:Service").inputs["metadata"]["labels"]
    selector = service_monitor.inputs["spec"]["selector"]["matchLabels"]
    # THEN the ServiceMonitor selects the application's Service and waits for the CRDs
    assert selector.items() <= service_labels.items()
    assert service_monitor.inputs["spec"]["endpoints"][0]["port"] == "http"
    assert service_monitor.inputs["metadata"]["labels"]["release"] == "kube-prometheus-stack"
    assert release.urn in service_monitor.dependencies and release.urn in pod_monitor.dependencies
    assert pod_monitor.inputs["spec"]["selector"] == {"matchLabels": {"cnpg.io/cluster": "kubernetes-db"}}


def test_existing_monitoring_is_scraped_without_installing_it(captured):
    # GIVEN kube-prometheus-stack already in the cluster and PGO (no CloudNativePG exporter)
    _, graph = captured("pgo-traefik-eks")
    # Rails serves no metrics by itself: no ServiceMonitor scrapes a /metrics that 404s
    assert graph.of_type("kubernetes:monitoring.coreos.com/v1:ServiceMonitor") == []
    assert graph.of_type("kubernetes:monitoring.coreos.com/v1:PodMonitor") == []
    names = {r.inputs["metadata"]["name"] for r in graph.of_type(POLICY)}
    assert "shop-allow-monitoring-to-app" in names and "shop-allow-monitoring-to-database" not in names


def test_namespace_enforces_restricted_pod_security(captured):
    _, graph = captured("kubernetes")
    labels = one(graph, "kubernetes:core/v1:Namespace").inputs["metadata"]["labels"]
    assert labels["pod-security.kubernetes.io/enforce"] == "restricted"


def test_alert_rules_and_dashboards_ship_as_prometheus_rule_and_configmaps(captured):
    import json

    import yaml

    from specql_deploy.components.observability import dashboards, rules_text

    from support import resolve_example

    # GIVEN the example (kube-prometheus-stack with Grafana)
    _, graph = captured("kubernetes")
    resolved = resolve_example("kubernetes")
    rule = one(graph, "kubernetes:monitoring.coreos.com/v1:PrometheusRule")
    release = next(
        r for r in graph.of_type("kubernetes:helm.sh/v3:Release") if r.inputs["name"] == "kube-prometheus-stack"
    )
    # THEN the PrometheusRule's groups are the ejected alerts.yml, selected by the release label
    assert rule.inputs["spec"] == yaml.safe_load(rules_text(resolved))
    assert rule.inputs["metadata"]["labels"]["release"] == "kube-prometheus-stack"
    assert rule.inputs["metadata"]["namespace"] == "myapp-prod"
    assert release.urn in rule.dependencies
    # AND each dashboard is a ConfigMap the Grafana sidecar loads (searching every namespace)
    maps = {
        r.inputs["metadata"]["name"]: r.inputs
        for r in graph.of_type("kubernetes:core/v1:ConfigMap")
        if r.inputs["metadata"]["labels"].get("grafana_dashboard") == "1"
    }
    assert set(maps) == {"kubernetes-dashboard-application", "kubernetes-dashboard-database"}
    expected = dashboards(resolved)
    for inputs in maps.values():
        ((file_name, text),) = inputs["data"].items()
        assert text == expected[file_name] and json.loads(text)["panels"]
    assert release.inputs["values"]["grafana"]["sidecar"]["dashboards"]["searchNamespace"] == "ALL"
