"""Resolution: DeploymentSpec + environment (+ lock) → ResolvedDeployment.

Layers, lowest first: global defaults, framework, pattern, the environment's built-in
defaults (production protections), what the user wrote, and what the user wrote for
this environment. Each winning value keeps its source and reason. A lock file pins
every value the user did not write, so a new release's defaults never change existing
infrastructure silently.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from . import catalogue
from . import defaults as tables
from .defaults import PatternInfo
from .markers import Default, Derived, Feeds
from .model import Provenance, ResolvedDeployment, Source
from .spec import DeploymentSpec, EnvironmentSpec

USER_REASON = "written in the manifest"


class ResolutionError(ValueError):
    """The manifest is valid on its own but its values do not fit together."""

    def __init__(self, problems: list[tuple[str, str]]):
        self.problems = problems
        super().__init__("; ".join(f"{path}: {message}" for path, message in problems))


@dataclass(frozen=True)
class _Choice:
    """The entry that won a path: a literal, a derived rule, or a user value."""

    entry: Default | Derived
    source: Source
    user: bool = False


@dataclass(frozen=True)
class LockEntry:
    """A pinned value; ``basis`` holds the inputs of a derived value when pinned."""

    value: Any
    basis: tuple[Any, ...] | None = None


def environment_names(spec: DeploymentSpec) -> tuple[str, ...]:
    """The stacks this manifest declares (`dev` when it lists none)."""
    names = tuple(environment.name for environment in spec.environments or ())
    return names or (tables.DEFAULT_ENVIRONMENT.value,)


def default_environment(spec: DeploymentSpec) -> str:
    """The first environment listed, or `dev`."""
    return environment_names(spec)[0]


def resolve(
    spec: DeploymentSpec,
    environment: str | None = None,
    *,
    default_name: str = "app",
    lock: Mapping[str, LockEntry] | None = None,
) -> ResolvedDeployment:
    """Apply every default and overlay; raise ResolutionError when values clash."""
    environment = environment or default_environment(spec)
    declared = environment_names(spec)
    if spec.environments and environment not in declared:
        raise ResolutionError([("environments", _unknown_environment(environment, declared))])
    pattern = tables.PATTERNS[spec.deployment.pattern]
    env_spec = next((e for e in spec.environments or () if e.name == environment), None)

    base_user = user_values(spec)
    effective = _with_overlay(spec, env_spec)
    env_user = user_values(effective) if effective is not spec else base_user
    framework_default = tables.GLOBAL_DEFAULTS["deployment.framework"]
    assert isinstance(framework_default, Default)
    framework: str = env_user.get("deployment.framework", framework_default.value)

    choices: dict[str, _Choice] = {}
    layers: list[tuple[Source, Mapping[str, Default | Derived]]] = [
        ("default", tables.GLOBAL_DEFAULTS),
        (
            "default",
            {
                "deployment.name": Default(default_name, "named after the manifest's folder"),
                "deployment.environment": Default(environment, "the environment being resolved"),
                "deployment.environment_class": Default(
                    catalogue.environment_class(environment),
                    "production, prod, prd and live are production environments",
                ),
            },
        ),
        ("framework", tables.FRAMEWORKS[framework]),
        ("pattern", tables.size_defaults(pattern)),
        ("pattern", pattern.defaults),
        ("environment", tables.ENVIRONMENT_DEFAULTS[catalogue.environment_class(environment)]),
    ]
    for source, table in layers:
        for path, entry in table.items():
            choices[path] = _Choice(entry, source)
    for path, value in env_user.items():
        overridden = path not in base_user or base_user[path] != value
        reason = f"set for environment {environment}" if overridden else USER_REASON
        choices[path] = _Choice(Default(value, reason), "environment" if overridden else "user", user=True)
    if env_spec is not None:
        choices["application.variables"] = _Choice(
            Default(dict(sorted((env_spec.variables or {}).items())), f"variables of environment {environment}"),
            "user",
            user=True,
        )
        choices["application.secrets"] = _Choice(
            Default(tuple(sorted(env_spec.secrets or ())), f"secrets of environment {environment}"), "user", user=True
        )
    else:
        choices["application.variables"] = _Choice(Default({}, "no environment variables declared"), "default")
        choices["application.secrets"] = _Choice(Default((), "no secrets declared"), "default")

    values, provenance = _evaluate(choices, lock or {})
    _fit_fargate(pattern, values, provenance, choices)
    _fit_cache(values, provenance, choices)
    warnings = _fit_ingress_tls(values, provenance)
    _check(pattern, values, provenance)
    return _build(values, provenance, declared, warnings)


# --------------------------------------------------------------------------- user layer


def with_release(
    resolved: ResolvedDeployment, *, version: str | None = None, image: str | None = None, given: str
) -> ResolvedDeployment:
    """The resolution with the release CI deploys: an image tag (`version`) or a whole image.

    Only these two values may be chosen outside the manifest: they name *what* runs, not
    how the infrastructure is shaped, so a pipeline cannot drift from the manifest.
    `given` says where they came from (`on the command line`, `in the stack config`).
    """
    sections: dict[str, object] = {}
    provenance = dict(resolved.provenance)
    if version is not None:
        sections["deployment"] = resolved.deployment.model_copy(update={"version": version})
        provenance["deployment.version"] = Provenance(source="user", reason=f"given {given.format(key='version')}")
    if image is not None:
        sections["application"] = resolved.application.model_copy(update={"image": image})
        provenance["application.image"] = Provenance(source="user", reason=f"given {given.format(key='image')}")
    if not sections:
        return resolved
    return resolved.model_copy(update={**sections, "provenance": provenance})


def user_values(spec: DeploymentSpec) -> dict[str, Any]:
    """Dotted resolved path → value, for every value the user wrote.

    One walk over the manifest: each field that was written goes to the path its
    :class:`~.markers.Feeds` marker names (converted where the marker says so), and
    sections are walked in turn. The first value written to a path wins.
    """
    out: dict[str, Any] = {}
    _walk(spec, out)
    return out


def _walk(section: BaseModel, out: dict[str, Any]) -> None:
    for name, info in type(section).model_fields.items():
        value = getattr(section, name)
        if value is None:
            continue
        for feeds in (item for item in info.metadata if isinstance(item, Feeds)):
            if "[]" in feeds.path:
                continue  # an item field: its list's converter reads it
            written = feeds.convert(value) if feeds.convert is not None else value
            if written is not None:
                out.setdefault(feeds.path, written)
        if isinstance(value, BaseModel):
            _walk(value, out)


def _with_overlay(spec: DeploymentSpec, env: EnvironmentSpec | None) -> DeploymentSpec:
    """The manifest with one environment's section overrides merged in."""
    if env is None:
        return spec
    overlay = env.model_dump(exclude_unset=True, by_alias=True, exclude={"name", "variables", "secrets"})
    if not overlay:
        return spec
    merged = _deep_merge(spec.model_dump(exclude_unset=True, by_alias=True), overlay)
    return DeploymentSpec.model_validate(merged)


