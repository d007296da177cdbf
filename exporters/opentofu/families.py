"""Families: the program's per-zone (or per-replica) copies written once, with `count`.

The program creates `private-0`, `private-1`, ... in a loop; read one by one in HCL they
are near-copies that a reader must diff by eye, and a change of the zone count means
editing files. terraform-aws-modules writes them once with `count` and `count.index`,
so here a family is the resources of one type in one module whose labels end in
`_0` … `_<n-1>`: their blocks are unified (every place where the copies differ must
be the copy's own index, a reference to the same copy of another family, or a number
growing by one), and the family becomes one block with `count`. When the copies
differ in any other way the family stays as separate blocks: nothing is ever guessed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from .hcl import Attribute, Blank, Block, Call, Comment, Expr, Template

INDEX = "count.index"
_DIGITS = re.compile(r"(\d+)")


class NotUniform(Exception):
    """The copies differ in a way `count.index` cannot express."""


def _index_text(first: int, in_brackets: bool) -> str:
    if first == 0:
        return INDEX
    return f"{INDEX} + {first}" if in_brackets else f"{first} + {INDEX}"


def _progression(numbers: Sequence[int]) -> int | None:
    """The first number when the numbers are first, first + 1, ... (one per copy), else None."""
    first = numbers[0]
    return first if all(value == first + index for index, value in enumerate(numbers)) else None


def _unify_text(texts: Sequence[str], expression: bool) -> list[str | Expr]:
    """Texts that differ only in digit runs growing by one per copy → literal parts and `count.index`."""
    pieces = [_DIGITS.split(text) for text in texts]
    if len({len(split) for split in pieces}) != 1:
        raise NotUniform(texts)
    parts: list[str | Expr] = []
    for position in range(len(pieces[0])):
        column = [split[position] for split in pieces]
        if len(set(column)) == 1:
            parts.append(column[0])
            continue
        if not all(piece.isdigit() for piece in column):  # a non-digit piece differs
            raise NotUniform(texts)
        first = _progression([int(value) for value in column])
        if first is None:
            raise NotUniform(texts)
        before = "".join(part if isinstance(part, str) else "" for part in parts[-1:])
        parts.append(Expr(_index_text(first, expression and before.endswith("["))))
    return parts


def _join_expression(parts: list[str | Expr]) -> Expr:
    return Expr("".join(part if isinstance(part, str) else part.text for part in parts))


def unify(values: Sequence[Any]) -> Any:
    """One value standing for every copy's value (raises NotUniform)."""
    first = values[0]
    if all(value == first for value in values[1:]) and not isinstance(first, (Block, list, dict)):
        return first
    kinds = {type(value) for value in values}
    if len(kinds) != 1:
        raise NotUniform(values)
    if isinstance(first, bool) or first is None or isinstance(first, float):
        raise NotUniform(values)
    if isinstance(first, int):
        start = _progression(list(values))
        if start is None:
            raise NotUniform(values)
        return Expr(_index_text(start, False))
    if isinstance(first, Expr):
        return _join_expression(_unify_text([value.text for value in values], expression=True))
    if isinstance(first, str):
        parts = _unify_text(values, expression=False)
        literal = [part for part in parts if part != ""]
        return Template(tuple(literal)) if any(isinstance(part, Expr) for part in literal) else first
    if isinstance(first, Template):
        return _unify_template(values)
    if isinstance(first, Call):
        if len({(value.name, len(value.args)) for value in values}) != 1:
            raise NotUniform(values)
        return Call(
            first.name, tuple(unify([value.args[index] for value in values]) for index in range(len(first.args)))
        )
    if isinstance(first, list):
        if len({len(value) for value in values}) != 1:
            raise NotUniform(values)
        return [unify([value[index] for value in values]) for index in range(len(first))]
    if isinstance(first, dict):
        if len({tuple(value) for value in values}) != 1:
            raise NotUniform(values)
        return {key: unify([value[key] for value in values]) for key in first}
    if isinstance(first, Block):
        if len({(value.type, value.labels) for value in values}) != 1:
            raise NotUniform(values)
        return Block(first.type, first.labels, unify_body([value.body for value in values]))
    raise NotUniform(values)


def _unify_template(values: Sequence[Template]) -> Template:
    shapes = {tuple(type(part) for part in value.parts) for value in values}
    if len(shapes) != 1:
        raise NotUniform(values)
    parts: list[str | Expr] = []
    for index in range(len(values[0].parts)):
        column = [value.parts[index] for value in values]
        merged = unify(column)
        if isinstance(merged, Template):
            parts.extend(merged.parts)
        else:
            parts.append(merged)
    return Template(tuple(parts))


