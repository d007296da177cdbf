"""Every key has an effect, or says why not (the walk of tests/walk_support.py).

For each pattern, every leaf of the manifest schema is set to each value other than the
pattern's default; each must be refused naming the key, warned about naming the key, or
change the offline capture (or, for keys a generated file consumes, the eject). The
refusals and warnings come from one table, `program/effects.py`.

`KNOWN_GAPS` lists, per pattern, the keys still passing silently: the test fails on any
key that passes silently and is not listed, and on a listed key that no longer does
(remove it from the list when it is built or ruled on).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from walk_support import PATTERNS, Walker, candidates, contexts, display, leaves

KNOWN_GAPS: dict[str, set[str]] = {pattern: set() for pattern in PATTERNS}


def walk(pattern: str, root: Path) -> dict[str, list[str]]:
    from specql_deploy.program.spec import DeploymentSpec

    walker = Walker(root)
    found: dict[str, list[str]] = {}
    for leaf in leaves(DeploymentSpec):
        if leaf.path == "deployment.pattern":
            continue  # the pattern is what is being walked
        for context in contexts(leaf):
            for value in candidates(leaf):
                outcome = walker.outcome(pattern, leaf, context, value)
                if outcome.kind in ("silent", "crashed", "refused-unnamed"):
                    found.setdefault(display(leaf.path), []).append(f"{outcome.kind}: {outcome.detail}")
    return found


@pytest.mark.parametrize("pattern", PATTERNS)
def test_every_key_is_built_refused_or_warned(pattern, tmp_path):
    # GIVEN the pattern, WHEN every key is set to each non-default value
    found = walk(pattern, tmp_path)
    # THEN none passes silently, none crashes after validating, every refusal names its key
    unexpected = {key: details for key, details in found.items() if key not in KNOWN_GAPS[pattern]}
    assert unexpected == {}
    assert set(found) >= KNOWN_GAPS[pattern], "a known gap is closed: remove it from KNOWN_GAPS"
