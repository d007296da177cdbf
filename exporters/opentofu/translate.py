"""ResourceGraph → OpenTofu configuration model (modules, resources, variables, outputs).

The graph comes from the reference capture (:mod:`.references`): inputs built from
other resources' outputs hold placeholders. Here each placeholder becomes an HCL
reference (same module), a module variable wired from another module's output, or a
module output reference (from the root). One module per top-level component
(:data:`.mapping.MODULE_NAMES`); values that came from the manifest become variables
(:data:`.mapping.BINDINGS`); literal secrets become sensitive variables.
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Callable, Mapping
from functools import partial
from typing import TYPE_CHECKING, Any

from ...program.catalogue import AWS_NAME_MAX_LENGTH
from . import families as families_
from . import mapping
from .configuration import ROOT, Configuration, Module, OutputValue, Provider, TfResource, Variable
from .hcl import Attribute, Blank, Block, Call, Comment, Expr, Template, spaced
from .import_ids import KEPT_ON_ADOPTION, Kept
from .mapping import (
    BINDINGS,
    COUNT_BINDINGS,
    CREATE_BEFORE_DESTROY,
    IMAGE_TAG_BINDINGS,
    MODULE_NAMES,
    NAME_FIELDS,
    SET_ATTRIBUTES,
    STACK_OUTPUTS,
    TAG_FIELDS,
    Binding,
)
from .references import PLACEHOLDER, capture_with_references

if TYPE_CHECKING:
    from ...capture import CapturedResource, ResourceGraph
    from ...program.model import ResolvedDeployment


CIDR = re.compile(r"\d{1,3}(?:\.\d{1,3}){3}/\d{1,2}")
"""An IPv4 range written as text (`10.0.64.0/21`)."""


# ----------------------------------------------------------------------- translation


def _label(text: str) -> str:
    label = re.sub(r"[^A-Za-z0-9_]+", "_", text).strip("_").lower()
    if not label:
        return "this"
    return label if not label[0].isdigit() else f"r_{label}"


def module_name_for(component: CapturedResource, stack_prefix: str, taken: set[str]) -> str:
    kind = component.type.rsplit(":", 1)[-1]
    base = MODULE_NAMES.get(kind) or _label(mapping.snake(kind))
    if base not in taken:
        return base
    rest = component.name.removeprefix(f"{stack_prefix}-")
    qualifier = _label(rest.split("-", 1)[0])
    candidate = f"{qualifier}_{base}"
    return candidate if candidate not in taken else _label(rest)


class Translator:
    """Builds a :class:`Configuration` from a graph captured with :class:`ReferenceHook`."""

    def __init__(
        self,
        graph: ResourceGraph,
        urns: Mapping[str, str],
        resolved: ResolvedDeployment,
        separate: frozenset[tuple[str, str, str]] = frozenset(),
        overrides: Mapping[str, Mapping[str, Any]] | None = None,
        *,
        adopting: bool = False,
    ):
        self.separate = separate
        """(module, type, family) written as separate blocks: their copies differ beyond `count.index`."""
        self.overrides = dict(overrides or {})
        """URN → inputs that replace the captured ones: the values a running stack chose
        (a physical name Pulumi generated), so an adopting configuration keeps them."""
        self.adopting = adopting
        """The configuration adopts a running stack: secrets the provider cannot read back keep
        the stack's value (:data:`.import_ids.KEPT_ON_ADOPTION`)."""
        self.graph = graph = aws_part(graph, urns)
        self.resolved = resolved
        self.prefix = resolved.stack_prefix
        self.keys = dict(urns)  # placeholder key → URN
        self.index = graph.by_urn()
        self.root = Module(ROOT, "")
        self.modules: dict[str, Module] = {}
        self.by_urn: dict[str, TfResource] = {}
        self.providers: list[Provider] = []
        self.provider_alias: dict[str, str | None] = {}
        self.root_variables: dict[str, Variable] = {}
        self.write_only: set[str] = set()
        """URNs of secret versions whose value is a generated password, stored write-only."""
        self.explicit: dict[str, set[str]] = {}
        """Module → modules holding resources its resources depend on without a reference."""

    # -- structure

    def build(self) -> Configuration:
        self._providers()
        self._place()
        for module in [self.root, *self.modules.values()]:
            for resource in module.resources:
                module.body.append(self._resource_block(resource, module))
        failed = self._collapse_families()
        if failed:
            return Translator(
                self.graph, self.keys, self.resolved, self.separate | failed, self.overrides, adopting=self.adopting
            ).build()
        self._zone_lists()
        self._module_dependencies()
        self._stack_outputs()
        root = self.root
        root.variables.update(self.root_variables)
        return Configuration(self.modules, root, self.providers, self.graph, self.resolved)

    def _providers(self) -> None:
        primary_region = self.resolved.platform.region
        explicit = sorted(
            (item for item in self.graph.resources if item.type == "pulumi:providers:aws"),
            key=lambda item: (item.inputs.get("region") != primary_region, _natural(item.name)),
        )
        for position, item in enumerate(explicit):
            if position == 0:
                alias, region_var = None, "region"
            else:
                rest = _label(item.name.removeprefix(f"{self.prefix}-"))
                alias = re.sub(r"^aws_|_aws$", "", rest) or f"aws{position}"
                region_var = f"{alias}_region"
            unknown = set(item.inputs) - mapping.PROVIDER_INPUTS - mapping.PROVIDER_INPUTS_IGNORED
            if unknown:
                raise LookupError(
                    f"provider `{item.name}` sets {', '.join(sorted(unknown))}, which the OpenTofu eject "
                    "does not translate: add them to exporters/opentofu (files.py provider blocks)"
                )
            self.providers.append(Provider(item.urn, item.name, alias, region_var, item.inputs))
            self.provider_alias[item.urn] = alias
        for item in self.graph.resources:
            if item.is_provider and item.type not in ("pulumi:providers:aws", "pulumi:providers:random"):
                raise mapping.UnmappedTypeError(item.type, item.name)

    def _module_component(self, resource: CapturedResource) -> CapturedResource | None:
        """The component a resource's module comes from: the innermost enclosing component
        that is a module of its own (the EKS cluster's network is `networking`, as in the AWS
        patterns), else the outermost one below the pattern."""
        top = self.graph.top_component(resource)
        node = self.index.get(resource.parent) if resource.parent else None
        while node is not None and node is not top:
            if not node.custom and node.type.rsplit(":", 1)[-1] in MODULE_NAMES:
                return node
            node = self.index.get(node.parent) if node.parent else None
        return top

    def _module_of(self, resource: CapturedResource, taken: set[str], names: dict[str, str]) -> str:
        top = self._module_component(resource)
        if top is None or top.parent is None or top.parent not in self.index:
            return ROOT
        if top.urn not in names:
            names[top.urn] = module_name_for(top, self.prefix, taken)
            taken.add(names[top.urn])
            self.modules[names[top.urn]] = Module(names[top.urn], top.name, top.type)
        return names[top.urn]

    def _place(self) -> None:
        """Assign modules and labels in a stable order (the engine's registration order is not)."""
        taken: set[str] = set()
        names: dict[str, str] = {}
        used: set[tuple[str, str, str]] = set()
        components = sorted(
            (item for item in self.graph.resources if not item.custom),
            key=lambda item: _component_rank(item.name.removeprefix(f"{self.prefix}-")),
        )
        for component in components:
            children = [
                item
                for item in self.graph.resources
                if item.custom and not item.is_provider and self._module_component(item) is component
            ]
            if children:
                self._module_of(children[0], taken, names)
        ordered = sorted(
            (item for item in self.graph.resources if item.custom and not item.is_provider),
            key=lambda item: (_natural(item.name), item.type),
        )
        for item in ordered:
            tf_type = mapping.tofu_type(item.type, item.name)
            module_name = self._module_of(item, taken, names)
            module = self.modules[module_name] if module_name else self.root
            label = self._resource_label(item, module)
            candidate, counter = label, 1
            while (module_name, tf_type, candidate) in used:
                counter += 1
                candidate = f"{label}_{counter}"
            used.add((module_name, tf_type, candidate))
            alias = self.provider_alias.get(item.provider) if item.provider else None
            resource = TfResource(item, tf_type, candidate, module_name, alias)
            if tf_type.startswith("aws_") and not resource.ephemeral:
                module.aliases.add(alias)
            module.resources.append(resource)
            self.by_urn[item.urn] = resource
        self.modules = dict(sorted(self.modules.items(), key=lambda pair: _module_rank(pair[1])))
        self._mark_families()
        self._mark_write_only()

    def _mark_families(self) -> None:
        """Copies `<stem>_0` … `<stem>_<n-1>` of one type in one module become one `count` family."""
        for module in [self.root, *self.modules.values()]:
            groups: dict[tuple[str, str], list[tuple[int, TfResource]]] = {}
            labels = {(resource.type, resource.label) for resource in module.resources}
            for resource in module.resources:
                match = re.fullmatch(r"(.+?)_(\d+)((?:_[a-z][a-z0-9_]*)?)", resource.label)
                if match:
                    stem = match.group(1) + match.group(3)
                    groups.setdefault((resource.type, stem), []).append((int(match.group(2)), resource))
            for (kind, stem), members in groups.items():
                indices = sorted(index for index, _ in members)
                if (
                    len(members) <= 1
                    or indices != list(range(len(members)))
                    or (kind, stem) in labels
                    or (module.name, kind, stem) in self.separate
                ):
                    continue
                for index, resource in members:
                    resource.family, resource.index = stem, index

    def _mark_write_only(self) -> None:
        """Secret versions holding a generated password: written write-only, read back by a data source."""
        ephemeral = {resource.captured.urn for resource in self.by_urn.values() if resource.ephemeral}
        for resource in self.by_urn.values():
            if resource.type != "aws_secretsmanager_secret_version":
                continue
            keys = PLACEHOLDER.findall(str(resource.captured.inputs.get("secretString") or ""))
            if any(self.keys.get(inner.partition(".")[0]) in ephemeral for inner, _ in keys):
                self.write_only.add(resource.captured.urn)

    def _resource_label(self, item: CapturedResource, module: Module) -> str:
        name = item.name
        if module.component and name == module.component:
            return "this"
        for prefix in (f"{module.component}-", f"{self.prefix}-"):
            if module.component and name.startswith(prefix):
                return _label(name[len(prefix) :])
        return _label(name.removeprefix(f"{self.prefix}-"))

    # -- references and values

    def reference(self, key: str, attribute: str, module: Module, traversal: str = "") -> str:
        """HCL expression for `attribute` of the resource behind placeholder `key`, seen from `module`."""
        target = self.by_urn.get(self.keys.get(key, ""))
        if target is None:
            raise LookupError(f"placeholder «{key}.{attribute}» names no exported resource")
        if target.ephemeral or (target.captured.urn in self.write_only and attribute == "secretString"):
            return self._secret_reference(target, attribute, module, traversal)
        attr = "id" if attribute == "id" else mapping.attribute_name(attribute)
        local = f"{target.address}.{attr}{traversal}"
        if (target.type, attr) in SET_ATTRIBUTES and traversal.startswith("["):
            local = f"tolist({target.address}.{attr}){traversal}"
        if target.module == module.name:
            return local
        source = self.modules[target.module] if target.module else self.root
        last = re.findall(r"[A-Za-z_][A-Za-z0-9_]*", traversal)
        named = last[-1] if last else attr
        if target.family is not None:
            output = self._expose(
                source,
                f"{target.family}_{_plural(named)}",
                Expr(f"{target.family_address}[*].{attr}{traversal}"),
                f"{_attribute_text(named)} of each {target.family_address}.",
            )
            selector, kind = f"[{target.index}]", "list(string)"
        else:
            output = self._expose(
                source,
                f"{target.label}_{named}",
                Expr(local),
                f"{_attribute_text(named)} of {target.address}.",
                f"{target.label}_{target.type.removeprefix('aws_')}_{named}",
            )
            selector, kind = "", "string"
        if module is self.root:
            return f"module.{source.name}.{output}{selector}"
        # Named after what it is (`database_sg_id`, `dr_encryption_key_arn`): two upstream
        # values of the same shape must never meet under one name.
        variable = f"{source.name}_{output}" if source.name else output
        wired = Expr(f"module.{source.name}.{output}" if source.name else local)
        if variable not in module.variables:
            module.variables[variable] = Variable(
                variable,
                kind,
                source.outputs[output].description.rstrip(".") + f" in the {source.name or 'root'} module.",
            )
            module.arguments[variable] = wired
        elif module.arguments.get(variable) != wired:
            raise LookupError(
                f"module {module.name}: input `{variable}` would carry both {module.arguments[variable]} and {wired}"
            )
        return f"var.{variable}{selector}"

    def _secret_reference(self, target: TfResource, attribute: str, module: Module, traversal: str) -> str:
        """A generated password, or the secret version holding one, seen from the same module.

        The password is ephemeral: only a write-only argument may take it. Readers of the
        version's value read it back through a data source, so it is in no resource the
        eject writes to state other than the one that needs it.
        """
        if target.module != module.name:
            raise LookupError(
                f"{target.address} is read from module {module.name or 'root'}; a generated "
                "secret is read only beside the secret that holds it"
            )
        if target.ephemeral:
            return f"{target.address}.{mapping.EPHEMERAL_ATTRIBUTES[attribute]}{traversal}"
        source = f"aws_secretsmanager_secret_version.{target.label}"
        if source not in module.data:
            module.data.add(source)
            secret_id = self.value(target.captured.inputs["secretId"], module, set())
            module.data_arguments[source] = {"secret_id": secret_id, "version_id": Expr(f"{target.address}.version_id")}
        return f"data.{source}.secret_string{traversal}"

    def _expose(self, source: Module, name: str, value: Expr, description: str, fallback: str = "") -> str:
        """The output of `source` carrying `value` (named `name`, or `fallback` when taken)."""
        existing = source.outputs.get(name)
        if existing is not None and existing.value != value:
            if not fallback or (source.outputs.get(fallback) is not None and source.outputs[fallback].value != value):
                raise LookupError(
                    f"module {source.name}: output `{name}` would carry both {existing.value} and {value}"
                )
            name = fallback
        if name not in source.outputs:
            source.outputs[name] = OutputValue(name, value, description)
        return name

    def text(self, value: str, module: Module, referenced: set[str]) -> Any:
        """A string with placeholders and the stack prefix → literal, Expr or Template."""
        cidr = self._cidr(value, module)
        if cidr is not None:
            return cidr
        parts: list[Any] = []
        position = 0
        for match in PLACEHOLDER.finditer(value):
            parts.extend(self._literal_parts(value[position : match.start()], module))
            inner, traversal = match.group(1), match.group(2)
            if inner.startswith("data.aws_availability_zones."):
                parts.append(Expr(self._zone_reference(inner, traversal, module)))
            elif inner.startswith("data."):
                parts.append(Expr(self._data_reference(inner, module) + traversal))
            else:
                key, _, attribute = inner.partition(".")
                referenced.add(self.keys.get(key, ""))
                parts.append(Expr(self.reference(key, attribute, module, traversal)))
            position = match.end()
        parts.extend(self._literal_parts(value[position:], module))
        parts = [part for part in parts if part != ""]
        if not parts:
            return ""
        if len(parts) == 1:
            return parts[0]
        return Template(tuple(parts))

    def _cidr(self, value: str, module: Module) -> Any:
        """The VPC range, or a subnet carved from it, as the manifest variable (`cidrsubnet(...)`).

        The program computes subnet ranges from `network.vpc_cidr`; written as literals they
        would keep the old ranges when a user changes the variable.
        """
        if not CIDR.fullmatch(value):
            return None
        try:
            vpc = ipaddress.IPv4Network(self.resolved.network.vpc_cidr)
            network = ipaddress.IPv4Network(value, strict=False)
        except ValueError:  # looks like a range, is not one (`999.0.0.0/8`): plain text
            return None
        if str(network) != value or not network.subnet_of(vpc):
            return None
        variable = Expr(self._bound_variable(module, "network.vpc_cidr", "string"))
        if network == vpc:
            return variable
        bits = network.prefixlen - vpc.prefixlen
        number = (int(network.network_address) - int(vpc.network_address)) >> (
            network.max_prefixlen - network.prefixlen
        )
        return Call("cidrsubnet", (variable, bits, number))

    def _zone_reference(self, reference: str, traversal: str, module: Module) -> str:
        """`names[i]` of a region's zones → `var.azs[i]`, fed from the root's data source for that region."""
        region = reference.split(".")[2].split("@", 1)[1]
        provider = next((item for item in self.providers if item.inputs.get("region") == region), None)
        alias = provider.alias if provider is not None else None
        label = f"{alias}_available" if alias else "available"
        source = f"aws_availability_zones.{label}"
        self.root.data.add(source)
        self.root.data_arguments[source] = {"provider": Expr(f"aws.{alias}")} if alias else {}
        match = re.fullmatch(r"\[(\d+)\]", traversal)
        if module is self.root or match is None:
            raise LookupError(f"zone names are read one by one inside a module, not as {reference}{traversal}")
        module.zone_indices.add(int(match.group(1)))
        module.zone_label = label
        if "azs" not in module.variables:
            module.variables["azs"] = Variable(
                "azs", "list(string)", "Availability zones the module spans: the first of its region's, in AWS's order."
            )
        return f"var.azs{traversal}"

    def _literal_parts(self, text: str, module: Module) -> list[Any]:
        """Literal text with the stack prefix as `var.name_prefix` and, inside a module, the
        module's region as `var.region`, so one module serves any region."""
        parts: list[Any] = []
        pieces = text.split(self.prefix)
        for position, piece in enumerate(pieces):
            if position:
                parts.append(Expr(self._name_prefix(module)))
            parts.extend(self._region_parts(piece, module))
        return parts

    def _region_parts(self, text: str, module: Module) -> list[Any]:
        provider = self._module_provider(module)
        region = str(provider.inputs.get("region") or "") if provider else ""
        if provider is None or not region or region not in text:
            return [text]
        self._region_variable(module, provider)
        parts: list[Any] = []
        for position, piece in enumerate(text.split(region)):
            if position:
                parts.append(Expr("var.region"))
            parts.append(piece)
        return parts

    def _data_reference(self, reference: str, module: Module) -> str:
        """Data sources are read once in the root and passed down, so modules have none.

        A module with `depends_on` would defer its own data sources to apply time and
        show values as unknown in every plan; a root data source is read at plan time.
        """
        _, kind, label, attribute = reference.split(".")
        if kind == "aws_region":
            provider = self._module_provider(module)
            if provider is not None:
                self._region_variable(module, provider)
                return "var.region"
        self.root.data.add(f"{kind}.{label}")
        if kind == "aws_route53_zone" and "deployment_dns_zone" not in self.root_variables:
            zone = self.resolved.deployment.dns_zone
            self.root_variables["deployment_dns_zone"] = Variable(
                "deployment_dns_zone",
                "string",
                describe(
                    Binding(
                        "deployment.dns_zone",
                        "string",
                        ("Route 53 hosted zone that holds the domain."),
                        "DeploymentMeta.dns_zone",
                        "deployment.dns_zone",
                    ),
                    self.resolved,
                ),
                zone,
                True,
            )
        if module is self.root:
            return reference
        variable = attribute if label == "current" else f"{label}_{attribute}"
        if variable not in module.variables:
            module.variables[variable] = Variable(
                variable, "string", f"`{attribute}` of the `{kind}` data source, read once in the root module."
            )
            module.arguments[variable] = Expr(reference)
        return f"var.{variable}"

    def _region_variable(self, module: Module, provider: Provider) -> None:
        if "region" not in module.variables:
            module.variables["region"] = Variable(
                "region", "string", "AWS region of the provider this module runs with (zone names derive from it)."
            )
            module.arguments["region"] = Expr(f"var.{provider.region_var}")

    def _module_provider(self, module: Module) -> Provider | None:
        aliases = module.aliases
        if module is self.root or len(aliases) != 1:
            return None
        (alias,) = aliases
        return next((provider for provider in self.providers if provider.alias == alias), None)

    def _name_prefix(self, module: Module) -> str:
        if module is not self.root and "name_prefix" not in module.variables:
            module.variables["name_prefix"] = Variable(
                "name_prefix", "string", "Prefix of every cloud resource name (`<name>-<environment>`)."
            )
            module.arguments["name_prefix"] = Expr("var.name_prefix")
        return "var.name_prefix"

    def value(self, value: Any, module: Module, referenced: set[str], *, ordered: bool = False) -> Any:
        """Convert a value; maps are sorted by key unless their order is meaningful (JSON documents)."""
        if isinstance(value, str):
            return self.text(value, module, referenced)
        if isinstance(value, list):
            return [self.value(item, module, referenced, ordered=ordered) for item in value]
        if isinstance(value, dict):
            keys = list(value) if ordered else sorted(value)
            return {key: self.value(value[key], module, referenced, ordered=ordered) for key in keys}
        return value

    def json_document(self, text: str, module: Module, referenced: set[str], resource: TfResource | None = None) -> Any:
        try:
            document = json.loads(text)
        except ValueError:
            return None
        if not isinstance(document, (dict, list)):
            return None
        converted = self.value(document, module, referenced, ordered=True)
        binding = IMAGE_TAG_BINDINGS.get(resource.type) if resource is not None else None
        if binding is not None and isinstance(document, list):
            for raw, container in zip(document, converted, strict=True):
                if isinstance(raw, dict) and isinstance(raw.get("image"), str):
                    container["image"] = self._tagged_image(raw["image"], container["image"], binding, module)
        return Call("jsonencode", (converted,))

    def _tagged_image(self, raw: str, converted: Any, binding: Binding, module: Module) -> Any:
        """`<repository URL>:<tag>` with the tag as its variable, so a release is a variable's value.

        Only an image built from a reference (the stack's own repository) is rewritten; an
        image given in full is the user's literal.
        """
        tag = self.resolved.value(binding.path)
        if not isinstance(converted, Template) or not raw.endswith(f":{tag}"):
            return converted
        *head, last = converted.parts
        if not isinstance(last, str) or not last.endswith(f":{tag}"):
            return converted
        prefix = last[: -len(tag)]
        return Template((*head, prefix, self._manifest_variable(binding, module)))

    # -- resources

    def _resource_block(self, resource: TfResource, module: Module) -> Block:
        captured = resource.captured
        if resource.ephemeral:
            return Block("ephemeral", (resource.type, resource.label), _password_arguments(captured))
        referenced: set[str] = set()
        secret_tops = {re.split(r"[.\[]", path, maxsplit=1)[0] for path in captured.secret_paths}
        inputs = with_overrides(dict(captured.inputs), self.overrides.get(captured.urn))
        items = self._arguments(resource, autonamed(resource, inputs), module, referenced, secret_tops, top=True)
        meta: list[Any] = []
        if resource.alias is not None and len(module.aliases) > 1:
            meta.append(Attribute("provider", Expr(f"aws.{resource.alias}")))
        explicit = [
            self.by_urn[urn]
            for urn in captured.dependencies
            if urn in self.by_urn and urn not in referenced and urn != captured.urn
        ]
        depends = sorted((item for item in explicit if item.module == module.name), key=lambda item: item.address)
        self.explicit.setdefault(module.name, set()).update(
            item.module for item in explicit if item.module != module.name and item.module
        )
        if depends:
            meta.append(Attribute("depends_on", [Expr(item.address) for item in depends]))
        body = _with_meta(meta, spaced(items)) if meta else spaced(items)
        block = Block("resource", (resource.type, resource.label), body)
        lifecycle: list[Any] = []
        if captured.protect:
            lifecycle.append(Attribute("prevent_destroy", True))
        if resource.type in CREATE_BEFORE_DESTROY:
            lifecycle.append(Attribute("create_before_destroy", True))
        kept = self._kept_on_adoption(resource, items)
        if kept:
            lifecycle.append(Comment("\n".join(kept_comment(entry) for entry in kept)))
            lifecycle.append(Attribute("ignore_changes", [Expr(name) for entry in kept for name in entry.arguments]))
        if lifecycle:
            block.body.extend(_blank_then(block.body, Block("lifecycle", (), lifecycle)))
        return block

    def _kept_on_adoption(self, resource: TfResource, items: list[Any]) -> list[Kept]:
        """What the adopted resource keeps as the stack set it (values the provider cannot read back)."""
        if not self.adopting:
            return []
        written = {item.name for item in items if isinstance(item, Attribute)}
        return [entry for entry in KEPT_ON_ADOPTION.get(resource.type, ()) if entry.when in written]

    def _arguments(
        self,
        resource: TfResource,
        inputs: dict[str, Any],
        module: Module,
        referenced: set[str],
        secret_tops: set[str],
        *,
        top: bool,
    ) -> list[Any]:
        items: list[Any] = []
        blocks: list[Any] = []
        for field_name in sorted(inputs, key=_order_key):
            raw = inputs[field_name]
            if raw is None:
                continue
            if top and field_name in secret_tops and not _has_placeholder(raw):
                items.append(
                    Attribute(
                        mapping.argument_name(resource.type, field_name),
                        Expr(self._secret_variable(resource, field_name, module, raw)),
                    )
                )
                continue
            name = mapping.argument_name(resource.type, field_name)
            if top and field_name == "secretString" and resource.captured.urn in self.write_only:
                items.append(Attribute("secret_string_wo", self.value(raw, module, referenced)))
                items.append(Attribute("secret_string_wo_version", 1))
                continue
            if isinstance(raw, str) and field_name in mapping.JSON_FIELDS:
                document = self.json_document(raw, module, referenced, resource if top else None)
                if document is not None:
                    items.append(Attribute(name, document))
                    continue
            if isinstance(raw, dict) and field_name not in mapping.MAP_ATTRIBUTES:
                blocks.append(self._nested(resource, mapping.snake(field_name), raw, module, referenced))
                continue
            if (
                isinstance(raw, list)
                and raw
                and all(isinstance(item, dict) for item in raw)
                and field_name not in mapping.MAP_ATTRIBUTES
            ):
                block_name = mapping.block_name(resource.type, field_name)
                blocks.extend(self._nested(resource, block_name, item, module, referenced) for item in raw)
                continue
            if isinstance(raw, list) and not raw and field_name in mapping.BLOCK_NAMES:
                continue  # no blocks of that kind
            converted = self.value(raw, module, referenced)
            if top:
                converted = self._bind(resource, name, raw, converted, module)
            items.append(Attribute(name, converted))
        return items + blocks

    def _nested(
        self, resource: TfResource, name: str, inputs: dict[str, Any], module: Module, referenced: set[str]
    ) -> Block:
        body = self._arguments(resource, inputs, module, referenced, set(), top=False)
        return Block(name, (), spaced(body))

    def _bind(self, resource: TfResource, name: str, raw: Any, converted: Any, module: Module) -> Any:
        binding = BINDINGS.get((resource.type, name))
        if binding is None or isinstance(converted, (Expr, Template)):
            return converted
        expected = self.resolved.value(binding.path)
        if expected is None or str(expected).lower() != str(raw).lower():
            return converted
        return self._manifest_variable(binding, module)

    def _manifest_variable(self, binding: Binding, module: Module) -> Expr:
        """`var.<binding>` in `module`, declared there and in the root with the manifest's value."""
        variable = binding.name
        expected = self.resolved.value(binding.path)
        default = str(expected) if binding.type == "string" else expected
        description = describe(binding, self.resolved)
        if variable not in self.root_variables:
            self.root_variables[variable] = Variable(variable, binding.type, description, default, True)
        if module is self.root:
            return Expr(f"var.{variable}")
        if variable not in module.variables:
            module.variables[variable] = Variable(variable, binding.type, description)
            module.arguments[variable] = Expr(f"var.{variable}")
        return Expr(f"var.{variable}")

    def _secret_variable(self, resource: TfResource, field_name: str, module: Module, raw: Any) -> str:
        variable = f"{resource.label}_{mapping.snake(field_name)}"
        kind = "string" if isinstance(raw, str) else "any"
        description = (
            f"Secret `{mapping.snake(field_name)}` of {resource.address}; set it in terraform.tfvars "
            "or TF_VAR_" + variable + ", never in code."
        )
        self.root_variables[variable] = Variable(variable, kind, description, sensitive=True)
        if module is self.root:
            return f"var.{variable}"
        module.variables[variable] = Variable(variable, kind, description, sensitive=True)
        module.arguments[variable] = Expr(f"var.{variable}")
        return f"var.{variable}"

    def _collapse_families(self) -> frozenset[tuple[str, str, str]]:
        """Write each family once with `count`; return the families whose copies would not unify."""
        failed: set[tuple[str, str, str]] = set()
        for module in [self.root, *self.modules.values()]:
            families: dict[tuple[str, str], list[int]] = {}
            for position, resource in enumerate(module.resources):
                if resource.family is not None:
                    families.setdefault((resource.type, resource.family), []).append(position)
            sizes = self._list_sizes(module)
            for (kind, stem), positions in families.items():
                blocks = [block for position in positions if (block := module.body[position]) is not None]
                try:
                    merged = families_.collapse(blocks, stem, partial(self._count, module, kind, copies=len(blocks)))
                except families_.NotUniform:
                    failed.add((module.name, kind, stem))
                    continue
                module.body[positions[0]] = merged
                for position in positions[1:]:
                    module.body[position] = None
            module.body = [families_.splat_lists(block, sizes) if block is not None else None for block in module.body]
            module.arguments = {name: families_.splat_lists(value, sizes) for name, value in module.arguments.items()}
        return frozenset(failed)

    def _list_sizes(self, module: Module) -> dict[str, int]:
        """Family address or list variable → copies, for turning complete lists into splats."""
        sizes: dict[str, int] = {}
        for resource in module.resources:
            if resource.family_address is not None:
                sizes[resource.family_address] = sizes.get(resource.family_address, 0) + 1
        for other in [self.root, *self.modules.values()]:
            counts: dict[str, int] = {}
            for resource in other.resources:
                if resource.family_address is not None:
                    counts[resource.family_address] = counts.get(resource.family_address, 0) + 1
            for name, output in other.outputs.items():
                match = (
                    re.match(r"^([a-z0-9_]+\.[a-z0-9_]+)\[\*\]", output.value.text)
                    if isinstance(output.value, Expr)
                    else None
                )
                if match and match.group(1) in counts:
                    sizes[f"var.{other.name}_{name}"] = counts[match.group(1)]
        return sizes

    def _count(self, module: Module, kind: str, block: Block, copies: int) -> Any:
        """What drives a family's count: the list its copies walk, a manifest value, or the number."""
        text = families_.text_of(block)
        walked = re.findall(r"(var\.[a-z0-9_]+|[a-z0-9_]+\.[a-z0-9_]+)\[count\.index\]", text)
        for candidate in walked:
            if candidate.startswith("var.") and module.variables.get(
                candidate[4:], Variable("", "", "")
            ).type.startswith("list"):
                return Expr(f"length({candidate})")
        for candidate in walked:
            if not candidate.startswith(("var.", "data.")) and any(
                resource.family_address == candidate for resource in module.resources
            ):
                return Expr(f"length({candidate})")
        if module.zone_indices and copies == max(module.zone_indices) + 1:
            return Expr("length(var.azs)")  # one per zone, such as a NAT gateway's address
        path = COUNT_BINDINGS.get(kind)
        if path is not None and self.resolved.value(path) == copies:
            return Expr(self._bound_variable(module, path, "number"))
        return copies

    def _bound_variable(self, module: Module, path: str, kind: str) -> str:
        """`var.<path>` in `module`, declared there and in the root with the manifest's value."""
        variable = path.replace(".", "_")
        value = self.resolved.value(path)
        description = _field_doc(self.resolved, path) or path
        if variable not in self.root_variables:
            self.root_variables[variable] = Variable(variable, kind, description, value, True)
        if module is not self.root and variable not in module.variables:
            module.variables[variable] = Variable(variable, kind, description)
            module.arguments[variable] = Expr(f"var.{variable}")
        return f"var.{variable}"

    def _zone_lists(self) -> None:
        """A module walking zones gets `azs`: the first N of its region's zones, N as the program uses."""
        for module in self.modules.values():
            used = module.zone_indices
            if not used:
                continue
            label = module.zone_label
            count = max(used) + 1
            provider = self._module_provider(module)
            primary = provider is None or provider.alias is None
            if primary and count == self.resolved.platform.availability_zones:
                size: Any = Expr(self._bound_variable(self.root, "platform.availability_zones", "number"))
            else:
                size = count
            module.arguments["azs"] = Call("slice", (Expr(f"data.aws_availability_zones.{label}.names"), 0, size))

    # -- ordering between modules

    def _module_dependencies(self) -> None:
        """Explicit dependencies on another module's resources become module `depends_on`.

        A Pulumi `depends_on` across components (the service waits for the listener, the
        load balancer for the log bucket's policy) has no reference to carry it. The edge
        is added unless the other module already needs this one, which would be a cycle.
        """
        edges = {name: self._argument_modules(module) for name, module in self.modules.items()}
        for name, module in self.modules.items():
            for other in sorted(self.explicit.get(name, set())):
                if other == name or other not in self.modules:
                    continue
                if self._reaches(edges, other, name):
                    continue
                module.depends_on.add(other)
                edges[name].add(other)

    def _argument_modules(self, module: Module) -> set[str]:
        found: set[str] = set()
        for value in module.arguments.values():
            if isinstance(value, Expr):
                found.update(re.findall(r"module\.([a-z0-9_]+)\.", value.text))
        return found

    @staticmethod
    def _reaches(edges: Mapping[str, set[str]], start: str, goal: str) -> bool:
        seen, stack = set(), [start]
        while stack:
            node = stack.pop()
            if node == goal:
                return True
            if node not in seen:
                seen.add(node)
                stack.extend(edges.get(node, ()))
        return False

    # -- root outputs

    def _stack_outputs(self) -> None:
        from ...capture import MASK

        for name, value in sorted(self.graph.outputs.items()):
            if value is None or value == MASK:
                continue
            converted = self.value(value, self.root, set())
            if converted in ("", [], {}):
                continue
            self.root.outputs[name] = OutputValue(
                name,
                converted,
                f"{_output_text(name, self.resolved.deployment.pattern)} (the Pulumi stack output of the same name).",
            )


