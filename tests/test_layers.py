"""Imports point down the layers, never up (read from the source, every import counted:
module level, inside functions, under TYPE_CHECKING, and `import_module("...")` strings).

    program  →  capture  →  components  →  exporters  →  automation (the CLI)

program (the manifest language, resolution, the defaults) imports none of the others;
`program.build`, the Pulumi program, instantiates the pattern components. capture (the
program under mocks) and components read only program; exporters read program, capture
and components; automation may import everything.
"""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = "specql_deploy"

MAY_IMPORT: dict[str, frozenset[str]] = {
    "program": frozenset({"program"}),
    "capture": frozenset({"program", "capture"}),
    "components": frozenset({"program", "components"}),
    "exporters": frozenset({"program", "capture", "components", "exporters"}),
    "automation": frozenset({"program", "capture", "components", "exporters", "automation"}),
}
"""Layer → the layers its modules may import (the package root, which holds only the
version, is open to all)."""

PROGRAM_ENTRY = frozenset({f"{PACKAGE}.program", f"{PACKAGE}.program.__main__"})
"""The Pulumi program itself (`program.build`, Pulumi.yaml's entry): it builds the pattern
components, so it may import them; the rest of program may not."""


def _folders() -> dict[str, Path]:
    """Import package → folder, from pyproject's package-dir."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    return {package: ROOT / folder for package, folder in config["tool"]["setuptools"]["package-dir"].items()}


def modules() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for package, folder in _folders().items():
        if package == PACKAGE:
            continue
        for path in sorted(folder.rglob("*.py")):
            parts = list(path.relative_to(folder).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join([package, *parts])] = path
    return found


def _absolute(module: str, is_package: bool, level: int, name: str | None) -> str:
    if level == 0:
        return name or ""
    base = module.split(".") if is_package else module.split(".")[:-1]
    base = base[: len(base) - (level - 1)]
    return ".".join([*base, name] if name else base)


def imported(module: str, path: Path) -> list[tuple[int, str]]:
    """(line, absolute module) of every import in the file."""
    tree = ast.parse(path.read_text(), filename=str(path))
    is_package = path.name == "__init__.py"
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            target = _absolute(module, is_package, node.level, node.module)
            # `from .. import program` imports the sub-module `program`
            found += [
                (node.lineno, f"{target}.{alias.name}" if node.module is None else target) for alias in node.names
            ]
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, (ast.Name, ast.Attribute))
            and (node.func.id if isinstance(node.func, ast.Name) else node.func.attr) == "import_module"
            and node.args
        ):
            text = _literal_prefix(node.args[0])
            if text:
                level = len(text) - len(text.lstrip("."))
                found.append(
                    (node.lineno, _absolute(module, is_package, level, text.lstrip(".") or None) if level else text)
                )
    return found


def _literal_prefix(node: ast.expr) -> str:
    """The constant start of a string or f-string (`f"specql_deploy.components.{x}"`)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr) and node.values and isinstance(node.values[0], ast.Constant):
        return str(node.values[0].value).rstrip(".")
    return ""


def layer_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == PACKAGE and parts[1] in MAY_IMPORT else None


def violations() -> list[str]:
    found = []
    for module, path in modules().items():
        source = layer_of(module)
        allowed = MAY_IMPORT[source] | ({"components"} if module in PROGRAM_ENTRY else set())
        for line, target in imported(module, path):
            layer = layer_of(target)
            if layer is not None and layer not in allowed:
                found.append(f"{path.relative_to(ROOT)}:{line}: {source} imports {target} ({layer})")
    return found


def test_imports_only_point_down_the_layers():
    problems = violations()
    assert not problems, "imports pointing up the layers:\n" + "\n".join(problems)


def test_every_layer_is_walked():
    walked = {layer_of(module) for module in modules()}
    assert walked == set(MAY_IMPORT)


@pytest.mark.parametrize(
    ("module", "source", "wrong"),
    [
        (f"{PACKAGE}.components.aws.saas", "from ...capture import ANSWERS\n", "capture"),
        (f"{PACKAGE}.components.aws.saas", "def f():\n    from ...automation.cli_manifest import fail\n", "automation"),
        (
            f"{PACKAGE}.program.resolve",
            "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from ..exporters import TARGETS\n",
            "exporters",
        ),
        (f"{PACKAGE}.capture.mocks", "import specql_deploy.components.aws\n", "components"),
        (
            f"{PACKAGE}.exporters",
            "from importlib import import_module\nimport_module(f'specql_deploy.automation.{name}')\n",
            "automation",
        ),
    ],
)
def test_the_walk_sees_every_kind_of_import(tmp_path, module, source, wrong):
    path = tmp_path / ("__init__.py" if module.count(".") == 1 else "m.py")
    path.write_text(source)
    targets = [layer_of(target) for _, target in imported(module, path)]
    assert wrong in targets
