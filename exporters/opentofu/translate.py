"""ResourceGraph → OpenTofu configuration model (modules, resources, variables, outputs).

The program runs under mocks with a hook that answers every output property with a
placeholder naming the resource and attribute, written as an HCL interpolation
(``${«r12.arn»}``); data sources answer with placeholders naming a data source
(``${«data.aws_caller_identity.current.account_id»}``). An output typed as a list of
objects answers with one object whose fields are placeholders with their traversal
(``${«r12.masterUserSecrets»[0].secret_arn}``), which is kept.
Inputs built from outputs therefore arrive with the placeholders inside, even through
``Output.concat`` and ``json_dumps``; here each placeholder becomes an HCL reference
(same module), a module variable wired from another module's output, or a module
output reference (from the root). One module per top-level component; values that
came from the manifest become variables; literal secrets become sensitive variables.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ...program.catalogue import AWS_NAME_MAX_LENGTH
from . import mapping
from .hcl import Attribute, Blank, Block, Call, Comment, Expr, Template, spaced

if TYPE_CHECKING:
    from ...capture import CapturedResource, ResourceGraph
    from ...program.model import ResolvedDeployment

PLACEHOLDER = re.compile(r"\$\{«([^«»]+)»((?:\[\d+\]|\.[A-Za-z_][A-Za-z0-9_]*)*)\}")
"""`${«key.attribute»<traversal>}`: group 1 names the value, group 2 is an optional HCL traversal."""
ROOT = ""

MODULE_NAMES: Mapping[str, str] = {
    "Encryption": "encryption",
    "Network": "networking",
    "LogArchive": "logging",
    "Database": "database",
    "Service": "compute",
    "LoadBalancer": "loadbalancer",
    "Monitoring": "monitoring",
    "Storage": "storage",
    "Cache": "cache",
    "Edge": "edge",
    "Secrets": "secrets",
}
"""Component class (last part of its type token) → module folder name, in main.tf order."""


CREATE_BEFORE_DESTROY = frozenset({"aws_acm_certificate"})
"""Types whose replacement must exist before the old one goes, as Pulumi replaces by default
(a listener can never be left without a certificate)."""


@dataclass(frozen=True)
class Binding:
    """An argument whose value came from the manifest: exposed as a variable."""

    path: str
    """Dotted path in the ResolvedDeployment (also the variable name, dots as underscores)."""
    type: str
    """HCL type of the variable."""
    description: str
    """Used when neither the resolved model nor the manifest field has a doc."""
    manifest: str | None = None
    """`Spec class.field` the value is written as in deployment.yaml (its doc is preferred)."""
    key: str | None = None
    """The manifest key a user edits (`database.storage`)."""


_B = Binding
BINDINGS: Mapping[tuple[str, str], Binding] = {
    ("aws_vpc", "cidr_block"): _B("network.vpc_cidr", "string", "VPC address range.",
                                  "NetworkingSpec.vpc_cidr", "networking.vpc_cidr"),
    ("aws_db_instance", "instance_class"): _B("database.instance_class", "string",
                                              "RDS instance class of the database.", None, "database.size"),
    ("aws_db_instance", "allocated_storage"): _B("database.storage_gb", "number", "Allocated storage in GB.",
                                                 "DatabaseSpec.storage", "database.storage"),
    ("aws_db_instance", "max_allocated_storage"): _B("database.max_storage_gb", "number",
                                                     "Ceiling of storage autoscaling in GB."),
    ("aws_db_instance", "multi_az"): _B("database.multi_az", "bool", "Standby in a second availability zone.",
                                        "DatabaseSpec.multi_az", "database.multi_az"),
    ("aws_db_instance", "backup_retention_period"): _B("database.backup_retention_days", "number",
                                                       "Days automated backups are kept.",
                                                       "BackupSpec.retention", "database.backup.retention"),
    ("aws_db_instance", "deletion_protection"): _B("database.deletion_protection", "bool",
                                                   "AWS refuses to delete the database while set "
                                                   "(`./deploy.sh destroy` turns it off first)."),
    ("aws_lb", "enable_deletion_protection"): _B("load_balancer.deletion_protection", "bool",
                                                 "AWS refuses to delete the load balancer while set "
                                                 "(`./deploy.sh destroy` turns it off first)."),
    ("aws_ecs_service", "desired_count"): _B("application.instances", "number", "Running copies of the application.",
                                             "ApplicationSpec.instances", "application.instances"),
    ("aws_ecs_task_definition", "cpu"): _B("application.cpu_units", "string", "CPU units per task (1024 = 1 vCPU).",
                                           None, "application.cpu"),
    ("aws_ecs_task_definition", "memory"): _B("application.memory_mib", "string", "Memory per task in MiB.",
                                              None, "application.memory"),
    ("aws_appautoscaling_target", "min_capacity"): _B("application.autoscale_min", "number",
                                                      "Fewest running tasks under autoscaling.",
                                                      "AutoscaleSpec.min", "application.autoscale.min"),
    ("aws_appautoscaling_target", "max_capacity"): _B("application.autoscale_max", "number",
                                                      "Most running tasks under autoscaling.",
                                                      "AutoscaleSpec.max", "application.autoscale.max"),
    ("aws_elasticache_replication_group", "node_type"): _B("cache.node_type", "string", "ElastiCache node type.",
                                                           None, "cache.size"),
    ("aws_acm_certificate", "domain_name"): _B("deployment.domain", "string", "Public domain of the application.",
                                               "DeploymentMeta.domain", "deployment.domain"),
    ("aws_route53_record", "name"): _B("deployment.domain", "string", "Public domain of the application.",
                                      "DeploymentMeta.domain", "deployment.domain"),
}
"""(OpenTofu type, argument) → the manifest value it carries.