def _deep_merge(base: dict[str, Any], overlay: dict[str, Any]) -> dict[str, Any]:
    result = dict(base)
    for key, value in overlay.items():
        if isinstance(value, dict) and isinstance(result.get(key), dict):
            result[key] = _deep_merge(result[key], value)
        else:
            result[key] = value
    return result


def _unknown_environment(name: str, declared: tuple[str, ...]) -> str:
    from difflib import get_close_matches

    close = get_close_matches(name, declared, n=1)
    hint = f"; did you mean '{close[0]}'?" if close else ""
    return f"no environment named {name!r} (declared: {', '.join(declared)}){hint}"


# --------------------------------------------------------------------------- evaluation


def _evaluate(
    choices: dict[str, _Choice], lock: Mapping[str, LockEntry]
) -> tuple[dict[str, Any], dict[str, Provenance]]:
    values: dict[str, Any] = {}
    provenance: dict[str, Provenance] = {}
    visiting: set[str] = set()

    def evaluate(path: str) -> Any:
        if path in values:
            return values[path]
        if path in visiting:
            raise RuntimeError(f"defaults form a cycle at {path}")
        visiting.add(path)
        choice = choices[path]
        entry = choice.entry
        if isinstance(entry, Derived):
            inputs = tuple(evaluate(name) for name in entry.inputs)
            value, reason, basis = entry.compute(*inputs), entry.explain(*inputs), inputs
        else:
            value, reason, basis = entry.value, entry.reason, None
        source = choice.source
        pinned = lock.get(path)
        if pinned is not None and not choice.user and _jsonable(pinned.basis) == _jsonable(basis):
            if _jsonable(pinned.value) != _jsonable(value):
                reason = f"pinned by deployment.lock.json (today's default: {_jsonable(value)!r}, {reason})"
            else:
                reason = f"pinned by deployment.lock.json ({reason})"
            value, source = pinned.value, "lock"
        values[path] = value
        provenance[path] = Provenance(source=source, reason=reason)
        visiting.discard(path)
        return value

    for path in choices:
        evaluate(path)
    return values, provenance


