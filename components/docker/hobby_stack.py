"""The hobby-project stack: its naming rules and its services, built from the resolved model.

The pulumi-docker components create exactly these services (:mod:`..patterns.hobby_project`)
and the compose exporter writes them as ``docker/docker-compose.prod.yaml``, so the stack
`up` creates and the compose file a user takes away cannot disagree. The generated
configuration files and shell loops are in :mod:`.hobby_config`. Imports no SDK.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ...program.building_blocks import (
    ALLOY_DATA,
    DATA_SERVICE_HEALTH,
    DOCKER_CONTAINER_LOGS,
    DOCKER_SIDECAR_LIMITS,
    DOCKER_UNPRIVILEGED_USER,
    MIGRATION_COMMANDS,
)
from ...program.catalogue import IMAGES, PORTS
from ...program.frameworks import health_probe, probe_seconds
from ..observability import (
    ALERTS,
    ALLOY_CONFIG,
    DASHBOARD_PROVIDER,
    DASHBOARDS_DIR,
    DATASOURCES,
    LOKI_CONFIG,
    PROMETHEUS_CONFIG,
    observability_files,
)
from ..observability.logs import DASHBOARDS_MOUNT, LOKI_DATA
from .app_names import app_services
from .hobby_config import (
    BACKUP_DIR,
    BACKUP_KEY_SECRETS,
    BACKUP_METRICS_DIR,
    OFFSITE_REMOTE,
    TEXTFILE_DIR,
    backup_script,
    caddyfile,
    offsite_copy_script,
    serves_https,
)
from .service_model import (
    BACKEND,
    COMPOSE_DIR,
    EDGE,
    SECRET_REF,
    Build,
    ConfigFile,
    Dependency,
    Healthcheck,
    Mount,
    Port,
    SecretSpec,
    ServiceSpec,
    Stack,
)

if TYPE_CHECKING:
    from ...program.model import ResolvedDeployment

GRAFANA_PASSWORD = "GRAFANA_ADMIN_PASSWORD"
"""Generated secret: the password of Grafana's `admin` user (never Grafana's default `admin`)."""


@dataclass(frozen=True)
class HobbyStack(Stack):
    """Everything the hobby-project stack is made of."""

    secrets: tuple[SecretSpec, ...] = ()
    """The secrets the services reference: generated ones and the user's own."""
    domain: str | None = None


# ------------------------------------------------------------------------- naming rules


def database_name(resolved: ResolvedDeployment) -> str:
    """The PostgreSQL database and role name: the deployment name as an SQL identifier."""
    ident = re.sub(r"[^a-z0-9_]", "_", resolved.deployment.name.lower())
    return ident if ident[:1].isalpha() else f"app_{ident}"


def app_image(resolved: ResolvedDeployment) -> str:
    """The application image: the manifest's own, or the locally built ``<name>:<version>``."""
    return resolved.application.image or f"{resolved.deployment.name}:{resolved.deployment.version}"


def secret_key(name: str) -> str:
    """Pulumi config key of a user-provided secret (``STRIPE_KEY`` → ``stripeKey``)."""
    head, *rest = name.lower().split("_")
    return head + "".join(part.capitalize() for part in rest)


def enabled_services(resolved: ResolvedDeployment) -> dict[str, bool]:
    """Which optional services run: monitoring and backups follow the manifest.

    Prometheus (`metrics.prometheus`) brings its exporters (node exporter for the host,
    postgres-exporter for the database); Grafana runs when dashboards are asked for
    (`dashboards.grafana`, or level `standard` and above) or logs go to Loki
    (`logs.aggregator: loki`, which also runs Loki and Alloy).
    """
    monitoring = resolved.monitoring
    loki = monitoring.log_aggregator == "loki"
    return {
        "prometheus": monitoring.prometheus,
        "node-exporter": monitoring.prometheus,
        "postgres-exporter": monitoring.prometheus,
        "grafana": (monitoring.prometheus and (monitoring.grafana or monitoring.level != "basic")) or loki,
        "loki": loki,
        "alloy": loki,
        "uptime-kuma": monitoring.stack in ("prometheus", "uptime-kuma"),
        "backup": resolved.database.backup_retention_days > 0,
    }


def _observability_config(resolved: ResolvedDeployment, path: str, target: str) -> ConfigFile:
    """One of the ejected observability/ files, mounted read-only (Pulumi uploads the same text)."""
    return ConfigFile(
        path,
        target,
        observability_files(resolved)[path],
        note=f"Mounted read-only at {target} (the same content `up` uploads).",
    )