Log retention stays a literal on purpose: checkov resolves a variable's default in some
modules and not in others, so a variable there would hide a CKV_AWS_338 finding."""

SET_ATTRIBUTES = frozenset({("aws_acm_certificate", "domain_validation_options")})
"""Attributes the provider types as sets: indexing one needs `tolist()` first."""

DATA_CALLS: Mapping[str, Mapping[str, str]] = {
    "aws:index/getCallerIdentity:getCallerIdentity": {
        "accountId": "data.aws_caller_identity.current.account_id",
        "arn": "data.aws_caller_identity.current.arn",
        "userId": "data.aws_caller_identity.current.user_id",
        "id": "data.aws_caller_identity.current.id",
    },
    "aws:index/getPartition:getPartition": {
        "partition": "data.aws_partition.current.partition",
        "dnsSuffix": "data.aws_partition.current.dns_suffix",
        "id": "data.aws_partition.current.id",
    },
    "aws:index/getRegion:getRegion": {
        "name": "data.aws_region.current.region",
        "region": "data.aws_region.current.region",
        "id": "data.aws_region.current.region",
    },
    "aws:ec2/getManagedPrefixList:getManagedPrefixList": {
        "id": "data.aws_ec2_managed_prefix_list.cloudfront_origin_facing.id",
    },
    "aws:route53/getZone:getZone": {
        "zoneId": "data.aws_route53_zone.domain.zone_id",
        "id": "data.aws_route53_zone.domain.id",
        "name": "data.aws_route53_zone.domain.name",
    },
}
"""Data-source calls answered with references to OpenTofu data sources."""

DATA_ARGUMENTS: Mapping[str, Mapping[str, Any]] = {
    "aws_ec2_managed_prefix_list.cloudfront_origin_facing": {"name": "com.amazonaws.global.cloudfront.origin-facing"},
    "aws_route53_zone.domain": {"name": Expr("var.deployment_dns_zone"), "private_zone": False},
}
"""`kind.label` → arguments of the data sources that read one named object (others have none)."""


@dataclass
class Variable:
    name: str
    type: str
    description: str
    default: Any = None
    has_default: bool = False
    sensitive: bool = False


@dataclass
class OutputValue:
    name: str
    value: Any
    description: str
    sensitive: bool = False


@dataclass
class TfResource:
    captured: CapturedResource
    type: str
    label: str
    module: str
    alias: str | None
    """Provider alias (None: the module's default aws provider)."""

    @property
    def address(self) -> str:
        return f"{self.type}.{self.label}"


@dataclass
class Module:
    name: str
    component: str
    """Name of the Pulumi component the module comes from (empty for the root)."""
    component_type: str = ""
    resources: list[TfResource] = field(default_factory=list)
    variables: dict[str, Variable] = field(default_factory=dict)
    outputs: dict[str, OutputValue] = field(default_factory=dict)
    arguments: dict[str, Any] = field(default_factory=dict)
    """Root-side values of the module's variables (`vpc_id = module.networking.vpc_id`)."""
    data: set[str] = field(default_factory=set)
    """`kind.label` of each data source the module reads."""
    aliases: set[str | None] = field(default_factory=set)
    body: list[Block] = field(default_factory=list)
    depends_on: set[str] = field(default_factory=set)
    """Modules this one must wait for beyond its references (Pulumi `depends_on` across components)."""


@dataclass
class Provider:
    urn: str
    name: str
    alias: str | None
    region_var: str
    inputs: Mapping[str, Any]


@dataclass
class Configuration:
    """Everything the file writers need."""

    modules: dict[str, Module]
    root: Module
    providers: list[Provider]
    graph: ResourceGraph
    resolved: ResolvedDeployment
    uses_random: bool = False

    def all_resources(self) -> list[TfResource]:
        return [resource for module in [self.root, *self.modules.values()] for resource in module.resources]


# --------------------------------------------------------------------------- capture


class ReferenceHook:
    """outputs_for: every output of a resource answers with its placeholder."""

    def __init__(self) -> None:
        self.urns: dict[str, str] = {}

    def __call__(self, resource: CapturedResource) -> dict[str, Any]:
        if resource.is_provider:
            return {}
        key = f"r{len(self.urns)}"
        self.urns[key] = resource.urn
        state: dict[str, Any] = {}
        for name in resource.output_names:
            fields = resource.list_outputs.get(name)
            if fields:
                # A list of objects answers with one object whose fields carry the traversal
                # (`${«r12.masterUserSecrets»[0].secret_arn}`): a component reading the first
                # element's field gets the reference to exactly that.
                state[name] = [{field_name: "${«" + f"{key}.{name}" + "»" + f"[0].{mapping.snake(field_name)}" + "}"
                                for field_name in fields}]
            else:
                state[name] = "${«" + f"{key}.{name}" + "»}"
        state["id"] = "${«" + f"{key}.id" + "»}"
        return state


def _data_placeholders() -> dict[str, Any]:
    """Answers to the data-source calls for one capture: placeholders of the root's data blocks."""
    return {token: (lambda args, region, fields=fields: {key: "${«" + ref + "»}" for key, ref in fields.items()})
            for token, fields in DATA_CALLS.items()}


def capture_with_references(resolved: ResolvedDeployment) -> tuple[ResourceGraph, dict[str, str]]:
    from ...capture import capture

    hook = ReferenceHook()
    graph = capture(resolved, outputs_for=hook, calls=_data_placeholders())
    return graph, hook.urns


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

    def __init__(self, graph: ResourceGraph, urns: Mapping[str, str], resolved: ResolvedDeployment):
        self.graph = graph
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
        self.uses_random = False
        self.explicit: dict[str, set[str]] = {}
        """Module → modules holding resources its resources depend on without a reference."""

    # -- structure

    def build(self) -> Configuration:
        self._providers()
        self._place()
        for module in [self.root, *self.modules.values()]:
            for resource in module.resources:
                module.body.append(self._resource_block(resource, module))
        self._module_dependencies()
        self._stack_outputs()
        root = self.root
        root.variables.update(self.root_variables)
        return Configuration(self.modules, root, self.providers, self.graph, self.resolved, self.uses_random)

    def _providers(self) -> None:
        primary_region = self.resolved.platform.region
        explicit = sorted((item for item in self.graph.resources if item.type == "pulumi:providers:aws"),
                          key=lambda item: (item.inputs.get("region") != primary_region, _natural(item.name)))
        for position, item in enumerate(explicit):
            if position == 0:
                alias, region_var = None, "region"
            else:
                rest = _label(item.name.removeprefix(f"{self.prefix}-"))
                alias = re.sub(r"^aws_|_aws$", "", rest) or f"aws{position}"
                region_var = f"{alias}_region"
            unknown = set(item.inputs) - mapping.PROVIDER_INPUTS - mapping.PROVIDER_INPUTS_IGNORED
            if unknown:
                raise LookupError(f"provider `{item.name}` sets {', '.join(sorted(unknown))}, which the OpenTofu eject "
                                  "does not translate: add them to exporters/opentofu (files.py provider blocks)")
            self.providers.append(Provider(item.urn, item.name, alias, region_var, item.inputs))
            self.provider_alias[item.urn] = alias
        for item in self.graph.resources:
            if item.is_provider and item.type != "pulumi:providers:aws" and item.type != "pulumi:providers:random":
                raise mapping.UnmappedTypeError(item.type, item.name)

    def _module_of(self, resource: CapturedResource, taken: set[str], names: dict[str, str]) -> str:
        top = self.graph.top_component(resource)
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
        components = sorted((item for item in self.graph.resources if not item.custom),
                            key=lambda item: _component_rank(item.name.removeprefix(f"{self.prefix}-")))
        for component in components:
            children = [item for item in self.graph.resources if item.custom and not item.is_provider
                        and self.graph.top_component(item) is component]
            if children:
                self._module_of(children[0], taken, names)
        ordered = sorted((item for item in self.graph.resources if item.custom and not item.is_provider),
                         key=lambda item: (_natural(item.name), item.type))
        for item in ordered:
            tf_type = mapping.tofu_type(item.type, item.name)
            if tf_type.startswith("random_"):
                self.uses_random = True
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
            if tf_type.startswith("aws_"):
                module.aliases.add(alias)
            module.resources.append(resource)
            self.by_urn[item.urn] = resource
        self.modules = dict(sorted(self.modules.items(), key=lambda pair: _module_rank(pair[1])))

    def _resource_label(self, item: CapturedResource, module: Module) -> str:
        name = item.name
        if module.component and name == module.component:
            return "this"
        for prefix in (f"{module.component}-", f"{self.prefix}-"):
            if module.component and name.startswith(prefix):
                return _label(name[len(prefix):])
        return _label(name.removeprefix(f"{self.prefix}-"))

    # -- references and values

    def reference(self, key: str, attribute: str, module: Module, traversal: str = "") -> str:
        """HCL expression for `attribute` of the resource behind placeholder `key`, seen from `module`."""
        target = self.by_urn.get(self.keys.get(key, ""))
        if target is None:
            raise LookupError(f"placeholder «{key}.{attribute}» names no exported resource")
        attr = "id" if attribute == "id" else mapping.attribute_name(attribute)
        local = f"{target.address}.{attr}{traversal}"
        if (target.type, attr) in SET_ATTRIBUTES and traversal.startswith("["):
            local = f"tolist({target.address}.{attr}){traversal}"
        if target.module == module.name:
            return local
        source = self.modules[target.module] if target.module else self.root
        last = re.findall(r"[A-Za-z_][A-Za-z0-9_]*", traversal)
        output = self._expose(source, target, last[-1] if last else attr, local)
        if module is self.root:
            return f"module.{source.name}.{output}"
        if output not in module.variables:
            module.variables[output] = Variable(
                output, "string", f"{_attribute_text(attr)} of {target.address} in the {source.name or 'root'} module.")
            module.arguments[output] = Expr(f"module.{source.name}.{output}" if source.name else local)
        return f"var.{output}"

    def _expose(self, source: Module, target: TfResource, attr: str, local: str) -> str:
        name = f"{target.label}_{attr}"
        existing = source.outputs.get(name)
        if existing is not None and existing.value != Expr(local):
            name = f"{target.label}_{target.type.removeprefix('aws_')}_{attr}"
        if name not in source.outputs:
            source.outputs[name] = OutputValue(name, Expr(local), f"{_attribute_text(attr)} of {target.address}.")
        return name

    def text(self, value: str, module: Module, referenced: set[str]) -> Any:
        """A string with placeholders and the stack prefix → literal, Expr or Template."""
        parts: list[Any] = []
        position = 0
        for match in PLACEHOLDER.finditer(value):
            parts.extend(self._literal_parts(value[position:match.start()], module))
            inner, traversal = match.group(1), match.group(2)
            if inner.startswith("data."):
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
        if not region or region not in text:
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
                "deployment_dns_zone", "string", describe(Binding("deployment.dns_zone", "string", (
                    "Route 53 hosted zone that holds the domain."), "DeploymentMeta.dns_zone",
                    "deployment.dns_zone"), self.resolved), zone, True)
        if module is self.root:
            return reference
        variable = attribute if label == "current" else f"{label}_{attribute}"
        if variable not in module.variables:
            module.variables[variable] = Variable(
                variable, "string", f"`{attribute}` of the `{kind}` data source, read once in the root module.")
            module.arguments[variable] = Expr(reference)
        return f"var.{variable}"

    def _region_variable(self, module: Module, provider: Provider) -> None:
        if "region" not in module.variables:
            module.variables["region"] = Variable(
                "region", "string", "AWS region of the provider this module runs with (zone names derive from it).")
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
                "name_prefix", "string", "Prefix of every cloud resource name (`<name>-<environment>`).")
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

    def json_document(self, text: str, module: Module, referenced: set[str]) -> Any:
        try:
            document = json.loads(text)
        except ValueError:
            return None
        if not isinstance(document, (dict, list)):
            return None
        return Call("jsonencode", (self.value(document, module, referenced, ordered=True),))

    # -- resources

    def _resource_block(self, resource: TfResource, module: Module) -> Block:
        captured = resource.captured
        referenced: set[str] = set()
        secret_tops = {re.split(r"[.\[]", path, 1)[0] for path in captured.secret_paths}
        items = self._arguments(resource, autonamed(resource, dict(captured.inputs)), module, referenced,
                                secret_tops, top=True)
        meta: list[Any] = []
        if resource.alias is not None and len(module.aliases) > 1:
            meta.append(Attribute("provider", Expr(f"aws.{resource.alias}")))
        explicit = [self.by_urn[urn] for urn in captured.dependencies
                    if urn in self.by_urn and urn not in referenced and urn != captured.urn]
        depends = sorted((item for item in explicit if item.module == module.name), key=lambda item: item.address)
        self.explicit.setdefault(module.name, set()).update(
            item.module for item in explicit if item.module != module.name and item.module)
        if depends:
            meta.append(Attribute("depends_on", [Expr(item.address) for item in depends]))
        body = _with_meta(meta, spaced(items)) if meta else spaced(items)
        block = Block("resource", (resource.type, resource.label), body)
        lifecycle: list[Any] = []
        if captured.protect:
            lifecycle.append(Attribute("prevent_destroy", True))
        if resource.type in CREATE_BEFORE_DESTROY:
            lifecycle.append(Attribute("create_before_destroy", True))
        if lifecycle:
            block.body.extend(_blank_then(block.body, Block("lifecycle", (), lifecycle)))
        return block

    def _arguments(self, resource: TfResource, inputs: dict[str, Any], module: Module, referenced: set[str],
                   secret_tops: set[str], *, top: bool) -> list[Any]:
        items: list[Any] = []
        blocks: list[Any] = []
        for field_name in sorted(inputs, key=_order_key):
            raw = inputs[field_name]
            if raw is None:
                continue
            if top and field_name in secret_tops and not _has_placeholder(raw):
                items.append(Attribute(mapping.argument_name(resource.type, field_name),
                                       Expr(self._secret_variable(resource, field_name, module, raw))))
                continue
            name = mapping.argument_name(resource.type, field_name)
            if isinstance(raw, str) and field_name in mapping.JSON_FIELDS:
                document = self.json_document(raw, module, referenced)
                if document is not None:
                    items.append(Attribute(name, document))
                    continue
            if isinstance(raw, dict) and field_name not in mapping.MAP_ATTRIBUTES:
                blocks.append(self._nested(resource, mapping.snake(field_name), raw, module, referenced))
                continue
            if isinstance(raw, list) and raw and all(isinstance(item, dict) for item in raw) \
                    and field_name not in mapping.MAP_ATTRIBUTES:
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

    def _nested(self, resource: TfResource, name: str, inputs: dict[str, Any], module: Module,
                referenced: set[str]) -> Block:
        body = self._arguments(resource, inputs, module, referenced, set(), top=False)
        return Block(name, (), spaced(body))

    def _bind(self, resource: TfResource, name: str, raw: Any, converted: Any, module: Module) -> Any:
        binding = BINDINGS.get((resource.type, name))
        if binding is None or isinstance(converted, (Expr, Template)):
            return converted
        expected = self.resolved.value(binding.path)
        if expected is None or str(expected).lower() != str(raw).lower():
            return converted
        variable = binding.path.replace(".", "_")
        default = str(expected) if binding.type == "string" else expected
        description = describe(binding, self.resolved)
        if variable not in self.root_variables:
            self.root_variables[variable] = Variable(variable, binding.type, description, default, True)
        if module is self.root:
            return Expr(f"var.{variable}")
        if variable not in module.variables:
            module.variables[variable] = Variable(variable, binding.type, description, default, True)
            module.arguments[variable] = Expr(f"var.{variable}")
        return Expr(f"var.{variable}")

    def _secret_variable(self, resource: TfResource, field_name: str, module: Module, raw: Any) -> str:
        variable = f"{resource.label}_{mapping.snake(field_name)}"
        kind = "string" if isinstance(raw, str) else "any"
        description = f"Secret `{mapping.snake(field_name)}` of {resource.address}; set it in terraform.tfvars " \
                      "or TF_VAR_" + variable + ", never in code."
        self.root_variables[variable] = Variable(variable, kind, description, sensitive=True)
        if module is self.root:
            return f"var.{variable}"
        module.variables[variable] = Variable(variable, kind, description, sensitive=True)
        module.arguments[variable] = Expr(f"var.{variable}")
        return f"var.{variable}"

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
                name, converted, f"{_output_text(name)} (the Pulumi stack output of the same name).")


