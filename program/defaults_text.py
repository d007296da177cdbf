"""The "Defaults to …" sentence of every manifest field, written from the default tables.

A field's doc says what the field is; what it defaults to comes from the tables it
feeds (:class:`~.markers.Feeds`): the global default and its reason, then what the
frameworks, patterns and the production layer put there instead. The schema
(:mod:`.schema`) appends the sentence to the field's description, so the published
text cannot disagree with what resolution does.
"""

from __future__ import annotations

import typing
from collections.abc import Callable, Iterator
from typing import Any

from pydantic import BaseModel

from . import defaults as tables
from .markers import Default, Derived, Feeds
from .model import ResolvedDeployment


def spec_fields(root: type[BaseModel]) -> Iterator[tuple[type[BaseModel], str, Any]]:
    """(model, field name, FieldInfo) of every manifest field, in walk order, each model once."""
    seen: set[type[BaseModel]] = set()

    def visit(model: type[BaseModel]) -> Iterator[tuple[type[BaseModel], str, Any]]:
        if model in seen:
            return
        seen.add(model)
        for name, info in model.model_fields.items():
            yield model, name, info
            for inner in _models_in(info.annotation):
                yield from visit(inner)

    yield from visit(root)


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [model for arg in typing.get_args(annotation) for model in _models_in(arg)]


def documented_fields(root: type[BaseModel]) -> dict[tuple[str, str], Feeds]:  # noqa: C901
    """(model name, field) → the marker whose default its doc states: the first leaf field
    feeding each path (a section that turns a feature on, or a second field feeding the same
    path, keeps its own words)."""
    found: dict[tuple[str, str], Feeds] = {}
    claimed: set[str] = set()
    for model, name, info in spec_fields(root):
        if _models_in(info.annotation) and not _is_list_of_models(info.annotation):
            continue  # a section
        markers = [item for item in info.metadata if isinstance(item, Feeds)]
        if not markers or not markers[0].doc or markers[0].path in claimed:
            claimed.update(marker.path for marker in markers)
            continue
        claimed.update(marker.path for marker in markers)
        found[(model.__name__, name)] = markers[0]
    return found


def _is_list_of_models(annotation: Any) -> bool:
    origin = typing.get_origin(annotation)
    if origin is tuple or origin is list:
        return True
    return any(_is_list_of_models(arg) for arg in typing.get_args(annotation))


def default_sentence(feeds: Feeds) -> str | None:
    """`Defaults to `20` (the RDS gp3 minimum; …); `100` on production-saas.` — None when no
    table holds the path (the name comes from the manifest's folder)."""
    shown = feeds.shown
    show: Callable[[Any], str] = (lambda value: f"`{shown(value)}`") if shown is not None else _literal
    if "[]." in feeds.path:
        item = _item_default(feeds.path)
        return f"Defaults to {_default_text(item, show)}." if item is not None else None
    frameworks = {name: table[feeds.path] for name, table in tables.FRAMEWORKS.items() if feeds.path in table}
    if frameworks:
        return (
            "Defaults per framework: "
            + ", ".join(f"{name} {_plain(entry, show)}" for name, entry in frameworks.items())
            + "."
        )
    base = tables.GLOBAL_DEFAULTS.get(feeds.path)
    if base is None:
        return None
    text = f"Defaults to {_default_text(base, show)}"
    overrides: dict[str, list[str]] = {}
    for name, pattern in tables.PATTERNS.items():
        entry = pattern.defaults.get(feeds.path)
        if entry is not None:
            overrides.setdefault(_plain(entry, show), []).append(name)
    if overrides:
        text += "; " + ", ".join(f"{value} on {_and(names)}" for value, names in overrides.items())
    production = tables.ENVIRONMENT_DEFAULTS["production"].get(feeds.path)
    if production is not None:
        text += f"; {_plain(production, show)} in production environments"
    return text + "."


def _item_default(path: str) -> Default | Derived | None:
    section, _, rest = path.partition(".")
    container, _, item_field = rest.partition("[].")
    model = ResolvedDeployment.model_fields[section].annotation
    assert isinstance(model, type) and issubclass(model, BaseModel)
    (item,) = [arg for arg in typing.get_args(model.model_fields[container].annotation) if arg is not Ellipsis]
    metadata = item.model_fields[item_field].metadata
    return next((entry for entry in metadata if isinstance(entry, Default | Derived)), None)


def _default_text(entry: Default | Derived, show: Any) -> str:
    if isinstance(entry, Derived):
        inputs = " and ".join(f"`{name}`" for name in entry.inputs)
        reason = entry.reason if isinstance(entry.reason, str) else "see `--explain`"
        return f"a value from {inputs} ({reason})"
    if isinstance(entry.value, tuple) and entry.value and isinstance(entry.value[0], dict):
        return entry.reason  # a list of items: its reason describes them
    return f"{show(entry.value)} ({entry.reason})"


def _plain(entry: Default | Derived, show: Any) -> str:
    if isinstance(entry, Derived):
        return "a value from " + " and ".join(f"`{name}`" for name in entry.inputs)
    return show(entry.value)


def _literal(value: Any) -> str:
    if value is None or value == ():
        return "none"
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, tuple):
        return "`" + " ".join(str(item) for item in value) + "`"
    return f"`{value}`"


def _and(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