def _module_rank(module: Module) -> tuple[int, int, str]:
    kinds = list(MODULE_NAMES)
    kind = module.component_type.rsplit(":", 1)[-1]
    return (kinds.index(kind) if kind in kinds else len(kinds), len(module.name.split("_")), module.name)


def kept_comment(entry: Kept) -> str:
    """Why an adopted resource ignores changes to these arguments, and how to undo it."""
    return f"Adopted from the Pulumi stack: {entry.reason}.\n{entry.undo[:1].upper()}{entry.undo[1:]}."


def with_overrides(inputs: dict[str, Any], overrides: Mapping[str, Any] | None) -> dict[str, Any]:
    """Inputs with a stack's own values put in; a name given replaces its prefix form."""
    if not overrides:
        return inputs
    replaced = {prefix for prefix, name in mapping.PREFIX_FIELDS.items() if name in overrides}
    return {**{key: value for key, value in inputs.items() if key not in replaced}, **overrides}


def autonamed(resource: TfResource, inputs: dict[str, Any]) -> dict[str, Any]:
    """Add the cloud name Pulumi would generate when the component gave none."""
    rule = mapping.AUTONAMES.get(resource.type)
    if rule is None:
        return inputs
    source, target = rule
    longest = AWS_NAME_MAX_LENGTH[resource.type]
    if source in inputs or target in inputs:
        return inputs
    name = resource.captured.name + ("-" if target.endswith("Prefix") else "")
    if resource.type == "aws_elasticache_replication_group" or resource.type == "aws_ecr_repository":
        name = name.lower()
    if len(name) > longest:
        return inputs  # OpenTofu generates one, as Pulumi would
    return {**inputs, target: name}