def _module_rank(module: Module) -> tuple[int, int, str]:
    kinds = list(MODULE_NAMES)
    kind = module.component_type.rsplit(":", 1)[-1]
    return (kinds.index(kind) if kind in kinds else len(kinds), len(module.name.split("_")), module.name)


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


NAME_FIELDS = ("name", "identifier", "bucket", "family", "namePrefix", "bucketPrefix", "replicationGroupId")
TAG_FIELDS = ("tags", "tagsAll")


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


STACK_OUTPUTS: Mapping[str, str] = {
    "url": "Public URL of the application",
    "vpc_id": "ID of the VPC",
    "cluster_name": "Name of the ECS cluster",
    "service_name": "Name of the ECS service",
    "database_endpoint": "Endpoint (host:port) of the primary database",
    "dr_database_endpoint": "Endpoint (host:port) of the disaster-recovery database replica",
    "cache_endpoint": "Endpoint of the Redis cache",
    "ecr_repository_url": "URL of the ECR repository images are pushed to",
    "load_balancer_dns_name": "DNS name of the load balancer",
    "buckets": "Object storage buckets by manifest name",
}
"""Descriptions of the pattern's stack outputs (others are described from their name)."""


def _output_text(name: str) -> str:
    return STACK_OUTPUTS.get(name) or name.replace("_", " ").capitalize()


def _attribute_text(attribute: str) -> str:
    special = {"id": "ID", "arn": "ARN", "dns_name": "DNS name", "zone_id": "Route 53 zone ID",
               "secret_arn": "ARN of the secret"}
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


def translate(resolved: ResolvedDeployment) -> Configuration:
    graph, urns = capture_with_references(resolved)
    return Translator(graph, urns, resolved).build()
