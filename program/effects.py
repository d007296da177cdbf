"""What a manifest key does on a pattern that does not build it: refused, or warned about.

Every key of deployment.yaml either changes what a pattern builds, or is listed here
for the patterns where it does not: a **refusal** (the manifest does not resolve,
exit 2, `field.path: message` saying what the pattern does instead) when the key asks
for something the user would rely on (a second region, Vault, a cluster of caches), or
a **warning** (`field.path: message` on stderr, the deployment goes ahead) when the key
is accepted but not built for this pattern. `tests/program/test_every_key.py` walks
every leaf of the schema on every pattern and fails on a key that does neither.

An entry names the manifest path (list items as `[]`: `monitoring.alarms[].channel`),
the patterns it applies to, the values it covers (``None``: any value written), and the
message. Entries for keys another part of the project is building say so, so the entry
goes when the key is built.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel

AWS = ("small-saas", "production-saas")
NOT_AWS = ("hobby-project", "kubernetes")
NOT_KUBERNETES = ("hobby-project", "small-saas", "production-saas")
NOT_HOBBY = ("small-saas", "production-saas", "kubernetes")
ALL = ("hobby-project", "small-saas", "production-saas", "kubernetes")


@dataclass(frozen=True)
class Rule:
    """One key that a set of patterns does not build, and what they say about it."""

    key: str
    """Manifest path, `[]` for list items (`monitoring.alarms[].channel`)."""
    patterns: tuple[str, ...]
    """Patterns the rule applies to."""
    message: str
    """What the pattern does instead (and, for a refusal, what to write)."""
    kind: Literal["refuse", "warn"] = "warn"
    """`refuse`: exit 2; `warn`: one warning line, the deployment goes ahead."""
    values: tuple[Any, ...] | None = None
    """The written values the rule covers; ``None`` covers any value."""
    when: Callable[[Any, Any], bool] | None = None
    """A test on the written value and the whole manifest, when a list of values cannot say it."""

    def applies(self, pattern: str, value: Any, spec: Any = None) -> bool:
        if pattern not in self.patterns:
            return False
        if self.values is not None and value not in self.values:
            return False
        return self.when is None or self.when(value, spec)


def _refuse(key: str, patterns: tuple[str, ...], message: str, values: tuple[Any, ...] | None = None) -> Rule:
    return Rule(key, patterns, message, "refuse", values)


def _warn(key: str, patterns: tuple[str, ...], message: str, values: tuple[Any, ...] | None = None) -> Rule:
    return Rule(key, patterns, message, "warn", values)


def _no_loki_keeps_logs(_value: Any, spec: Any) -> bool:
    """No Loki keeps the logs: another aggregator is written, or none is and the pattern's
    default is not Loki (hobby-project keeps Docker's logs; kubernetes runs Loki)."""
    logs = getattr(getattr(spec, "monitoring", None), "logs", None)
    aggregator = getattr(logs, "aggregator", None)
    if aggregator is None:
        return getattr(getattr(spec, "deployment", None), "pattern", None) != "kubernetes"
    return aggregator != "loki"


def _cluster_is_not_created(_value: Any, spec: Any) -> bool:
    kubernetes = getattr(spec, "kubernetes", None)
    return kubernetes is None or kubernetes.cluster != "create"


_RDS_BACKUP = (
    "RDS takes one automated snapshot a day and keeps transaction logs for point-in-time recovery "
    "over `backup.retention` (what `daily` and `continuous` describe); another schedule is not an RDS "
    "setting (and point-in-time recovery is always on), so the stack backs up daily"
)
"""Why a backup frequency other than the pattern's own changes nothing on RDS."""


def _section_elsewhere(keys: tuple[str, ...], patterns: tuple[str, ...], message: str) -> tuple[Rule, ...]:
    return tuple(_warn(key, patterns, message) for key in keys)


_AWS_NETWORK = "VPC and load balancer settings shape the AWS patterns; this pattern has no VPC or load balancer"
_KUBERNETES_ONLY = "kubernetes settings shape the kubernetes pattern; this pattern has no cluster"
_CLOUDWATCH = "CloudWatch watches the AWS patterns; this pattern is watched by Prometheus"

RULES: tuple[Rule, ...] = (
    *_section_elsewhere(
        (
            "networking.vpc_cidr",
            "networking.public_subnets",
            "networking.private_subnets",
            "networking.nat_gateway",
            "networking.load_balancer.type",
            "networking.load_balancer.ssl",
            "networking.load_balancer.certificate",
        ),
        NOT_AWS,
        _AWS_NETWORK,
    ),
    *_section_elsewhere(
        (
            "kubernetes.cluster",
            "kubernetes.kubeconfig",
            "kubernetes.context",
            "kubernetes.namespace",
            "kubernetes.ingress.class",
            "kubernetes.ingress.ssl",
            "kubernetes.existing_addons",
        ),
        NOT_KUBERNETES,
        _KUBERNETES_ONLY,
    ),
    *_section_elsewhere(
        ("monitoring.metrics.cloudwatch",),
        NOT_AWS,
        "the level chooses CloudWatch alarms and dashboards on the AWS patterns; this pattern is watched by "
        "Prometheus whatever the level",
    ),
    Rule(
        "monitoring.logs.retention",
        NOT_AWS,
        "retention applies to the logs Loki keeps (`logs.aggregator: loki`) and to CloudWatch Logs on the AWS "
        "patterns; without Loki this pattern leaves container logs where its runtime keeps them",
        when=_no_loki_keeps_logs,
    ),
    _refuse(
        "monitoring.logs.aggregator",
        NOT_AWS,
        "CloudWatch Logs serves the AWS patterns; this pattern keeps logs in Loki (`loki`) or leaves them where "
        "its runtime keeps them (`none`)",
        ("cloudwatch",),
    ),
    _warn(
        "monitoring.logs.aggregator",
        ("hobby-project",),
        "hobby-project already leaves logs in Docker's json-file driver, rotated on the host, unless "
        "`logs.aggregator: loki` adds Loki, Alloy and Grafana",
        ("none",),
    ),
    _refuse(
        "monitoring.logs.aggregator",
        AWS,
        "ECS sends every container's output to CloudWatch Logs (the awslogs driver), which `logs.retention` "
        "expires; write `cloudwatch` or leave the key out",
        ("none",),
    ),
    _refuse(
        "security.waf",
        NOT_AWS,
        "AWS WAF guards the AWS patterns (production-saas has it on); this pattern has no WAF in front",
        (True,),
    ),
    _refuse(
        "security.ddos_protection",
        NOT_AWS,
        "AWS Shield Advanced guards the AWS patterns; this pattern has none",
        (True,),
    ),
    _refuse(
        "cache.replicas",
        NOT_AWS,
        "this pattern runs one Redis container; replicas and failover come with the AWS patterns (ElastiCache)",
    ),
    _refuse(
        "cache.cluster_mode",
        NOT_AWS,
        "this pattern runs one Redis container; cluster mode comes with the AWS patterns (ElastiCache)",
        (True,),
    ),
    _warn("cache.size", ("hobby-project",), "hobby-project runs one Redis container with its default limits"),
    *_section_elsewhere(
        (
            "application.autoscale.enabled",
            "application.autoscale.min",
            "application.autoscale.max",
            "application.autoscale.target_cpu",
            "application.autoscale.target_memory",
            "application.health_check.healthy_threshold",
        ),
        ("hobby-project",),
        "hobby-project runs one container on one host: it does not scale, and Docker's health check has no "
        "load balancer threshold",
    ),
    *_section_elsewhere(
        ("platform.provider", "platform.regions"),
        ("hobby-project",),
        "hobby-project runs on the Docker host it is given, in no region",
    ),
    *_section_elsewhere(
        ("storage.buckets[].versioning", "storage.buckets[].lifecycle"),
        NOT_AWS,
        "versioning and lifecycle apply to the S3 buckets of the AWS patterns",
    ),
    # ------------------------------------------------------------------ where it runs
    _refuse(
        "deployment.host",
        NOT_HOBBY,
        "a Docker host serves hobby-project; this pattern runs on AWS or a Kubernetes cluster: remove it",
    ),
    Rule(
        "platform.regions",
        ("small-saas",),
        "small-saas runs in one region; production-saas adds a disaster-recovery region (list one region here)",
        "refuse",
        when=lambda regions, _spec: len(regions) > 1,
    ),
    _warn("platform.region", ("hobby-project",), "hobby-project runs on the Docker host it is given, in no region"),
    _warn(
        "platform.availability_zones",
        ("hobby-project",),
        "hobby-project runs on one Docker host, in no availability zone",
    ),
    *(
        Rule(
            key,
            ("kubernetes",),
            "the kubernetes pattern deploys into the cluster your kubeconfig names; the AWS location only "
            "places the EKS cluster that `kubernetes.cluster: create` builds",
            when=_cluster_is_not_created,
        )
        for key in ("platform.provider", "platform.region", "platform.regions", "platform.availability_zones")
    ),
    # ---------------------------------------------------------------------- database
    _warn(
        "database.backup.frequency",
        ("kubernetes",),
        "the operator's scheduled backups run hourly, daily or weekly; continuous WAL archiving needs an "
        "object store the pattern does not configure yet",
        ("continuous",),
    ),
    _warn(
        "database.backup.retention",
        ("kubernetes",),
        "the operator keeps its scheduled backups in the cluster without expiring them; retention is not applied",
    ),
    _warn(
        "database.replicas",
        ("kubernetes",),
        "the operator runs `database.size`-many PostgreSQL instances (small 1, medium 2, large 3), "
        "the standbys serving reads; RDS read replicas are an AWS setting",
    ),
    _warn(
        "database.multi_az",
        ("kubernetes",),
        "the operator spreads the PostgreSQL instances over the cluster's nodes; `multi_az` is an RDS setting",
    ),
    # RDS behaves the same for `daily` and `continuous` (a daily snapshot and point-in-time
    # recovery): each AWS pattern warns on the values that differ from its own default
    _warn(
        "database.backup.frequency",
        ("small-saas",),
        _RDS_BACKUP,
        ("hourly", "weekly", "continuous"),
    ),
    _warn(
        "database.backup.frequency",
        ("production-saas",),
        _RDS_BACKUP,
        ("hourly", "weekly", "daily"),
    ),
    _warn(
        "database.operator",
        NOT_KUBERNETES,
        "a PostgreSQL operator runs the database on the kubernetes pattern; this pattern does not use one",
    ),
    _warn("database.multi_az", ("hobby-project",), "hobby-project runs one PostgreSQL container on one host"),
    _refuse(
        "database.replicas",
        ("hobby-project",),
        "hobby-project runs one PostgreSQL container; read replicas come with small-saas and production-saas",
    ),
    # ------------------------------------------------------------------- application
    _warn(
        "application.hpa",
        NOT_KUBERNETES,
        "a HorizontalPodAutoscaler scales the kubernetes pattern; this pattern scales with `autoscale`",
        (True,),
    ),
    _warn(
        "networking.load_balancer.certificate",
        AWS,
        "an Application Load Balancer takes ACM certificates: `acm` (the default) requests one for the domain",
        ("letsencrypt",),
    ),
    # ----------------------------------------------------------------------- storage
    _refuse(
        "storage.type",
        ALL,
        "objects are stored in S3 on the AWS patterns and in S3-compatible MinIO elsewhere: write `s3`",
        ("gcs", "azure-blob"),
    ),
    _warn(
        "storage.type",
        AWS,
        "`local` creates no bucket, and Fargate discards a task's disk when it stops: write `s3` to keep files",
        ("local",),
    ),
    # ----------------------------------------------------------------------- network
    # ---------------------------------------------------------------------- security
    _refuse(
        "security.secrets_manager",
        ALL,
        "Vault is not built: the AWS patterns keep secrets in AWS Secrets Manager (`aws-secrets`), "
        "hobby-project in a 0600 env file on the host (`env-file`), kubernetes in Secrets made from "
        "Pulumi secrets (`aws-secrets`); leave it out for the pattern's own",
        ("vault",),
    ),
    _refuse(
        "security.secrets_manager",
        AWS,
        "the AWS patterns keep secrets in AWS Secrets Manager; an env file on the host serves hobby-project",
        ("env-file",),
    ),
    _refuse(
        "security.secrets_manager",
        ("hobby-project",),
        "hobby-project keeps secrets in a 0600 env file on the host (`env-file`); "
        "AWS Secrets Manager serves small-saas and production-saas",
        ("aws-secrets",),
    ),
    _refuse(
        "security.secrets_manager",
        ("kubernetes",),
        "kubernetes keeps secrets in Kubernetes Secrets made from Pulumi secrets; an env file serves hobby-project",
        ("env-file",),
    ),
    _refuse(
        "security.ssl",
        ALL,
        "HTTPS stays on wherever there is a domain (secure by default); to serve plain HTTP, leave out "
        "deployment.domain",
        (False,),
    ),
    _warn(
        "security.certificate_provider",
        AWS,
        "the AWS patterns certify with ACM (free, renewed by AWS); Let's Encrypt serves hobby-project and kubernetes",
        ("letsencrypt",),
    ),
    _warn(
        "security.certificate_provider",
        NOT_AWS,
        "this pattern certifies with Let's Encrypt (Caddy or cert-manager); ACM serves the AWS patterns",
        ("aws-acm",),
    ),
    # -------------------------------------------------------------------- monitoring
    _warn(
        "monitoring.level",
        ("kubernetes",),
        "the level chooses CloudWatch alarms and dashboards on the AWS patterns and Grafana on hobby-project; "
        "on kubernetes, kube-prometheus-stack watches the stack whatever the level",
    ),
    _warn(
        "monitoring.alarms[].email",
        NOT_AWS,
        "alerts on this pattern are Prometheus rules, and no Alertmanager is generated to mail them: "
        "they show in Prometheus and Grafana; email delivery needs an Alertmanager of yours",
    ),
    _warn(
        "monitoring.stack",
        AWS,
        "the AWS patterns monitor with CloudWatch; `metrics.prometheus: true` adds Amazon Managed Service "
        "for Prometheus beside it",
        ("prometheus",),
    ),
    _refuse(
        "monitoring.stack",
        NOT_KUBERNETES,
        "kube-prometheus-stack runs in a cluster (the kubernetes pattern)",
        ("kube-prometheus-stack",),
    ),
    _refuse(
        "monitoring.stack",
        AWS,
        "Uptime Kuma runs beside the app on hobby-project; the AWS patterns alarm through CloudWatch (`cloudwatch`)",
        ("uptime-kuma",),
    ),
    _refuse(
        "monitoring.logs.aggregator",
        ALL,
        "Elasticsearch is not built: the AWS patterns keep logs in CloudWatch Logs (`cloudwatch`), "
        "hobby-project and kubernetes in Loki (`loki`)",
        ("elasticsearch",),
    ),
    _warn(
        "monitoring.logs.aggregator",
        AWS,
        "Loki is not built for the AWS patterns: logs stay in CloudWatch Logs (the ejected "
        "observability/loki files are for a Loki you run yourself)",
        ("loki",),
    ),
    _warn(
        "monitoring.dashboards.grafana",
        AWS,
        "Grafana is not built for the AWS patterns: CloudWatch dashboards show the stack (the ejected "
        "observability/grafana dashboards are for a Grafana you run yourself)",
        (True,),
    ),
    _refuse(
        "cache.type",
        ALL,
        "memcached has no encryption in transit or AUTH; use `redis`",
        ("memcached",),
    ),
    _warn(
        "monitoring.stack",
        ("hobby-project",),
        "hobby-project runs Prometheus and Uptime Kuma together, whichever is named",
        ("uptime-kuma",),
    ),
    _warn(
        "database.version",
        ("hobby-project",),
        "hobby-project runs the pinned PostgreSQL image of the catalogue; the version applies to RDS and the operator",
    ),
    _warn(
        "database.storage",
        ("hobby-project",),
        "hobby-project keeps PostgreSQL on a Docker volume that grows with its data; no size is allocated",
    ),
    _warn(
        "application.autoscale.enabled",
        ("kubernetes",),
        "the kubernetes pattern scales with the HorizontalPodAutoscaler (`hpa`), which reads autoscale min, max "
        "and target_cpu; `enabled` is the ECS switch",
    ),
    # ------------------------------------------------------------------------- CI/CD
    _warn(
        "cicd.triggers[].push.action",
        ALL,
        "the generated workflows test and preview every pull request and deploy on push to the deploy branch; "
        "a push trigger that only tests or previews is not generated",
        ("test", "preview"),
    ),
    _warn(
        "cicd.triggers[].pull_request.action",
        ALL,
        "the generated workflows test and preview every pull request; deploys run on push to the deploy branch",
        ("preview", "deploy"),
    ),
    _warn(
        "cicd.triggers[].pull_request.branch",
        ALL,
        "the generated workflows test and preview pull requests into any branch",
    ),
    _warn(
        "cicd.environments[].approval_required",
        ALL,
        "required reviewers are a setting of the GitHub environment (Settings → Environments): the deploy job "
        "runs in that environment and waits for them, but a workflow cannot add them",
        (True,),
    ),
    _warn(
        "cicd.migrations.auto_run",
        ALL,
        "the generated deploy job does not run migrations: hobby-project runs them in a one-shot container on "
        "every `up`; on the other patterns run them before promoting (not generated yet)",
    ),
    _warn(
        "cicd.migrations.rollback_on_failure",
        ALL,
        "a failed smoke test stops the deploy job and leaves the stage as it is; rollback.yml redeploys an "
        "earlier commit (an automatic rollback is not generated yet)",
    ),
    _refuse(
        "cicd.provider", ALL, "circleci workflows are not generated; use `github-actions` or `gitlab-ci`", ("circleci",)
    ),
)
"""Every key a pattern accepts without building it: refused or warned, first match wins."""


def written(section: BaseModel, prefix: str = "") -> Iterator[tuple[str, str, Any]]:
    """(rule path, shown path, value) of every leaf the manifest writes.

    The rule path marks list items as `[]`; the shown path numbers them
    (`monitoring.alarms[1].channel`), as the message names them.
    """
    for name in type(section).model_fields:
        if name not in section.model_fields_set:
            continue
        info = type(section).model_fields[name]
        key = info.alias or name
        value = getattr(section, name)
        if value is None:
            continue
        if isinstance(value, BaseModel):
            yield from written(value, f"{prefix}{key}.")
        elif isinstance(value, tuple) and value and all(isinstance(item, BaseModel) for item in value):
            for index, item in enumerate(value):
                yield f"{prefix}{key}[]", f"{prefix}{key}[{index}]", item
                for rule_path, shown, inner in written(item, ""):
                    yield f"{prefix}{key}[].{rule_path}", f"{prefix}{key}[{index}].{shown}", inner
        else:
            yield f"{prefix}{key}", f"{prefix}{key}", value


def judge(spec: BaseModel, pattern: str) -> tuple[list[tuple[str, str]], list[str]]:
    """(refusals as (path, message), warning lines) for what `spec` writes on `pattern`."""
    refusals: list[tuple[str, str]] = []
    warnings: list[str] = []
    for rule_path, shown, value in written(spec):
        if rule_path.startswith("environments[]."):
            continue  # an environment's sections are judged merged into the manifest
        for rule in RULES:
            if rule.key != rule_path or not rule.applies(pattern, value, spec):
                continue
            if rule.kind == "refuse":
                refusals.append((shown, rule.message))
            else:
                warnings.append(f"{shown}: {rule.message}")
            break
    return refusals, warnings


def refused_everywhere() -> dict[str, set[Any]]:
    """Manifest path → the written values every pattern refuses (the schema leaves them out)."""
    found: dict[str, set[Any]] = {}
    for rule in RULES:
        if rule.kind == "refuse" and set(rule.patterns) == set(ALL) and rule.values is not None and rule.when is None:
            found.setdefault(rule.key, set()).update(rule.values)
    return found