def _jsonable(value: Any) -> Any:
    if isinstance(value, tuple):
        return [_jsonable(item) for item in value]
    if isinstance(value, list):
        return [_jsonable(item) for item in value]
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    return value


def _fit_fargate(
    pattern: PatternInfo, values: dict[str, Any], provenance: dict[str, Provenance], choices: dict[str, _Choice]
) -> None:
    """When the user set only one of cpu/memory, pick the other so Fargate accepts the pair."""
    if pattern.cloud != "aws":
        return
    cpu_user = choices["application.cpu"].user
    memory_user = choices["application.memory_mib"].user
    units = catalogue.fargate_cpu_units(values["application.cpu"])
    memory = values["application.memory_mib"]
    allowed = catalogue.FARGATE_MEMORY_BY_CPU.get(units, ())
    if memory in allowed:
        return
    if memory_user and not cpu_user:
        fitting = [cpu for cpu, memories in catalogue.FARGATE_MEMORY_BY_CPU.items() if memory in memories]
        if fitting:
            values["application.cpu"] = fitting[0] / 1024
            provenance["application.cpu"] = Provenance(
                source="default", reason=f"the smallest Fargate cpu that runs {memory} MiB"
            )
    elif cpu_user and not memory_user and allowed:
        values["application.memory_mib"] = allowed[0]
        provenance["application.memory_mib"] = Provenance(
            source="default", reason=f"the smallest Fargate memory for {values['application.cpu']:g} vCPU"
        )


def _fit_cache(values: dict[str, Any], provenance: dict[str, Provenance], choices: dict[str, _Choice]) -> None:
    """`redis-cluster` promises failover, which needs a replica."""
    if values["cache.cluster_mode"] and values["cache.replicas"] == 0 and not choices["cache.replicas"].user:
        values["cache.replicas"] = 1
        values["cache.automatic_failover"] = True
        provenance["cache.replicas"] = Provenance(source="default", reason="redis-cluster keeps a replica per shard")
        provenance["cache.automatic_failover"] = Provenance(source="default", reason="failover needs a replica")


def _fit_ingress_tls(values: dict[str, Any], provenance: dict[str, Provenance]) -> tuple[str, ...]:
    """cert-manager certifies a domain name: without `deployment.domain` the ingress
    answers plain HTTP on any host, and the user is told (the AWS patterns also serve
    plain HTTP until a domain is set)."""
    if values["kubernetes.tls"] != "cert-manager" or values["deployment.domain"]:
        return ()
    values["kubernetes.tls"] = "none"
    provenance["kubernetes.tls"] = Provenance(
        source=provenance["kubernetes.tls"].source,
        reason="cert-manager was asked for, but it certifies deployment.domain, which is not set: plain HTTP",
    )
    return (
        "ingress.ssl: cert-manager needs deployment.domain to certify; the ingress serves plain HTTP "
        "on any host until a domain is set",
    )


