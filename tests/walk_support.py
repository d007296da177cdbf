"""The walk over every manifest key: each leaf of the schema, set to a value other than
its default, on each pattern, must do something a user can see.

"Something" is one of three outcomes, checked in this order:

- **refused**: the manifest does not resolve (exit 2) and a `field.path: message` line
  names the key;
- **warned**: resolution succeeds and a warning line (printed on stderr as
  `warning: ...`) starts with the key's path;
- **built**: the offline capture (every resource and input the program registers)
  differs from the manifest without the key, or, for the keys whose consumer is a
  generated file rather than a resource (the CI workflows, the env templates), the
  ejected files differ.

Anything else is a key passing silently, which the walk test reports by path.
"""

from __future__ import annotations

import copy
import json
import typing
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel

PATTERNS = ("hobby-project", "small-saas", "production-saas", "kubernetes")

# Where a key only means something inside its section, the section written around it
# (without it the first key would only switch the section on).
CONTEXTS: dict[str, list[dict[str, Any]]] = {
    "deployment.dns_zone": [{"deployment": {"domain": "app.example.com"}}],
    "cicd.specql_index": [{"cicd": {"specql_source": "specql-deploy==0.1.0"}}],
    "database.backup.endpoint": [{"database": {"backup": {"destination": "s3://my-backups/db"}}}],
    "database.backup.region": [{"database": {"backup": {"destination": "s3://my-backups/db"}}}],
    "networking.load_balancer.ssl": [{}, {"deployment": {"domain": "app.example.com"}}],
    "networking.load_balancer.certificate": [{"deployment": {"domain": "app.example.com"}}],
    "security.ssl": [{"deployment": {"domain": "app.example.com"}}],
    "security.certificate_provider": [{"deployment": {"domain": "app.example.com"}}],
    "kubernetes.ingress.ssl": [{"deployment": {"domain": "app.example.com"}}],
    "kubernetes.existing_addons": [{"deployment": {"domain": "app.example.com"}}],
    "cache.": [{"cache": {"enabled": True}}],
    "application.autoscale.": [{"application": {"autoscale": {"enabled": True}}}],
    "storage.buckets[].": [{"storage": {"buckets": [{"name": "uploads"}]}}],
    "monitoring.alarms[].": [{"monitoring": {"alarms": [{"type": "cpu_high"}]}}],
    "cicd.triggers[].push.": [{"cicd": {"triggers": [{"push": {"action": "deploy"}}]}}],
    "cicd.triggers[].pull_request.": [{"cicd": {"triggers": [{"pull_request": {"action": "test"}}]}}],
    "cicd.environments[].": [{"cicd": {"environments": [{"name": "staging"}]}}],
    "environments[].": [{"environments": [{"name": "dev"}]}],
}

# Values to try for keys that are neither a choice nor a switch (the walk tries every
# choice and the opposite of every switch by itself); the first that differs from the
# pattern's default is used.
VALUES: dict[str, list[Any]] = {
    "deployment.name": ["other-app"],
    "cicd.specql_source": ["specql-deploy @ git+https://git.example.com/team/specql-deploy@v0.1.0"],
    "cicd.specql_index": ["https://pypi.example.com/simple/"],
    "deployment.version": ["1.2.3"],
    "deployment.domain": ["app.example.com"],
    "deployment.dns_zone": ["example.com"],
    "deployment.host": ["ssh://deploy@203.0.113.10"],
    "platform.region": ["eu-west-1"],
    "platform.regions": [["eu-west-1"], ["us-east-1", "eu-west-1"]],
    "platform.availability_zones": [3, 2],
    "database.version": ["15"],
    "database.storage": [50, 200],
    "database.backup.retention": [14],
    "database.backup.destination": ["s3://my-backups/db"],
    "database.backup.endpoint": ["https://account.r2.cloudflarestorage.com"],
    "database.backup.region": ["auto"],
    "database.replicas": [1, 2],
    "application.version": ["3.11"],
    "application.instances": [2, 4],
    "application.memory": [2048, 4096],
    "application.cpu": [1, 2],
    "application.port": [9000],
    "application.command": [["python", "-m", "app"]],
    "application.autoscale.min": [3],
    "application.autoscale.max": [7, 60],
    "application.autoscale.target_cpu": [50],
    "application.autoscale.target_memory": [60],
    "application.health_check.path": ["/ready"],
    "application.health_check.interval": [15],
    "application.health_check.timeout": [3],
    "application.health_check.healthy_threshold": [4],
    "networking.vpc_cidr": ["10.1.0.0/16"],
    "networking.public_subnets": [3, 2],
    "networking.private_subnets": [3, 2],
    "networking.load_balancer.certificate": [
        "acm",
        "letsencrypt",
        "arn:aws:acm:us-east-1:123456789012:certificate/abc",
    ],
    "storage.buckets[].name": ["media"],
    "storage.buckets[].public": [True],
    "security.encryption_at_rest": [False],
    "storage.buckets[].lifecycle": [90],
    "cache.replicas": [1, 2],
    "monitoring.logs.retention": [30, 90],
    "monitoring.alarms[].name": ["api_cpu"],
    "monitoring.alarms[].condition": ["cpu > 90"],
    "monitoring.alarms[].threshold": [90],
    "monitoring.alarms[].duration": ["10m"],
    "monitoring.alarms[].email": ["ops@example.com"],
    "cicd.triggers[].push.branch": ["release"],
    "cicd.triggers[].pull_request.branch": ["develop"],
    "cicd.environments[].name": ["qa"],
    "kubernetes.kubeconfig": ["~/.kube/other"],
    "kubernetes.context": ["other"],
    "kubernetes.namespace": ["other-ns"],
    "environments[].name": ["qa"],
    "environments[].variables": [{"LOG_LEVEL": "debug"}],
    "environments[].secrets": [["STRIPE_API_KEY"]],
}

