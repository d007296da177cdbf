"""The schema states each field's default from the tables, never from hand-written text."""

from __future__ import annotations

import pytest

from specql_deploy.program import spec
from specql_deploy.program.defaults_text import default_sentence, documented_fields
from specql_deploy.program.schema import manifest_schema

DOCUMENTED = documented_fields(spec.DeploymentSpec)


def _property(schema: dict, model: str, field: str) -> dict:
    info = getattr(spec, model).model_fields[field]
    return schema["$defs"][model]["properties"][info.alias or field]


@pytest.mark.parametrize(
    ("model", "field"), sorted(key for key, feeds in DOCUMENTED.items() if default_sentence(feeds))
)
def test_a_documented_field_does_not_hand_write_its_default(model, field):
    # GIVEN a field whose default the tables hold
    # THEN its own doc says what it is, and only the generated sentence says its default
    assert "Default" not in (getattr(spec, model).model_fields[field].description or "")


def test_the_schema_states_the_global_default_and_the_pattern_overrides():
    schema = manifest_schema()
    storage = _property(schema, "DatabaseSpec", "storage")["description"]
    assert storage.endswith(
        "Defaults to `20` (the RDS gp3 minimum; storage autoscaling grows it); `100` on production-saas."
    )
    instances = _property(schema, "ApplicationSpec", "instances")["description"]
    assert "`1` on hobby-project, `3` on production-saas and kubernetes." in instances
    multi_az = _property(schema, "DatabaseSpec", "multi_az")["description"]
    assert multi_az.endswith("`true` in production environments.")
    port = _property(schema, "ApplicationSpec", "port")["description"]
    assert port.endswith("Defaults per framework: fraiseql `8000`, django `8000`, rails `3000`, nodejs `3000`.")


def test_item_fields_state_the_item_defaults_in_their_own_spelling():
    schema = manifest_schema()
    duration = _property(schema, "AlarmSpec", "duration")["description"]
    assert "Defaults to `5m` (" in duration
    versioning = _property(schema, "BucketSpec", "versioning")["description"]
    assert "Defaults to `true` (" in versioning


def test_a_changed_table_changes_the_schema(monkeypatch):
    # GIVEN a new global default
    from specql_deploy.program import defaults
    from specql_deploy.program.markers import Default

    monkeypatch.setitem(defaults.GLOBAL_DEFAULTS, "database.max_connections", Default(300, "more room"))
    monkeypatch.setitem(defaults.GLOBAL_DEFAULTS, "database.storage_gb", Default(30, "a new minimum"))
    # THEN the published text follows without anyone editing a doc
    assert "Defaults to `30` (a new minimum)" in _property(manifest_schema(), "DatabaseSpec", "storage")["description"]
