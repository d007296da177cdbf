"""Markers that carry a default and its reason: the entries of the layered default tables.

A :class:`Default` is a literal; a :class:`Derived` default is computed from other
resolved values (the instance class from the size, the autoscale floor from the
instance count). Resolution layers them under what the user wrote and ``--explain``
prints the reason next to each value.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Default:
    """A literal default and the one-line reason for it."""

    value: Any
    reason: str


@dataclass(frozen=True)
class Derived:
    """A default computed from other resolved values (named in ``inputs``)."""

    inputs: tuple[str, ...]
    compute: Callable[..., Any]
    reason: str | Callable[..., str]

    def explain(self, *values: Any) -> str:
        return self.reason(*values) if callable(self.reason) else self.reason