def _component_rank(rest: str) -> tuple[int, list[Any]]:
    """Shorter component names first: `net` takes `networking` before `dr-net` does."""
    return (len(rest.split("-")), _natural(rest))


def _natural(text: str) -> list[Any]:
    """Sort key with numbers compared as numbers (`public-2` before `public-10`)."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", text)]


def _with_meta(meta: list[Attribute], body: list[Any]) -> list[Any]:
    """`provider` first, then the arguments, `depends_on` after them, then nested blocks."""
    provider = [item for item in meta if item.name == "provider"]
    depends = [item for item in meta if item.name == "depends_on"]
    attributes = [item for item in body if isinstance(item, Attribute)]
    rest = [item for item in body if not isinstance(item, Attribute)]
    result: list[Any] = list(provider)
    if provider and (attributes or depends):
        result.append(Blank())
    result.extend(attributes)
    if depends:
        if attributes:
            result.append(Blank())
        result.extend(depends)
    if rest and result and not isinstance(rest[0], (Blank, Comment)):
        result.append(Blank())
    result.extend(rest)
    return result


def _blank_then(body: list[Any], block: Block) -> list[Any]:
    return [Blank(), block] if body else [block]


def _order_key(field_name: str) -> tuple[bool, bool, str]:
    """Names first, tags last, the rest alphabetical: stable and easy to scan."""
    if field_name in NAME_FIELDS:
        return (False, False, field_name)
    return (True, field_name in TAG_FIELDS, field_name if field_name in TAG_FIELDS else mapping.snake(field_name))


def _has_placeholder(value: Any) -> bool:
    if isinstance(value, str):
        return bool(PLACEHOLDER.search(value))
    if isinstance(value, list):
        return any(_has_placeholder(item) for item in value)
    if isinstance(value, dict):
        return any(_has_placeholder(item) for item in value.values())
    return False


def _output_text(name: str, pattern: str) -> str:
    own = mapping.PATTERN_STACK_OUTPUTS.get(pattern, {})
    return own.get(name) or STACK_OUTPUTS.get(name) or name.replace("_", " ").capitalize()


def _password_arguments(captured: CapturedResource) -> list[Any]:
    """A RandomPassword's inputs as the arguments of `aws_secretsmanager_random_password`."""
    items: list[Any] = []
    for field_name in sorted(captured.inputs):
        value = captured.inputs[field_name]
        if field_name not in mapping.PASSWORD_ARGUMENTS:
            raise LookupError(
                f"RandomPassword `{captured.name}` sets `{field_name}`, which the OpenTofu eject "
                "cannot give aws_secretsmanager_random_password"
            )
        argument, when = mapping.PASSWORD_ARGUMENTS[field_name]
        if when is None:
            items.append(Attribute(argument, value))
        elif value == when:
            items.append(Attribute(argument, True))
    return items


