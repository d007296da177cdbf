"""Third-party verdicts: checkov on the manifests and the rendered chart; helm lint and template."""

from __future__ import annotations

import shutil

import pytest

from k8s_export_support import CASES, documents, ejected, helm  # noqa: F401  (ejected is a fixture)
from validators import checkov, failed_checks, skipped_checks

pytestmark = pytest.mark.validators

# Every deliberate finding, with the reason carried inline on the object.
ALLOWED_SKIPS = {"CKV_K8S_43", "CKV_K8S_35", "CKV_K8S_14", "CKV_K8S_22"}


@pytest.fixture(scope="session")
def rendered(ejected, tmp_path_factory):
    """case → path of `helm template` output with the chart's default values."""
    out = {}
    base = tmp_path_factory.mktemp("rendered")
    for case, item in ejected.items():
        result = helm("template", item.resolved.deployment.name, str(item.chart))
        assert result.returncode == 0, result.stderr
        path = base / case / "rendered.yaml"
        path.parent.mkdir(parents=True)
        path.write_text(result.stdout)
        out[case] = path
    return out


@pytest.fixture(scope="session")
def checkov_report(ejected, rendered, tmp_path_factory):
    """One checkov run over every case's manifests and rendered chart (checkov starts slowly)."""
    scan = tmp_path_factory.mktemp("checkov")
    for case, item in ejected.items():
        shutil.copytree(item.manifests, scan / case / "manifests", ignore=shutil.ignore_patterns("*.md"))
        shutil.copy(rendered[case], scan / case / "rendered.yaml")
    return checkov(scan, "kubernetes")


def test_checkov_finds_nothing_in_manifests_or_rendered_chart(checkov_report):
    assert failed_checks(checkov_report) == []
    files = {check["file_path"].split("/")[1] for check in checkov_report["results"]["passed_checks"]}
    # every case was scanned, both its manifests and its rendered chart
    assert files == set(CASES)
    paths = {check["file_path"] for check in checkov_report["results"]["passed_checks"]}
    for case in CASES:
        assert any(path.startswith(f"/{case}/manifests/") for path in paths), case
        assert f"/{case}/rendered.yaml" in paths, case


def test_skips_are_few_deliberate_and_explained(checkov_report, ejected):
    skipped = {check["check_id"] for check in checkov_report["results"].get("skipped_checks", [])}
    assert skipped <= ALLOWED_SKIPS, skipped_checks(checkov_report)
    # every skip is an inline annotation on the object, with its reason
    annotated = set()
    for item in ejected.values():
        for obj in documents(item.manifests.glob("*.yaml")).values():
            for key, value in obj["metadata"].get("annotations", {}).items():
                if key.startswith("checkov.io/skip"):
                    check, _, reason = value.partition("=")
                    assert len(reason) > 20, value
                    annotated.add(check)
    assert skipped <= annotated
    assert len(annotated) <= len(ALLOWED_SKIPS)


@pytest.mark.parametrize("case", CASES)
def test_helm_lint_passes(ejected, case):
    # --strict turns warnings (deprecated APIs, template problems) into failures
    result = helm("lint", "--strict", str(ejected[case].chart))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 chart(s) failed" in result.stdout


@pytest.mark.parametrize("case", CASES)
def test_chart_with_default_values_renders_the_plain_manifests(ejected, rendered, case):
    item = ejected[case]
    assert documents([rendered[case]]) == documents(item.manifests.glob("*.yaml"))


def test_values_change_what_the_chart_renders(ejected):
    # GIVEN the example chart WHEN values are overridden THEN the objects follow them
    chart = ejected["kubernetes"].chart
    result = helm(
        "template",
        "x",
        str(chart),
        "--set",
        "image.tag=abc123",
        "--set",
        "autoscaling.maxReplicas=7",
        "--set",
        "ingress.host=other.example.com",
        "--set",
        "database.instances=3",
    )
    assert result.returncode == 0, result.stderr
    from io import StringIO

    import yaml

    objects = {doc["kind"]: doc for doc in yaml.safe_load_all(StringIO(result.stdout)) if doc}
    assert objects["Deployment"]["spec"]["template"]["spec"]["containers"][0]["image"] == "kubernetes:abc123"
    assert objects["HorizontalPodAutoscaler"]["spec"]["maxReplicas"] == 7
    assert objects["Ingress"]["spec"]["rules"][0]["host"] == "other.example.com"
    assert objects["Ingress"]["spec"]["tls"][0]["hosts"] == ["other.example.com"]
    assert objects["Cluster"]["spec"]["instances"] == 3
