"""deployment.yaml's YAML as plain Python, each path's line, and its structural problems.

The text is parsed to events by libyaml (PyYAML's C parser; PyYAML's own Python parser
when it is built without libyaml) and the values are built here, event by event, rather
than by a YAML constructor, so that:
- an alias (`*name`) is refused where it is written, before anything can expand it (a
  kilobyte of nested aliases is gigabytes of data);
- a key written twice is reported with both lines, a tag the manifest cannot read with
  its own, and the rest of the document is still read so every problem comes in one run;
- plain values are typed by YAML 1.2's core schema (`yes`, `on` and `1:30` stay text,
  `0755` is 755, `1_000`, `0o17` and `0x1F` are numbers), exactly as ruamel.yaml's safe
  loader types them (`tests/program/test_manifest_yaml.py` checks the two agree), at C
  speed: ruamel's pure-Python parse was most of `specql deploy validate` after the imports.
Timestamps and binary are kept as the text written; nothing else is constructed, and a
`%YAML 1.1` directive changes nothing.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

import yaml

from .problems import ManifestError, Problem, dotted

CORE = "tag:yaml.org,2002:"
_COLLECTION_TAGS = frozenset((CORE + "map", CORE + "seq"))
_NULL_WORDS = frozenset(("", "~", "null", "Null", "NULL"))
_BOOLS = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}

# YAML 1.2 core schema as ruamel.yaml resolves it (its VersionedResolver for 1.2), in its order.
_FLOAT = re.compile(
    r"[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?"
    r"|[-+]?(?:[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)"
    r"|[-+]?\.[0-9_]+(?:[eE][-+][0-9]+)?"
    r"|[-+]?\.(?:inf|Inf|INF)"
    r"|\.(?:nan|NaN|NAN)"
)
_INT = re.compile(r"[-+]?0b[0-1_]+|[-+]?0o?[0-7_]+|[-+]?[0-9_]+|[-+]?0x[0-9a-fA-F_]+")
_NUMBER_START = frozenset("-+0123456789.")


def read_yaml(text: str) -> tuple[dict[str, Any], dict[tuple, int], list[Problem]]:
    """The document as plain Python, each path's line (1-based), and the structural problems.

    Raises ManifestError when there is no usable document: a syntax error, no document,
    an alias, or a root that is not a mapping.
    """
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)(text)
    reader = _EventReader(loader)
    try:
        document = reader.stream()
    except yaml.MarkedYAMLError as error:
        raise ManifestError(_syntax_problems(text, error)) from None
    except yaml.YAMLError as error:
        raise ManifestError([Problem("(yaml)", f"invalid YAML: {error}")]) from None
    except RecursionError:
        raise ManifestError([Problem("(yaml)", "invalid YAML: nested too deeply")]) from None
    finally:
        loader.dispose()
    if document is None:
        raise ManifestError(
            [Problem("(root)", "the manifest is empty; start with `deployment: {pattern: small-saas}`")]
        )
    if reader.aliases:
        first, more = reader.aliases[0], len(reader.aliases) - 1
        others = f" ({more} more alias{'es' if more > 1 else ''} follow)" if more else ""
        raise ManifestError(
            [
                Problem(
                    first.path,
                    f"YAML aliases ({first.message}) are not accepted in a deployment manifest; "
                    f"write the value out{others}",
                    first.line,
                )
            ]
        )
    if not isinstance(document, dict):
        kind = "a list" if isinstance(document, list) else f"a {type(document).__name__}"
        raise ManifestError(
            [Problem("(root)", f"the manifest must be a mapping with a `deployment:` key, not {kind}", 1)]
        )
    return document, reader.lines, reader.problems


def plain_value(text: str) -> Any:
    """An untagged plain scalar by YAML 1.2's core schema; number-shaped text that is no
    number (`-_`, `0x_`) stays text, where ruamel.yaml raises."""
    first = text[:1]
    if first in "tTfF" and text in _BOOLS:
        return _BOOLS[text]
    if first in _NUMBER_START:
        try:
            if _FLOAT.fullmatch(text):
                return _float(text)
            if _INT.fullmatch(text):
                return _int(text)
        except ValueError:
            return text
    if text in _NULL_WORDS:
        return None
    return text


def _signed(digits: str) -> tuple[int, str]:
    """(sign, the digits after it)."""
    if digits[:1] in ("+", "-"):
        return (-1 if digits[0] == "-" else 1), digits[1:]
    return 1, digits


def _int(text: str) -> int:
    sign, digits = _signed(text.replace("_", ""))
    for prefix, base in (("0b", 2), ("0x", 16), ("0o", 8)):
        if digits.startswith(prefix):
            return sign * int(digits[2:], base)
    return sign * int(digits)


def _float(text: str) -> float:
    sign, digits = _signed(text.replace("_", "").lower())
    if digits == ".inf":
        return sign * math.inf
    if digits == ".nan":
        return math.nan
    return sign * float(digits)


def _tagged_int(text: str) -> int:
    if not _INT.fullmatch(text):
        raise ValueError(text)
    return _int(text)


def _tagged_float(text: str) -> float:
    if not (_FLOAT.fullmatch(text) or _INT.fullmatch(text)):
        raise ValueError(text)
    return _float(text)


def _tagged_bool(text: str) -> bool:
    if text not in _BOOLS:
        raise ValueError(text)
    return _BOOLS[text]


def _tagged_null(text: str) -> None:
    if text not in _NULL_WORDS:
        raise ValueError(text)


_EXPLICIT: dict[str, Callable[[str], Any]] = {
    CORE + "str": str,
    CORE + "int": _tagged_int,
    CORE + "float": _tagged_float,
    CORE + "bool": _tagged_bool,
    CORE + "null": _tagged_null,
    CORE + "timestamp": str,
    CORE + "binary": str,
}
"""The tags a value may carry, each reading the text it tags (or raising ValueError)."""


class _EventReader:
    """YAML events → plain Python, recording each path's line and every structural problem."""

    def __init__(self, events: Any) -> None:
        self.events = events
        self.lines: dict[tuple, int] = {}
        self.problems: list[Problem] = []
        self.aliases: list[Problem] = []

    def stream(self) -> Any:
        events = self.events
        events.get_event()  # stream start
        if events.check_event(yaml.StreamEndEvent):
            return None
        events.get_event()  # document start
        document = self.value(())
        events.get_event()  # document end
        if not events.check_event(yaml.StreamEndEvent):
            line = events.peek_event().start_mark.line + 1
            self.problems.append(
                Problem("(root)", "a manifest is one YAML document; remove the `---` and what follows", line)
            )
        return document

    def value(self, path: tuple) -> Any:
        event = self.events.get_event()
        line = event.start_mark.line + 1
        where = dotted(path) or "(root)"
        if isinstance(event, yaml.AliasEvent):
            self.aliases.append(Problem(where, f"*{event.anchor}", line))
            return None
        if isinstance(event, yaml.ScalarEvent):
            return self._scalar(event, where, line)
        if event.tag is not None and event.tag != "!" and event.tag not in _COLLECTION_TAGS:
            # reported, and the value read as if untagged so the rest is still checked
            self.problems.append(Problem(where, f"{_tag_words(event.tag)}; write the plain value", line))
        if isinstance(event, yaml.SequenceStartEvent):
            return self._sequence(path)
        return self._mapping(path)

    def _sequence(self, path: tuple) -> list[Any]:
        items: list[Any] = []
        while not self.events.check_event(yaml.SequenceEndEvent):
            self.lines[path + (len(items),)] = self.events.peek_event().start_mark.line + 1
            items.append(self.value(path + (len(items),)))
        self.events.get_event()
        return items

    def _mapping(self, path: tuple) -> dict[str, Any]:
        events = self.events
        result: dict[str, Any] = {}
        first_line: dict[str, int] = {}
        while not events.check_event(yaml.MappingEndEvent):
            key_event = events.peek_event()
            line = key_event.start_mark.line + 1
            key: Any = None
            if isinstance(key_event, yaml.ScalarEvent):
                events.get_event()
                if not (key_event.value == "<<" and key_event.implicit[0]):  # a merge key
                    key = self._scalar(key_event, dotted(path) or "(root)", line)
            else:
                self._skip()  # an alias, a list or a mapping as a key
            if not isinstance(key, (str, int, float, bool)) or key is None:
                self.problems.append(Problem(dotted(path) or "(root)", "mapping keys must be plain words", line))
                self._skip()
                continue
            key_text = key if isinstance(key, str) else str(key)
            where = path + (key_text,)
            if key_text in first_line:
                self.problems.append(
                    Problem(
                        dotted(where),
                        f"the key `{key_text}` appears twice in the same mapping, "
                        f"first on line {first_line[key_text]}; keep one",
                        line,
                    )
                )
                self._skip()
                continue
            first_line[key_text] = line
            self.lines[where] = line
            result[key_text] = self.value(where)
        events.get_event()
        return result

    def _scalar(self, event: Any, where: str, line: int) -> Any:
        tag, text = event.tag, event.value
        if tag is None or tag == "!":
            return plain_value(text) if event.implicit[0] else text
        read = _EXPLICIT.get(tag)
        if read is None:
            self.problems.append(Problem(where, f"{_tag_words(tag)}; write the plain value", line))
            return text
        try:
            return read(text)
        except ValueError:
            self.problems.append(
                Problem(where, f"`!!{tag.removeprefix(CORE)}` cannot read {text!r}; write the plain value", line)
            )
            return None

    def _skip(self) -> None:
        """Consume one whole node without reading it."""
        depth = 0
        while True:
            event = self.events.get_event()
            if isinstance(event, yaml.SequenceStartEvent | yaml.MappingStartEvent):
                depth += 1
            elif isinstance(event, yaml.SequenceEndEvent | yaml.MappingEndEvent):
                depth -= 1
            if depth == 0:
                return


