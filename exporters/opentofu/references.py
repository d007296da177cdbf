"""The capture the OpenTofu eject runs: every output a placeholder naming its resource and attribute.

The program runs under mocks with :class:`ReferenceHook`, which answers every output
property with a placeholder written as an HCL interpolation (``${«r12.arn»}``); an
output typed as a list of objects answers with one object whose fields are
placeholders with their traversal (``${«r12.masterUserSecrets»[0].secret_arn}``).
Data sources answer with placeholders naming a data source of the root module
(``${«data.aws_caller_identity.current.account_id»}``). Inputs built from outputs
therefore arrive with the placeholders inside, even through ``Output.concat`` and
``json_dumps``: :mod:`.translate` turns each into a reference.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from ...program.catalogue import AWS_MAX_ZONES_PER_REGION
from . import mapping

if TYPE_CHECKING:
    from ...capture import CapturedResource, ResourceGraph
    from ...program.model import ResolvedDeployment

PLACEHOLDER = re.compile(r"\$\{«([^«»]+)»((?:\[\d+\]|\.[A-Za-z_][A-Za-z0-9_]*)*)\}")
"""`${«key.attribute»<traversal>}`: group 1 names the value, group 2 is an optional HCL traversal."""


class ReferenceHook:
    """outputs_for: every output of a resource answers with its placeholder."""

    def __init__(self) -> None:
        self.urns: dict[str, str] = {}

    def __call__(self, resource: CapturedResource) -> dict[str, Any]:
        if resource.is_provider:
            return {}
        if resource.type.startswith(tuple(mapping.OTHER_TARGETS)):
            # Written by another target, never referenced by the HCL: outputs as the plain mocks answer.
            return dict(resource.inputs)
        key = f"r{len(self.urns)}"
        self.urns[key] = resource.urn
        state: dict[str, Any] = {}
        for name in resource.output_names:
            fields = resource.list_outputs.get(name)
            if fields:
                # A list of objects answers with one object whose fields carry the traversal
                # (`${«r12.masterUserSecrets»[0].secret_arn}`): a component reading the first
                # element's field gets the reference to exactly that.
                state[name] = [
                    {
                        field_name: "${«" + f"{key}.{name}" + "»" + f"[0].{mapping.snake(field_name)}" + "}"
                        for field_name in fields
                    }
                ]
            else:
                state[name] = "${«" + f"{key}.{name}" + "»}"
        state["id"] = "${«" + f"{key}.id" + "»}"
        return state


def _data_placeholders() -> dict[str, Any]:
    """Answers to the data-source calls for one capture: placeholders of the root's data blocks.

    A region's zone names answer one placeholder per position, naming the region
    (``${«data.aws_availability_zones.zones@eu-west-1.names»[0]}``): the translator gives
    each module the zones of its own provider's region.
    """
    answers: dict[str, Any] = {
        token: (lambda args, region, fields=fields: {key: "${«" + ref + "»}" for key, ref in fields.items()})
        for token, fields in mapping.DATA_CALLS.items()
    }
    answers[ZONES_CALL] = lambda args, region: {
        "names": [
            "${«" + f"data.aws_availability_zones.zones@{region}.names" + "»" + f"[{index}]}}"
            for index in range(AWS_MAX_ZONES_PER_REGION)
        ],
        "id": region,
    }
    return answers


ZONES_CALL = "aws:index/getAvailabilityZones:getAvailabilityZones"


def capture_with_references(resolved: ResolvedDeployment) -> tuple[ResourceGraph, dict[str, str]]:
    from ...capture import capture

    hook = ReferenceHook()
    graph = capture(resolved, outputs_for=hook, calls=_data_placeholders())
    return graph, hook.urns
