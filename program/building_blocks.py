"""Building blocks: the values the components and exporters apply that no manifest key
controls, each with the reason for it (the comment right above it).

They live here so that nothing under components/ or exporters/ hard-codes a size, a
count, a window, a threshold, a version or an image
(tests/program/test_defaults_single_source.py).
"""

from __future__ import annotations

from collections.abc import Mapping

# -- AWS: encryption (KMS)
# 30 days is the longest KMS waiting period: the most time to undo a mistaken deletion.
KMS_KEY_DELETION_WINDOW_DAYS = 30

# -- AWS: network (VPC)
# Each subnet is the VPC prefix plus 5 bits, so a /16 gives /21 subnets (2,048 addresses)...
VPC_SUBNET_EXTRA_BITS = 5
# ...and each tier owns a block of eight of them: room for up to eight zones per tier.
VPC_TIER_FIRST_SUBNET: Mapping[str, int] = {"public": 0, "private": 8, "isolated": 16}
# Flow logs are aggregated over a minute (the shortest window): who talked to whom is
# visible while an incident is still going on.
VPC_FLOW_LOG_AGGREGATION_SECONDS = 60

# -- AWS: database (RDS PostgreSQL)
# gp3 gives 3,000 IOPS baseline at any size, cheaper than gp2 for the same volume.
RDS_STORAGE_TYPE = "gp3"
# The RSA 2048 CA is the current default RDS certificate authority, valid until 2061.
RDS_CA_CERT_IDENTIFIER = "rds-ca-rsa2048-g1"
# The database the application connects to: one database per stack.
RDS_DATABASE_NAME = "app"
# The admin login; RDS generates its password and keeps it in Secrets Manager.
RDS_MASTER_USERNAME = "app_admin"
# The login the application uses with IAM authentication (created by a migration with
# `CREATE USER app_iam; GRANT rds_iam TO app_iam;`), so the master login keeps its password.
RDS_APP_IAM_USER = "app_iam"
# Schema changes are always logged (auditable, no row data); slow queries by duration.
RDS_LOG_STATEMENT = "ddl"
# 16 MiB per sort or hash: JSONB-heavy GraphQL queries sort in memory instead of on disk.
RDS_WORK_MEM_KB = 16384

# -- AWS: cache (ElastiCache Redis)
# Two shards spread keys and writes when cluster mode is asked for (one shard is plain mode).
REDIS_CLUSTER_SHARDS = 2
# 64 alphanumeric characters: well above Redis AUTH's 16-character minimum, no forbidden symbols.
REDIS_AUTH_TOKEN_LENGTH = 64
# Cache snapshots run before the database backup window (03:00-04:00 UTC)...
REDIS_SNAPSHOT_WINDOW = "02:00-03:00"
# ...and maintenance waits for a quiet Sunday morning (UTC), after every backup.
REDIS_MAINTENANCE_WINDOW = "sun:05:00-sun:06:00"

# -- AWS: S3 buckets (storage and log archive)
# Incomplete multipart uploads are garbage after a week and still cost storage.
S3_ABORT_MULTIPART_DAYS = 7
# Log objects are written once; a replaced or deleted version is kept one day for mistakes.
S3_NONCURRENT_LOG_VERSION_DAYS = 1

# -- AWS: secrets (Secrets Manager)
# 30 days (the maximum) to restore a secret deleted by mistake.
SECRETS_RECOVERY_WINDOW_DAYS = 30

# -- AWS: deletion protection
# Inputs through which AWS refuses a delete (RDS instances, load balancers): a confirmed
# `destroy` turns them off on exactly those resources first (Pulumi and deploy.sh alike).
DELETION_PROTECTION_INPUTS: tuple[str, ...] = ("deletionProtection", "enableDeletionProtection")

# -- AWS: load balancer (ALB)
# TLS 1.2 and 1.3 only, forward-secret ciphers: the current AWS-recommended policy.
ALB_SSL_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06"
# ACM's validation CNAME: a minute, so a corrected record is seen quickly.
CERTIFICATE_VALIDATION_TTL_SECONDS = 60
# Draining: 30 s lets in-flight GraphQL requests finish without slowing deploys.
ALB_DEREGISTRATION_DELAY_SECONDS = 30