def _tag_words(tag: str) -> str:
    shown = f"!!{tag.removeprefix(CORE)}" if tag.startswith(CORE) else tag
    return f"the YAML tag `{shown}` is not accepted in a deployment manifest"


def _syntax_problems(text: str, error: Any) -> list[Problem]:
    """A YAML syntax error as problems: tabs in indentation name every such line."""
    tabbed = [
        number
        for number, line in enumerate(text.splitlines(), start=1)
        if "\t" in line[: len(line) - len(line.lstrip(" \t"))]
    ]
    if tabbed:
        return [Problem(_path_at_line(text, number), "YAML forbids tabs for indentation", number) for number in tabbed]
    mark = error.problem_mark or error.context_mark
    line = mark.line + 1 if mark else None
    message = (error.problem or "invalid YAML").strip()
    return [Problem(_path_at_line(text, line) if line else "(yaml)", f"invalid YAML: {message}", line)]


def _path_at_line(text: str, number: int) -> str:
    """The dotted path of the keys enclosing line `number`, read from indentation alone
    (the document does not parse, so this is a best guess; `(yaml)` when there is none)."""
    path: list[tuple[int, str]] = []
    for line in text.splitlines()[:number]:
        stripped = line.lstrip(" \t-")
        if not stripped or stripped.startswith("#"):
            continue
        indent = len(line) - len(stripped)
        key = re.match(r"([A-Za-z_][\w-]*)\s*:(\s|$)", stripped)
        while path and path[-1][0] >= indent:
            path.pop()
        if key:
            path.append((indent, key.group(1)))
    return ".".join(key for _, key in path) or "(yaml)"
