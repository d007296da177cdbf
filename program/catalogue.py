"""Catalogues: facts the defaults choose from (AWS regions, Fargate task sizes, size words,
pinned images and Helm charts).

Nothing here is a choice of specql-deploy's except which entries exist: a default that
picks one of them lives in :mod:`.defaults`, with its reason.
"""

from __future__ import annotations

from collections.abc import Mapping

from . import versions

# ----------------------------------------------------------------------------- patterns

PATTERN_CLOUD: Mapping[str, str] = {
    "hobby-project": "docker",
    "small-saas": "aws",
    "production-saas": "aws",
    "kubernetes": "kubernetes",
}
"""Pattern → `aws`, `docker` or `kubernetes`: which provider SDK builds it."""


# ------------------------------------------------------------------------- environments

PRODUCTION_NAMES = frozenset({"production", "prod", "prd", "live"})
"""Environment names that mean production (extra protection, approvals)."""


def environment_class(name: str) -> str:
    """`production` for production-like names, else `non-production`."""
    return "production" if name in PRODUCTION_NAMES else "non-production"


# --------------------------------------------------------------------------------- ports

PORTS: Mapping[str, int] = {
    "ssh": 22,
    "http": 80,
    "https": 443,
    "postgres": 5432,
    "redis": 6379,
    "prometheus": 9090,
    "uptime-kuma": 3001,
    "minio": 9000,
    "minio-console": 9001,
    # The port CloudNativePG's built-in exporter listens on.
    "cloudnative-pg-metrics": 9187,
    # The port cert-manager's HTTP-01 solver listens on.
    "acme-solver": 8089,
    # Prometheus exporters' registered default ports (the exporter port allocation list).
    "node-exporter": 9100,
    "postgres-exporter": 9187,
    # Caddy's metrics site on the private network (its admin API stays on localhost:2019).
    "caddy-metrics": 9180,
    "grafana": 3000,
    "loki": 3100,
    # Grafana Alloy's HTTP server (its UI and /metrics).
    "alloy": 12345,
    # Tempo's HTTP API (Grafana queries traces there).
    "tempo": 3200,
}
"""Well-known ports of the software the stacks run: changing one breaks its clients."""


# ------------------------------------------------------------------------- specql-deploy

SPECQL_REPOSITORY = "https://github.com/fraiseql/specql-deploy"
"""Where specql-deploy's releases are tagged `v<version>` (pyproject's `Repository` URL):
the source generated workflows install it from. It is not on a package index."""


def specql_requirement(version: str) -> str:
    """The pip requirement installing release `version` from its tag in the repository."""
    return f"specql-deploy @ git+{SPECQL_REPOSITORY}@v{version}"


# ------------------------------------------------------------------------ AWS catalogue

AWS_REGIONS: tuple[str, ...] = (
    "af-south-1",
    "ap-east-1",
    "ap-east-2",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-south-1",
    "ap-south-2",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-southeast-3",
    "ap-southeast-4",
    "ap-southeast-5",
    "ap-southeast-6",
    "ap-southeast-7",
    "ca-central-1",
    "ca-west-1",
    "cn-north-1",
    "cn-northwest-1",
    "eu-central-1",
    "eu-central-2",
    "eu-north-1",
    "eu-south-1",
    "eu-south-2",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "il-central-1",
    "me-central-1",
    "me-south-1",
    "mx-central-1",
    "sa-east-1",
    "us-east-1",
    "us-east-2",
    "us-gov-east-1",
    "us-gov-west-1",
    "us-west-1",
    "us-west-2",
)


def _gib_steps(low: int, high: int, step: int = 1) -> tuple[int, ...]:
    return tuple(gib * 1024 for gib in range(low, high + 1, step))


# Fargate task sizes (CPU units → allowed memory in MiB), from the ECS task size table.
FARGATE_MEMORY_BY_CPU: Mapping[int, tuple[int, ...]] = {
    256: (512, 1024, 2048),
    512: _gib_steps(1, 4),
    1024: _gib_steps(2, 8),
    2048: _gib_steps(4, 16),
    4096: _gib_steps(8, 30),
    8192: _gib_steps(16, 60, 4),
    16384: _gib_steps(32, 120, 8),
}


def fargate_cpu_units(vcpu: float) -> int:
    """vCPU as Fargate CPU units (1 vCPU = 1024), the keys of ``FARGATE_MEMORY_BY_CPU``."""
    return round(vcpu * 1024)