# ---------------------------------------------------------------------------- services


def _app_healthcheck(resolved: ResolvedDeployment) -> Healthcheck:
    """Probe the health endpoint with the runtime the image already has (no curl needed):
    the same command as the Dockerfile's HEALTHCHECK."""
    app = resolved.application
    url = f"http://127.0.0.1:{app.port}{app.health_check_path}"
    timeout = app.health_check_timeout
    return Healthcheck(
        test=("CMD", *health_probe(resolved.deployment.framework, url, probe_seconds(timeout))),
        interval_s=app.health_check_interval,
        timeout_s=timeout,
        retries=app.unhealthy_threshold,
        start_period_s=app.health_check_interval,
    )


def _database_url(resolved: ResolvedDeployment) -> str:
    ident = database_name(resolved)
    return f"postgresql://{ident}:${{DB_PASSWORD}}@postgres:{PORTS['postgres']}/{ident}"


def _app_environment(resolved: ResolvedDeployment) -> tuple[tuple[str, str], ...]:
    app = resolved.application
    env: dict[str, str] = {
        "DATABASE_URL": _database_url(resolved),
        "PORT": str(app.port),
        "APP_ENV": resolved.deployment.environment,
    }
    env.update(app.variables)
    for name in app.secrets:
        env[name] = f"${{{name}}}"
    return tuple(env.items())


def _postgres(resolved: ResolvedDeployment) -> ServiceSpec:
    database = resolved.database
    ident = database_name(resolved)
    return ServiceSpec(
        name="postgres",
        image=IMAGES["postgres"],
        purpose=f"PostgreSQL {database.version}: the application's database, on the internal backend network only",
        command=(
            "postgres",
            "-c",
            f"max_connections={database.max_connections}",
            "-c",
            f"log_min_duration_statement={database.log_min_duration_ms}",
        ),
        environment=(
            ("POSTGRES_DB", ident),
            ("POSTGRES_USER", ident),
            ("POSTGRES_PASSWORD", "${DB_PASSWORD}"),
        ),
        mounts=(Mount("postgres_data", "/var/lib/postgresql/data"),),
        healthcheck=Healthcheck(test=("CMD", "pg_isready", "-U", ident, "-d", ident), **DATA_SERVICE_HEALTH),
        cpus=database.cpu,
        memory_mib=database.memory_mib,
    )


def _app_common(resolved: ResolvedDeployment) -> dict[str, Any]:
    image = app_image(resolved)
    return {
        "image": image,
        "build": None if resolved.application.image else Build(),
        "environment": _app_environment(resolved),
    }


def _has_migrations(resolved: ResolvedDeployment) -> bool:
    """Frameworks with a known migration command get a migration job."""
    return resolved.deployment.framework in MIGRATION_COMMANDS


def _migrate(resolved: ResolvedDeployment) -> ServiceSpec:
    framework = resolved.deployment.framework
    return ServiceSpec(
        name="migrate",
        purpose="applies pending database migrations once, before the application starts",
        command=MIGRATION_COMMANDS[framework],
        restart="no",
        one_shot=True,
        depends_on=(Dependency("postgres", "service_healthy"),),
        cap_drop=("ALL",),
        cpus=resolved.application.cpu,
        memory_mib=resolved.application.memory_mib,
        **_app_common(resolved),
    )


def _app(resolved: ResolvedDeployment, name: str = "app") -> ServiceSpec:
    app = resolved.application
    count = app.instances
    return ServiceSpec(
        name=name,
        purpose=(
            f"the {resolved.deployment.framework} application, reached only through Caddy"
            + (f" (instance {app_services(resolved).index(name) + 1} of {count})" if count > 1 else "")
        ),
        command=app.command or None,
        healthcheck=_app_healthcheck(resolved),
        cpus=app.cpu,
        memory_mib=app.memory_mib,
        depends_on=(Dependency("postgres", "service_healthy"),)
        + ((Dependency("migrate", "service_completed_successfully"),) if _has_migrations(resolved) else ()),
        read_only=app.read_only_root,
        tmpfs=("/tmp",) if app.read_only_root else (),
        cap_drop=("ALL",),
        networks=(EDGE, BACKEND),  # Caddy reaches it on edge; it reaches PostgreSQL on backend
        **_app_common(resolved),
    )


