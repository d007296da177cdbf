"""`ssl: cert-manager` without a domain (the proposal's own kubernetes manifest).

cert-manager certifies a domain name. The proposal's manifest asks for it and names no
domain; it used to validate and then fail inside the program with a raw ValueError
(a TLS ingress without a host). Now resolution serves plain HTTP on any host, as the
AWS patterns do until a domain is set, and says so on stderr naming the key.
"""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

PROPOSAL = Path(__file__).resolve().parents[1] / "kubernetes_real" / "manifests" / "proposal-kubernetes.yaml"
WARNING = (
    "warning: ingress.ssl: cert-manager needs deployment.domain to certify; the ingress serves plain HTTP "
    "on any host until a domain is set"
)
RETIRED = (
    "warning: ingress.class: ingress-nginx was retired in March 2026 and gets no more security fixes; "
    "`traefik` is maintained"
)
"""The proposal also asks for ingress-nginx by name."""


def specql(*args: str):
    from specql_deploy.automation.cli import app

    return CliRunner().invoke(app, ["deploy", *args])


def resolved_of(text: str, tmp_path: Path):
    from specql_deploy.program.manifest import load
    from specql_deploy.program.resolve import resolve

    manifest = tmp_path / "myapp" / "deployment.yaml"
    manifest.parent.mkdir(parents=True)
    manifest.write_text(text)
    loaded = load(manifest)
    return resolve(loaded.spec, default_name=loaded.default_name)


def test_cert_manager_without_domain_resolves_to_plain_http_with_a_warning(tmp_path):
    # GIVEN the proposal's manifest (ssl: cert-manager, no domain)
    # WHEN it is resolved
    resolved = resolved_of(PROPOSAL.read_text(), tmp_path)
    # THEN TLS is off, the provenance says why, and one warning names the key
    assert resolved.kubernetes.tls == "none"
    assert "deployment.domain, which is not set" in resolved.provenance["kubernetes.tls"].reason
    assert resolved.warnings == (WARNING.removeprefix("warning: "), RETIRED.removeprefix("warning: "))


def test_cert_manager_with_a_domain_is_kept(tmp_path):
    # GIVEN the same manifest with a domain
    text = PROPOSAL.read_text().replace("deployment:\n", "deployment:\n  domain: myapp.example.com\n", 1)
    # WHEN / THEN
    resolved = resolved_of(text, tmp_path)
    assert resolved.kubernetes.tls == "cert-manager"
    assert resolved.warnings == (RETIRED.removeprefix("warning: "),)


def test_warnings_stay_out_of_the_resolved_json(tmp_path):
    result = specql("resolve", str(PROPOSAL), "--json")
    assert result.exit_code == 0, result.output
    assert "warnings" not in json.loads(result.stdout)
    assert result.stderr.strip() == f"{WARNING} (line 13)\n{RETIRED} (line 12)"


def test_validate_and_offline_preview_of_the_proposal_succeed_with_the_warning():
    validated = specql("validate", str(PROPOSAL))
    assert validated.exit_code == 0, validated.output
    assert validated.stderr.strip() == f"{WARNING} (line 13)\n{RETIRED} (line 12)"
    preview = specql("preview", str(PROPOSAL), "--offline", "--json")
    assert preview.exit_code == 0, preview.output
    assert "Traceback" not in preview.output and "ValueError" not in preview.output
    resources = json.loads(preview.stdout)["resources"]
    ingress = next(r for r in resources if r["type"] == "kubernetes:networking.k8s.io/v1:Ingress")
    assert "tls" not in ingress["inputs"]["spec"]
    assert "host" not in ingress["inputs"]["spec"]["rules"][0]
    assert not [r for r in resources if r["type"] == "kubernetes:cert-manager.io/v1:ClusterIssuer"]


def test_the_default_ingress_controller_is_maintained(tmp_path):
    # GIVEN a kubernetes manifest that names no ingress class
    resolved = resolved_of("deployment:\n  pattern: kubernetes\n  domain: myapp.example.com\n", tmp_path)
    # THEN the controller is Traefik (ingress-nginx was retired in March 2026), with no warning
    assert resolved.kubernetes.ingress_class == "traefik"
    assert resolved.warnings == ()
