"""Resolution: DeploymentSpec + environment (+ lock) → ResolvedDeployment.

Layers, lowest first: global defaults, framework, pattern, the environment's built-in
defaults (production protections), what the user wrote, and what the user wrote for
this environment. Each winning value keeps its source and reason. A lock file pins
every value the user did not write, so a new release's defaults never change existing
infrastructure silently.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from . import defaults as tables
from .defaults import Default, Derived, PatternInfo
from .model import AlarmInfo, Provenance, ResolvedDeployment
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
    source: str
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
    framework = env_user.get("deployment.framework", tables.GLOBAL_DEFAULTS["deployment.framework"].value)

    choices: dict[str, _Choice] = {}
    layers: list[tuple[str, Mapping[str, Default | Derived]]] = [
        ("default", tables.GLOBAL_DEFAULTS),
        ("default", {
            "deployment.name": Default(default_name, "named after the manifest's folder"),
            "deployment.environment": Default(environment, "the environment being resolved"),
            "deployment.environment_class": Default(
                tables.environment_class(environment),
                "production, prod, prd and live are production environments"),
        }),
        ("framework", tables.FRAMEWORKS[framework]),
        ("pattern", tables.size_defaults(pattern)),
        ("pattern", pattern.defaults),
        ("environment", tables.ENVIRONMENT_DEFAULTS[tables.environment_class(environment)]),
    ]
    for source, table in layers:
        for path, entry in table.items():
            choices[path] = _Choice(entry, source)
    for path, value in env_user.items():
        overridden = path not in base_user or base_user[path] != value
        source = "environment" if overridden else "user"
        reason = f"set for environment {environment}" if overridden else USER_REASON
        choices[path] = _Choice(Default(value, reason), source, user=True)
    if env_spec is not None:
        choices["application.variables"] = _Choice(
            Default(dict(sorted((env_spec.variables or {}).items())), f"variables of environment {environment}"),
            "user", user=True)
        choices["application.secrets"] = _Choice(
            Default(tuple(sorted(env_spec.secrets or ())), f"secrets of environment {environment}"),
            "user", user=True)
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


def user_values(spec: DeploymentSpec) -> dict[str, Any]:
    """Dotted resolved path → value, for every value the user wrote."""
    out: dict[str, Any] = {}

    def put(path: str, value: Any) -> None:
        if value is not None:
            out[path] = value

    meta = spec.deployment
    for key in ("name", "framework", "pattern", "version", "domain", "dns_zone", "host"):
        put(f"deployment.{key}", getattr(meta, key))

    if platform := spec.platform:
        put("platform.provider", platform.provider)
        put("platform.region", platform.region or (platform.regions[0] if platform.regions else None))
        if platform.regions and len(platform.regions) == 2:
            put("platform.dr_region", platform.regions[1])
        put("platform.availability_zones", platform.availability_zones)

    if net := spec.networking:
        put("network.vpc_cidr", net.vpc_cidr)
        put("network.nat_strategy", net.nat_gateway)
        if "platform.availability_zones" not in out:
            put("platform.availability_zones", net.public_subnets or net.private_subnets)
        if lb := net.load_balancer:
            put("load_balancer.type", lb.type)
            put("load_balancer.https", lb.ssl)
            put("load_balancer.certificate", lb.certificate)

    if db := spec.database:
        for key, path in (("engine", "engine"), ("version", "version"), ("size", "size"),
                          ("storage", "storage_gb"), ("replicas", "read_replicas"),
                          ("multi_az", "multi_az"), ("operator", "operator")):
            put(f"database.{path}", getattr(db, key))
        if db.backup:
            put("database.backup_frequency", db.backup.frequency)
            put("database.backup_retention_days", db.backup.retention)
            put("database.backup_destination", db.backup.destination)
            put("database.backup_endpoint", db.backup.endpoint)
            put("database.backup_region", db.backup.region)

    if app := spec.application:
        for key, path in (("runtime", "runtime"), ("version", "runtime_version"), ("instances", "instances"),
                          ("memory", "memory_mib"), ("cpu", "cpu"), ("port", "port"),
                          ("command", "command"), ("hpa", "hpa")):
            put(f"application.{path}", getattr(app, key))
        if scale := app.autoscale:
            put("application.autoscale", scale.enabled if scale.enabled is not None else True)
            put("application.autoscale_min", scale.min)
            put("application.autoscale_max", scale.max)
            put("application.target_cpu", scale.target_cpu)
            put("application.target_memory", scale.target_memory)
        if check := app.health_check:
            put("application.health_check_path", check.path)
            put("application.health_check_interval", check.interval)
            put("application.health_check_timeout", check.timeout)

    if cache := spec.cache:
        put("cache.enabled", cache.enabled if cache.enabled is not None else True)
        put("cache.engine", cache.type)
        put("cache.size", cache.size)
        put("cache.replicas", cache.replicas)
        put("cache.cluster_mode", cache.cluster_mode)

    if storage := spec.storage:
        put("storage.enabled", storage.type != "local")
        if storage.buckets is not None:
            put("storage.buckets", tuple(
                {"name": b.name, "versioning": b.versioning if b.versioning is not None else True,
                 "lifecycle_days": b.lifecycle} for b in storage.buckets))

    if monitoring := spec.monitoring:
        put("monitoring.level", monitoring.level)
        put("monitoring.stack", monitoring.stack)
        if monitoring.metrics:
            put("monitoring.prometheus", monitoring.metrics.prometheus)
            put("monitoring.container_insights", monitoring.metrics.cloudwatch)
        if monitoring.logs:
            put("monitoring.log_aggregator", monitoring.logs.aggregator)
            put("monitoring.log_retention_days", monitoring.logs.retention)
        if monitoring.dashboards:
            put("monitoring.grafana", monitoring.dashboards.grafana)
        if monitoring.alarms is not None:
            alarms = tuple(_alarm(alarm).model_dump() for alarm in monitoring.alarms)
            put("monitoring.alarms", alarms)
            emails = tuple(sorted({a["email"] for a in alarms if a["email"]}))
            if emails:
                put("monitoring.alarm_emails", emails)

    if security := spec.security:
        put("security.ssl", security.ssl)
        put("security.certificate_provider", security.certificate_provider)
        put("security.secrets_manager", security.secrets_manager)
        put("security.encryption_at_rest", security.encryption_at_rest)
        put("edge.waf", security.waf)
        put("edge.ddos_protection", security.ddos_protection)

    if cicd := spec.cicd:
        put("cicd.provider", cicd.provider)
        if cicd.environments is not None:
            put("cicd.environments", tuple(
                {"name": e.name,
                 "auto_deploy": e.auto_deploy if e.auto_deploy is not None else e.name not in tables.PRODUCTION_NAMES,
                 "approval_required": e.approval_required if e.approval_required is not None
                 else e.name in tables.PRODUCTION_NAMES} for e in cicd.environments))
        if cicd.migrations:
            put("cicd.migrations_auto_run", cicd.migrations.auto_run)
            put("cicd.rollback_on_failure", cicd.migrations.rollback_on_failure)
        deploy_push = [t.push for t in cicd.triggers or () if t.push and t.push.action == "deploy"]
        if deploy_push and deploy_push[0].branch:
            put("cicd.main_branch", deploy_push[0].branch)

    if k8s := spec.kubernetes:
        for key in ("cluster", "kubeconfig", "context", "namespace"):
            put(f"kubernetes.{key}", getattr(k8s, key))
        if k8s.ingress:
            put("kubernetes.ingress_class", k8s.ingress.class_)
            put("kubernetes.tls", k8s.ingress.ssl)
        put("kubernetes.existing_addons", k8s.existing_addons)
    return out


def _alarm(alarm: Any) -> AlarmInfo:
    comparison, threshold, percent, metric = ">", alarm.threshold, False, alarm.type or alarm.name
    if alarm.condition:
        match = re.fullmatch(r"\s*([a-z_]+)\s*(>=|<=|>|<)\s*(\d+(?:\.\d+)?)(%?)\s*", alarm.condition)
        assert match  # the spec validated the condition's shape
        metric, comparison, threshold, percent = match.group(1), match.group(2), float(match.group(3)), bool(match.group(4))
    duration = alarm.duration or "5m"
    seconds = int(duration[:-1]) * {"s": 1, "m": 60, "h": 3600}[duration[-1]]
    return AlarmInfo(
        name=alarm.name or alarm.type or metric,
        metric=metric,
        comparison=comparison,
        threshold=threshold if threshold is not None else 80.0,
        percent=percent,
        duration_seconds=seconds,
        channel=alarm.channel or "email",
        email=alarm.email,
    )


def _with_overlay(spec: DeploymentSpec, env: EnvironmentSpec | None) -> DeploymentSpec:
    """The manifest with one environment's section overrides merged in."""
    if env is None:
        return spec
    overlay = env.model_dump(exclude_unset=True, by_alias=True,
                             exclude={"name", "variables", "secrets"})
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


