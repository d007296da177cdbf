"""Reading the state `eject --from-stack` adopts: refused while an update holds the stack.

The engine tier (tests/exporters/opentofu/test_opentofu_adopt_engine.py) runs the same against the real CLI and a
local backend; these check the decision on the stack list alone.
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from specql_deploy.automation.deployer import Deployer
from specql_deploy.automation.errors import EXIT_USAGE, DeployError


class _Stack:
    def __init__(self) -> None:
        self.exported = 0

    def export_stack(self):
        self.exported += 1
        return SimpleNamespace(deployment={"resources": []})


def _deployer(tmp_path: Path, monkeypatch, *, busy: bool) -> tuple[Deployer, _Stack]:
    deployer = Deployer("shop", "production", None, tmp_path, "file:///nowhere", cancel_hint="specql deploy cancel x")
    stack = _Stack()
    summaries = [
        SimpleNamespace(name="organization/shop/dev", update_in_progress=True),
        SimpleNamespace(name="organization/shop/production", update_in_progress=busy),
    ]
    deployer._workspace = SimpleNamespace(list_stacks=lambda: summaries)
    monkeypatch.setattr(deployer, "_stack", lambda create: stack)
    return deployer, stack


def test_a_stack_an_update_holds_is_refused_and_its_state_not_read(tmp_path, monkeypatch):
    # GIVEN a stack whose update is in progress (or left its lock)
    deployer, stack = _deployer(tmp_path, monkeypatch, busy=True)
    # WHEN its state is read for adoption
    with pytest.raises(DeployError) as refused:
        deployer.adoption_state()
    # THEN it is refused as bad usage, saying how to release the lock, before any export
    assert refused.value.code == EXIT_USAGE
    assert "locked" in refused.value.message and "specql deploy cancel x" in refused.value.message
    assert stack.exported == 0


def test_another_stacks_update_does_not_hold_this_one(tmp_path, monkeypatch):
    deployer, stack = _deployer(tmp_path, monkeypatch, busy=False)
    assert deployer.adoption_state() == {"resources": []}
    assert stack.exported == 1
