"""The eject is wired like the program: the same references, edge by edge, both ways."""

from __future__ import annotations

import pytest

from . import edges
from .tofu_support import AWS_EXAMPLES, manifest, resolve

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def _both_sides(name: str) -> tuple[set[edges.Edge], set[edges.Edge]]:
    from specql_deploy.capture.cost import estimate
    from specql_deploy.exporters.contract import ExportContext
    from specql_deploy.exporters.opentofu.files import render_configuration
    from specql_deploy.exporters.opentofu.references import capture_with_references
    from specql_deploy.exporters.opentofu.translate import Translator

    resolved = resolve(name)
    graph, keys = capture_with_references(resolved)
    configuration = Translator(graph, keys, resolved).build()
    files = {
        item.path: item.content
        for item in render_configuration(
            configuration, ExportContext(manifest(name), resolved), estimate(graph, resolved)
        )
    }
    return edges.program_edges(configuration, keys), edges.HclGraph(files, edges.family_sizes(configuration)).edges()


@pytest.mark.parametrize("name", AWS_EXAMPLES)
def test_every_reference_of_the_program_is_the_same_edge_in_the_hcl(name):
    # GIVEN the references the program's resources make and those the ejected HCL makes
    program, hcl = _both_sides(name)
    # THEN they are the same set: no edge lost, none invented, none redirected
    missing = sorted(f"{e.source} -> {e.target}.{e.attribute}" for e in program - hcl)
    invented = sorted(f"{e.source} -> {e.target}.{e.attribute}" for e in hcl - program)
    assert (missing, invented) == ([], []), f"in the program only: {missing}\nin the HCL only: {invented}"
    assert len(program) > 50