def caddy_service(
    config: ConfigFile,
    *,
    https: bool,
    purpose: str,
    environment: tuple[tuple[str, str], ...] = (),
    upstreams: tuple[str, ...] = ("app",),
) -> ServiceSpec:
    """Caddy in front of the app: HTTP, and with `https` HTTPS and HTTP/3 (the hobby stack
    and the cloud patterns' stack for one host run the same one)."""
    http, tls = PORTS["http"], PORTS["https"]
    ports = [Port(http, http)]
    if https:
        ports += [Port(tls, tls), Port(tls, tls, "udp")]
    return ServiceSpec(
        name="caddy",
        image=IMAGES["caddy"],
        purpose=purpose,
        environment=environment,
        ports=tuple(ports),
        mounts=(Mount("caddy_data", "/data"), Mount("caddy_config", "/config")),
        configs=(config,),
        depends_on=tuple(Dependency(upstream, "service_healthy") for upstream in upstreams),
        cap_drop=("ALL",),
        cap_add=("NET_BIND_SERVICE",),  # ports below 1024
        networks=(EDGE,),
        **sidecar_limits("caddy"),
    )


def _caddy(resolved: ResolvedDeployment) -> ServiceSpec:
    domain = resolved.deployment.domain
    tls = serves_https(resolved)
    config = ConfigFile(
        f"{COMPOSE_DIR}/Caddyfile",
        "/etc/caddy/Caddyfile",
        caddyfile(resolved),
        note="Mounted read-only at /etc/caddy/Caddyfile (the same content `up` uploads).",
    )
    return caddy_service(
        config,
        upstreams=app_services(resolved),
        https=tls,
        purpose=(
            f"reverse proxy with automatic HTTPS for {domain}"
            if tls
            else f"reverse proxy on port {PORTS['http']} (no domain: no certificate)"
        ),
    )


def _backup(resolved: ResolvedDeployment) -> ServiceSpec:
    database = resolved.database
    ident = database_name(resolved)
    return ServiceSpec(
        name="backup",
        image=IMAGES["postgres"],
        purpose=(
            f"{database.backup_frequency} pg_dump into the backups volume, kept {database.backup_retention_days} days"
        ),
        command=("sh", "-c", backup_script(resolved, metrics=resolved.monitoring.prometheus)),
        environment=(
            ("PGHOST", "postgres"),
            ("PGPORT", str(PORTS["postgres"])),
            ("PGUSER", ident),
            ("PGDATABASE", ident),
            ("PGPASSWORD", "${DB_PASSWORD}"),
        ),
        mounts=(Mount("backups", BACKUP_DIR),)
        + ((Mount("backup_metrics", BACKUP_METRICS_DIR),) if resolved.monitoring.prometheus else ()),
        depends_on=(Dependency("postgres", "service_healthy"),),
        cap_drop=("ALL",),
        **sidecar_limits("backup"),
    )


def _backup_offsite(resolved: ResolvedDeployment) -> ServiceSpec:
    database = resolved.database
    assert database.backup_destination is not None  # only called with a destination
    remote = f"RCLONE_CONFIG_{OFFSITE_REMOTE.upper()}"
    environment = [
        (f"{remote}_TYPE", "s3"),
        (f"{remote}_PROVIDER", "Other" if database.backup_endpoint else "AWS"),
        (f"{remote}_ENV_AUTH", "false"),
        (f"{remote}_ACCESS_KEY_ID", "${" + BACKUP_KEY_SECRETS[0] + "}"),
        (f"{remote}_SECRET_ACCESS_KEY", "${" + BACKUP_KEY_SECRETS[1] + "}"),
        (f"{remote}_REGION", database.backup_region),
    ]
    if database.backup_endpoint:
        environment.append((f"{remote}_ENDPOINT", database.backup_endpoint))
    else:
        # AWS encrypts at rest with its own keys; S3-compatible stores encrypt by themselves
        environment.append((f"{remote}_SERVER_SIDE_ENCRYPTION", "AES256"))
    return ServiceSpec(
        name="backup-offsite",
        image=IMAGES["rclone"],
        purpose=f"copies each dump to {database.backup_destination} (nothing there is ever deleted or overwritten)",
        entrypoint=("sh", "-c"),
        command=(offsite_copy_script(database.backup_destination),),
        user=DOCKER_UNPRIVILEGED_USER,  # it only reads the world-readable dumps
        environment=tuple(environment),
        mounts=(Mount("backups", BACKUP_DIR, read_only=True),),
        depends_on=(Dependency("backup"),),
        read_only=True,
        tmpfs=("/tmp",),
        cap_drop=("ALL",),
        networks=(EDGE,),  # reaches the bucket; never the database network
        **sidecar_limits("backup-offsite"),
    )