# -- AWS: edge (CloudFront, WAF)
# 2,000 requests per 5 minutes from one IP is far above a person, well below a flood.
WAF_RATE_LIMIT_PER_5_MINUTES = 2000
# North America and Europe edge locations: the cheapest price class.
CLOUDFRONT_PRICE_CLASS = "PriceClass_100"
# TLS 1.2 with modern ciphers for viewers (only possible with a custom certificate).
CLOUDFRONT_VIEWER_TLS_POLICY = "TLSv1.2_2021"
# Browsers remember HTTPS-only for a year (the HSTS preload minimum); CloudFront and Caddy send it.
HSTS_MAX_AGE_SECONDS = 31_536_000

# -- AWS: service (ECS Fargate, ECR, autoscaling)
# The last 30 images cover a month of daily deploys: enough to roll back, bounded cost.
ECR_KEEP_IMAGES = 30
# Tasks get a minute to boot before failed ALB health checks count against them.
ECS_HEALTH_CHECK_GRACE_SECONDS = 60
# Scale out after a minute of load...
ECS_SCALE_OUT_COOLDOWN_SECONDS = 60
# ...scale in only after five quiet minutes.
ECS_SCALE_IN_COOLDOWN_SECONDS = 300
# A deploy starts the new tasks before stopping the old ones (never below the running count,
# at most twice it), so a release never drops capacity...
ECS_DEPLOYMENT_MIN_HEALTHY_PERCENT = 100
# ...and briefly runs both revisions side by side.
ECS_DEPLOYMENT_MAX_PERCENT = 200
# The container's own health check starts after 30 s...
ECS_CONTAINER_HEALTH_START_SECONDS = 30
# ...and marks the container unhealthy after three failures in a row.
ECS_CONTAINER_HEALTH_RETRIES = 3

# -- AWS: monitoring (thresholds of the built-in CloudWatch alarms)
# 80% CPU sustained for the evaluation leaves time to scale before saturation.
ALARM_CPU_PERCENT = 80.0
# 80% memory, for the same reason.
ALARM_MEMORY_PERCENT = 80.0
# Ten 5xx responses within one period is an incident, not a stray error...
ALARM_ALB_5XX_COUNT = 10.0
# ...a five-minute period, summed, so a short burst of errors counts as much as a trickle.
ALARM_ALB_5XX_PERIOD_SECONDS = 300
# Alarm at 80% of max_connections: pools exhaust before the database does.
ALARM_CONNECTIONS_PERCENT = 80.0
# Below 10% free storage autoscaling may not keep up with a bulk load.
ALARM_FREE_STORAGE_PERCENT = 10.0
# p99 above two seconds is slow for an API.
ALARM_LATENCY_P99_SECONDS = 2.0
# Database I/O latency above 20 ms means the disk is the bottleneck.
ALARM_DB_IO_LATENCY_SECONDS = 0.02
# A replica more than 5 minutes behind serves stale reads.
ALARM_REPLICA_LAG_SECONDS = 300.0
# Alarms look at one-minute periods...
ALARM_PERIOD_SECONDS = 60
# ...and fire after five of them in breach.
ALARM_EVALUATION_PERIODS = 5
# The dashboard is two widgets wide on CloudWatch's 24-column grid, each six rows high...
DASHBOARD_GRID: Mapping[str, int] = {"columns": 2, "width": 12, "height": 6}
# ...and its graphs average five-minute periods: a day fits on screen without noise.
DASHBOARD_PERIOD_SECONDS = 300

# -- AWS: SaaS wiring (disaster recovery, networks without NAT)
# The DR region's VPC spans two zones: enough for a DB subnet group, half the cost of three.
DR_AVAILABILITY_ZONES = 2
# Without NAT, tasks reach the registry, their logs and their secrets through these
# interface endpoints (S3, where image layers live, has its gateway endpoint already).
NO_NAT_INTERFACE_ENDPOINTS: tuple[str, ...] = ("ecr.api", "ecr.dkr", "logs", "secretsmanager")

