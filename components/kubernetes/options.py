"""Resource options the Kubernetes components pass on to their children."""

from __future__ import annotations

from typing import Any


def inherited_depends(opts: Any) -> list[Any]:
    """The `depends_on` a component was given, for its children to wait on too.

    Pulumi does not pass a component's `depends_on` down: without this, a CRD-backed
    child (a CloudNativePG `Cluster`) would be sent before the operator release that
    installs its CRD, and every object before its namespace.
    """
    depends = getattr(opts, "depends_on", None) if opts is not None else None
    if depends is None:
        return []
    return list(depends) if isinstance(depends, (list, tuple)) else [depends]
