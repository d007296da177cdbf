"""Attribute docstrings for the project's pydantic models, read with one parse per module.

The models document each field with the string below it (`use_attribute_docstrings`),
the one source for the JSON Schema, `--explain` and the HCL variable descriptions.
pydantic finds those strings class by class: it locates the class block from the frame
that defines it and tokenizes that block in pure Python, then parses it, which is a
quarter of `specql deploy validate`'s start-up on ~50 models. Here each module is
parsed once (`ast.parse`, in C) and every class is looked up by its qualified name; the
strings are then read by pydantic's own visitor, so the result is the same.

Only classes of `specql_deploy` modules whose qualified name appears once in their
module take this path; every other class, and any pydantic without the hook this
replaces, keeps pydantic's own extraction. `tests/program/test_docstrings.py` checks
that every field description and both JSON Schemas are identical either way.
"""

from __future__ import annotations

import ast
import linecache
import sys
from collections.abc import Callable
from typing import Any

_PACKAGE = "specql_deploy."
_classes: dict[str, dict[str, list[ast.ClassDef]]] = {}
"""Module name → qualified class name → its class statements in the module's source."""


def _index(module_name: str) -> dict[str, list[ast.ClassDef]]:
    if module_name not in _classes:
        found: dict[str, list[ast.ClassDef]] = {}
        module = sys.modules.get(module_name)
        filename = getattr(module, "__file__", None)
        source = "".join(linecache.getlines(filename)) if filename else ""
        try:
            tree = ast.parse(source) if source else None
        except SyntaxError:
            tree = None
        if tree is not None:
            _collect(tree.body, "", found)
        _classes[module_name] = found
    return _classes[module_name]


def _collect(body: list[ast.stmt], prefix: str, found: dict[str, list[ast.ClassDef]]) -> None:
    """Classes by `__qualname__`: nested classes under their owner's name, none inside functions."""
    for node in body:
        if isinstance(node, ast.ClassDef):
            name = f"{prefix}{node.name}"
            found.setdefault(name, []).append(node)
            _collect(node.body, f"{name}.", found)
        elif isinstance(node, ast.If | ast.Try | ast.With):
            # classes under `if TYPE_CHECKING:` or a try block keep their plain qualified name
            for branch in ("body", "orelse", "finalbody"):
                _collect(getattr(node, branch, []), prefix, found)
            for handler in getattr(node, "handlers", []):
                _collect(handler.body, prefix, found)


def _fast(original: Callable[..., dict[str, str]], visitor: type[Any]) -> Callable[..., dict[str, str]]:
    def extract_docstrings_from_cls(cls: type[Any], use_inspect: bool = False) -> dict[str, str]:
        module_name = getattr(cls, "__module__", "") or ""
        if module_name.startswith(_PACKAGE):
            nodes = _index(module_name).get(cls.__qualname__, [])
            if len(nodes) == 1:
                reader = visitor()
                reader.generic_visit(nodes[0])
                return dict(reader.attrs)
        return original(cls, use_inspect=use_inspect)

    extract_docstrings_from_cls.__wrapped__ = original  # type: ignore[attr-defined]
    return extract_docstrings_from_cls


def install() -> None:
    """Route pydantic's attribute-docstring lookup for this package through the module index (once)."""
    try:
        from pydantic._internal import _docs_extraction, _fields
    except ImportError:
        return
    current = getattr(_fields, "extract_docstrings_from_cls", None)
    visitor = getattr(_docs_extraction, "DocstringVisitor", None)
    if current is None or visitor is None or hasattr(current, "__wrapped__"):
        return
    _fields.extract_docstrings_from_cls = _fast(current, visitor)