# Sections an environment may override repeat the top-level models; the walk covers them
# once, at the top level (tests/program/test_resolve.py checks that overlays apply).
SKIPPED_SUBTREES = ("environments[].database", "environments[].application", "environments[].cache")
SKIPPED_SUBTREES += ("environments[].monitoring", "environments[].security", "environments[].networking")


@dataclass(frozen=True)
class Leaf:
    path: str
    """Dotted manifest path, `[]` marking a list item (`storage.buckets[].name`)."""
    annotation: Any
    feeds: tuple[str, ...]
    """Resolved paths the field writes."""


def leaves(model: type[BaseModel], prefix: str = "") -> Iterator[Leaf]:
    """Every leaf field of the manifest schema, by dotted path."""
    from specql_deploy.program.markers import Feeds

    for name, info in model.model_fields.items():
        key = info.alias or name
        path = f"{prefix}{key}"
        if path.startswith(SKIPPED_SUBTREES):
            continue
        inner, is_list = _inner(info.annotation)
        if isinstance(inner, type) and issubclass(inner, BaseModel):
            yield from leaves(inner, f"{path}[]." if is_list else f"{path}.")
            continue
        feeds = tuple(item.path for item in info.metadata if isinstance(item, Feeds))
        yield Leaf(path, info.annotation, feeds)


def _inner(annotation: Any) -> tuple[Any, bool]:
    is_list = False
    for _ in range(5):
        origin = typing.get_origin(annotation)
        args = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
        if origin is typing.Union or str(origin) == "<class 'types.UnionType'>":
            if len(args) != 1:
                return annotation, is_list
            annotation = args[0]
        elif origin is typing.Annotated:
            annotation = args[0]
        elif origin in (tuple, list):
            if typing.get_args(annotation)[0] is str or typing.get_origin(typing.get_args(annotation)[0]) is (
                typing.Literal
            ):
                return annotation, is_list
            is_list = True
            annotation = typing.get_args(annotation)[0]
        else:
            return annotation, is_list
    return annotation, is_list


def candidates(leaf: Leaf) -> list[Any]:
    """Values to try: every choice, both switches, or the table's values."""
    if leaf.path in VALUES:
        return VALUES[leaf.path]
    inner, _ = _inner(leaf.annotation)
    if typing.get_origin(inner) is typing.Literal:
        return list(typing.get_args(inner))
    if inner is bool:
        return [True, False]
    origin = typing.get_origin(inner)
    if origin in (tuple, list):
        element = typing.get_args(inner)[0]
        if typing.get_origin(element) is typing.Literal:
            return [[value] for value in typing.get_args(element)]
    raise KeyError(f"{leaf.path}: no values to try; add them to VALUES in tests/walk_support.py")


def contexts(leaf: Leaf) -> list[dict[str, Any]]:
    if leaf.path in CONTEXTS:
        return CONTEXTS[leaf.path]
    for prefix, found in CONTEXTS.items():
        if prefix.endswith(".") and leaf.path.startswith(prefix):
            return found
    return [{}]


