"""Joining Outputs into names, ARNs and URLs."""

from __future__ import annotations

from typing import Any

import pulumi


def concat(*parts: pulumi.Input[Any]) -> pulumi.Output[str]:
    """`Output.concat` that tolerates a part without a value (an optional output left unset):
    it renders as empty text instead of failing the whole program."""
    return pulumi.Output.all(*parts).apply(lambda values: "".join("" if v is None else str(v) for v in values))