def _prometheus(resolved: ResolvedDeployment) -> ServiceSpec:
    port = PORTS["prometheus"]
    return ServiceSpec(
        name="prometheus",
        image=IMAGES["prometheus"],
        purpose=f"scrapes the app, the exporters and Caddy, evaluates the alert rules; UI on 127.0.0.1:{port} (SSH tunnel on a VPS)",
        ports=(Port(port, port, host_ip="127.0.0.1"),),
        mounts=(Mount("prometheus_data", "/prometheus"),),
        configs=(
            _observability_config(resolved, PROMETHEUS_CONFIG, "/etc/prometheus/prometheus.yml"),
            _observability_config(resolved, ALERTS, "/etc/prometheus/alerts.yml"),
        ),
        depends_on=(Dependency("app"),),
        cap_drop=("ALL",),
        # backend to scrape the app; edge because an internal network cannot publish the UI port
        networks=(EDGE, BACKEND),
        **sidecar_limits("prometheus"),
    )


def _node_exporter(resolved: ResolvedDeployment) -> ServiceSpec:
    """The host's CPU and memory (/proc is the host's), the Docker disk (the container's
    root filesystem lives on it) and the backup's textfile metric; no host mount needed."""
    mounts = (Mount("backup_metrics", TEXTFILE_DIR, read_only=True),) if enabled_services(resolved)["backup"] else ()
    return ServiceSpec(
        name="node-exporter",
        image=IMAGES["node-exporter"],
        purpose="the host's CPU, memory and disk, and the time of the last backup, for Prometheus",
        command=(f"--collector.textfile.directory={TEXTFILE_DIR}",) if mounts else None,
        user=DOCKER_UNPRIVILEGED_USER,
        mounts=mounts,
        read_only=True,
        cap_drop=("ALL",),
        **sidecar_limits("node-exporter"),
    )


def _postgres_exporter(resolved: ResolvedDeployment) -> ServiceSpec:
    ident = database_name(resolved)
    return ServiceSpec(
        name="postgres-exporter",
        image=IMAGES["postgres-exporter"],
        purpose="PostgreSQL's connections and settings for Prometheus, on the backend network",
        environment=(
            ("DATA_SOURCE_URI", f"postgres:{PORTS['postgres']}/{ident}?sslmode=disable"),
            ("DATA_SOURCE_USER", ident),
            ("DATA_SOURCE_PASS", "${DB_PASSWORD}"),
        ),
        user=DOCKER_UNPRIVILEGED_USER,
        depends_on=(Dependency("postgres", "service_healthy"),),
        read_only=True,
        cap_drop=("ALL",),
        **sidecar_limits("postgres-exporter"),
    )


def _grafana(resolved: ResolvedDeployment) -> ServiceSpec:
    port = PORTS["grafana"]
    dashboards = sorted(path for path in observability_files(resolved) if path.startswith(f"{DASHBOARDS_DIR}/"))
    return ServiceSpec(
        name="grafana",
        image=IMAGES["grafana"],
        purpose=f"the dashboards (and logs, with Loki); UI on 127.0.0.1:{port} (SSH tunnel on a VPS)",
        environment=(
            ("GF_SECURITY_ADMIN_USER", "admin"),
            ("GF_SECURITY_ADMIN_PASSWORD", "${GRAFANA_ADMIN_PASSWORD}"),
            ("GF_USERS_ALLOW_SIGN_UP", "false"),
            ("GF_ANALYTICS_REPORTING_ENABLED", "false"),
        ),
        ports=(Port(port, port, host_ip="127.0.0.1"),),
        mounts=(Mount("grafana_data", "/var/lib/grafana"),),
        configs=(
            _observability_config(resolved, DATASOURCES, "/etc/grafana/provisioning/datasources/datasources.yml"),
            _observability_config(resolved, DASHBOARD_PROVIDER, "/etc/grafana/provisioning/dashboards/dashboards.yml"),
            *(
                _observability_config(resolved, path, f"{DASHBOARDS_MOUNT}/{path.rsplit('/', 1)[-1]}")
                for path in dashboards
            ),
        ),
        depends_on=tuple(Dependency(name) for name in ("prometheus", "loki") if enabled_services(resolved)[name]),
        cap_drop=("ALL",),
        # backend to query Prometheus and Loki; edge to publish the UI port
        networks=(EDGE, BACKEND),
        **sidecar_limits("grafana"),
    )


