"""Markers that carry a default and its reason: the entries of the layered default tables.

A :class:`Default` is a literal; a :class:`Derived` default is computed from other
resolved values (the instance class from the size, the autoscale floor from the
instance count). Resolution layers them under what the user wrote and ``--explain``
prints the reason next to each value.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Default:
    """A literal default and the one-line reason for it.

    ``on`` holds the reason where the same value means something else: keyed by a
    pattern name (`hobby-project`) or its cloud (`docker`, `kubernetes`, `aws`), so
    ``--explain`` never gives an RDS reason for a container volume.
    """

    value: Any
    reason: str
    on: Mapping[str, str] = field(default_factory=dict)

    def reason_in(self, context: tuple[str, ...]) -> str:
        """The reason for the first of ``context`` (pattern, then cloud) that has its own."""
        return next((self.on[key] for key in context if key in self.on), self.reason)


@dataclass(frozen=True)
class Derived:
    """A default computed from other resolved values (named in ``inputs``)."""

    inputs: tuple[str, ...]
    compute: Callable[..., Any]
    reason: str | Callable[..., str]
    on: Mapping[str, str] = field(default_factory=dict)
    """Reasons per pattern or cloud, as on :class:`Default` (a plain-text reason only)."""

    def explain(self, *values: Any, context: tuple[str, ...] = ()) -> str:
        found = next((self.on[key] for key in context if key in self.on), None)
        if found is not None:
            return found
        return self.reason(*values) if callable(self.reason) else self.reason


@dataclass(frozen=True)
class Feeds:
    """On a manifest field: the dotted path of the resolved model it writes.

    Resolution walks the manifest and writes each field that was given to its path,
    through ``convert`` when the resolved value is not the written one (a shorthand, a
    section that turns something on by being present). A field may feed several paths;
    the first value written to a path wins. A path with ``[]``
    (``storage.buckets[].versioning``) names a field of the items a list converter
    builds: it documents where the default comes from and is not walked.
    ``shown`` spells a default the way the field is written (seconds as `5m`). The
    schema states each field's default from the tables (:mod:`.defaults_text`); ``doc``
    is `False` where the path's default is not what the field itself defaults to (the
    deploy branch a list of triggers feeds).
    """

    path: str
    convert: Callable[[Any], Any] | None = None
    shown: Callable[[Any], str] | None = None
    doc: bool = True


def marker_of(metadata: list[Any], kind: type[Any]) -> Any:
    """The first marker of `kind` in a field's metadata, or None."""
    return next((item for item in metadata if isinstance(item, kind)), None)