def fargate_memory_hint(cpu_units: int, memory_mib: int) -> str:
    """Explain a rejected cpu/memory pair and name the nearest valid choices."""
    allowed = FARGATE_MEMORY_BY_CPU[cpu_units]
    shown = (
        ", ".join(_mib_text(mib) for mib in allowed)
        if len(allowed) <= 6
        else (f"{_mib_text(allowed[0])} to {_mib_text(allowed[-1])} in {_mib_text(allowed[1] - allowed[0])} steps")
    )
    fitting_cpu = [units for units, memories in FARGATE_MEMORY_BY_CPU.items() if memory_mib in memories]
    other = f", or cpu {fitting_cpu[0] / 1024:g} to keep {_mib_text(memory_mib)}" if fitting_cpu else ""
    return (
        f"Fargate cannot run {_mib_text(memory_mib)} with {cpu_units / 1024:g} vCPU; "
        f"that cpu takes memory {shown}{other}"
    )


def smallest_fargate_size(cpu_units: int, memory_mib: int) -> tuple[int, int] | None:
    """The smallest Fargate (cpu units, MiB) pair giving at least what was asked, or None
    when no Fargate size does: the fewest CPU units first, then the least memory."""
    for units, memories in FARGATE_MEMORY_BY_CPU.items():
        if units < cpu_units:
            continue
        fitting = [mib for mib in memories if mib >= memory_mib]
        if fitting:
            return units, fitting[0]
    return None


def mib_text(mib: int) -> str:
    """MiB as the manifest writes it: `1Gi`, `512Mi`."""
    return _mib_text(mib)


def _mib_text(mib: int) -> str:
    return f"{mib // 1024}Gi" if mib % 1024 == 0 else f"{mib}Mi"


# Size words → AWS classes. small-saas favours burstable Graviton classes (cheapest that
# run PostgreSQL well); production-saas uses general-purpose classes with steady CPU.
SMALL_SAAS_SIZES: Mapping[str, Mapping[str, str]] = {
    "small": {"database": "db.t4g.micro", "cache": "cache.t4g.micro"},
    "medium": {"database": "db.t4g.medium", "cache": "cache.t4g.small"},
    "large": {"database": "db.t4g.large", "cache": "cache.t4g.medium"},
    "xlarge": {"database": "db.m7g.xlarge", "cache": "cache.m7g.large"},
}
PRODUCTION_SAAS_SIZES: Mapping[str, Mapping[str, str]] = {
    "small": {"database": "db.m7g.large", "cache": "cache.m7g.large"},
    "medium": {"database": "db.m7g.xlarge", "cache": "cache.m7g.xlarge"},
    "large": {"database": "db.r7g.xlarge", "cache": "cache.r7g.large"},
    "xlarge": {"database": "db.r7g.2xlarge", "cache": "cache.r7g.xlarge"},
}
# Kubernetes and Docker sizes are container resources (vCPU, MiB), not instance classes.
CONTAINER_SIZES: Mapping[str, Mapping[str, tuple[float, int]]] = {
    "small": {"database": (0.5, 1024), "cache": (0.25, 256)},
    "medium": {"database": (1, 2048), "cache": (0.5, 512)},
    "large": {"database": (2, 8192), "cache": (1, 2048)},
    "xlarge": {"database": (4, 16384), "cache": (2, 4096)},
}
DATABASE_INSTANCES_BY_SIZE = {"small": 1, "medium": 2, "large": 3, "xlarge": 3}

# Images pinned to exact tags so a rebuild next month is the same stack; the versions
# and the date each was checked live in :mod:`.versions`.
IMAGES: Mapping[str, str] = {name: pin.version for name, pin in versions.IMAGES.items()}

# Where each framework serves Prometheus metrics, and the names of its request metrics:
# the library the generated app uses for it, its path, its port (None: the app's own), the
# request counter, the label holding the HTTP status, and the latency histogram's buckets.
APP_METRICS: Mapping[str, Mapping[str, str | int | None]] = {
    # FraiseQL (FastAPI) with prometheus-fastapi-instrumentator; status grouped as `5xx`.
    "fraiseql": {
        "library": "prometheus-fastapi-instrumentator",
        "path": "/metrics",
        "port": None,
        "requests": "http_requests_total",
        "status_label": "status",
        "duration_buckets": "http_request_duration_seconds_bucket",
    },
    # django-prometheus (`path("", include("django_prometheus.urls"))` serves /metrics).
    "django": {
        "library": "django-prometheus",
        "path": "/metrics",
        "port": None,
        "requests": "django_http_responses_total_by_status_total",
        "status_label": "status",
        "duration_buckets": "django_http_requests_latency_seconds_by_view_method_bucket",
    },
    # yabeda-rails with yabeda-prometheus: its exporter listens on its own port, 9394.
    "rails": {
        "library": "yabeda-prometheus",
        "path": "/metrics",
        "port": 9394,
        "requests": "rails_requests_total",
        "status_label": "status",
        "duration_buckets": "rails_request_duration_seconds_bucket",
    },
    # prom-client with express-prom-bundle: one histogram, its `_count` counts the requests.
    "nodejs": {
        "library": "express-prom-bundle",
        "path": "/metrics",
        "port": None,
        "requests": "http_request_duration_seconds_count",
        "status_label": "status_code",
        "duration_buckets": "http_request_duration_seconds_bucket",
    },
}

