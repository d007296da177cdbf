"""Pulumi states for the adoption tests: what a real `up` of a stack would hold.

The program's capture gives every resource's URN, type, parent, provider and
dependencies exactly as the engine registers them. IDs and outputs come from a
`ResourceState` per URN: fabricated for the unit tests (Pulumi-style generated names,
IDs made of the resource name), or read from OpenTofu's state of the live resources in
the real tier. :func:`deployment` assembles them in the engine's checkpoint format
(`apitype.DeploymentV3`), which `pulumi stack import` accepts.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from specql_deploy.capture import CapturedResource, ResourceGraph
from specql_deploy.exporters.opentofu import mapping

SECRET_KEY = "4dabf18193072939515e22adb298388d"
SECRET_VALUE = "1b47061264138c4ac30d75fd1eb44270"
DEFAULT_AWS_PROVIDER = "default_7_0_0"
"""Name of the default aws provider the engine registers for resources without an explicit one."""


@dataclass
class ResourceState:
    id: str
    outputs: dict[str, Any]
    secrets: dict[str, Any] = field(default_factory=dict)
    """Outputs the state holds as secrets (their plain values: `pulumi stack import` encrypts them)."""


def secret(value: Any) -> dict[str, Any]:
    """A secret in the checkpoint format, in plain text (as `stack export --show-secrets` writes it)."""
    return {SECRET_KEY: SECRET_VALUE, "plaintext": json.dumps(value)}


def suffix(name: str) -> str:
    """Seven hex characters, as Pulumi's autonaming appends (stable per name here)."""
    return hashlib.sha256(name.encode()).hexdigest()[:7]


def pulumi_name(resource: CapturedResource) -> str:
    """The physical name Pulumi's autonaming gives a resource whose program names none."""
    name = f"{resource.name}-{suffix(resource.name)}"
    kind = mapping.TYPES.get(resource.type, "")
    return (
        name.lower() if kind in ("aws_s3_bucket", "aws_ecr_repository", "aws_elasticache_replication_group") else name
    )


def _fabricated_state(resource: CapturedResource) -> dict[str, Any]:
    outputs = dict(resource.public_inputs())
    kind = mapping.TYPES.get(resource.type, "")
    rule = mapping.AUTONAMES.get(kind)
    if rule is not None and rule[0] not in outputs:
        outputs[rule[0]] = pulumi_name(resource)
    for prefix, name in mapping.PREFIX_FIELDS.items():
        if prefix in outputs and name not in outputs:
            outputs[name] = f"{outputs[prefix]}{suffix(resource.name)}"
    outputs.setdefault("arn", f"arn:aws:test:::{resource.name}")
    if kind == "aws_secretsmanager_secret_version":
        outputs["versionId"] = f"{suffix(resource.name)}-version"
    outputs["id"] = f"{resource.name}-id"
    return outputs


def fabricated(resolved: Any) -> tuple[ResourceGraph, dict[str, ResourceState]]:
    """The program captured as a stack would run it: every resource answers its inputs, an ID
    from its name, and Pulumi-generated names wherever the program names nothing, so the
    inputs built from them carry those values (the unit tests' stack)."""
    from specql_deploy.capture import capture

    answered: dict[str, dict[str, Any]] = {}

    def hook(resource: CapturedResource) -> dict[str, Any]:
        if resource.is_provider:
            return {}
        answered[resource.urn] = _fabricated_state(resource)
        return dict(answered[resource.urn])

    graph = capture(resolved, outputs_for=hook)
    states = {}
    for urn, outputs in answered.items():
        identifier = outputs.pop("id")
        states[urn] = ResourceState(identifier, outputs)
    return graph, states


