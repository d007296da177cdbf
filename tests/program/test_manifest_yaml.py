"""The manifest's YAML reader (libyaml events) reads what ruamel.yaml's safe loader reads.

ruamel.yaml (YAML 1.2, the project's YAML library elsewhere) is the reference: every
example and seed manifest gives the same document and the same line for every path,
and any plain value types the same, except where ruamel raises (there the text is kept).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML
from ruamel.yaml.nodes import MappingNode, ScalarNode, SequenceNode

from specql_deploy.program.manifest import ManifestError
from specql_deploy.program.manifest_yaml import plain_value, read_yaml

ROOT = Path(__file__).resolve().parents[2]
MANIFESTS = sorted([*ROOT.glob("examples/*/deployment.yaml"), *ROOT.glob("tests/program/seeds/*.yaml")])


def ruamel_reading(text: str) -> tuple[Any, dict[tuple, int]]:
    """The document and each path's line, as ruamel's safe loader composes them."""
    yaml = YAML(typ="safe", pure=True)
    lines: dict[tuple, int] = {}

    def read(node: Any, path: tuple) -> Any:
        if isinstance(node, MappingNode):
            result = {}
            for key_node, value_node in node.value:
                key = yaml.constructor.construct_object(key_node)
                key = key if isinstance(key, str) else str(key)
                lines[path + (key,)] = key_node.start_mark.line + 1
                result[key] = read(value_node, path + (key,))
            return result
        if isinstance(node, SequenceNode):
            items = []
            for index, item in enumerate(node.value):
                lines[path + (index,)] = item.start_mark.line + 1
                items.append(read(item, path + (index,)))
            return items
        assert isinstance(node, ScalarNode)
        value = yaml.constructor.construct_object(node)
        return value if value is None or isinstance(value, (str, bool, int, float)) else node.value

    return read(yaml.compose(text), ()), lines


@pytest.mark.parametrize("manifest", MANIFESTS, ids=lambda path: str(path.relative_to(ROOT)))
def test_every_example_reads_as_ruamel_reads_it(manifest):
    text = manifest.read_text(encoding="utf-8")
    document, lines, problems = read_yaml(text)
    expected_document, expected_lines = ruamel_reading(text)
    assert problems == []
    assert document == expected_document
    assert lines == expected_lines


def same(ours: Any, theirs: Any) -> bool:
    if isinstance(theirs, float) and math.isnan(theirs):
        return isinstance(ours, float) and math.isnan(ours)
    return type(ours) is type(theirs) and ours == theirs


PLAIN_WORDS = st.sampled_from(
    ["true", "True", "TRUE", "false", "yes", "no", "on", "off", "y", "n", "null", "Null", "NULL", "~", ".inf",
     "-.inf", "+.INF", ".nan", ".NaN", "0x1F", "0o17", "0b101", "0777", "1_000", "1e5", "1.", ".5", "1:30",
     "2026-12-01", "12:30:00", "-_", "0x_", "_", "<<", "="]
)  # fmt: skip
NUMBER_SHAPED = st.text(alphabet="0123456789+-._eExobXAFaf", min_size=1, max_size=8)


@settings(max_examples=400, deadline=None)
@given(st.one_of(PLAIN_WORDS, NUMBER_SHAPED))
def test_plain_values_type_as_ruamel_types_them(text):
    yaml = YAML(typ="safe", pure=True)
    try:
        theirs = yaml.load(f"v: {text}\n")
    except Exception:  # not a plain value there (a syntax error), or one ruamel cannot build
        theirs = None
    if not isinstance(theirs, dict) or set(theirs) != {"v"}:
        return
    expected = theirs["v"]
    if not (expected is None or isinstance(expected, (str, bool, int, float))):
        expected = text  # timestamps are kept as the text written
    assert same(plain_value(text), expected), (text, plain_value(text), expected)


def test_values_ruamel_cannot_build_are_kept_as_text():
    for text in ("-_", "0x_", "._", "+_"):
        assert plain_value(text) == text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "(root): the manifest is empty"),
        ("# only a comment\n", "(root): the manifest is empty"),
        ("---\n", "(root): the manifest is empty"),
    ],
)
def test_no_document_is_an_empty_manifest(text, expected):
    with pytest.raises(ManifestError) as error:
        read_yaml(text)
    assert str(error.value.problems[0]).startswith(expected)


def test_a_second_document_is_a_problem_with_its_line():
    document, _, problems = read_yaml("deployment: {pattern: small-saas}\n---\nother: 1\n")
    assert document == {"deployment": {"pattern": "small-saas"}}
    assert [str(problem) for problem in problems] == [
        "(root): a manifest is one YAML document; remove the `---` and what follows (line 2)"
    ]


@pytest.mark.parametrize("depth", [800, 5000])  # past Python's recursion limit; past libyaml's own bound
def test_a_deeply_nested_document_is_refused_not_a_crash(depth):
    with pytest.raises(ManifestError) as error:
        read_yaml("a: " + "[" * depth + "]" * depth)
    (problem,) = error.value.problems
    assert "invalid YAML" in problem.message and "nest" in problem.message, problem