# What an alert's metric word (`condition: cpu > 80`, `type: db_connections`) watches in
# Prometheus, and which of those signals each cloud's Prometheus has: a Docker host has
# node exporter and postgres-exporter, a cluster kube-prometheus-stack and CloudNativePG's
# exporter; on AWS only the application's own metrics reach Managed Prometheus (CloudWatch
# alarms watch the rest).
ALERT_SIGNALS: Mapping[str, str] = {
    "cpu": "cpu",
    "cpu_high": "cpu",
    "memory": "memory",
    "memory_high": "memory",
    "connections": "connections",
    "db_connections": "connections",
    "disk": "disk",
    "storage": "disk",
    "db_storage": "disk",
    "errors": "error_rate",
    "error_rate": "error_rate",
    "http_5xx": "error_rate",
    "latency": "latency",
    "unhealthy_hosts": "targets_down",
    "targets_down": "targets_down",
}
PROMETHEUS_SIGNALS: Mapping[str, frozenset[str]] = {
    "docker": frozenset({"cpu", "memory", "connections", "disk", "error_rate", "latency", "targets_down"}),
    "kubernetes": frozenset({"cpu", "memory", "connections", "disk", "error_rate", "latency", "targets_down"}),
    "aws": frozenset({"error_rate", "latency", "targets_down"}),
}

# Helm charts pinned so `up` next month installs what was previewed today.
HELM_CHARTS: Mapping[str, tuple[str, str, str]] = {
    # name: (chart, version, repository)
    name: (chart, pin.version, repository)
    for name, (chart, pin, repository) in versions.HELM_CHARTS.items()
}


# ------------------------------------------------------------------------------ AWS facts

# Account ids of Elastic Load Balancing in the regions opened before August 2022; later
# regions grant the log-delivery service principal instead (AWS ALB access-log docs).
ELB_ACCOUNT_BY_REGION: Mapping[str, str] = {
    "us-east-1": "127311923021",
    "us-east-2": "033677994240",
    "us-west-1": "027434742980",
    "us-west-2": "797873946194",
    "af-south-1": "098369216593",
    "ap-east-1": "754344448648",
    "ap-southeast-3": "589379963580",
    "ap-south-1": "718504428378",
    "ap-northeast-3": "383597477331",
    "ap-northeast-2": "600734575887",
    "ap-southeast-1": "114774131450",
    "ap-southeast-2": "783225319266",
    "ap-northeast-1": "582318560864",
    "ca-central-1": "985666609251",
    "eu-central-1": "054676820928",
    "eu-west-1": "156460612806",
    "eu-west-2": "652711504416",
    "eu-south-1": "635631232127",
    "eu-west-3": "009996457667",
    "eu-north-1": "897822967062",
    "me-south-1": "076674570225",
    "sa-east-1": "507241528517",
    "us-gov-west-1": "048591011584",
    "us-gov-east-1": "190560391635",
    "cn-north-1": "638102146993",
    "cn-northwest-1": "037604701340",
}

RDS_MONITORING_INTERVALS: tuple[int, ...] = (0, 1, 5, 10, 15, 30, 60)
"""The seconds RDS enhanced monitoring accepts between samples (0 turns it off)."""

EKS_MIN_AVAILABILITY_ZONES = 2
"""The EKS control plane needs subnets in at least two availability zones."""

AWS_MAX_ZONES_PER_REGION = 8
"""More zones than any region has (us-east-1: six): a zone lookup answered offline, or under the
OpenTofu capture, covers every position a network can ask for."""

AWS_PROVIDER_SECRET_RECOVERY_WINDOW_DAYS = 30
"""The AWS provider's default `recovery_window_in_days` of aws_secretsmanager_secret
(internal/service/secretsmanager/secret.go), which an import leaves unset."""

