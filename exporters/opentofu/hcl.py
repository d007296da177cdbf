"""A small HCL writer whose output is already in `tofu fmt` form.

Values are plain Python (str, int, float, bool, list, dict) plus :class:`Expr` for raw
expressions (`aws_vpc.this.id`) and :class:`Call` for function calls (`jsonencode`).
Strings may carry references as ``${...}`` only through :class:`Template`; any other
``${`` or ``%{`` in a literal is escaped, so user text can never turn into code.

Formatting follows hclwrite's rules (the formatter behind `tofu fmt`): two-space
indent; in a run of consecutive single-line ``name = value`` lines the ``=`` signs are
aligned one column after the longest name; a blank line, a nested block or a value
spanning several lines ends the run.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from ...program.building_blocks import HCL_ONE_LINE_LIST_WIDTH

INDENT = "  "
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")


@dataclass(frozen=True)
class Expr:
    """A raw HCL expression written as is (`var.region`, `aws_vpc.this.id`)."""

    text: str


@dataclass(frozen=True)
class Template:
    """A quoted string mixing literal text and interpolated expressions.

    ``parts`` alternate freely between ``str`` (literal, escaped on output) and
    :class:`Expr` (written as ``${...}``).
    """

    parts: tuple[str | Expr, ...]


@dataclass(frozen=True)
class Call:
    """A function call with one argument per entry (`jsonencode({...})`)."""

    name: str
    args: tuple[Any, ...]


@dataclass
class Attribute:
    name: str
    value: Any


@dataclass
class Block:
    """`type "label" "label" { body }`."""

    type: str
    labels: tuple[str, ...] = ()
    body: list[Attribute | Block | Comment | Blank] = field(default_factory=list)

    def attr(self, name: str, value: Any) -> Block:
        self.body.append(Attribute(name, value))
        return self

    def block(self, type_: str, *labels: str) -> Block:
        child = Block(type_, tuple(labels))
        self.body.append(child)
        return child


@dataclass(frozen=True)
class Comment:
    text: str


@dataclass(frozen=True)
class Blank:
    pass


def escape(text: str) -> str:
    """Literal text for inside a quoted HCL string."""
    text = json.dumps(text, ensure_ascii=False)[1:-1]
    return text.replace("${", "$${").replace("%{", "%%{")


def quote(text: str) -> str:
    return f'"{escape(text)}"'


def object_key(key: str | Expr) -> str:
    """Object keys: bare when an identifier, quoted otherwise (`"aws:SecureTransport"`)."""
    if isinstance(key, Expr):
        return key.text
    return key if _IDENTIFIER.match(key) and key not in ("null", "true", "false") else quote(key)


def render_value(value: Any, level: int) -> str:
    """The expression text of a value; nested lines indented for ``level``."""
    if isinstance(value, Expr):
        return value.text
    if isinstance(value, Template):
        inner = "".join(escape(part) if isinstance(part, str) else "${" + part.text + "}" for part in value.parts)
        return f'"{inner}"'
    if isinstance(value, Call):
        return f"{value.name}(" + ", ".join(render_value(arg, level) for arg in value.args) + ")"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, str):
        return quote(value)
    if isinstance(value, (list, tuple)):
        return _render_list(list(value), level)
    if isinstance(value, dict):
        return _render_object(value, level)
    raise TypeError(f"cannot write {type(value).__name__} as HCL: {value!r}")


def _render_list(items: list[Any], level: int) -> str:
    if not items:
        return "[]"
    flat = [render_value(item, level + 1) for item in items]
    one_line = "[" + ", ".join(flat) + "]"
    if (
        all("\n" not in text for text in flat)
        and len(one_line) + len(INDENT) * level <= HCL_ONE_LINE_LIST_WIDTH
        and not any(isinstance(item, dict) for item in items)
    ):
        return one_line
    pad = INDENT * (level + 1)
    lines = ["["]
    for item in items:
        lines.append(pad + render_value(item, level + 1) + ",")
    lines.append(INDENT * level + "]")
    return "\n".join(lines)


def _render_object(mapping: dict[str, Any], level: int) -> str:
    if not mapping:
        return "{}"
    body = [Attribute(object_key(key if isinstance(key, Expr) else str(key)), value) for key, value in mapping.items()]
    lines = ["{"] + _render_body(body, level + 1) + [INDENT * level + "}"]
    return "\n".join(lines)


def _render_body(body: list[Any], level: int) -> list[str]:
    """Body lines at ``level`` with runs of single-line attributes aligned on `=`."""
    pad = INDENT * level
    lines: list[str] = []
    run: list[tuple[str, str]] = []

    def flush() -> None:
        if run:
            width = max(len(name) for name, _ in run)
            lines.extend(f"{pad}{name.ljust(width)} = {text}" for name, text in run)
            run.clear()

    for item in body:
        if isinstance(item, Attribute):
            text = render_value(item.value, level)
            if "\n" in text:
                flush()
                lines.append(f"{pad}{item.name} = {text}")
            else:
                run.append((item.name, text))
            continue
        flush()
        if isinstance(item, Blank):
            lines.append("")
        elif isinstance(item, Comment):
            lines.extend(f"{pad}# {line}".rstrip() for line in item.text.splitlines())
        elif isinstance(item, Block):
            lines.extend(_render_block(item, level))
        else:  # pragma: no cover - guarded by types
            raise TypeError(item)
    flush()
    return lines


def _render_block(block: Block, level: int) -> list[str]:
    pad = INDENT * level
    head = " ".join([block.type, *(quote(label) for label in block.labels)])
    if not block.body:
        return [f"{pad}{head} {{}}"]
    return [f"{pad}{head} {{"] + _render_body(block.body, level + 1) + [f"{pad}}}"]


def render_file(items: list[Any], header: str = "") -> str:
    """A whole file: top-level blocks separated by one blank line, ending with a newline."""
    chunks: list[str] = []
    for item in items:
        if isinstance(item, Block):
            chunks.append("\n".join(_render_block(item, 0)))
        elif isinstance(item, Comment):
            chunks.append("\n".join(f"# {line}".rstrip() for line in item.text.splitlines()))
        elif isinstance(item, Attribute):
            chunks.append("\n".join(_render_body([item], 0)))
        else:
            raise TypeError(item)
    text = "\n\n".join(chunks)
    return header + ("\n" if header and text else "") + text + "\n"


def spaced(items: list[Attribute | Block]) -> list[Any]:
    """A body with attributes first and a blank line before each nested block."""
    attributes = [item for item in items if isinstance(item, Attribute)]
    blocks = [item for item in items if not isinstance(item, Attribute)]
    body: list[Any] = list(attributes)
    for block in blocks:
        if body:
            body.append(Blank())
        body.append(block)
    return body