def _evaluate(choices: dict[str, _Choice], lock: Mapping[str, LockEntry]) -> tuple[dict[str, Any], dict[str, Provenance]]:
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


def _fit_fargate(pattern: PatternInfo, values: dict[str, Any], provenance: dict[str, Provenance],
                 choices: dict[str, _Choice]) -> None:
    """When the user set only one of cpu/memory, pick the other so Fargate accepts the pair."""
    if pattern.cloud != "aws":
        return
    cpu_user = choices["application.cpu"].user
    memory_user = choices["application.memory_mib"].user
    units = tables.fargate_cpu_units(values["application.cpu"])
    memory = values["application.memory_mib"]
    allowed = tables.FARGATE_MEMORY_BY_CPU.get(units, ())
    if memory in allowed:
        return
    if memory_user and not cpu_user:
        fitting = [cpu for cpu, memories in tables.FARGATE_MEMORY_BY_CPU.items() if memory in memories]
        if fitting:
            values["application.cpu"] = fitting[0] / 1024
            provenance["application.cpu"] = Provenance(
                source="default", reason=f"the smallest Fargate cpu that runs {memory} MiB")
    elif cpu_user and not memory_user and allowed:
        values["application.memory_mib"] = allowed[0]
        provenance["application.memory_mib"] = Provenance(
            source="default", reason=f"the smallest Fargate memory for {values['application.cpu']:g} vCPU")


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
        reason="cert-manager was asked for, but it certifies deployment.domain, which is not set: plain HTTP")
    return ("ingress.ssl: cert-manager needs deployment.domain to certify; the ingress serves plain HTTP "
            "on any host until a domain is set",)


