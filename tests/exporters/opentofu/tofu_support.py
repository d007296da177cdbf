"""Shared helpers for the OpenTofu exporter tests: one capture per example per session."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[3]
AWS_EXAMPLES = ("small-saas", "production-saas", "full-manifest", "phase2-extended", "kubernetes-eks")
"""Examples whose eject writes OpenTofu: the AWS patterns, and the kubernetes pattern creating EKS."""
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


def copies(name: str) -> dict[tuple[str, str, str], int]:
    """(module folder, type, label) of each `count` block → its number of copies in the program."""
    found: dict[tuple[str, str, str], int] = {}
    for resource in configuration(name).all_resources():
        if resource.family is not None:
            key = (resource.module, resource.type, resource.family)
            found[key] = found.get(key, 0) + 1
    return found


def resources(name: str) -> list[tuple[str, str, str, dict[str, Any]]]:
    """(module folder, type, label, body) of every resource (and ephemeral) in the eject, one per
    copy: a `count` block gives `label[0]`, `label[1]`, ... (as many as the program creates)."""
    found = []
    sizes = copies(name)
    for path, document in parsed(name).items():
        folder = path.split("/modules/")[1].split("/")[0] if "/modules/" in path else ""
        for block in ("resource", "ephemeral"):
            for entry in document.get(block, []):
                for kind, labelled in entry.items():
                    for label, body in labelled.items():
                        kind, label = unquote(kind), unquote(label)
                        size = sizes.get((folder, kind, label))
                        if "count" in body:
                            assert size, f"{folder}/{kind}.{label} has a count but no family in the program"
                            found.extend((folder, kind, f"{label}[{copy}]", body) for copy in range(size))
                        else:
                            found.append((folder, kind, label, body))
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
    """A literal, or the value the variable it refers to gets: a module's input is what the
    root passes it (`var.x` of the root), and a root variable's value is its default."""
    value = unquote(value)
    if not isinstance(value, str) or not (match := _VAR.match(value)):
        return value
    if not folder:
        return variable_defaults(name, "")[match.group(1)]
    main = parsed(name)[f"{BASE}/main.tf"]
    calls = {unquote(module): body for entry in main.get("module", []) for module, body in entry.items()}
    return effective(name, "", calls[folder][match.group(1)])