def _plural(attribute: str) -> str:
    """`id` → `ids`, `address` → `addresses`: the name of a family's list output."""
    return attribute + ("es" if attribute.endswith("s") else "s")


def _attribute_text(attribute: str) -> str:
    special = {
        "id": "ID",
        "arn": "ARN",
        "dns_name": "DNS name",
        "zone_id": "Route 53 zone ID",
        "secret_arn": "ARN of the secret",
    }
    return special.get(attribute, attribute.replace("_", " ").capitalize())


def describe(binding: Binding, resolved: ResolvedDeployment) -> str:
    """The variable's description from the field docs (the one source), naming the manifest key."""
    text = _manifest_doc(binding.manifest) or _field_doc(resolved, binding.path) or binding.description
    return f"{text} From `{binding.key}` in deployment.yaml." if binding.key else text


def _manifest_doc(reference: str | None) -> str | None:
    if reference is None:
        return None
    from ...program import spec

    class_name, _, field_name = reference.partition(".")
    info = getattr(spec, class_name).model_fields.get(field_name)
    if info is None or not info.description:
        return None
    first = re.split(r"(?<=\.)\s", info.description.strip(), maxsplit=1)[0]
    return first if first.endswith(".") else first + "."


def _field_doc(resolved: ResolvedDeployment, path: str) -> str | None:
    """The model's own field doc (the one source of descriptions), when it has one."""
    section, _, name = path.partition(".")
    model = type(getattr(resolved, section))
    info = model.model_fields.get(name)
    return info.description if info is not None and info.description else None