def _check(pattern: PatternInfo, values: dict[str, Any], provenance: dict[str, Provenance]) -> None:
    """Rules that only hold once every layer is applied."""
    problems: list[tuple[str, str]] = []
    if values["application.autoscale_min"] > values["application.autoscale_max"]:
        problems.append(("application.autoscale", f"min ({values['application.autoscale_min']}) exceeds max "
                         f"({values['application.autoscale_max']}); set both"))
    if values["database.backup_destination"] and pattern.cloud != "docker":
        problems.append(("database.backup.destination", (f"{pattern.name} keeps its backups in the managed "
                                                         "database; an off-site copy of dumps serves hobby-project")))
    if values["database.backup_destination"] and values["database.backup_retention_days"] == 0:
        problems.append(("database.backup.destination", "backups are off (retention 0): nothing to copy"))
    if values["deployment.dns_zone"] and pattern.cloud != "aws":
        problems.append(("deployment.dns_zone", (f"a Route 53 zone serves the AWS patterns; {pattern.name} "
                                                 "gets its certificate without one: remove it")))
    if values["load_balancer.https"] and not values["deployment.domain"]:
        problems.append(("networking.load_balancer.ssl", "HTTPS needs `deployment.domain` for its certificate"))
    if pattern.cloud == "aws":
        units = tables.fargate_cpu_units(values["application.cpu"])
        memory = values["application.memory_mib"]
        if units not in tables.FARGATE_MEMORY_BY_CPU:
            problems.append(("application.cpu", f"Fargate has no {values['application.cpu']:g} vCPU size"))
        elif memory not in tables.FARGATE_MEMORY_BY_CPU[units]:
            problems.append(("application.memory", tables.fargate_memory_hint(units, memory)))
        if values["database.multi_az"] and values["platform.availability_zones"] < 2:
            problems.append(("database.multi_az", "a multi-AZ database needs platform.availability_zones >= 2"))
        if values["cache.automatic_failover"] and values["platform.availability_zones"] < 2:
            problems.append(("cache.replicas", "cache failover needs platform.availability_zones >= 2"))
        if values["platform.availability_zones"] < 2:
            problems.append(("platform.availability_zones", "an Application Load Balancer needs at least 2 zones"))
    if problems:
        raise ResolutionError(problems)


def _build(values: dict[str, Any], provenance: dict[str, Provenance], declared: tuple[str, ...],
           warnings: tuple[str, ...] = ()) -> ResolvedDeployment:
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
    tables_in_play = [tables.GLOBAL_DEFAULTS, tables.FRAMEWORKS[resolved.deployment.framework],
                      tables.size_defaults(pattern), pattern.defaults,
                      tables.ENVIRONMENT_DEFAULTS[resolved.deployment.environment_class]]
    basis: dict[str, tuple[Any, ...]] = {}
    for table in tables_in_play:
        for path, entry in table.items():
            if isinstance(entry, Derived):
                basis[path] = tuple(resolved.value(name) for name in entry.inputs)
            else:
                basis.pop(path, None)
    return basis
