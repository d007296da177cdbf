"""Shared helpers for the OpenTofu exporter tests: one capture per example per session."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[3]
AWS_EXAMPLES = ("small-saas", "production-saas", "full-manifest", "phase2-extended")
OTHER_EXAMPLES = ("hobby-project", "kubernetes")
BASE = "infrastructure/opentofu"


def manifest(name: str) -> Path:
    return ROOT / "examples" / name / "deployment.yaml"


def resolve(name: str):
    from specql_deploy.program.manifest import load
    from specql_deploy.program.resolve import resolve as resolve_spec

    loaded = load(manifest(name))
    return resolve_spec(loaded.spec, None, default_name=loaded.default_name)


@cache
def configuration(name: str):
    """The translated configuration (graph captured with HCL placeholders)."""
    from specql_deploy.exporters.opentofu.translate import translate

    return translate(resolve(name))


@cache
def files(name: str) -> dict[str, str]:
    from specql_deploy.capture.cost import estimate
    from specql_deploy.exporters.contract import ExportContext
    from specql_deploy.exporters.opentofu.files import render_configuration

    resolved = resolve(name)
    config = configuration(name)
    rendered = render_configuration(config, ExportContext(manifest(name), resolved), estimate(config.graph, resolved))
    return {item.path: item.content for item in rendered}


def write(root: Path, tree: dict[str, str]) -> Path:
    for relative, content in tree.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
    return root / BASE


def parsed(name: str) -> dict[str, dict[str, Any]]:
    """path → python-hcl2's parse of every .tf file."""
    import hcl2

    return {path: hcl2.loads(text) for path, text in files(name).items() if path.endswith(".tf")}


def unquote(value: Any) -> Any:
    """python-hcl2 8 keeps the quotes of string literals and labels."""
    if isinstance(value, str) and len(value) >= 2 and value[0] == value[-1] == '"':
        return value[1:-1]
    return value


def resources(name: str) -> list[tuple[str, str, str, dict[str, Any]]]:
    """(module folder, type, label, body) of every resource block in the eject."""
    found = []
    for path, document in parsed(name).items():
        folder = path.split("/modules/")[1].split("/")[0] if "/modules/" in path else ""
        for entry in document.get("resource", []):
            for kind, labelled in entry.items():
                for label, body in labelled.items():
                    found.append((folder, unquote(kind), unquote(label), body))
    return found


_VAR = re.compile(r"^\$\{var\.([a-z0-9_]+)\}$")


def variable_defaults(name: str, folder: str) -> dict[str, Any]:
    path = f"{BASE}/modules/{folder}/variables.tf" if folder else f"{BASE}/variables.tf"
    document = parsed(name).get(path, {})
    defaults = {}
    for entry in document.get("variable", []):
        for variable, body in entry.items():
            if "default" in body:
                defaults[unquote(variable)] = unquote(body["default"])
    return defaults


def effective(name: str, folder: str, value: Any) -> Any:
    """A literal, or the default of the module variable the value refers to."""
    value = unquote(value)
    if isinstance(value, str):
        match = _VAR.match(value)
        if match:
            return variable_defaults(name, folder)[match.group(1)]
    return value
