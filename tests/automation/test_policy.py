"""The destroy and lock-release policy, without the command line around it."""

from __future__ import annotations

import pytest

from specql_deploy.automation import policy

from support import resolve_example


def test_a_non_production_destroy_needs_yes_without_a_terminal(monkeypatch):
    monkeypatch.setattr(policy, "interactive", lambda: False)
    staging = resolve_example("full-manifest", "staging")
    with pytest.raises(policy.Refused, match="pass --yes"):
        policy.confirm_destroy(staging, yes=False, confirm_production=False)
    policy.confirm_destroy(staging, yes=True, confirm_production=False)


def test_a_production_destroy_needs_both_flags_or_the_name():
    production = resolve_example("full-manifest", "production")
    with pytest.raises(policy.Refused, match="--yes also needs --confirm-production"):
        policy.confirm_destroy(production, yes=True, confirm_production=False)
    policy.confirm_destroy(production, yes=True, confirm_production=True)


def test_the_deletion_protection_lift_is_for_non_production_stacks_only():
    # GIVEN staging and production of the same manifest
    staging = resolve_example("full-manifest", "staging")
    production = resolve_example("full-manifest", "production")
    # THEN only staging's destroy first runs a program with the cloud's protection off
    assert policy.unprotected_program(staging, project_root=".") is not None
    assert policy.unprotected_program(production, project_root=".") is None
