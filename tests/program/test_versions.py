"""Pinned versions live in one table (program/versions.py), each with the date it was
checked, and no default names a runtime past its end of life on that date."""

from __future__ import annotations

import ast
import datetime
import re
from pathlib import Path

import pytest

from specql_deploy.program import versions

ROOT = Path(__file__).resolve().parents[2]

END_OF_LIFE = {
    # runtime → version → end of life, from the projects' release calendars
    "nodejs": {"18": "2025-04-30", "20": "2026-04-30", "22": "2027-04-30", "24": "2028-04-30"},
    "python": {"3.11": "2027-10-31", "3.12": "2028-10-31", "3.13": "2029-10-31", "3.14": "2030-10-31"},
    "ruby": {"3.2": "2026-03-31", "3.3": "2027-03-31", "3.4": "2028-03-31"},
}


def all_pins() -> list[tuple[str, str]]:
    found = [(f"image {name}", pin.checked) for name, pin in versions.IMAGES.items()]
    found += [(f"base image {name}", pin.checked) for name, pin in versions.BASE_IMAGES.items()]
    found += [(f"runtime {name}", pin.checked) for name, pin in versions.RUNTIME_VERSIONS.items()]
    found += [(f"chart {name}", pin.checked) for name, (_, pin, _) in versions.HELM_CHARTS.items()]
    found += [(f"action {name}", pin.checked) for name, pin in versions.ACTIONS.items()]
    return found


def test_every_pin_says_when_it_was_checked():
    for what, checked in all_pins():
        assert datetime.date.fromisoformat(checked) <= datetime.date.fromisoformat(versions.CHECKED), what


@pytest.mark.parametrize("framework", ["fraiseql", "django", "rails", "nodejs"])
def test_no_framework_defaults_to_a_runtime_past_its_end_of_life(framework):
    from specql_deploy.program.defaults import FRAMEWORKS

    # GIVEN the framework's default runtime and version
    runtime = FRAMEWORKS[framework]["application.runtime"].value
    version = FRAMEWORKS[framework]["application.runtime_version"].value
    # THEN it is still supported on the day the table was checked
    end = END_OF_LIFE[runtime][version]
    assert end > versions.CHECKED, f"{framework}: {runtime} {version} reached end of life on {end}"
    # AND the base image carries that same version
    assert re.match(rf"^[a-z]+:{re.escape(version)}[.-]", FRAMEWORKS[framework]["application.base_image"].value)


def test_actions_are_pinned_to_a_full_commit_of_a_release():
    for name, pin in versions.ACTIONS.items():
        assert re.fullmatch(r"[0-9a-f]{40}", pin.sha), name
        assert re.fullmatch(r"v\d+\.\d+\.\d+", pin.release), name


def test_the_retired_ingress_controller_is_not_the_default():
    from specql_deploy.program.defaults import GLOBAL_DEFAULTS

    assert GLOBAL_DEFAULTS["kubernetes.ingress_class"].value != "nginx"  # ingress-nginx retired 2026-03


def test_no_pinned_image_or_action_is_written_outside_the_table():
    """Image references and action SHAs appear in program/versions.py only."""
    image = re.compile(r"^[a-z][\w.\-/]*[a-z][\w.\-/]*:(v?\d[\w.\-]*|RELEASE\.[\w\-]+)$")
    sha = re.compile(r"^[0-9a-f]{40}$")
    offenders = []
    for folder in ("program", "components", "exporters", "automation"):
        for path in (ROOT / folder).rglob("*.py"):
            if path.name == "versions.py":
                continue
            for node in ast.walk(ast.parse(path.read_text())):
                text = node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else ""
                if image.match(text) or sha.match(text):
                    offenders.append(f"{path.relative_to(ROOT)}: {text}")
    assert offenders == []