def _loki(resolved: ResolvedDeployment) -> ServiceSpec:
    return ServiceSpec(
        name="loki",
        image=IMAGES["loki"],
        purpose=f"stores the containers' logs for {resolved.monitoring.log_retention_days} days, on the backend network",
        command=("-config.file=/etc/loki/loki-config.yml",),
        mounts=(Mount("loki_data", LOKI_DATA),),
        configs=(_observability_config(resolved, LOKI_CONFIG, "/etc/loki/loki-config.yml"),),
        cap_drop=("ALL",),
        **sidecar_limits("loki"),
    )


def _alloy(resolved: ResolvedDeployment) -> ServiceSpec:
    return ServiceSpec(
        name="alloy",
        image=IMAGES["alloy"],
        purpose="tails every container's json-file log on the host (read-only) and ships it to Loki",
        command=("run", f"--storage.path={ALLOY_DATA}", "/etc/alloy/config.alloy"),
        mounts=(
            Mount("alloy_data", ALLOY_DATA),
            Mount.host_path(DOCKER_CONTAINER_LOGS, DOCKER_CONTAINER_LOGS, read_only=True),
        ),
        configs=(_observability_config(resolved, ALLOY_CONFIG, "/etc/alloy/config.alloy"),),
        depends_on=(Dependency("loki"),),
        cap_drop=("ALL",),
        **sidecar_limits("alloy"),
    )


def _uptime_kuma(resolved: ResolvedDeployment) -> ServiceSpec:
    port = PORTS["uptime-kuma"]
    return ServiceSpec(
        name="uptime-kuma",
        image=IMAGES["uptime-kuma"],
        purpose=f"uptime checks and alerts; UI on 127.0.0.1:{port} (SSH tunnel on a VPS)",
        ports=(Port(port, port, host_ip="127.0.0.1"),),
        mounts=(Mount("uptime_kuma_data", "/app/data"),),
        depends_on=(Dependency("caddy"),),
        networks=(EDGE,),  # checks the public URL and sends alerts out
        **sidecar_limits("uptime-kuma"),
    )


def sidecar_limits(service: str) -> dict[str, Any]:
    """The CPU and memory caps of a helper container (:data:`DOCKER_SIDECAR_LIMITS`)."""
    cpus, memory_mib = DOCKER_SIDECAR_LIMITS[service]
    return {"cpus": cpus, "memory_mib": memory_mib}


def hobby_services(resolved: ResolvedDeployment) -> tuple[ServiceSpec, ...]:
    """The services of the stack, in start order (dependencies first)."""
    enabled = enabled_services(resolved)
    services = [_postgres(resolved)]
    if _has_migrations(resolved):
        services.append(_migrate(resolved))
    services += [*(_app(resolved, name) for name in app_services(resolved)), _caddy(resolved)]
    if enabled["backup"]:
        services.append(_backup(resolved))
        if resolved.database.backup_destination:
            services.append(_backup_offsite(resolved))
    if enabled["prometheus"]:
        services += [_node_exporter(resolved), _postgres_exporter(resolved), _prometheus(resolved)]
    if enabled["loki"]:
        services += [_loki(resolved), _alloy(resolved)]
    if enabled["grafana"]:
        services.append(_grafana(resolved))
    if enabled["uptime-kuma"]:
        services.append(_uptime_kuma(resolved))
    return tuple(services)


def hobby_secrets(resolved: ResolvedDeployment) -> tuple[SecretSpec, ...]:
    """The secrets the stack references: the generated database password, then the app's own."""
    app = resolved.application
    secrets = [SecretSpec("DB_PASSWORD", "PostgreSQL password of the application role", generated=True)]
    if enabled_services(resolved)["grafana"]:
        secrets.append(SecretSpec(GRAFANA_PASSWORD, "Grafana's admin password", generated=True))
    names = list(app.secrets)
    # A variable written as `${NAME}` in the manifest is a secret reference too.
    names += [ref for value in app.variables.values() for ref in SECRET_REF.findall(value)]
    if resolved.database.backup_destination and enabled_services(resolved)["backup"]:
        names += list(BACKUP_KEY_SECRETS)
    seen = {secret.name for secret in secrets}
    for name in names:
        if name not in seen:
            seen.add(name)
            what = "off-site backup bucket key" if name in BACKUP_KEY_SECRETS else "application secret"
            secrets.append(SecretSpec(name, what, generated=False))
    return tuple(secrets)


def hobby_stack(resolved: ResolvedDeployment) -> HobbyStack:
    """The whole stack description in one object."""
    return HobbyStack(
        name=resolved.stack_prefix,
        services=hobby_services(resolved),
        secrets=hobby_secrets(resolved),
        domain=resolved.deployment.domain,
    )