def with_value(document: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """The document with `path` set (items of a list: its first item)."""
    result = copy.deepcopy(document)
    node: Any = result
    parts = path.split(".")
    for part in parts[:-1]:
        if part.endswith("[]"):
            items = node.setdefault(part[:-2], [{}])
            node = items[0]
        else:
            node = node.setdefault(part, {})
    node[parts[-1]] = value
    return result


def merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    result = copy.deepcopy(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(result.get(key), dict):
            result[key] = merge(result[key], value)
        else:
            result[key] = copy.deepcopy(value)
    return result


@dataclass
class Outcome:
    kind: str
    """`refused`, `warned`, `built`, `default` (the value the pattern has anyway),
    `unresolvable-context`, `crashed` (resolves, then the program or an exporter fails)
    or `silent`."""
    detail: str = ""


@dataclass
class Walker:
    """Resolves, captures and ejects manifests, caching what a baseline needs."""

    root: Path
    _captures: dict[str, Any] = field(default_factory=dict)
    _ejects: dict[str, Any] = field(default_factory=dict)

    def resolve(self, document: dict[str, Any]) -> tuple[Any, list[str], list[str]]:
        """(resolved or None, problems, warnings) of a manifest document, each line as the CLI
        prints it: the key named as the document writes it, and its line."""
        from specql_deploy.program.manifest import Manifest, ManifestError, parse
        from specql_deploy.program.resolve import ResolutionError, environment_names, resolve

        lines: dict[str, int] = {}
        try:
            spec = parse(json.dumps(document, indent=1), lines)
            manifest = Manifest(self.root / "deployment.yaml", spec, lines)
            first = None
            warnings: list[str] = []
            for environment in environment_names(spec):
                resolved = resolve(spec, environment, default_name="walk")
                warnings += [str(manifest.warning(warning)) for warning in resolved.warnings]
                first = first or resolved
        except ManifestError as error:
            return None, [str(problem) for problem in error.problems], []
        except ResolutionError as error:
            return None, [str(manifest.problem(path, message)) for path, message in error.problems], []
        return first, [], warnings

    def capture(self, key: str, resolved: Any) -> Any:
        if key not in self._captures:
            from specql_deploy.capture import capture

            graph = capture(resolved)
            self._captures[key] = (
                graph,
                sorted(
                    json.dumps([item.type, item.name, item.parent, dict(item.inputs)], sort_keys=True, default=str)
                    for item in graph.resources
                ),
            )
        return self._captures[key]

    def eject(self, key: str, resolved: Any, graph: Any) -> dict[str, str]:
        if key not in self._ejects:
            from specql_deploy.exporters import TARGETS, ExportContext, environments_needed, load_renderer
            from specql_deploy.program.manifest import parse
            from specql_deploy.program.resolve import resolve

            spec = parse(key)
            others = {name: resolve(spec, name, default_name="walk") for name in environments_needed(resolved, TARGETS)}
            context = ExportContext(
                manifest_path=self.root / "deployment.yaml",
                resolved=resolved,
                graph_factory=lambda: graph,
                environments=others,
            )
            files: dict[str, str] = {}
            for target in TARGETS:
                try:
                    rendered = load_renderer(target)(resolved, context)
                except LookupError:
                    continue  # needs another environment resolved: the CLI tests cover those
                files.update({item.path: item.content for item in rendered})
            self._ejects[key] = files
        return self._ejects[key]

    def outcome(self, pattern: str, leaf: Leaf, context: dict[str, Any], value: Any) -> Outcome:
        base = merge({"deployment": {"pattern": pattern}}, context)
        baseline, problems, _ = self.resolve(base)
        if baseline is None:
            return Outcome("unresolvable-context", "; ".join(problems))
        variant_document = with_value(base, leaf.path, value)
        if variant_document == base:
            return Outcome("default", "the context already holds this value")
        variant, problems, warnings = self.resolve(variant_document)
        name = display(leaf.path)
        if variant is None:
            named = [problem for problem in problems if problem.startswith(_prefixes(leaf.path))]
            return Outcome("refused", named[0]) if named else Outcome("refused-unnamed", "; ".join(problems))
        named = [line for line in warnings if line.startswith(_prefixes(leaf.path, entry=False))]
        if named:
            return Outcome("warned", named[0])
        if variant.flat() == baseline.flat():
            # Everything downstream reads only the resolved model: nothing can differ.
            if leaf.feeds:
                return Outcome("default", "the pattern's own value")
            return Outcome("silent", f"{name}: {value!r} changes nothing and says nothing")
        base_key = json.dumps(base, sort_keys=True)
        variant_key = json.dumps(variant_document, sort_keys=True)
        try:
            base_graph, base_resources = self.capture(base_key, baseline)
            variant_graph, variant_resources = self.capture(variant_key, variant)
            if base_resources != variant_resources:
                return Outcome("built", "capture")
            if self.eject(base_key, baseline, base_graph) != self.eject(variant_key, variant, variant_graph):
                return Outcome("built", "eject")
        except Exception as error:  # noqa: BLE001 - a manifest that resolves must build: report which
            return Outcome("crashed", f"{name}: {value!r} resolves, then fails: {type(error).__name__}: {error}")
        return Outcome("silent", f"{name}: {value!r} changes nothing and says nothing")


def display(path: str) -> str:
    return path.replace("[]", "[0]")


def _prefixes(path: str, *, entry: bool = True) -> tuple[str, ...]:
    """The key as a message may name it: `storage.buckets[0].name`, or (a refusal) the
    list entry it belongs to, `monitoring.alarms[0]`."""
    shown = display(path)
    prefixes = [f"{shown}:", f"{shown} "]
    if entry and "[0]." in shown:
        item = shown.rsplit(".", 1)[0]
        prefixes += [f"{item}:", f"{item} "]
    return tuple(prefixes)
