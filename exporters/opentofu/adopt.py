"""Adopting a running stack: OpenTofu that imports the live resources from a Pulumi state.

`specql deploy eject --from-stack ENV` hands this module the stack's exported state
(Automation API `export_stack`, secrets still encrypted). The eject is the same
configuration as a fresh one, with two differences:

- Values Pulumi chose at `up` time win (:func:`stack_values`): a physical name Pulumi
  generated (`<name>-<random>`), or the result of a `namePrefix`, is written as the name
  itself, so the first plan replaces nothing.
- `imports.tf` holds one `import` block per managed resource (:func:`adopt`): its
  address in the eject, from :meth:`.configuration.Configuration.addresses`, and its ID
  in the form its OpenTofu import expects (:mod:`.import_ids`).

Nothing here decrypts a secret. An import ID is built from plain outputs only; a secret
value never reaches a written file. A generated password stays where Pulumi stored it
(the secret version the eject adopts) and is read back by the configuration at plan time.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from . import import_ids, mapping

if TYPE_CHECKING:
    from ...capture import ResourceGraph
    from ..contract import ExportContext, GeneratedFile
    from .configuration import Configuration

SECRET_SIGNATURE = ("4dabf18193072939515e22adb298388d", "1b47061264138c4ac30d75fd1eb44270")
"""(key, value) marking a secret in Pulumi's state format (`pulumi.runtime.rpc`)."""

STACK_TYPE = "pulumi:pulumi:Stack"


class AdoptionRefused(Exception):
    """The stack cannot be adopted as it is; each problem says what to do."""

    def __init__(self, problems: Sequence[str]):
        self.problems = list(problems)
        super().__init__("; ".join(self.problems))


@dataclass(frozen=True)
class StateResource:
    """One resource of the exported state, as the adoption reads it."""

    urn: str
    type: str
    id: str
    outputs: Mapping[str, Any]
    """Outputs with every secret value left out."""
    secret_outputs: frozenset[str] = frozenset()
    """Names of the outputs the state keeps secret."""


@dataclass(frozen=True)
class StackState:
    """The managed resources of a stack's exported deployment (providers and components left out)."""

    resources: tuple[StateResource, ...]
    pending_operations: tuple[str, ...] = ()
    """`<type> of <urn>` for each operation an interrupted update left pending."""

    @classmethod
    def from_deployment(cls, deployment: Mapping[str, Any]) -> StackState:
        resources = []
        for item in deployment.get("resources") or []:
            kind = str(item.get("type", ""))
            if not item.get("custom") or kind.startswith("pulumi:providers:") or kind == STACK_TYPE:
                continue
            outputs, secret = _public(item.get("outputs") or {})
            resources.append(StateResource(str(item["urn"]), kind, str(item.get("id") or ""), outputs, secret))
        pending = tuple(
            f"{operation.get('type', 'operation')} of {(operation.get('resource') or {}).get('urn', '?')}"
            for operation in deployment.get("pending_operations") or []
        )
        return cls(tuple(resources), pending)

    def by_urn(self) -> dict[str, StateResource]:
        return {resource.urn: resource for resource in self.resources}


def _is_secret(value: Any) -> bool:
    return isinstance(value, Mapping) and value.get(SECRET_SIGNATURE[0]) == SECRET_SIGNATURE[1]


def _public(outputs: Mapping[str, Any]) -> tuple[dict[str, Any], frozenset[str]]:
    """Top-level outputs without the secret ones (and without secrets nested inside the others)."""
    kept: dict[str, Any] = {}
    secret: set[str] = set()
    for key, value in outputs.items():
        if _is_secret(value) or _holds_secret(value):
            secret.add(key)
        else:
            kept[key] = value
    return kept, frozenset(secret)


def _holds_secret(value: Any) -> bool:
    if _is_secret(value):
        return True
    if isinstance(value, Mapping):
        return any(_holds_secret(item) for item in value.values())
    if isinstance(value, list):
        return any(_holds_secret(item) for item in value)
    return False


# -------------------------------------------------------------- values the stack chose


