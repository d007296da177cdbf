"""Helpers for the AWS block tests: run one block under the project's capture mocks."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from specql_deploy.capture import (
    CapturedResource,
    ResourceGraph,
    run_under_mocks,
)

KEY = "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555"
ACCOUNT = "123456789012"
VPC = "vpc-0abc"
SUBNETS = ["subnet-a", "subnet-b"]


def build(program: Callable[[], Any]) -> ResourceGraph:
    """Capture what `program` registers (the block under test)."""
    return run_under_mocks(lambda: _discard(program()))


def _discard(_: Any) -> None:
    return None


def only(graph: ResourceGraph, type_token: str) -> CapturedResource:
    """The single resource of a type (fails when there are none or several)."""
    found = graph.of_type(type_token)
    assert len(found) == 1, f"{type_token}: {[r.name for r in found]}"
    return found[0]


def policy(resource: CapturedResource, key: str = "policy") -> dict[str, Any]:
    """A resource's JSON policy input, parsed."""
    return json.loads(resource.inputs[key])


def statements(resource: CapturedResource, key: str = "policy") -> dict[str, dict[str, Any]]:
    """Policy statements by Sid."""
    return {
        statement.get("Sid", str(index)): statement
        for index, statement in enumerate(policy(resource, key)["Statement"])
    }


def _resolved(name: str):
    from support import resolve_example

    return resolve_example(name)


SMALL = _resolved("small-saas")
"""The small-saas example, resolved: a block built from it gets exactly what the pattern passes."""
PRODUCTION = _resolved("production-saas")
"""The production-saas example, resolved (edge, replicas, isolated subnets, a domain)."""
