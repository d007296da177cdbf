"""Every key has an effect, or says why not (the walk of tests/walk_support.py).

For each pattern, every leaf of the manifest schema is set to each value other than the
pattern's default; each must be refused naming the key, warned about naming the key, or
change the offline capture (or, for keys a generated file consumes, the eject). The
refusals and warnings come from one table, `program/effects.py`.

A new key that passes silently on some pattern fails this test by name: build it, or
give it a rule (refused with the alternative, or warned about) in `program/effects.py`.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from walk_support import PATTERNS, Walker, candidates, contexts, display, leaves


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
    assert found == {}


def test_the_walk_reports_a_key_that_passes_silently(tmp_path, monkeypatch):
    from specql_deploy.program import effects
    from specql_deploy.program.spec import DeploymentSpec

    # GIVEN the rule for `database.operator` (a kubernetes setting) taken out of the table
    kept = tuple(rule for rule in effects.RULES if rule.key != "database.operator")
    monkeypatch.setattr(effects, "RULES", kept)
    (leaf,) = [leaf for leaf in leaves(DeploymentSpec) if leaf.path == "database.operator"]
    # WHEN small-saas is given an operator
    outcome = Walker(tmp_path).outcome("small-saas", leaf, {}, "crunchy-pgo")
    # THEN the walk names it as silent
    assert outcome.kind == "silent" and outcome.detail.startswith("database.operator:")


def test_the_walk_accepts_a_warning_or_a_refusal_naming_the_key(tmp_path):
    from specql_deploy.program.spec import DeploymentSpec

    by_path = {leaf.path: leaf for leaf in leaves(DeploymentSpec)}
    walker = Walker(tmp_path)
    assert walker.outcome("small-saas", by_path["database.operator"], {}, "crunchy-pgo").kind == "warned"
    assert walker.outcome("small-saas", by_path["platform.regions"], {}, ["us-east-1", "eu-west-1"]).kind == "refused"