# -- Docker: the hobby-project stack on one host
# Generated PostgreSQL password: 32 letters and digits, ~190 bits.
DOCKER_DB_PASSWORD_LENGTH = 32
# json-file log rotation: at most 50 MB of logs per container, so logs never fill the disk
# of a small VPS (Docker keeps them forever by default).
DOCKER_LOG_ROTATION: tuple[tuple[str, str], ...] = (("max-size", "10m"), ("max-file", "5"))
# `database.backup_frequency` → seconds between two `pg_dump` runs. A single Docker host
# has no WAL archive: the closest it gets to `continuous` is hourly.
DOCKER_BACKUP_INTERVAL_SECONDS: Mapping[str, int] = {
    "hourly": 3600,
    "daily": 86400,
    "weekly": 604800,
    "continuous": 3600,
}
# The off-site copy runs hourly: a new dump leaves the host within the hour, and listing
# the bucket 730 times a month costs under a cent.
DOCKER_OFFSITE_COPY_INTERVAL_SECONDS = 3600
# `nobody:nogroup`: helpers that only read files run without any privilege of the image's root.
DOCKER_UNPRIVILEGED_USER = "65534:65534"
# The data services (PostgreSQL, Redis, MinIO) answer their probe within a second once up:
# check every 10 s, so `depends_on: service_healthy` starts the app seconds after them,
# give them 30 s to start, and call one unhealthy after five failures in a row.
DATA_SERVICE_HEALTH: Mapping[str, int] = {"interval_s": 10, "timeout_s": 5, "retries": 5, "start_period_s": 30}
# CPU (vCPU) and memory (MiB) caps of the hobby stack's helper containers, so a runaway
# sidecar can never starve PostgreSQL or the app on a small VPS; each fits its usual load.
DOCKER_SIDECAR_LIMITS: Mapping[str, tuple[float, int]] = {
    "caddy": (0.25, 128),  # a reverse proxy for one app idles under 30 MiB
    "backup": (0.5, 256),  # pg_dump streams; memory does not grow with the database
    "backup-offsite": (0.25, 128),  # rclone copies one new file an hour
    "prometheus": (0.5, 512),  # a few thousand series for one host
    "uptime-kuma": (0.25, 256),  # a handful of HTTP checks
    "node-exporter": (0.1, 64),  # reads /proc and one filesystem
    "postgres-exporter": (0.1, 64),  # one query a scrape
    "grafana": (0.5, 256),  # two dashboards for one user
    "loki": (0.5, 512),  # one host's logs, a week of them
    "alloy": (0.25, 256),  # tails a handful of log files
}
# Slack added to a health check's own worst case before `up` gives up waiting on a container.
DOCKER_WAIT_MARGIN_SECONDS = 30
# ssh options for a remote engine (`ssh://user@server`): never wait for a password prompt
# (fail fast in CI), give up on an unreachable VPS in 15 s, and keep long image builds and
# pulls alive through NAT (a probe every 30 s, four missed before hanging up). Host keys
# stay strictly checked.
DOCKER_SSH_OPTIONS: tuple[str, ...] = (
    "-o",
    "BatchMode=yes",
    "-o",
    "ConnectTimeout=15",
    "-o",
    "ServerAliveInterval=30",
    "-o",
    "ServerAliveCountMax=4",
)
# Prometheus scrapes (and evaluates rules) every 30 s: fine-grained enough for a dashboard,
# light on a small host and on the cluster (Docker and Kubernetes patterns alike).
PROMETHEUS_SCRAPE_INTERVAL_SECONDS = 30

