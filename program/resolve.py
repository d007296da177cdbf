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

from . import catalogue, effects
from . import defaults as tables
from .defaults import PatternInfo
from .frameworks import BOOT_SECRETS
from .markers import Default, Derived, Feeds
from .model import Provenance, ResolvedDeployment, Source
from .spec import DeploymentSpec, EnvironmentSpec

USER_REASON = "written in the manifest"

CONFIG_NAMESPACE = "specql"
"""Stack config namespace of the program's own keys (`specql:manifest`, `specql:version`, ...)."""
VERSION_KEY = "version"
"""The image tag a stack runs (`specql deploy up --version`, `pulumi config set specql:version`).

Each `up` records it, so the stack history is the release list `rollback` reads; the
plain `pulumi` entry point (`program/__main__.py`) reads the very same key."""
IMAGE_KEY = "image"
"""The complete image reference a stack runs, when `--image` / `application.image` names one."""
LEGACY_VERSION_KEY = "imageTag"
"""The key specql-deploy 0.1 recorded the image tag under: read, for one more release, from
stacks whose history holds it, and removed from their config by the next `up`."""
VERSION_CONFIG = f"{CONFIG_NAMESPACE}:{VERSION_KEY}"
IMAGE_CONFIG = f"{CONFIG_NAMESPACE}:{IMAGE_KEY}"
LEGACY_VERSION_CONFIG = f"{CONFIG_NAMESPACE}:{LEGACY_VERSION_KEY}"


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

    _add_boot_secrets(framework, choices)
    values, provenance = _evaluate(choices, lock or {}, (pattern.name, pattern.cloud))
    if not spec.environments:
        known = _implicit_stacks(values)
        if environment not in known:
            raise ResolutionError([("environments", _unknown_environment(environment, known, implicit=True))])
    refusals, warnings = effects.judge(effective, pattern.name)
    warnings += _fit_runtime(framework, values, provenance, choices)
    warnings += _fit_fargate(pattern, values, provenance, choices)
    _fit_cache(values, provenance, choices)
    warnings += _fit_ingress_tls(values, provenance)
    warnings += _fit_https(values, provenance, choices)
    warnings += _retired(pattern, values)
    if pattern.cloud == "aws":
        warnings += _alarm_warnings(values)
    _check(pattern, values, provenance, refusals, choices)
    return _build(values, provenance, declared, tuple(warnings))


def _add_boot_secrets(framework: str, choices: dict[str, _Choice]) -> None:
    """Secrets the framework cannot boot without join the application's (Rails' master key)."""
    needed = [name for name, _ in BOOT_SECRETS.get(framework, ())]
    chosen = choices["application.secrets"]
    assert isinstance(chosen.entry, Default)
    missing = [name for name in needed if name not in chosen.entry.value]
    if missing:
        names = ", ".join(missing)
        reason = f"{chosen.entry.reason}; {names}: {framework} does not boot in production without it"
        value = tuple(sorted((*chosen.entry.value, *missing)))
        choices["application.secrets"] = _Choice(Default(value, reason), chosen.source, user=chosen.user)


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


def _implicit_stacks(values: Mapping[str, Any]) -> tuple[str, ...]:
    """The stacks of a manifest that declares no `environments:`: the default one and the CI stages."""
    stages = [stage["name"] if isinstance(stage, Mapping) else stage.name for stage in values["cicd.environments"]]
    return tuple(dict.fromkeys([tables.DEFAULT_ENVIRONMENT.value, *stages]))


def _unknown_environment(name: str, declared: tuple[str, ...], *, implicit: bool = False) -> str:
    from difflib import get_close_matches

    close = get_close_matches(name, declared, n=1)
    hint = f"; did you mean '{close[0]}'?" if close else ""
    if implicit:
        return (
            f"no environment named {name!r}: the manifest declares no `environments:`, so its stacks are "
            f"{', '.join(declared)} (the default and the CI stages); declare it under `environments:` to add it{hint}"
        )
    return f"no environment named {name!r} (declared: {', '.join(declared)}){hint}"


# --------------------------------------------------------------------------- evaluation


