"""YAML as every generated file writes it: block style, keys in the given order, and
strings that older readers would misread quoted."""

from __future__ import annotations

import re
from typing import Any

from ..program.building_blocks import YAML_INDENT, YAML_LINE_WIDTH

# Scalars a YAML 1.1 reader (PyYAML, some Go readers) would not take as strings.
_AMBIGUOUS = re.compile(
    r"^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF"
    r"|null|Null|NULL|~|[-+]?[0-9][0-9_:.eE+-]*|\.inf|\.nan|)$"
)


def _quote_ambiguous(node: Any) -> Any:
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString

    if isinstance(node, dict):
        return {key: _quote_ambiguous(value) for key, value in node.items()}
    if isinstance(node, (list, tuple)):
        return [_quote_ambiguous(value) for value in node]
    if isinstance(node, str) and _AMBIGUOUS.match(node):
        return DoubleQuotedScalarString(node)
    return node


def dump_yaml(data: Any) -> str:
    """Block-style YAML with keys in the order given (callers sort where order is free).

    ruamel.yaml quotes what YAML 1.2 needs quoted; strings that YAML 1.1 readers would
    take for booleans, nulls or numbers (``on``, ``yes``, ``8000``) are double-quoted
    too, so every reader sees the same document.
    """
    from io import StringIO

    from ruamel.yaml import YAML

    yaml = YAML()
    yaml.default_flow_style = False
    yaml.width = YAML_LINE_WIDTH
    yaml.indent(**YAML_INDENT)
    buffer = StringIO()
    yaml.dump(_quote_ambiguous(data), buffer)
    return buffer.getvalue()
