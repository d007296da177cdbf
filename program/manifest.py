"""Reading deployment.yaml: YAML with line numbers, the `deployment:` shorthand, and
errors a user can act on (`field.path: message (line N)`, with "did you mean").

The proposal writes whole manifests under one `deployment:` key (`deployment:
{pattern, platform: aws, database: ...}`) and also as top-level sections. Both are
accepted: sections found under `deployment` are lifted to the top level before
validation, and errors are reported at the path the user actually wrote.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from difflib import get_close_matches
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from .manifest_yaml import read_yaml
from .problems import ManifestError, Problem, dotted
from .spec import SECTIONS, DeploymentMeta, DeploymentSpec, PlatformSpec, ascii_dns_label

# Keys under `deployment:` that belong elsewhere: key → path in the long form.
LIFTED = {
    **{section: (section,) for section in SECTIONS},
    "region": ("platform", "region"),
    "regions": ("platform", "regions"),
    "availability_zones": ("platform", "availability_zones"),
    "cluster": ("kubernetes", "cluster"),
    "kubeconfig": ("kubernetes", "kubeconfig"),
    "context": ("kubernetes", "context"),
    "namespace": ("kubernetes", "namespace"),
    "ingress": ("kubernetes", "ingress"),
}
MAX_MANIFEST_BYTES = 1_000_000


@dataclass(frozen=True)
class Manifest:
    """A validated manifest and where it came from."""

    path: Path
    spec: DeploymentSpec
    lines: Mapping[str, int] = field(default_factory=dict)
    """The line each dotted path the user wrote starts on (`deployment.application.memory` → 4)."""

    def line_of(self, path: str) -> int | None:
        """The line of `path` or of the nearest written section holding it (short or long form)."""
        for candidate in (path, f"deployment.{path}"):
            parts = candidate.split(".")
            for length in range(len(parts), 0, -1):
                found = self.lines.get(".".join(parts[:length]))
                if found is not None and (length > 1 or candidate == path):
                    return found
        return None

    def written_path(self, path: str) -> str:
        """`path` with each key spelled as this manifest writes it.

        A key the manifest accepts under two names (`monitoring.alarms` or `alerts`,
        `application.instances` or `replicas`) is reported by the one the user wrote:
        `monitoring.alarms[1]` is `monitoring.alerts[1]` in a manifest that says `alerts:`.
        """
        written: list[str] = []
        names: list[str] = []
        for part in path.split("."):
            name, bracket, index = part.partition("[")
            owner = _model_at(tuple(names))
            info = _field(owner, name) if owner is not None else None
            if info is not None:
                for key in sorted(_keys_of(name, info)):
                    candidate = ".".join([*written, key])
                    if candidate in self.lines or f"deployment.{candidate}" in self.lines:
                        name = key
                        break
            names.append(name)
            written.append(f"{name}{bracket}{index}")
        return ".".join(written)

    def problem(self, path: str, message: str) -> Problem:
        """A resolution problem at `path`, named as the manifest writes it, with its line."""
        shown = self.written_path(path)
        return Problem(shown, message, self.line_of(shown))

    def warning(self, text: str) -> Problem | str:
        """A resolution warning (`field.path: message`) as a problem with its line; other text as it is."""
        match = re.match(r"^([a-z_][a-z0-9_]*(?:\[\d+\])?(?:\.[a-z_][a-z0-9_]*(?:\[\d+\])?)*): (.*)$", text, re.S)
        if match is None:
            return text
        return self.problem(match.group(1), match.group(2))

    @property
    def default_name(self) -> str:
        """The folder name made DNS-safe: the default `deployment.name`."""
        return dns_safe(self.path.resolve().parent.name)


def dns_safe(text: str) -> str:
    return ascii_dns_label(text) or "app"


# ------------------------------------------------------------------------------- load


def load(path: str | Path) -> Manifest:
    """Read and validate a manifest file; raise ManifestError with every problem."""
    path = Path(path)
    text = _read(path)
    lines: dict[str, int] = {}
    return Manifest(path=path, spec=parse(text, lines), lines=lines)


def _read(path: Path) -> str:
    name = str(path)
    if not path.exists():
        raise ManifestError(
            [
                Problem(
                    name,
                    "file not found; pass the path of your deployment.yaml, or write one with `specql deploy init`",
                )
            ]
        )
    if path.is_dir():
        hint = " (it has a deployment.yaml inside: pass that)" if (path / "deployment.yaml").is_file() else ""
        raise ManifestError([Problem(name, f"is a directory, not a manifest file{hint}")])
    try:
        data = path.read_bytes()
    except OSError as error:
        raise ManifestError([Problem(name, f"cannot be read: {error.strerror or error}")]) from None
    if len(data) > MAX_MANIFEST_BYTES:
        raise ManifestError([Problem(name, "is larger than 1 MB; a deployment manifest is a few dozen lines")])
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise ManifestError([Problem(name, "is not UTF-8 text")]) from None


def parse(text: str, lines_out: dict[str, int] | None = None) -> DeploymentSpec:
    """Validate manifest text; raise ManifestError with every problem found, not only the first.

    `lines_out`, when given, receives the line of every dotted path the user wrote.
    """
    document, lines, found = read_yaml(text)
    if lines_out is not None:
        lines_out.update({dotted(path): line for path, line in lines.items()})
    data, moved = _lift(document)
    try:
        spec = DeploymentSpec.model_validate(data)
    except ValidationError as error:
        raise ManifestError(found + _problems(error, lines, moved)) from None
    if found:
        raise ManifestError(found)
    return spec


def _lift(document: dict[str, Any]) -> tuple[dict[str, Any], dict[tuple, tuple]]:
    """Move sections written under `deployment:` to the top level.

    Returns the new document and a map from each new path prefix to the path the user
    wrote, so errors point at the user's text.
    """
    meta = document.get("deployment")
    if not isinstance(meta, dict):
        return document, {}
    data = {key: value for key, value in document.items() if key != "deployment"}
    kept: dict[str, Any] = {}
    moved: dict[tuple, tuple] = {}
    conflicts: list[Problem] = []
    for key, value in meta.items():
        target = LIFTED.get(key)
        if target is None:
            kept[key] = value
            continue
        if len(target) == 1:
            if key in data:
                conflicts.append(Problem(f"deployment.{key}", f"`{key}` is also given at the top level; keep one"))
                continue
            data[key] = value
        else:
            section, field = target
            holder = data.setdefault(section, {})
            if isinstance(holder, str) and section == "platform":
                holder = data[section] = {"provider": holder}
            if not isinstance(holder, dict):
                conflicts.append(Problem(f"deployment.{key}", f"cannot merge into `{section}`"))
                continue
            if field in holder:
                conflicts.append(Problem(f"deployment.{key}", f"`{section}.{field}` is also given; keep one"))
                continue
            holder[field] = value
        moved[target] = ("deployment", key)
    if conflicts:
        raise ManifestError(conflicts)
    if isinstance(data.get("platform"), str) and any(t[0] == "platform" and len(t) > 1 for t in moved):
        data["platform"] = {"provider": data["platform"]}
    data["deployment"] = kept
    return data, moved


# ------------------------------------------------------------------------------ errors


def _problems(error: ValidationError, lines: dict[tuple, int], moved: dict[tuple, tuple]) -> list[Problem]:
    problems: list[Problem] = []
    seen: set[str] = set()
    for item in error.errors(include_url=False):
        loc = tuple(item["loc"])
        message = item["msg"]
        kind = item["type"]
        loc, message = _path_from_message(loc, message)
        user_loc = _user_path(loc, moved)
        if kind == "extra_forbidden":
            message = _unknown_key(loc)
        elif kind == "missing":
            message = "required" + _required_hint(loc)
        elif kind in ("literal_error", "enum"):
            message = _choices_message(item, loc)
        elif kind.startswith("value_error") or kind == "assertion_error":
            message = message.removeprefix("Value error, ").removeprefix("Assertion failed, ")
        elif kind in BOUNDS:
            message = BOUNDS[kind].format(**item.get("ctx", {}))
        elif kind in PLAIN_TYPES:
            message = PLAIN_TYPES[kind] + f", not {item.get('input')!r}"
        elif kind == "model_type" or kind == "dict_type":
            message = "must be a mapping of keys to values" + _shorthand_hint(loc)
        elif kind in ("tuple_type", "list_type"):
            message = "must be a list (lines starting with '- ')"
        text = f"{dotted(user_loc)}: {message}"
        if text in seen:
            continue
        seen.add(text)
        problems.append(Problem(dotted(user_loc) or "(root)", message, _line(user_loc, lines)))
    return problems


BOUNDS = {
    "less_than_equal": "must be at most {le}",
    "greater_than_equal": "must be at least {ge}",
    "less_than": "must be less than {lt}",
    "greater_than": "must be more than {gt}",
    "too_short": "needs at least {min_length} item(s)",
    "too_long": "takes at most {max_length} item(s)",
}
PLAIN_TYPES = {
    "int_parsing": "must be a whole number",
    "int_type": "must be a whole number",
    "int_from_float": "must be a whole number",
    "float_parsing": "must be a number",
    "float_type": "must be a number",
    "bool_parsing": "must be true or false",
    "bool_type": "must be true or false",
    "string_type": "must be text",
}


def _path_from_message(loc: tuple, message: str) -> tuple[tuple, str]:
    """Rules may name a more precise place than their field.

    Root-level rules start their message with the path (`platform.provider: ...`);
    a rule over a mapping names the offending key as `@KEY: ...`.
    """
    text = message.removeprefix("Value error, ")
    if text.startswith("@") and ": " in text:
        key, _, rest = text[1:].partition(": ")
        return loc + (key,), "Value error, " + rest
    match = re.match(r"^([a-z_]+(?:\[\d+\])?(?:\.[a-z_]+(?:\[\d+\])?)*): (.*)$", text, re.S)
    if not loc and match:
        parts: list[Any] = []
        for piece in match.group(1).split("."):
            name, _, index = piece.partition("[")
            parts.append(name)
            if index:
                parts.append(int(index.rstrip("]")))
        return tuple(parts), "Value error, " + match.group(2)
    return loc, message


def _user_path(loc: tuple, moved: dict[tuple, tuple]) -> tuple:
    for length in range(len(loc), 0, -1):
        prefix = loc[:length]
        if prefix in moved:
            return moved[prefix] + loc[length:]
    return loc


def _line(loc: tuple, lines: dict[tuple, int]) -> int | None:
    for length in range(len(loc), 0, -1):
        if loc[:length] in lines:
            return lines[loc[:length]]
    return None


def _model_at(loc: tuple) -> type[BaseModel] | None:
    """The pydantic model that owns the mapping at ``loc`` (for key suggestions)."""
    import types
    import typing

    model: Any = DeploymentSpec
    for part in loc:
        if isinstance(part, int):
            continue
        if not (isinstance(model, type) and issubclass(model, BaseModel)):
            return None
        field = _field(model, part)
        if field is None:
            return None
        model = field.annotation
        # unwrap Optional[...] and tuple[X, ...]
        for _ in range(3):
            origin = typing.get_origin(model)
            if origin in (typing.Union, types.UnionType):
                model = next((a for a in typing.get_args(model) if a is not type(None)), model)
            elif origin in (tuple, list):
                model = typing.get_args(model)[0]
    return model if isinstance(model, type) and issubclass(model, BaseModel) else None


def _field(model: type[BaseModel], key: str) -> Any:
    for name, info in model.model_fields.items():
        if key in _keys_of(name, info):
            return info
    return None


def _keys_of(name: str, field: Any) -> set[str]:
    keys = {field.alias or name}
    choices = getattr(field.validation_alias, "choices", None)
    if choices:
        keys.update(str(choice) for choice in choices)
    return keys


def _unknown_key(loc: tuple) -> str:
    key = str(loc[-1])
    owner = _model_at(loc[:-1])
    if owner is None:
        return "unknown key"
    allowed = sorted(k for name, f in owner.model_fields.items() for k in _keys_of(name, f))
    if owner is DeploymentMeta:
        allowed = sorted(set(allowed) | set(LIFTED))
    if owner is DeploymentSpec and key in {"pattern", "name", "framework", "domain", "version", "host"}:
        return f"unknown top-level key; `{key}` belongs under `deployment:`"
    close = get_close_matches(key, allowed, n=1, cutoff=0.6)
    hint = f"; did you mean '{close[0]}'?" if close else f"; allowed keys: {', '.join(allowed)}"
    return f"unknown key{hint}"


def _choices_message(item: Mapping[str, Any], loc: tuple) -> str:
    expected = item.get("ctx", {}).get("expected", "")
    choices = re.findall(r"'([^']*)'", expected)
    value = item.get("input")
    if choices:
        close = get_close_matches(str(value), choices, n=1, cutoff=0.5) if isinstance(value, str) else []
        hint = f"; did you mean '{close[0]}'?" if close else ""
        return f"{value!r} is not one of {', '.join(choices)}{hint}"
    return item["msg"]


def _required_hint(loc: tuple) -> str:
    if loc == ("deployment", "pattern"):
        return ": choose hobby-project, small-saas, production-saas or kubernetes"
    if loc == ("deployment",):
        return ": every manifest starts with `deployment: {pattern: ...}`"
    return ""


SHORTHAND_HINTS: dict[type[BaseModel], str] = {
    PlatformSpec: " (or a provider name such as `aws`)",
}


def _shorthand_hint(loc: tuple) -> str:
    model = _model_at(loc)
    return SHORTHAND_HINTS.get(model, "") if model is not None else ""