def _evaluate(
    choices: dict[str, _Choice], lock: Mapping[str, LockEntry], context: tuple[str, ...] = ()
) -> tuple[dict[str, Any], dict[str, Provenance]]:
    """Every path's value and provenance; ``context`` (pattern, cloud) picks the reason."""
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
            value, reason, basis = entry.compute(*inputs), entry.explain(*inputs, context=context), inputs
        else:
            value, reason, basis = entry.value, entry.reason_in(context), None
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
) -> tuple[str, ...]:
    """Fargate runs only some cpu/memory pairs: raise to the smallest pair that gives at
    least what was asked (never less), and say so for each value the manifest wrote.

    The raised values are what the program builds and the cost estimate prices; their
    provenance keeps what was written. Sizes beyond Fargate's largest are refused by
    :func:`_check`.
    """
    if pattern.cloud != "aws":
        return ()
    cpu, memory = values["application.cpu"], values["application.memory_mib"]
    asked_units = catalogue.fargate_cpu_units(cpu)
    if memory in catalogue.FARGATE_MEMORY_BY_CPU.get(asked_units, ()):
        return ()
    fitted = catalogue.smallest_fargate_size(asked_units, memory)
    if fitted is None:
        return ()
    units, mib = fitted
    new_cpu = units / 1024
    warnings: list[str] = []
    if units != asked_units:
        why = (
            f"Fargate's smallest that runs {catalogue.mib_text(mib)}"
            if asked_units in catalogue.FARGATE_MEMORY_BY_CPU
            else f"Fargate's smallest with at least {cpu:g} vCPU"
        )
        values["application.cpu"] = new_cpu
        provenance["application.cpu"] = _raised(
            provenance["application.cpu"], f"{cpu:g} vCPU", f"{new_cpu:g} vCPU", why
        )
        if choices["application.cpu"].user:
            warnings.append(f"application.cpu: {cpu:g} vCPU raised to {new_cpu:g} vCPU, {why}")
    if mib != memory:
        why = f"Fargate's smallest with {new_cpu:g} vCPU"
        values["application.memory_mib"] = mib
        provenance["application.memory_mib"] = _raised(
            provenance["application.memory_mib"], catalogue.mib_text(memory), catalogue.mib_text(mib), why
        )
        if choices["application.memory_mib"].user:
            warnings.append(
                f"application.memory: {catalogue.mib_text(memory)} raised to {catalogue.mib_text(mib)}, {why}"
            )
    return tuple(warnings)


def _raised(before: Provenance, asked: str, given: str, why: str) -> Provenance:
    """The provenance of a value raised to fit: where the asked value came from, and why it moved."""
    return Provenance(source=before.source, reason=f"{asked} ({before.reason}) raised to {given}: {why}")


def _fit_runtime(
    framework: str, values: dict[str, Any], provenance: dict[str, Provenance], choices: dict[str, _Choice]
) -> list[str]:
    """The framework decides the image, command and CI steps, so its runtime is the one that
    runs: a different `application.runtime` is said and set back (the proposal's full
    manifest writes `runtime: nodejs` beside `framework: fraiseql`)."""
    entry = tables.FRAMEWORKS[framework]["application.runtime"]
    assert isinstance(entry, Default)
    if not choices["application.runtime"].user or values["application.runtime"] == entry.value:
        return []
    asked = values["application.runtime"]
    values["application.runtime"] = entry.value
    provenance["application.runtime"] = Provenance(
        source="framework", reason=f"{entry.reason}; the manifest's {asked} does not run {framework}"
    )
    return [
        f"application.runtime: {framework} runs on {entry.value}, not {asked}: the image, start command and CI "
        f"follow deployment.framework (write the framework of a {asked} application there)"
    ]


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


RETIRED_INGRESS = {
    "nginx": "ingress-nginx was retired in March 2026 and gets no more security fixes; `traefik` is maintained"
}
"""Ingress classes whose controller is no longer maintained → the warning."""


def _retired(pattern: PatternInfo, values: dict[str, Any]) -> tuple[str, ...]:
    """Warnings for what the manifest asks for that upstream no longer maintains."""
    if pattern.cloud != "kubernetes":
        return ()
    retired = RETIRED_INGRESS.get(values["kubernetes.ingress_class"])
    return (f"ingress.class: {retired}",) if retired else ()


def _fit_https(values: dict[str, Any], provenance: dict[str, Provenance], choices: dict[str, _Choice]) -> list[str]:
    """`ssl: true` without a domain: there is no name to certify, so the load balancer
    serves plain HTTP on its own DNS name (as it does by default) and the user is told."""
    if not values["load_balancer.https"] or values["deployment.domain"]:
        return []
    values["load_balancer.https"] = False
    provenance["load_balancer.https"] = Provenance(
        source=provenance["load_balancer.https"].source,
        reason="HTTPS was asked for, but its certificate names deployment.domain, which is not set: plain HTTP",
    )
    key = "networking.load_balancer.ssl" if choices["load_balancer.https"].user else "load_balancer.https"
    return [
        f"{key}: HTTPS needs deployment.domain for its certificate; the load balancer serves plain HTTP "
        "on its own DNS name until a domain is set"
    ]


def _alarm_problems(values: dict[str, Any]) -> list[tuple[str, str]]:
    """Each manifest alert must name a CloudWatch metric, of something the deployment has."""
    problems: list[tuple[str, str]] = []
    for index, alarm in enumerate(values["monitoring.alarms"]):
        base = catalogue.alarm_metric(alarm["metric"])
        where = f"monitoring.alarms[{index}]"
        if base is None:
            problems.append(
                (
                    where,
                    f"no CloudWatch metric is known for {alarm['metric']!r} ({alarm['name']}): "
                    f"write a condition on {catalogue.ALARM_METRIC_WORDS}",
                )
            )
        elif base.startswith("cache-") and not values["cache.enabled"]:
            problems.append((where, f"{alarm['name']} watches the cache, and this deployment has none: add `cache:`"))
    return problems


