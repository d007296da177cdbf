"""Offline capture: the Pulumi program run under recording mocks, as a ResourceGraph.

It sits between the program and everything that reads what the program declares
without deploying it: the offline preview, the cost estimate (:mod:`.cost`) and the
OpenTofu and Kubernetes exporters. Components know nothing about it; the answers to
their data-source calls under mocks live in :mod:`.answers`. Importing this package
does not import pulumi: the runtime loads when a program is run.
"""

from .answers import ANSWERS, CallHandler
from .graph import MASK, CapturedResource, ResourceGraph, iter_custom, natural_key
from .mocks import UNKNOWN, OutputsHook, capture, run_under_mocks

__all__ = [
    # the graph
    "CapturedResource",
    "ResourceGraph",
    "MASK",
    "iter_custom",
    "natural_key",
    # running a program under mocks
    "capture",
    "run_under_mocks",
    "OutputsHook",
    "UNKNOWN",
    # data-source answers
    "ANSWERS",
    "CallHandler",
]
