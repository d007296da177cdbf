"""checkov on every AWS example's eject: no failed check, at most a dozen kinds of inline skip, each with its reason.

Component settings are fixed at their source; the inline skips left are checks that are
wrong for the pattern (a deployment without a domain has no certificate, an API has no
index object) or checkov false positives (standard logging v2), and each says why.
"""

from __future__ import annotations

import re

import pytest

from . import tofu_support as support
from .tofu_support import AWS_EXAMPLES
from validators import checkov

pytestmark = [pytest.mark.validators, pytest.mark.filterwarnings("ignore::DeprecationWarning")]

MAX_SKIPS = 12
"""Distinct inline skips (check and reason) per example. One comment in a `count` block, or
the same reason on the zone list of each region, is one exception made, not several."""


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    """One checkov run over every example's tree (checkov's start-up dominates its run time)."""
    root = tmp_path_factory.mktemp("tofu")
    for name in AWS_EXAMPLES:
        support.write(root / name, support.files(name))
    return root, checkov(root, "terraform")


def _of(results: list[dict], name: str) -> list[dict]:
    return [check for check in results if check["file_path"].lstrip("/").startswith(f"{name}/")]


@pytest.mark.parametrize("name", AWS_EXAMPLES)
def test_checkov_reports_no_failed_check(report, name):
    _, result = report
    failed = {(check["check_id"], check["resource"]) for check in _of(result["results"]["failed_checks"], name)}
    assert failed == set()


def _inline_skips(name: str) -> list[re.Match[str]]:
    text = "\n".join(support.files(name).values())
    return list(re.finditer(r"checkov:skip=([A-Z0-9_]+)(:?)(.*)", text))


@pytest.mark.parametrize("name", AWS_EXAMPLES)
def test_at_most_a_dozen_inline_skips(report, name):
    _, result = report
    comments = _inline_skips(name)
    # every comment suppresses a check checkov actually ran (none is dead weight); checkov
    # reports a `count` block once per copy (`replica[0]`, `replica[1]`)
    skipped = {
        (check["check_id"], check["file_path"], re.sub(r"\[\d+\]$", "", check["resource"]))
        for check in _of(result["results"]["skipped_checks"], name)
    }
    assert len(skipped) == len(comments)
    kinds = {(match.group(1), match.group(3)) for match in comments}
    assert len(kinds) <= MAX_SKIPS, sorted(kinds)


@pytest.mark.parametrize("name", AWS_EXAMPLES)
def test_every_inline_skip_states_its_reason(report, name):
    _, result = report
    for check in _of(result["results"]["skipped_checks"], name):
        comment = check.get("suppress_comment") or (check.get("check_result") or {}).get("suppress_comment") or ""
        assert len(comment) > 20, check["check_id"]
    for match in _inline_skips(name):
        assert match.group(2) == ":" and len(match.group(3)) > 20, match.group(0)


def test_single_az_skips_give_the_reason_that_holds_for_each_instance():
    # a read replica leans on the primary's standby only where the primary has one
    production = support.files("production-saas")
    # the DR replica mirrors the primary's Multi-AZ: it passes the check instead of skipping it
    dr = production[f"{support.BASE}/modules/dr_database/main.tf"]
    assert "checkov:skip" not in dr and re.search(r"multi_az\s+= var\.database_multi_az", dr)
    assert (
        production[f"{support.BASE}/modules/database/main.tf"].count(
            "checkov:skip=CKV_AWS_157:read replica: availability comes from the primary's Multi-AZ standby"
        )
        == 1
    )
    # full-manifest writes `multi_az: false` itself: the skip says so instead of blaming the pattern
    single_az = support.files("full-manifest")[f"{support.BASE}/modules/database/main.tf"]
    assert "Multi-AZ standby" not in single_az
    assert single_az.count("checkov:skip=CKV_AWS_157:the manifest sets database.multi_az: false") == 2
    # small-saas leaves it to the pattern, which runs Multi-AZ in production environments
    pattern_single_az = support.files("small-saas")[f"{support.BASE}/modules/database/main.tf"]
    assert pattern_single_az.count("checkov:skip=CKV_AWS_157:non-production stack") == 1


@pytest.mark.parametrize("name", [name for name in AWS_EXAMPLES if name != "kubernetes-eks"])  # no RDS, no ALB
def test_deletion_protection_passes_in_every_environment_instead_of_being_skipped(report, name):
    # RDS and the load balancer keep AWS's guard on everywhere (`./deploy.sh destroy` lifts it first)
    _, result = report
    passed = {check["check_id"] for check in _of(result["results"]["passed_checks"], name)}
    assert {"CKV_AWS_293", "CKV_AWS_150"} <= passed
    assert not [match.group(1) for match in _inline_skips(name) if match.group(1) in ("CKV_AWS_293", "CKV_AWS_150")]