def unify_body(bodies: Sequence[list[Any]]) -> list[Any]:
    if len({len(body) for body in bodies}) != 1:
        raise NotUniform(bodies)
    merged: list[Any] = []
    for items in zip(*bodies, strict=True):
        first = items[0]
        if isinstance(first, (Blank, Comment)):
            if any(item != first for item in items):
                raise NotUniform(items)
            merged.append(first)
        elif isinstance(first, Attribute):
            if any(not isinstance(item, Attribute) or item.name != first.name for item in items):
                raise NotUniform(items)
            value = unify([item.value for item in items])
            if first.name == "depends_on":
                value = _whole_families(value)
            merged.append(Attribute(first.name, value))
        elif isinstance(first, Block):
            merged.append(unify(list(items)))
        else:
            raise NotUniform(items)
    return merged


def _whole_families(value: Any) -> Any:
    """`depends_on` takes static references only: a copy waits for the whole family."""
    if isinstance(value, list):
        return [Expr(item.text.replace(f"[{INDEX}]", "")) if isinstance(item, Expr) else item for item in value]
    return value


def collapse(blocks: Sequence[Block], label: str, count: Callable[[Block], Any]) -> Block:
    """The family's one block, labelled `label`: a `count` line, then the unified body (raises NotUniform)."""
    body = unify_body([block.body for block in blocks])
    labels = (blocks[0].labels[0], label)
    merged = Block(blocks[0].type, labels, body)
    return Block(merged.type, labels, [Attribute("count", count(merged)), Blank(), *body])


def text_of(value: Any) -> str:
    """Every expression text inside a value (to look for what drives the count)."""
    if isinstance(value, Expr):
        return value.text
    if isinstance(value, Template):
        return " ".join(part.text for part in value.parts if isinstance(part, Expr))
    if isinstance(value, Call):
        return " ".join(text_of(arg) for arg in value.args)
    if isinstance(value, Block):
        return " ".join(text_of(item) for item in value.body)
    if isinstance(value, Attribute):
        return text_of(value.value)
    if isinstance(value, list):
        return " ".join(text_of(item) for item in value)
    if isinstance(value, dict):
        return " ".join(text_of(item) for item in value.values())
    return ""


def splat_lists(value: Any, sizes: dict[str, int]) -> Any:
    """Lists naming every copy of a family in order become one splat (`aws_subnet.private[*].id`).

    `sizes` maps a family's address (`aws_subnet.private`, or a list variable `var.x`)
    to its number of copies; a run covering a whole family inside a longer list becomes
    `concat([...], family[*].attr, [...])`.
    """
    if isinstance(value, list):
        items = [splat_lists(item, sizes) for item in value]
        return _splat(items, sizes)
    if isinstance(value, dict):
        return {key: splat_lists(item, sizes) for key, item in value.items()}
    if isinstance(value, Call):
        return Call(value.name, tuple(splat_lists(arg, sizes) for arg in value.args))
    if isinstance(value, Block):
        return Block(value.type, value.labels, [splat_lists(item, sizes) for item in value.body])
    if isinstance(value, Attribute):
        return Attribute(value.name, splat_lists(value.value, sizes))
    return value


_MEMBER = re.compile(
    r"^(?P<base>(?:var\.[a-z0-9_]+|[a-z0-9_]+\.[a-z0-9_]+))\[(?P<index>\d+)\](?P<rest>(?:\.[A-Za-z0-9_\[\]]+)*)$"
)


def _splat(items: list[Any], sizes: dict[str, int]) -> Any:
    runs: list[Any] = []
    position = 0
    changed = False
    while position < len(items):
        match = _MEMBER.match(items[position].text) if isinstance(items[position], Expr) else None
        size = sizes.get(match.group("base")) if match else None
        if match and size and match.group("index") == "0" and position + size <= len(items):
            base, rest = match.group("base"), match.group("rest")
            expected = [Expr(f"{base}[{index}]{rest}") for index in range(size)]
            if items[position : position + size] == expected:
                whole = f"{base}{rest}" if base.startswith("var.") and not rest else f"{base}[*]{rest}"
                runs.append(Expr(whole))
                position += size
                changed = True
                continue
        runs.append([items[position]])
        position += 1
    if not changed:
        return items
    # join neighbouring literal items into one list
    merged: list[Any] = []
    for run in runs:
        if isinstance(run, list) and merged and isinstance(merged[-1], list):
            merged[-1].extend(run)
        else:
            merged.append(run)
    if len(merged) == 1:
        return merged[0]
    return Call("concat", tuple(merged))