def stack_values(graph: ResourceGraph, state: StackState) -> dict[str, dict[str, Any]]:
    """URN → inputs the eject writes as the stack has them rather than as a fresh eject would.

    Where the program names nothing, Pulumi generated the physical name at `up`
    (`<name>-<random>`), and where it asked for a prefix, AWS holds the prefix plus a
    suffix. A fresh eject writes its own choice there (a fixed name, or a prefix that
    OpenTofu completes differently); once imported, either would replace the resource.
    The name the stack holds is written instead.
    """
    live = state.by_urn()
    overrides: dict[str, dict[str, Any]] = {}
    for resource in graph.resources:
        found = live.get(resource.urn)
        if found is None or not resource.custom or resource.is_provider:
            continue
        tofu_type = mapping.TYPES.get(resource.type)
        chosen: dict[str, Any] = {}
        rule = mapping.AUTONAMES.get(tofu_type or "")
        if rule is not None and rule[0] not in resource.inputs:
            chosen[rule[0]] = found.outputs.get(rule[0])
        for prefix, name in mapping.PREFIX_FIELDS.items():
            if prefix in resource.inputs and name not in resource.inputs:
                chosen[name] = found.outputs.get(name)
        chosen = {key: value for key, value in chosen.items() if isinstance(value, str) and value}
        chosen.update(_imported_forms(tofu_type or "", resource.inputs))
        if chosen:
            overrides[resource.urn] = chosen
    return overrides


def _imported_forms(tofu_type: str, inputs: Mapping[str, Any]) -> dict[str, str]:
    """References a fresh eject writes one way and an import reads back another, rewritten the
    import's way (:data:`.import_ids.IMPORTED_FORMS`)."""
    from .references import PLACEHOLDER

    rewritten: dict[str, str] = {}
    for (kind, name), (attribute, parts) in import_ids.IMPORTED_FORMS.items():
        value = inputs.get(name)
        match = PLACEHOLDER.fullmatch(value) if kind == tofu_type and isinstance(value, str) else None
        if match is None or match.group(2):
            continue
        key, _, referenced = match.group(1).partition(".")
        if referenced == attribute:
            rewritten[name] = ":".join("${«" + f"{key}.{part}" + "»}" for part in parts)
    return rewritten


# ------------------------------------------------------------------------- the imports


@dataclass(frozen=True)
class Import:
    """One `import` block: where the resource goes and the ID OpenTofu reads it by."""

    address: str
    id: str
    type: str
    urn: str


@dataclass
class Adoption:
    """What `imports.tf` and `docs/MIGRATION.md` are written from."""

    stack: str
    imports: list[Import] = field(default_factory=list)
    created: list[str] = field(default_factory=list)
    """Addresses the first plan creates: no cloud object (:data:`.import_ids.CREATED_ON_ADOPTION`)."""
    absent: list[str] = field(default_factory=list)
    """Addresses the program declares that the stack does not hold (the first plan creates them)."""
    settled: dict[str, list[str]] = field(default_factory=dict)
    """Address → arguments AWS does not keep that the first plan sets in OpenTofu's state only
    (:data:`.import_ids.STATE_ONLY`)."""


def _urn_name(urn: str) -> str:
    return urn.rsplit("::", 1)[-1]