def aws_part(graph: ResourceGraph, urns: Mapping[str, str]) -> ResourceGraph:
    """The graph without what another eject target writes (:data:`.mapping.OTHER_TARGETS`):
    the kubernetes pattern's workloads, their provider, and the stack outputs naming them."""
    from ...capture import ResourceGraph

    def elsewhere(item: CapturedResource) -> bool:
        kind = item.type.removeprefix("pulumi:providers:") + ":" if item.is_provider else item.type
        return kind.startswith(tuple(mapping.OTHER_TARGETS))

    dropped = {item.urn for item in graph.resources if elsewhere(item)}
    if not dropped:
        return graph
    kept = {key for key, urn in urns.items() if urn not in dropped}

    def names_kept(value: Any) -> bool:
        # the workloads answer plain values (references.ReferenceHook): an output of theirs
        # (namespace, service, url) holds no placeholder of a kept resource
        text = json.dumps(value, ensure_ascii=False)
        return any(match.group(1).partition(".")[0] in kept for match in PLACEHOLDER.finditer(text))

    return ResourceGraph(
        tuple(item for item in graph.resources if item.urn not in dropped),
        {name: value for name, value in graph.outputs.items() if names_kept(value)},
    )


def translate(
    resolved: ResolvedDeployment,
    overrides: Callable[[ResourceGraph], Mapping[str, Mapping[str, Any]]] | None = None,
) -> Configuration:
    """The configuration of the program. With `overrides` it adopts a running stack: they give,
    from the captured graph, the inputs (by URN) that replace the captured ones."""
    graph, urns = capture_with_references(resolved)
    if overrides is None:
        return Translator(graph, urns, resolved).build()
    return Translator(graph, urns, resolved, overrides=overrides(graph), adopting=True).build()
