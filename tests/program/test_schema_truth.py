"""The published JSON Schema tells the truth: each choice it offers is one `validate`
accepts for some pattern (and each such choice is offered), and every field states its
default (or that it is required, or that a section left out takes its defaults)."""

from __future__ import annotations

import typing
from pathlib import Path

import pytest
from walk_support import PATTERNS, Walker, _inner, contexts, leaves, merge, with_value


def schema_and_paths():
    from specql_deploy.program.schema import _field_paths, manifest_schema

    return manifest_schema(), _field_paths()


def offered(node) -> set:
    """Every enum value in a schema node (through anyOf)."""
    found: set = set()
    if isinstance(node, dict):
        found.update(node.get("enum", ()))
        if "const" in node:
            found.add(node["const"])
        for option in node.get("anyOf", ()):
            found |= offered(option)
        if "items" in node:
            found |= offered(node["items"])
    return found


def choice_leaves():
    from specql_deploy.program.spec import DeploymentSpec

    for leaf in leaves(DeploymentSpec):
        inner, _ = _inner(leaf.annotation)
        if typing.get_origin(inner) is typing.Literal:
            yield leaf, set(typing.get_args(inner))
        elif (
            typing.get_origin(inner) in (tuple, list) and typing.get_origin(typing.get_args(inner)[0]) is typing.Literal
        ):
            yield leaf, set(typing.get_args(typing.get_args(inner)[0]))


CHOICES = list(choice_leaves())


@pytest.mark.parametrize(("leaf", "choices"), CHOICES, ids=[leaf.path for leaf, _ in CHOICES])
def test_the_schema_offers_exactly_the_choices_some_pattern_accepts(leaf, choices, tmp_path):
    # GIVEN the choices the schema offers for the key
    schema, paths = schema_and_paths()
    model_name, key = paths[leaf.path]
    model = schema if model_name == "DeploymentSpec" else schema["$defs"][model_name]
    shown = offered(model["properties"][key])
    # WHEN each choice the model knows is tried on every pattern
    walker = Walker(tmp_path)
    is_list = typing.get_origin(_inner(leaf.annotation)[0]) in (tuple, list)
    accepted = set()
    for value in choices:
        written = [value] if is_list else value
        for pattern in PATTERNS:
            for context in contexts(leaf):
                document = with_value(merge({"deployment": {"pattern": pattern}}, context), leaf.path, written)
                if walker.resolve(document)[0] is not None:
                    accepted.add(value)
    # THEN the schema offers those, and only those
    assert shown == accepted


def test_every_field_states_its_default():
    schema, _ = schema_and_paths()
    missing = []
    for name, model in [("(root)", schema), *schema["$defs"].items()]:
        for key, prop in model.get("properties", {}).items():
            description = prop.get("description", "")
            if not any(word in description for word in ("Defaults", "Required.", "Left out")):
                missing.append(f"{name}.{key}")
    assert missing == []


def test_a_refused_choice_is_left_out_of_the_shorthand_too():
    schema, _ = schema_and_paths()
    # `storage: gcs` is refused on every pattern, so the string form does not offer it
    assert "gcs" not in offered(schema["properties"]["storage"])
    assert "s3" in offered(schema["properties"]["storage"])


def test_published_schema_is_valid_json_schema():
    import jsonschema

    schema, _ = schema_and_paths()
    jsonschema.Draft202012Validator.check_schema(schema)
    # and the seeds' manifests, as written, are valid against it
    from ruamel.yaml import YAML

    for seed in sorted((Path(__file__).parent / "seeds").glob("*.yaml")):
        document = YAML(typ="safe").load(seed.read_text())
        errors = list(jsonschema.Draft202012Validator(schema).iter_errors(document))
        assert errors == [], (seed.name, [error.message for error in errors][:3])