def adopt(configuration: Configuration, state: StackState, stack: str) -> Adoption:
    """The import of every resource of the stack into the eject, or :class:`AdoptionRefused`.

    Refused: a stack with pending operations (an interrupted update: what the cloud
    holds is unknown), resources in the stack the program no longer declares (they
    would be left behind, managed by nothing), and resources whose import ID cannot be
    written (no import, or the state lacks what the ID is made of).
    """
    problems: list[str] = []
    if state.pending_operations:
        problems.append(
            f"stack {stack} has {len(state.pending_operations)} pending operation(s) an interrupted update left "
            f"({'; '.join(state.pending_operations)}): run `specql deploy refresh` for this environment (it "
            "clears them after reading what the cloud really holds), then eject again"
        )
    addresses = configuration.addresses()
    by_urn = {resource.captured.urn: resource for resource in configuration.all_resources()}
    live = state.by_urn()
    stray = sorted(urn for urn in live if urn not in by_urn)
    if stray:
        names = ", ".join(f"{_urn_name(urn)} ({live[urn].type})" for urn in stray)
        problems.append(
            f"stack {stack} holds {len(stray)} resource(s) the manifest no longer declares, which nothing would "
            f"manage after the migration: {names}; run `specql deploy up` for this environment so the stack "
            "matches the manifest (or restore the manifest that declared them), then eject again"
        )
    # An ephemeral value (a generated password) is in no OpenTofu state: nothing to import.
    adoption = Adoption(stack)
    for urn, address in sorted(addresses.items(), key=lambda pair: pair[1]):
        tofu_type = by_urn[urn].type
        found = live.get(urn)
        if tofu_type in import_ids.CREATED_ON_ADOPTION:
            adoption.created.append(address)
            continue
        if found is None:
            adoption.absent.append(address)
            continue
        entry = import_ids.IMPORT_IDS.get(tofu_type)
        if entry is None:
            reason = import_ids.NOT_IMPORTABLE.get(tofu_type, "the eject has no import ID format for it")
            problems.append(
                f"{address} ({_urn_name(urn)}): OpenTofu cannot import {tofu_type}: {reason}; add its format to "
                "exporters/opentofu/import_ids.py from the provider's Import documentation, or remove the resource "
                "from the manifest and `specql deploy up` first"
            )
            continue
        try:
            identifier = entry.build(found.id, found.outputs)
        except import_ids.MissingAttribute as missing:
            kept = " (the state keeps it secret)" if str(missing) in found.secret_outputs else ""
            problems.append(
                f"{address} ({_urn_name(urn)}): its import ID ({entry.documented}) needs `{missing}`, which the "
                f"stack's state lacks{kept}; run `specql deploy refresh` for this environment, then eject again"
            )
            continue
        adoption.imports.append(Import(address, identifier, tofu_type, urn))
        settled = state_only_changes(tofu_type, by_urn[urn].captured.inputs)
        if settled:
            adoption.settled[address] = settled
    if problems:
        raise AdoptionRefused(problems)
    return adoption


def state_only_changes(tofu_type: str, inputs: Mapping[str, Any], *, updated: bool = False) -> list[str]:
    """Arguments whose value (the block's, or the provider's default) differs from what the
    import leaves: the first plan sets them, in OpenTofu's state only.

    The provider's differ reads an argument the import left unset as its zero value, so one
    written as false shows only when the plan updates the resource anyway: for another of
    these arguments, or `updated` (the caller knows of another change)."""
    written = {mapping.argument_name(tofu_type, name): value for name, value in inputs.items()}
    differing: list[str] = []
    alongside: list[str] = []
    for (kind, argument), entry in import_ids.STATE_ONLY.items():
        if kind != tofu_type:
            continue
        value = written[argument] if written.get(argument) is not None else entry.default
        if value is None or value == entry.imported:
            continue
        (alongside if entry.imported is None and not value else differing).append(argument)
    return sorted(differing + alongside) if differing or updated else []


# ---------------------------------------------------------------------------- the files


def imports_file(adoption: Adoption, context: ExportContext, base: str) -> GeneratedFile:
    """`imports.tf`: one `import` block per resource of the stack, in address order."""
    from ..contract import GeneratedFile
    from ..headers import hash_header
    from .hcl import Attribute, Block, Expr, render_file

    blocks = [
        Block("import", (), [Attribute("to", Expr(item.address)), Attribute("id", item.id)])
        for item in adoption.imports
    ]
    what = (
        f"Adopts the {len(adoption.imports)} live resources of the Pulumi stack `{adoption.stack}`: the first "
        "`tofu plan` only imports them.\nSee docs/MIGRATION.md; once `tofu apply` has imported them, this file may go."
    )
    return GeneratedFile(f"{base}/imports.tf", render_file(blocks, hash_header(context, what=what)))


__all__ = [
    "Adoption",
    "AdoptionRefused",
    "Import",
    "StackState",
    "StateResource",
    "adopt",
    "imports_file",
    "stack_values",
]
