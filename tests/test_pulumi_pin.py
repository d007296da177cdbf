"""The pulumi pin is one version everywhere: pyproject, the installed SDK (which the CLI
build script reads), and the README's account of why it is that version."""

from __future__ import annotations

import re
import tomllib
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def pinned() -> str:
    dependencies = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    (pin,) = [item for item in dependencies if item.startswith("pulumi==")]
    return pin.removeprefix("pulumi==")


def test_the_installed_sdk_is_the_pinned_release():
    assert metadata.version("pulumi") == pinned()


def test_the_readme_names_the_pin_and_why():
    readme = (ROOT / "README.md").read_text()
    match = re.search(r"The `pulumi` package is pinned to\s+(\d+\.\d+\.\d+)", readme)
    assert match and match.group(1) == pinned()
    assert "Go module proxy" in readme[match.start() : match.start() + 600]


def test_the_cli_build_follows_the_installed_sdk():
    script = (ROOT / "scripts" / "install-pulumi-cli.sh").read_text()
    assert 'm.version("pulumi")' in script
