"""JSON Schema of deployment.yaml, from the pydantic models, shorthands included.

The models normalise shorthands (`backup: daily`) in before-validators, which a
generated schema cannot see; editors would flag every shorthand as an error. Each
section that accepts a shorthand lists it here and the schema offers both forms.
Every field's "Defaults to …" sentence is written from the default tables
(:mod:`.defaults_text`), never by hand.
"""

from __future__ import annotations

from typing import Any

from . import effects, spec
from .defaults_text import default_sentence, documented_fields
from .spec import SECTIONS, DeploymentSpec

# definition name → the shorthand forms it also accepts
SHORTHANDS: dict[str, dict[str, Any]] = {
    "PlatformSpec": {
        "type": "string",
        "enum": ["aws", "gcp", "azure", "digitalocean", "bare-metal"],
        "description": "Short for `{provider: <value>}`.",
    },
    "BackupSpec": {
        "type": "string",
        "enum": ["hourly", "daily", "weekly", "continuous"],
        "description": "Short for `{frequency: <value>}`.",
    },
    "MonitoringSpec": {
        "type": "string",
        "enum": ["basic", "standard", "enterprise", "cloudwatch", "prometheus", "kube-prometheus-stack", "uptime-kuma"],
        "description": "A level (basic, standard, enterprise) or a stack name.",
    },
    "CacheSpec": {
        "anyOf": [{"type": "string", "enum": ["redis", "redis-cluster", "enabled", "disabled"]}, {"type": "boolean"}],
        "description": "`redis-cluster` is Redis with replicas and failover.",
    },
    "StorageSpec": {
        "type": "string",
        "enum": ["s3", "gcs", "azure-blob", "local"],
        "description": "Short for `{type: <value>}` with one `uploads` bucket.",
    },
    "AutoscaleSpec": {
        "anyOf": [{"type": "string", "enum": ["enabled", "disabled"]}, {"type": "boolean"}],
        "description": "Short for `{enabled: <value>}`.",
    },
}
SHORTHAND_FIELDS = {"PlatformSpec": "provider", "BackupSpec": "frequency", "StorageSpec": "type"}
"""The field a string shorthand writes, where it is one field (its enum follows the field's)."""
TOGGLES = ("waf", "ddos_protection", "ssl", "encryption_at_rest", "hpa")
SIZE_TEXT = {"type": "string", "pattern": r"^\d+(\.\d+)?\s*(Mi|M|MB|MiB|Gi|G|GB|GiB)?$"}


def manifest_schema() -> dict[str, Any]:
    schema = DeploymentSpec.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "specql-deploy deployment.yaml"
    definitions = schema.get("$defs", {})
    _state_defaults(schema, definitions)
    _offer_shorthands(schema, definitions)
    _drop_refused(schema, definitions)
    _state_the_rest(schema, definitions)
    for definition in definitions.values():
        properties = definition.get("properties", {})
        for name in TOGGLES:
            if name in properties and _is_boolean(properties[name]):
                properties[name] = _with_alternative(
                    properties[name], {"type": "string", "enum": ["enabled", "disabled"]}
                )
        if "memory" in properties:
            properties["memory"] = _with_alternative(properties["memory"], SIZE_TEXT)
        if "cpu" in properties:
            properties["cpu"] = _with_alternative(
                properties["cpu"], {"type": "string", "pattern": r"^(\d+m|\d+(\.\d+)?)$"}
            )
        if "nat_gateway" in properties:
            properties["nat_gateway"] = _with_alternative(properties["nat_gateway"], {"type": "boolean"})
        if "command" in properties:
            properties["command"] = _with_alternative(properties["command"], {"type": "string"})
        if "instances" in properties:
            properties.setdefault("replicas", properties["instances"])
        if "alarms" in properties:
            properties.setdefault("alerts", properties["alarms"])
    meta = definitions.get("DeploymentMeta", {}).get("properties", {})
    for section in SECTIONS:
        meta.setdefault(section, schema["properties"][section])
    for key, target in (
        ("region", "PlatformSpec"),
        ("regions", "PlatformSpec"),
        ("cluster", "KubernetesSpec"),
        ("namespace", "KubernetesSpec"),
        ("ingress", "KubernetesSpec"),
        ("kubeconfig", "KubernetesSpec"),
    ):
        meta.setdefault(key, definitions[target]["properties"][key])
    return schema