def _check(pattern: PatternInfo, values: dict[str, Any], provenance: dict[str, Provenance]) -> None:
    """Rules that only hold once every layer is applied."""
    problems: list[tuple[str, str]] = []
    if values["application.autoscale_min"] > values["application.autoscale_max"]:
        problems.append(
            (
                "application.autoscale",
                f"min ({values['application.autoscale_min']}) exceeds max "
                f"({values['application.autoscale_max']}); set both",
            )
        )
    if values["database.backup_destination"] and pattern.cloud != "docker":
        problems.append(
            (
                "database.backup.destination",
                (
                    f"{pattern.name} keeps its backups in the managed "
                    "database; an off-site copy of dumps serves hobby-project"
                ),
            )
        )
    if values["database.backup_destination"] and values["database.backup_retention_days"] == 0:
        problems.append(("database.backup.destination", "backups are off (retention 0): nothing to copy"))
    if values["deployment.dns_zone"] and pattern.cloud != "aws":
        problems.append(
            (
                "deployment.dns_zone",
                (
                    f"a Route 53 zone serves the AWS patterns; {pattern.name} "
                    "gets its certificate without one: remove it"
                ),
            )
        )
    if values["load_balancer.https"] and not values["deployment.domain"]:
        problems.append(("networking.load_balancer.ssl", "HTTPS needs `deployment.domain` for its certificate"))
    if pattern.cloud == "aws":
        units = catalogue.fargate_cpu_units(values["application.cpu"])
        memory = values["application.memory_mib"]
        if units not in catalogue.FARGATE_MEMORY_BY_CPU:
            problems.append(("application.cpu", f"Fargate has no {values['application.cpu']:g} vCPU size"))
        elif memory not in catalogue.FARGATE_MEMORY_BY_CPU[units]:
            problems.append(("application.memory", catalogue.fargate_memory_hint(units, memory)))
        if values["database.multi_az"] and values["platform.availability_zones"] < 2:
            problems.append(("database.multi_az", "a multi-AZ database needs platform.availability_zones >= 2"))
        if values["cache.automatic_failover"] and values["platform.availability_zones"] < 2:
            problems.append(("cache.replicas", "cache failover needs platform.availability_zones >= 2"))
        if values["platform.availability_zones"] < 2:
            problems.append(("platform.availability_zones", "an Application Load Balancer needs at least 2 zones"))
    if problems:
        raise ResolutionError(problems)


def _build(
    values: dict[str, Any], provenance: dict[str, Provenance], declared: tuple[str, ...], warnings: tuple[str, ...] = ()
) -> ResolvedDeployment:
    nested: dict[str, dict[str, Any]] = {}
    for path, value in values.items():
        section, key = path.split(".", 1)
        nested.setdefault(section, {})[key] = value
    return ResolvedDeployment.model_validate(
        {**nested, "environments": declared, "provenance": dict(sorted(provenance.items())), "warnings": warnings}
    )


def derived_basis(resolved: ResolvedDeployment) -> dict[str, tuple[Any, ...]]:
    """Inputs of every derived value, recomputed from the resolved model (for the lock)."""
    pattern = tables.PATTERNS[resolved.deployment.pattern]
    tables_in_play = [
        tables.GLOBAL_DEFAULTS,
        tables.FRAMEWORKS[resolved.deployment.framework],
        tables.size_defaults(pattern),
        pattern.defaults,
        tables.ENVIRONMENT_DEFAULTS[resolved.deployment.environment_class],
    ]
    basis: dict[str, tuple[Any, ...]] = {}
    for table in tables_in_play:
        for path, entry in table.items():
            if isinstance(entry, Derived):
                basis[path] = tuple(resolved.value(name) for name in entry.inputs)
            else:
                basis.pop(path, None)
    return basis
