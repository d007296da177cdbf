"""Edge parity: every reference a resource makes in the program is the same edge in the HCL.

Program side: the OpenTofu capture answers each output with a placeholder naming the
resource (`${«r12.arn»}`), so every input that uses another resource's output names
it. HCL side: the ejected files are parsed (python-hcl2) and each reference followed
to the resource it reaches: `aws_x.label.attr` in the same module; `var.NAME` through
the root's module arguments to `module.M.OUTPUT` and that output's value; data sources
by address. Both sides give (source, target, attribute) triples over resource
addresses, which must be equal.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .tofu_support import BASE, unquote

RESOURCE_REF = re.compile(r"(?<![\w.])(data\.)?((?:aws|random)_[a-z0-9_]+)\.([a-z0-9_]+)((?:\[[^\]]*\])*)\.([a-z0-9_]+)")
VAR_REF = re.compile(r"(?<![\w.])var\.([a-z0-9_]+)")
MODULE_REF = re.compile(r"(?<![\w.])module\.([a-z0-9_]+)\.([a-z0-9_]+)")
INDEX = re.compile(r"\[(\d+)\]")


@dataclass(frozen=True)
class Edge:
    source: str
    """Address of the referring resource (`module.compute.aws_ecs_service.service`)."""
    target: str
    """Address of the referenced resource or data source."""
    attribute: str


def _address(module: str, kind: str, label: str, index: str = "") -> str:
    local = f"{kind}.{label}{index}"
    return f"module.{module}.{local}" if module else local


def _strings(value: Any) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            if key != "__is_block__":
                yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


class HclGraph:
    """The ejected tree, parsed, with every reference resolvable to a resource address."""

    def __init__(self, files: Mapping[str, str]):
        import hcl2

        self.modules: dict[str, dict[str, list[dict[str, Any]]]] = {}
        for path, text in files.items():
            if not path.endswith(".tf") or not path.startswith(BASE):
                continue
            module = path.split("/modules/")[1].split("/")[0] if "/modules/" in path else ""
            document = hcl2.loads(text)
            merged = self.modules.setdefault(module, {})
            for key, entries in document.items():
                merged.setdefault(key, []).extend(entries)
        self.arguments = {unquote(name): body for entry in self.modules[""].get("module", [])
                          for name, body in entry.items()}
        self.outputs = {module: {unquote(name): body["value"] for entry in blocks.get("output", [])
                                 for name, body in entry.items()}
                        for module, blocks in self.modules.items()}

    def resources(self) -> Iterable[tuple[str, str, str, dict[str, Any]]]:
        for module, blocks in self.modules.items():
            for entry in blocks.get("resource", []):
                for kind, labelled in entry.items():
                    for label, body in labelled.items():
                        yield module, unquote(kind), unquote(label), body

    def targets(self, expression: str, module: str, depth: int = 0) -> set[tuple[str, str]]:
        """(target address, attribute) of every resource an expression in `module` reaches."""
        if depth > 8:
            raise AssertionError(f"reference chain too deep at {expression!r} in module {module!r}")
        found: set[tuple[str, str]] = set()
        for match in RESOURCE_REF.finditer(expression):
            data, kind, label, index, attribute = match.groups()
            if data:
                found.add((f"data.{kind}.{label}", attribute))
            else:
                found.add((_address(module, kind, label, index), attribute))
        for match in VAR_REF.finditer(expression):
            name = match.group(1)
            if module == "":
                continue  # a root variable: a manifest value, not a resource
            argument = self.arguments[module].get(name)
            assert argument is not None, f"module {module} reads var.{name}, which main.tf never sets"
            found |= self.targets(str(argument), "", depth + 1)
        for match in MODULE_REF.finditer(expression):
            source, output = match.groups()
            value = self.outputs[source].get(output)
            assert value is not None, f"module.{source}.{output} is read but {source} has no such output"
            found |= self.targets(str(value), source, depth + 1)
        return found

    def edges(self) -> set[Edge]:
        edges: set[Edge] = set()
        for module, kind, label, body in self.resources():
            source = _address(module, kind, label)
            for text in _strings(body):
                for target, attribute in self.targets(text, module):
                    if target != source:
                        edges.add(Edge(source, target, attribute))
        return edges


PLACEHOLDER_KEY = re.compile(r"\$\{«(r\d+)\.([A-Za-z0-9_]+)»")
DATA_KEY = re.compile(r"\$\{«data\.([a-z0-9_]+)\.([a-z0-9_]+)\.([a-z0-9_]+)»")


def program_edges(configuration: Any, keys: Mapping[str, str]) -> set[Edge]:
    """The same triples from the capture the eject was translated from (`keys`: placeholder → URN)."""
    from specql_deploy.exporters.opentofu import mapping

    by_urn = {resource.captured.urn: resource for resource in configuration.all_resources()}
    edges: set[Edge] = set()
    for resource in configuration.all_resources():
        source = _address(resource.module, resource.type, resource.label)
        for raw in _strings(dict(resource.captured.inputs)):
            text = raw.replace("\\u00ab", "«").replace("\\u00bb", "»")  # inside JSON documents
            for key, attribute in PLACEHOLDER_KEY.findall(text):
                target = by_urn.get(keys.get(key, ""))
                if target is None or target is resource:
                    continue
                name = "id" if attribute == "id" else mapping.attribute_name(attribute)
                edges.add(Edge(source, _address(target.module, target.type, target.label), name))
            for kind, label, attribute in DATA_KEY.findall(text):
                edges.add(Edge(source, f"data.{kind}.{label}", attribute))
    return edges