def deployment(
    graph: ResourceGraph,
    states: Mapping[str, ResourceState],
    *,
    project: str,
    stack: str,
    keep: Callable[[CapturedResource], bool] = lambda resource: True,
) -> dict[str, Any]:
    """The checkpoint (`deployment` of `pulumi stack export`) holding `states`, in registration order.

    Custom resources without a state (or not kept) are left out, as a stack whose `up`
    never created them; components and providers are always written.
    """
    root = f"urn:pulumi:{stack}::{project}::pulumi:pulumi:Stack::{project}-{stack}"
    default_provider = f"urn:pulumi:{stack}::{project}::pulumi:providers:aws::{DEFAULT_AWS_PROVIDER}"
    resources: list[dict[str, Any]] = [{"urn": root, "custom": False, "type": "pulumi:pulumi:Stack", "outputs": {}}]
    provider_ids = {default_provider: "00000000-0000-4000-8000-000000000000"}
    resources.append(_provider(default_provider, provider_ids[default_provider], {"region": "us-east-1"}, root))
    written = {root, default_provider}
    for resource in graph.resources:
        parent = resource.parent if resource.parent in written else root
        if resource.is_provider:
            provider_ids[resource.urn] = f"{suffix(resource.urn)}-provider"
            resources.append(_provider(resource.urn, provider_ids[resource.urn], dict(resource.inputs), parent))
        elif not resource.custom:
            resources.append({"urn": resource.urn, "custom": False, "type": resource.type, "parent": parent})
        else:
            state = states.get(resource.urn)
            if state is None or not keep(resource):
                continue
            provider = resource.provider or default_provider
            outputs = {**state.outputs, **{key: secret(value) for key, value in state.secrets.items()}}
            entry: dict[str, Any] = {
                "urn": resource.urn,
                "custom": True,
                "id": state.id,
                "type": resource.type,
                "inputs": dict(outputs),
                "outputs": outputs,
                "parent": parent,
                "provider": f"{provider}::{provider_ids[provider]}",
                "dependencies": [urn for urn in resource.dependencies if urn in written],
            }
            if resource.protect:
                entry["protect"] = True
            resources.append(entry)
        written.add(resource.urn)
    return {"manifest": {"time": "2026-01-01T00:00:00Z", "magic": "", "version": ""}, "resources": resources}


def _provider(urn: str, identifier: str, inputs: dict[str, Any], parent: str) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "urn": urn,
        "custom": True,
        "id": identifier,
        "type": "pulumi:providers:aws",
        "inputs": inputs,
        "outputs": inputs,
    }
    if not urn.endswith(f"::{DEFAULT_AWS_PROVIDER}"):
        entry["parent"] = parent
    return entry


def tofu_resources(shown: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """address → the resource of `tofu show -json` (state), every module walked."""
    found: dict[str, dict[str, Any]] = {}

    def walk(module: Mapping[str, Any]) -> None:
        for resource in module.get("resources", []):
            if resource.get("mode") == "managed":
                found[resource["address"]] = resource
        for child in module.get("child_modules", []):
            walk(child)

    walk((shown.get("values") or {}).get("root_module") or {})
    return found


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def _sensitive_keys(resource: Mapping[str, Any]) -> set[str]:
    marks = resource.get("sensitive_values") or {}
    return {key for key, value in marks.items() if value is True}


def from_tofu(
    graph: ResourceGraph,
    addresses: Mapping[str, str],
    shown: Mapping[str, Any],
    secrets: Mapping[str, Mapping[str, Any]] | None = None,
) -> dict[str, ResourceState]:
    """What a real `up` of the program would hold, for the resources OpenTofu created.

    `addresses` maps each URN to its address in the eject OpenTofu applied; its state
    gives the ID (Pulumi's AWS provider is the Terraform one bridged: same ID) and the
    outputs, named as the Pulumi class names them (`masterUserSecrets`, `tagsAll`). A
    sensitive attribute becomes a secret output, and `secrets` adds the secret outputs
    OpenTofu keeps in no state (by URN: a generated password, a write-only value).
    """
    live = tofu_resources(shown)
    states: dict[str, ResourceState] = {}
    for resource in graph.resources:
        address = addresses.get(resource.urn)
        found = live.get(address or "")
        extra = dict((secrets or {}).get(resource.urn, {}))
        if found is None:
            if extra:  # in no OpenTofu state (an ephemeral password): the stack holds it
                states[resource.urn] = ResourceState("none", dict(resource.public_inputs()), extra)
            continue
        kind = mapping.TYPES.get(resource.type, "")
        names = {mapping.snake(name): name for name in resource.output_names}
        names.update({mapping.attribute_name(name): name for name in resource.output_names})
        names.update({mapping.argument_name(kind, name): name for name in resource.output_names})
        values = found.get("values") or {}
        hidden = _sensitive_keys(found)
        outputs = {
            names.get(key, _camel(key)): value for key, value in values.items() if key not in hidden and key != "id"
        }
        for key in hidden:
            if values.get(key) is not None:
                extra.setdefault(names.get(key, _camel(key)), values[key])
        # A resource of the provider's newer framework may have no `id` attribute; the bridge gives
        # it one from its identifying attribute (its name, else its ARN).
        identifier = values.get("id") or values.get("name") or values["arn"]
        states[resource.urn] = ResourceState(str(identifier), outputs, extra)
    return states
