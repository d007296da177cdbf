"""Edge parity: every reference a resource makes in the program is the same edge in the HCL.

Program side: the OpenTofu capture answers each output with a placeholder naming the
resource (`${«r12.arn»}`), so every input that uses another resource's output names
it. HCL side: the ejected files are parsed (python-hcl2) and each reference followed
to the resource it reaches: `aws_x.label.attr` in the same module; `var.NAME` through
the root's module arguments to `module.M.OUTPUT` and that output's value; data sources
by address. A `count` block stands for each of its copies (`count.index` → 0, 1, ...),
a splat (`[*]`) for every copy. Both sides give (source, target, attribute) triples
over resource addresses, which must be equal.

Two translation rules are stated here, the only places where the sides differ in form:
a RandomPassword is an `ephemeral` password resource (its `result` is `random_password`),
and the value of a secret version holding it is read back through the module's
`data "aws_secretsmanager_secret_version"` of the same label.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .tofu_support import BASE, unquote

RESOURCE_REF = re.compile(
    r"(?<![\w.])(data\.|ephemeral\.)?((?:aws|random)_[a-z0-9_]+)\.([a-z0-9_]+)((?:\[[^\]]*\])*)\.([a-z0-9_]+)"
)
VAR_REF = re.compile(r"(?<![\w.])var\.([a-z0-9_]+)(\[\d+\])?")
MODULE_REF = re.compile(r"(?<![\w.])module\.([a-z0-9_]+)\.([a-z0-9_]+)(\[\d+\])?")
READ_BACK = "aws_secretsmanager_secret_version"


@dataclass(frozen=True)
class Edge:
    source: str
    """Address of the referring resource (`module.compute.aws_ecs_service.service`, `...private[1]`)."""
    target: str
    """Address of the referenced resource or data source."""
    attribute: str


def _qualified(module: str, local: str) -> str:
    return f"module.{module}.{local}" if module else local


def _strings(value: Any) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            if key not in ("__is_block__", "count"):
                yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


class HclGraph:
    """The ejected tree, parsed, with every reference resolvable to resource addresses.

    `sizes` gives the copies of each `count` block (`module.networking.aws_subnet.private` → 2).
    """

    def __init__(self, files: Mapping[str, str], sizes: Mapping[str, int]):
        import hcl2

        self.sizes = dict(sizes)
        self.modules: dict[str, dict[str, list[dict[str, Any]]]] = {}
        for path, text in files.items():
            if not path.endswith(".tf") or not path.startswith(BASE):
                continue
            module = path.split("/modules/")[1].split("/")[0] if "/modules/" in path else ""
            document = hcl2.loads(text)
            merged = self.modules.setdefault(module, {})
            for key, entries in document.items():
                merged.setdefault(key, []).extend(entries)
        self.arguments = {
            unquote(name): body for entry in self.modules[""].get("module", []) for name, body in entry.items()
        }
        self.outputs = {
            module: {unquote(name): body["value"] for entry in blocks.get("output", []) for name, body in entry.items()}
            for module, blocks in self.modules.items()
        }

    def blocks(self) -> Iterable[tuple[str, str, str, str, dict[str, Any]]]:
        """(module, kind, type, label, body) of every resource and ephemeral block."""
        for module, blocks in self.modules.items():
            for kind in ("resource", "ephemeral"):
                for entry in blocks.get(kind, []):
                    for kind_name, labelled in entry.items():
                        for label, body in labelled.items():
                            yield module, kind, unquote(kind_name), unquote(label), body

    def _members(self, module: str, local: str, index: str) -> list[str]:
        """The copies an address with an index (`[*]`, `[3]` or none) stands for."""
        whole = _qualified(module, local)
        size = self.sizes.get(whole)
        if size is None:
            return [whole + index] if index else [whole]
        if index in ("", "[*]"):
            return [f"{whole}[{copy}]" for copy in range(size)]
        return [f"{whole}{index}"]

    def targets(self, expression: str, module: str, select: str = "", depth: int = 0) -> set[tuple[str, str]]:
        """(target address, attribute) of every resource an expression in `module` reaches.

        `select` (`[2]`) picks one copy of the first splat the expression yields (an index
        applied to a list variable or list output).
        """
        if depth > 8:
            raise AssertionError(f"reference chain too deep at {expression!r} in module {module!r}")
        pending = select
        if select and "[*]" in expression:
            expression, pending = expression.replace("[*]", select, 1), ""
        found: set[tuple[str, str]] = set()
        for match in RESOURCE_REF.finditer(expression):
            prefix, kind, label, index, attribute = match.groups()
            if prefix == "data." and kind == READ_BACK and module:
                found.add((_qualified(module, f"{kind}.{label}"), "secret_string"))
            elif prefix == "data.":
                found.add((f"data.{kind}.{label}", attribute))
            else:
                local = f"{prefix or ''}{kind}.{label}"
                found |= {
                    (member, attribute)
                    for member in self._members(module, local, index.split("]")[0] + "]" if index else "")
                }
        for match in VAR_REF.finditer(expression):
            name, index = match.group(1), match.group(2) or ""
            if module == "":
                continue  # a root variable: a manifest value, not a resource
            argument = self.arguments[module].get(name)
            assert argument is not None, f"module {module} reads var.{name}, which main.tf never sets"
            found |= self.targets(str(argument), "", index or pending, depth + 1)
        for match in MODULE_REF.finditer(expression):
            source, output, index = match.group(1), match.group(2), match.group(3) or ""
            value = self.outputs[source].get(output)
            assert value is not None, f"module.{source}.{output} is read but {source} has no such output"
            found |= self.targets(str(value), source, index or pending, depth + 1)
        return found

    def edges(self) -> set[Edge]:
        edges: set[Edge] = set()
        for module, kind, kind_name, label, body in self.blocks():
            local = f"ephemeral.{kind_name}.{label}" if kind == "ephemeral" else f"{kind_name}.{label}"
            whole = _qualified(module, local)
            copies = range(self.sizes[whole]) if whole in self.sizes else [None]
            for copy in copies:
                source = whole if copy is None else f"{whole}[{copy}]"
                for text in _strings(body):
                    if copy is not None:
                        text = text.replace("count.index", str(copy))
                    for target, attribute in self.targets(text, module):
                        if target != source:
                            edges.add(Edge(source, target, attribute))
        return edges


PLACEHOLDER_KEY = re.compile(r"\$\{«(r\d+)\.([A-Za-z0-9_]+)»")
DATA_KEY = re.compile(r"\$\{«data\.([a-z0-9_]+)\.([a-z0-9_@-]+)\.([a-z0-9_]+)»")


def family_sizes(configuration: Any) -> dict[str, int]:
    sizes: dict[str, int] = {}
    for resource in configuration.all_resources():
        if resource.family_address is not None:
            whole = _qualified(resource.module, resource.family_address)
            sizes[whole] = sizes.get(whole, 0) + 1
    return sizes


def program_edges(configuration: Any, keys: Mapping[str, str]) -> set[Edge]:
    """The same triples from the capture the eject was translated from (`keys`: placeholder → URN)."""
    from specql_deploy.exporters.opentofu import mapping

    by_urn = {resource.captured.urn: resource for resource in configuration.all_resources()}
    zone_labels = {
        str(provider.inputs.get("region")): (f"{provider.alias}_available" if provider.alias else "available")
        for provider in configuration.providers
    }
    edges: set[Edge] = set()
    for resource in configuration.all_resources():
        source = _qualified(resource.module, resource.address)
        for raw in _strings(dict(resource.captured.inputs)):
            text = raw.replace("\\u00ab", "«").replace("\\u00bb", "»")  # inside JSON documents
            for key, attribute in PLACEHOLDER_KEY.findall(text):
                target = by_urn.get(keys.get(key, ""))
                if target is None or target is resource:
                    continue
                if target.ephemeral:
                    name = mapping.EPHEMERAL_ATTRIBUTES[attribute]
                else:
                    name = "id" if attribute == "id" else mapping.attribute_name(attribute)
                edges.add(Edge(source, _qualified(target.module, target.address), name))
            for kind, label, attribute in DATA_KEY.findall(text):
                if "@" in label:  # a region's zones: the data source of that region's provider
                    label = zone_labels[label.split("@", 1)[1]]
                edges.add(Edge(source, f"data.{kind}.{label}", attribute))
    return edges