AWS_NAME_MAX_LENGTH: Mapping[str, int] = {
    # OpenTofu type → the longest name (or name prefix) AWS accepts for it
    "aws_ecs_cluster": 255,
    "aws_ecs_service": 255,
    "aws_ecr_repository": 256,
    "aws_cloudwatch_metric_alarm": 255,
    "aws_appautoscaling_policy": 255,
    "aws_wafv2_web_acl": 128,
    "aws_shield_protection": 128,
    "aws_cloudfront_response_headers_policy": 128,
    "aws_cloudfront_origin_access_control": 64,
    "aws_elasticache_subnet_group": 255,
    "aws_elasticache_replication_group": 40,
    "aws_ssm_parameter": 2048,
    "aws_iam_role": 38,
    "aws_iam_role_policy": 100,
    "aws_iam_policy": 96,
    "aws_security_group": 100,
    "aws_sns_topic": 200,
    "aws_s3_bucket": 37,
    "aws_secretsmanager_secret": 256,
    "aws_db_parameter_group": 100,
    "aws_db_subnet_group": 100,
    "aws_cloudwatch_log_group": 483,
    "aws_eks_cluster": 100,
    "aws_eks_node_group": 37,
}
"""How long a generated name may be (prefixes leave room for the random suffix AWS adds)."""


# ---------------------------------------------------------------------------- Kubernetes

POSTGRES_OPERATOR_PORTS: Mapping[str, tuple[int, ...]] = {"cloudnative-pg": (8000,), "crunchy-pgo": (8008, 8432)}
"""Ports each PostgreSQL operator reaches its pods on besides PostgreSQL's: CloudNativePG's
instance manager; PGO's Patroni REST API and pgBackRest TLS server."""


# ------------------------------------------------------------- Docker host (Ansible)

# Debian packages the generated playbooks install on a hobby-project host, per playbook.
# Debian's own builds: signed by the distribution and patched by its security updates,
# which unattended-upgrades applies (Docker's engine comes from `docker.io` for that reason).
DEBIAN_HOST_PACKAGES: Mapping[str, tuple[str, ...]] = {
    "harden-server": ("openssh-server", "ufw", "fail2ban", "python3-systemd", "unattended-upgrades", "auditd"),
    "setup-docker-host": ("docker.io", "apparmor"),
    "install-monitoring": ("prometheus-node-exporter",),
}

# What a freshly provisioned Debian VPS already has that Ansible needs: systemd (the init
# the playbooks manage services with), Python for the modules, python3-apt for the apt
# module, sudo for `become`.
DEBIAN_BASE_PACKAGES: tuple[str, ...] = ("systemd", "systemd-sysv", "python3", "python3-apt", "sudo", "ca-certificates")

ANSIBLE_TEST_HOST_PACKAGES: tuple[str, ...] = tuple(
    sorted({*DEBIAN_BASE_PACKAGES, *(name for names in DEBIAN_HOST_PACKAGES.values() for name in names)})
)
"""The Debian root the Ansible tier checks the playbooks against (scripts/install-debian-chroot.sh)."""

# ---------------------------------------------------------------------- GitLab CI images

# The ejected .gitlab-ci.yml runs on these exact tags (a moving tag would change the
# pipeline without a review). `docker` (Alpine) is the toolbox of every specql job: the
# Docker CLI with buildx for image builds and promotion, apk for python3 and aws-cli.
GITLAB_CI_IMAGES: Mapping[str, str] = {name: pin.version for name, pin in versions.GITLAB_CI_IMAGES.items()}

# ------------------------------------------------------------------------------- alarms


def alarm_metric(metric: str) -> str | None:
    """The CloudWatch alarm a manifest alert's metric word names (the key of the built-in
    alarm it is modelled on), or None when no CloudWatch metric fits it."""
    word = metric.lower()
    if "connection" in word:
        return "db-connections"
    if "storage" in word or "disk" in word:
        return "db-free-storage"
    if "unhealthy" in word:
        return "alb-unhealthy-hosts"
    if word.startswith(("cache", "redis")):
        return "cache-memory" if "memory" in word else ("cache-cpu" if "cpu" in word else None)
    if "cpu" in word:
        return "db-cpu" if word.startswith(("db", "database")) else "service-cpu"
    if "memory" in word:
        return "service-memory"
    if "5xx" in word or "error" in word:
        return "alb-5xx"
    return None


ALARM_METRIC_WORDS = (
    "cpu, memory, db_cpu, connections, storage, 5xx (or errors), unhealthy_hosts, cache_memory, cache_cpu"
)
"""The metric words `alarm_metric` knows, for the message that refuses another."""