def _field_paths() -> dict[str, tuple[str, str]]:
    """Manifest path (list items as `[]`) → (definition name, property name)."""
    import typing

    from pydantic import BaseModel

    found: dict[str, tuple[str, str]] = {}

    def visit(model: type[BaseModel], prefix: str) -> None:
        for name, info in model.model_fields.items():
            key = info.alias or name
            path = f"{prefix}{key}"
            found.setdefault(path, (model.__name__, key))
            inner = [
                arg for arg in _flatten(info.annotation, typing) if isinstance(arg, type) and issubclass(arg, BaseModel)
            ]
            for child in inner:
                is_list = "tuple" in str(info.annotation) or "list" in str(info.annotation)
                visit(child, f"{path}[]." if is_list else f"{path}.")

    visit(DeploymentSpec, "")
    return found


def _flatten(annotation: Any, typing: Any) -> list[Any]:
    args = typing.get_args(annotation)
    if not args:
        return [annotation]
    return [inner for arg in args for inner in _flatten(arg, typing)]


def _drop_refused(schema: dict[str, Any], definitions: dict[str, Any]) -> None:
    """Leave out the choices every pattern refuses (`vault`, `memcached` ...): an editor
    offers only what `validate` accepts for some pattern."""
    paths = _field_paths()
    for path, values in effects.refused_everywhere().items():
        if path not in paths:
            continue
        model_name, key = paths[path]
        model = schema if model_name == DeploymentSpec.__name__ else definitions[model_name]
        _without(model["properties"][key], values)
        if model_name in SHORTHANDS and key == SHORTHAND_FIELDS.get(model_name):
            _without(SHORTHANDS[model_name], values)


def _without(node: Any, values: set[Any]) -> None:
    if isinstance(node, dict):
        if isinstance(node.get("enum"), list):
            node["enum"] = [value for value in node["enum"] if value not in values]
        if node.get("const") in values:
            node.pop("const")
        for value in node.values():
            _without(value, values)
    elif isinstance(node, list):
        for item in node:
            _without(item, values)


SECTION_DEFAULT = "Left out, every setting in it takes its default."


def _state_the_rest(schema: dict[str, Any], definitions: dict[str, Any]) -> None:
    """Every property says its default: required ones say so, sections that they are optional."""
    for model in [schema, *definitions.values()]:
        required = set(model.get("required", ()))
        for name, prop in model.get("properties", {}).items():
            description = prop.get("description", "")
            if "Defaults to" in description or "Required." in description or SECTION_DEFAULT in description:
                continue
            if name in required:
                addition = "Required."
            elif _ref_target(prop) is not None:
                addition = SECTION_DEFAULT
            else:
                continue
            prop["description"] = f"{description} {addition}".strip()


def _state_defaults(schema: dict[str, Any], definitions: dict[str, Any]) -> None:
    """Append each field's "Defaults to …" sentence, written from the default tables."""
    for (model_name, field_name), feeds in documented_fields(DeploymentSpec).items():
        sentence = default_sentence(feeds)
        if sentence is None:
            continue
        model = schema if model_name == DeploymentSpec.__name__ else definitions[model_name]
        info = getattr(spec, model_name).model_fields[field_name]
        prop = model["properties"][info.alias or field_name]
        prop["description"] = f"{prop['description']} {sentence}" if prop.get("description") else sentence


def _offer_shorthands(node: Any, definitions: dict[str, Any]) -> None:
    """Wherever a property points at a definition with a shorthand, accept both."""
    if isinstance(node, dict):
        for key, value in list(node.items()):
            if key == "properties" and isinstance(value, dict):
                for name, prop in value.items():
                    target = _ref_target(prop)
                    if target in SHORTHANDS:
                        value[name] = _with_alternative(prop, SHORTHANDS[target])
            _offer_shorthands(value, definitions)
    elif isinstance(node, list):
        for item in node:
            _offer_shorthands(item, definitions)


def _is_boolean(prop: dict[str, Any]) -> bool:
    """A switch (`true`/`false`), which also takes `enabled`/`disabled`; `ingress.ssl` names a choice instead."""
    return prop.get("type") == "boolean" or any(option.get("type") == "boolean" for option in prop.get("anyOf", ()))


def _ref_target(prop: dict[str, Any]) -> str | None:
    refs = [prop.get("$ref")] + [option.get("$ref") for option in prop.get("anyOf", [])]
    for ref in refs:
        if ref:
            return ref.rsplit("/", 1)[-1]
    return None


def _with_alternative(prop: dict[str, Any], alternative: dict[str, Any]) -> dict[str, Any]:
    description = prop.get("description")
    options = (
        list(prop["anyOf"])
        if "anyOf" in prop
        else [{k: v for k, v in prop.items() if k not in ("description", "default", "title")}]
    )
    options.insert(0, alternative)
    result = {"anyOf": options}
    if description:
        result["description"] = description
    if "default" in prop:
        result["default"] = prop["default"]
    return result