# -- Prometheus: the alert rules and dashboards (observability/)
# Rates and quantiles look at the last five minutes: long enough to smooth over a missed
# scrape, short enough to page while an incident is still going on.
PROMETHEUS_RATE_WINDOW_SECONDS = 300
# More than 5% of requests answered with a 5xx is an outage for someone.
ALERT_ERROR_RATE_PERCENT = 5.0
# The latency alert watches the 99th percentile (the same statistic as the CloudWatch p99 alarm).
ALERT_LATENCY_QUANTILE = 0.99
# A target that failed every scrape for two minutes is down, not flapping.
ALERT_TARGET_DOWN_SECONDS = 120
# A backup older than two of its intervals means at least one run was missed.
ALERT_BACKUP_AGE_INTERVALS = 2
# Kubernetes base backups: seconds between two scheduled backups per `database.backup_frequency`
# (`continuous` still takes one base backup a day; the WAL archive covers the time between).
KUBERNETES_BACKUP_INTERVAL_SECONDS: Mapping[str, int] = {
    "hourly": 3600,
    "daily": 86400,
    "weekly": 604800,
    "continuous": 86400,
}
# promtool's unit tests drive each signal to twice its threshold (half, for one that falls)...
ALERT_TEST_OVERSHOOT = 2.0
# ...and look a few samples after the rate window and the `for` duration have passed, so
# the alert is firing, not pending.
ALERT_TEST_EXTRA_SAMPLES = 4
# Every alert pages at one severity: a deployment this size has one on-call (the owner).
ALERT_SEVERITY = "warning"
# Dashboards show the last six hours (a working morning at a glance)...
DASHBOARD_TIME_RANGE: tuple[str, str] = ("now-6h", "now")
# ...and refresh every minute (two scrapes: fresh, without loading Prometheus).
DASHBOARD_REFRESH = "1m"
# ...on Grafana's 24-column grid, two panels a row, eight rows high.
GRAFANA_PANEL_SIZE: Mapping[str, int] = {"width": 12, "height": 8}
# Loki keeps its index in 24-hour tables (the only period its TSDB index supports).
LOKI_INDEX_PERIOD = "24h"
# The schema date of the generated Loki configuration's one period (TSDB, schema v13).
LOKI_SCHEMA_FROM = "2024-04-01"
# Loki's volume in a cluster (its chart's own default size): compressed chunks of one
# application's pod logs for the retention; the compactor deletes what is older.
KUBERNETES_LOKI_VOLUME = "10Gi"
# Alloy in a cluster runs as the unprivileged user its image creates (the `restricted` Pod
# Security Standard refuses root)...
ALLOY_IMAGE_USER = 473
# ...and keeps its read positions in the data folder the image gives that user (the Docker
# host's Alloy, in the hobby stack and the Ansible playbook, too).
ALLOY_DATA = "/var/lib/alloy/data"
# Grafana's sidecar in kube-prometheus-stack loads ConfigMaps labelled grafana_dashboard=1.
GRAFANA_DASHBOARD_LABEL: tuple[str, str] = ("grafana_dashboard", "1")
# The backup loop writes its last success for node exporter's textfile collector here...
BACKUP_METRICS_FILE = "backup.prom"
# ...and Alloy tails Docker's json-file logs from the host, read-only.
DOCKER_CONTAINER_LOGS = "/var/lib/docker/containers"

# -- GitHub Actions (the ejected workflows)
# Minutes per job: a hung step fails in minutes instead of burning the 6-hour default.
CI_JOB_TIMEOUT_MINUTES: Mapping[str, int] = {"test": 20, "preview": 20, "build": 30, "deploy": 45, "rollback": 30}
# The smoke test retries twelve times while a new revision passes its health checks...
CI_SMOKE_RETRIES = 12
# ...10 s apart: two minutes in all...
CI_SMOKE_RETRY_DELAY_SECONDS = 10
# ...and gives each request 10 s to answer.
CI_SMOKE_MAX_TIME_SECONDS = 10
# The test job's throwaway PostgreSQL is ready in seconds: probe every 5 s, ten tries.
CI_POSTGRES_HEALTH_OPTIONS = "--health-interval 5s --health-timeout 5s --health-retries 10"

