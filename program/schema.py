"""JSON Schema of deployment.yaml, from the pydantic models, shorthands included.

The models normalise shorthands (`backup: daily`) in before-validators, which a
generated schema cannot see; editors would flag every shorthand as an error. Each
section that accepts a shorthand lists it here and the schema offers both forms.
Every field's "Defaults to …" sentence is written from the default tables
(:mod:`.defaults_text`), never by hand.
"""

from __future__ import annotations

from typing import Any

from . import spec
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
TOGGLES = ("waf", "ddos_protection", "ssl", "encryption_at_rest", "hpa")
SIZE_TEXT = {"type": "string", "pattern": r"^\d+(\.\d+)?\s*(Mi|M|MB|MiB|Gi|G|GB|GiB)?$"}


def manifest_schema() -> dict[str, Any]:
    schema = DeploymentSpec.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "specql-deploy deployment.yaml"
    definitions = schema.get("$defs", {})
    _state_defaults(schema, definitions)
    _offer_shorthands(schema, definitions)
    for definition in definitions.values():
        properties = definition.get("properties", {})
        for name in TOGGLES:
            if name in properties:
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
