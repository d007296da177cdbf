"""The seeds' manifests work as written: validate → preview --offline → eject, exit 0.

`seeds/` holds the proposal's YAML blocks unchanged: its full "Deployment Manifest", the
phase-2 "EXTENDED" manifest and its kubernetes example. Where they ask for what a pattern
cannot build exactly (0.5 vCPU with 512Mi on Fargate, HTTPS with no domain, Loki on
AWS), resolution adjusts or declines with a warning line; it never fails. Every example
and a set of generated manifests (hypothesis) go through the same three commands.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from support import EXAMPLES

SEEDS = Path(__file__).resolve().parent / "seeds"
SEED_SOURCES = Path("/work/shared/seeds")
SEED_FILES = sorted(SEEDS.glob("*.yaml"))


def specql(*args: str):
    from specql_deploy.automation.cli import app

    return CliRunner().invoke(app, ["deploy", *args])


def run_all_three(manifest: Path, output: Path) -> list[str]:
    """The three commands a new user runs; each result's problems (empty: all exit 0)."""
    problems = []
    for args in (
        ("validate", str(manifest)),
        ("preview", str(manifest), "--offline", "--json"),
        ("eject", str(manifest), "-o", str(output)),
    ):
        result = specql(*args)
        if result.exit_code != 0 or result.exception and not isinstance(result.exception, SystemExit):
            problems.append(f"{args[0]} exited {result.exit_code}: {result.output[-2000:]} {result.exception!r}")
    return problems


@pytest.mark.parametrize("manifest", SEED_FILES + EXAMPLES, ids=lambda path: f"{path.parent.name}/{path.name}")
def test_validate_preview_and_eject_succeed(manifest, tmp_path):
    # GIVEN a seed manifest as the proposal writes it, or an example, in its own folder
    work = tmp_path / "app"
    work.mkdir()
    shutil.copy(manifest, work / "deployment.yaml")
    # WHEN validated, previewed offline and ejected
    problems = run_all_three(work / "deployment.yaml", tmp_path / "out")
    # THEN every command exits 0
    assert problems == []


def test_the_proposal_manifest_says_what_it_adjusted():
    # GIVEN the proposal's full manifest (0.5 vCPU and 512Mi, ssl without a domain, Loki on AWS)
    result = specql("validate", str(SEEDS / "full-manifest.yaml"))
    # THEN it validates, and the adjustments are warning lines naming their keys
    assert result.exit_code == 0, result.output
    assert "warning: application.memory: 512Mi raised to 1Gi, Fargate's smallest with 0.5 vCPU" in result.output
    assert "warning: networking.load_balancer.ssl: HTTPS needs deployment.domain" in result.output
    assert "warning: monitoring.logs.aggregator: Loki is not built for the AWS patterns" in result.output
    # each warning once, though the manifest declares three environments
    lines = [line for line in result.output.splitlines() if line.startswith("warning:")]
    assert len(lines) == len(set(lines))


def test_strict_turns_every_warning_into_an_error():
    # GIVEN the phase-2 manifest, whose only adjustment is the Fargate memory
    manifest = SEEDS / "phase2-extended.yaml"
    # WHEN validated strictly
    result = specql("validate", "--strict", str(manifest))
    # THEN exit 2, the warning as a `field.path: message` error, no OK line
    assert result.exit_code == 2
    assert "application.memory: 512Mi raised to 1Gi, Fargate's smallest with 0.5 vCPU" in result.output
    assert "OK" not in result.output


@pytest.mark.skipif(not SEED_SOURCES.is_dir(), reason="the proposal's seeds are not on this machine")
def test_the_seed_files_are_the_proposal_blocks_unchanged():
    blocks = []
    for source in SEED_SOURCES.glob("*.md"):
        blocks += re.findall(r"```yaml\n(.*?)```", source.read_text(encoding="utf-8"), re.S)
    for seed in SEED_FILES:
        assert seed.read_text(encoding="utf-8") in blocks, f"{seed.name} differs from the proposal's block"


# ------------------------------------------------------------------ generated manifests

SIZES = st.sampled_from(["small", "medium", "large"])
manifests = st.fixed_dictionaries(
    {"deployment": st.fixed_dictionaries({"pattern": st.sampled_from(["hobby-project", "small-saas", "kubernetes"])})},
    optional={
        "database": st.fixed_dictionaries(
            {},
            optional={"size": SIZES, "storage": st.integers(20, 200), "backup": st.sampled_from(["daily", "weekly"])},
        ),
        "application": st.fixed_dictionaries(
            {},
            optional={
                "instances": st.integers(1, 4),
                "cpu": st.sampled_from([0.25, 0.5, 1, 2, 3]),
                "memory": st.sampled_from(["512Mi", "1Gi", "1500", "3Gi", "6Gi"]),
            },
        ),
        "cache": st.sampled_from(["redis", "disabled"]),
        "monitoring": st.sampled_from(["basic", "standard", "enterprise"]),
    },
)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(document=manifests)
def test_generated_manifests_that_validate_also_preview_and_eject(document, tmp_path_factory):
    import json

    # GIVEN a generated manifest
    work = tmp_path_factory.mktemp("app")
    manifest = work / "deployment.yaml"
    manifest.write_text(json.dumps(document))
    # WHEN it validates (exit 2 is an allowed answer: a refusal with its reason)
    validated = specql("validate", str(manifest))
    assert validated.exit_code in (0, 2), validated.output
    if validated.exit_code == 2:
        return
    # THEN preview and eject succeed too
    assert run_all_three(manifest, work / "out") == []
