"""The top-level folders install as one package, in editable mode and as a wheel."""

from __future__ import annotations

import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FOLDERS = {
    "program": "specql_deploy.program",
    "capture": "specql_deploy.capture",
    "components": "specql_deploy.components",
    "automation": "specql_deploy.automation",
    "exporters": "specql_deploy.exporters",
}


def declared_packages() -> set[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    return set(config["tool"]["setuptools"]["packages"])


def source_packages() -> set[str]:
    found = {"specql_deploy"}
    for folder, package in FOLDERS.items():
        for init in (ROOT / folder).rglob("__init__.py"):
            relative = init.parent.relative_to(ROOT / folder)
            found.add(".".join([package, *relative.parts]))
    return found


def test_every_package_folder_is_declared():
    # a sub-package missing from pyproject works in editable mode and vanishes from wheels
    assert source_packages() - declared_packages() == set()
    assert declared_packages() - source_packages() == set()


@pytest.mark.slow_build
def test_wheel_holds_one_import_package(tmp_path):
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(tmp_path),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    wheel = next(tmp_path.glob("specql_deploy-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "specql_deploy/program/spec.py" in names
    assert "specql_deploy/automation/cli.py" in names
    assert "specql_deploy/capture/mocks.py" in names
    assert not any(
        name.startswith(("program/", "capture/", "components/", "automation/", "exporters/", "tests/"))
        for name in names
    )
    entry_points = next(name for name in names if name.endswith("entry_points.txt"))
    assert "specql = specql_deploy.automation.cli:main" in zipfile.ZipFile(wheel).read(entry_points).decode()


def test_package_version_matches_pyproject():
    # a literal keeps `specql --help` free of a metadata scan; this keeps it honest
    from specql_deploy import __version__

    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert __version__ == config["project"]["version"]