def _network_load_balancer_problems(values: dict[str, Any]) -> list[tuple[str, str]]:
    """A Network Load Balancer passes TCP through: what needs HTTP at the load balancer cannot come with it."""
    if values["load_balancer.type"] != "network":
        return []
    problems = []
    if values["edge.waf"]:
        problems.append(
            (
                "networking.load_balancer.type",
                "a web ACL (security.waf, on by default on production-saas) attaches to an Application Load "
                "Balancer, not a Network one: set `security: {waf: false}` or keep `type: application`",
            )
        )
    if values["edge.ddos_protection"]:
        problems.append(
            (
                "networking.load_balancer.type",
                "Shield Advanced protects an Application Load Balancer, not a Network one: set "
                "`security: {ddos_protection: false}` or keep `type: application`",
            )
        )
    for index, alarm in enumerate(values["monitoring.alarms"]):
        if catalogue.alarm_metric(alarm["metric"]) == "alb-5xx":
            problems.append(
                (
                    f"monitoring.alarms[{index}]",
                    f"{alarm['name']} watches HTTP errors, which a Network Load Balancer does not see: "
                    "watch the service instead, or keep `type: application`",
                )
            )
    return problems


def _alarm_warnings(values: dict[str, Any]) -> list[str]:
    """Alerts whose channel cannot deliver yet: they still notify the alerts SNS topic."""
    warnings: list[str] = []
    for index, alarm in enumerate(values["monitoring.alarms"]):
        where = f"monitoring.alarms[{index}].channel"
        if alarm["channel"] == "slack":
            warnings.append(
                f"{where}: slack is delivered by AWS Chatbot, which needs the Slack workspace authorised once "
                "in the AWS console; the alarm notifies the alerts SNS topic (output alerts_topic_arn): "
                "in AWS Chatbot, configure a Slack channel with that topic"
            )
        elif alarm["channel"] == "email" and not (alarm["email"] or values["monitoring.alarm_emails"]):
            warnings.append(
                f"{where}: email needs an address: add `email:` to the alert; until then it notifies "
                "the alerts SNS topic only"
            )
    return warnings


def _check(
    pattern: PatternInfo,
    values: dict[str, Any],
    provenance: dict[str, Provenance],
    refusals: list[tuple[str, str]] | None = None,
    choices: dict[str, _Choice] | None = None,
) -> None:
    """Rules that only hold once every layer is applied."""
    problems: list[tuple[str, str]] = list(refusals or ())
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
    if pattern.cloud == "aws":
        units = catalogue.fargate_cpu_units(values["application.cpu"])
        memory = values["application.memory_mib"]
        if catalogue.smallest_fargate_size(units, memory) is None:
            problems.append(
                ("application", f"no Fargate size gives {values['application.cpu']:g} vCPU with {memory} MiB")
            )
        low, count, high = (
            values["application.autoscale_min"],
            values["application.instances"],
            values["application.autoscale_max"],
        )
        if values["application.autoscale"] and not low <= count <= high:
            bound = "application.autoscale_min" if count < low else "application.autoscale_max"
            written_bound = choices is not None and choices[bound].user
            problems.append(
                (
                    f"application.autoscale.{bound.rsplit('_', 1)[1]}" if written_bound else "application.instances",
                    f"the service starts with {count} task(s), outside autoscale min {low} and max {high}: "
                    "set instances between them",
                )
            )
        problems += _alarm_problems(values)
        problems += _network_load_balancer_problems(values)
        if values["database.multi_az"] and values["platform.availability_zones"] < 2:
            problems.append(("database.multi_az", "a multi-AZ database needs platform.availability_zones >= 2"))
        if values["cache.automatic_failover"] and values["platform.availability_zones"] < 2:
            problems.append(("cache.replicas", "cache failover needs platform.availability_zones >= 2"))
        if values["platform.availability_zones"] < 2:
            problems.append(("platform.availability_zones", "an Application Load Balancer needs at least 2 zones"))
    problems += _alert_problems(pattern, values)
    if problems:
        raise ResolutionError(problems)


def _alert_problems(pattern: PatternInfo, values: dict[str, Any]) -> list[tuple[str, str]]:
    """On a Docker host and a cluster the manifest's alerts are Prometheus rules: each must
    watch a signal that Prometheus has there (AWS alarms are CloudWatch's)."""
    if pattern.cloud == "aws":
        return []
    problems: list[tuple[str, str]] = []
    available = catalogue.PROMETHEUS_SIGNALS[pattern.cloud]
    words = sorted(word for word, signal in catalogue.ALERT_SIGNALS.items() if signal in available)
    for index, alarm in enumerate(values["monitoring.alarms"]):
        metric = alarm["metric"] if isinstance(alarm, dict) else alarm.metric
        path = f"monitoring.alarms[{index}]"
        if not values["monitoring.prometheus"]:
            problems.append(
                (path, f"{pattern.name} alerts are Prometheus rules: set monitoring.metrics.prometheus: true")
            )
        elif catalogue.ALERT_SIGNALS.get(metric) not in available:
            problems.append(
                (path, f"{metric!r}: Prometheus on {pattern.name} does not measure it; watch one of {', '.join(words)}")
            )
    return problems


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