# -- Docker host: the Ansible playbooks (infrastructure/ansible/)
# apt refreshes its package lists at most hourly across the three playbooks' runs.
ANSIBLE_APT_CACHE_VALID_SECONDS = 3600
# sshd drops a connection after three failed keys: enough for an agent with a few keys,
# few enough to slow down guessing.
ANSIBLE_SSH_MAX_AUTH_TRIES = 3
# fail2ban bans an address for an hour after five failed SSH logins within ten minutes.
FAIL2BAN_SSH: Mapping[str, int] = {"maxretry": 5, "findtime": 600, "bantime": 3600}
# auditd records every write to these (path, key): accounts, sudo, SSH, the Docker engine
# (whoever controls the engine controls the host).
AUDIT_WATCHED_PATHS: tuple[tuple[str, str], ...] = (
    ("/etc/passwd", "identity"),
    ("/etc/group", "identity"),
    ("/etc/shadow", "identity"),
    ("/etc/sudoers", "sudo"),
    ("/etc/sudoers.d", "sudo"),
    ("/etc/ssh/sshd_config", "sshd"),
    ("/etc/ssh/sshd_config.d", "sshd"),
    ("/etc/docker", "docker"),
    ("/usr/bin/dockerd", "docker"),
    ("/var/run/docker.sock", "docker"),
)
# The node exporter answers on the host's loopback only: UFW opens 22/80/443 and nothing else.
NODE_EXPORTER_LISTEN_ADDRESS = "127.0.0.1"

# -- Frameworks: migrations
# Framework → the command that applies pending migrations inside the application image.
MIGRATION_COMMANDS: Mapping[str, tuple[str, ...]] = {
    "fraiseql": ("fraiseql", "migrate", "up"),
    "django": ("python", "manage.py", "migrate", "--noinput"),
    "rails": ("bundle", "exec", "rails", "db:migrate"),
    "nodejs": ("npm", "run", "migrate"),
}

# -- Kubernetes: EKS (`cluster: create`)
# t3.large (2 vCPU, 8 GiB) fits the application pods, two PostgreSQL instances and the
# add-ons with headroom; general purpose, no burst-credit surprises at this size.
EKS_NODE_INSTANCE_TYPE = "t3.large"
# Nodes never go below one per zone (the PodDisruptionBudget and anti-affinity need
# somewhere to move pods), and the group may grow to twice that for rollouts and HPA peaks.
EKS_NODE_MAX_FACTOR = 2
# Control-plane logs shipped to CloudWatch: who called the API and how they authenticated.
EKS_CONTROL_PLANE_LOGS: tuple[str, ...] = ("api", "audit", "authenticator")

# -- Kubernetes: the application's pods
# A fixed unprivileged UID/GID above 10000, so it maps to no user on the node (CKV_K8S_40);
# the generated Dockerfile creates its application user with the same ids.
APP_RUN_AS_ID = 10001

# -- Generated files: layout
# YAML lines never fold (a folded shell command or URL breaks when copied)...
YAML_LINE_WIDTH = 4096
# ...and nest two spaces deep, list items indented under their key, as the compose,
# GitHub Actions and Kubernetes documentation write them.
YAML_INDENT: Mapping[str, int] = {"mapping": 2, "sequence": 4, "offset": 2}
# Generated JSON (the Grafana dashboards) nests two spaces deep, like the YAML.
JSON_INDENT = 2
# An HCL list of scalars stays on one line while it fits in 100 columns, as `tofu fmt` leaves it.
HCL_ONE_LINE_LIST_WIDTH = 100
# The OpenTofu README's module tree names a module's first four resource types (then "+N more").
README_MODULE_TYPES_SHOWN = 4

# -- CLI: `specql deploy resolve`
# The table layout needs room beside the longest setting name for the value, the source
# and a readable reason; narrower (80 columns, a pipe), one setting per line instead.
RESOLVE_TABLE_MIN_REST_COLUMNS = 90

# -- Eject: Dependabot (.github/dependabot.yml)
# A weekly batch of update pull requests: fresh enough for security fixes, few enough to review.
DEPENDABOT_INTERVAL = "weekly"
# At most this many open update pull requests per ecosystem (Dependabot's own default).
DEPENDABOT_OPEN_PULL_REQUESTS = 5
# The configuration format Dependabot reads (the only one it accepts).
DEPENDABOT_CONFIG_VERSION = 2
