"""The provider-free hobby stack: what runs, with which images, ports, volumes and secrets."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from specql_deploy.components.docker import hobby_config, service_model
from specql_deploy.components.docker import hobby_stack as hobby
from specql_deploy.program.catalogue import IMAGES
from specql_deploy.program.manifest import load
from specql_deploy.program.resolve import resolve

ROOT = Path(__file__).resolve().parents[3]


def example_path(name: str) -> Path:
    return ROOT / "examples" / name / "deployment.yaml"


def resolve_example(name: str, environment: str | None = None):
    manifest = load(example_path(name))
    return resolve(manifest.spec, environment, default_name=manifest.default_name)


def resolve_manifest(tmp_path: Path, text: str, environment: str | None = None):
    path = tmp_path / "demo" / "deployment.yaml"
    path.parent.mkdir(exist_ok=True)
    path.write_text(text)
    manifest = load(path)
    return resolve(manifest.spec, environment, default_name=manifest.default_name)


MINIMAL = "deployment:\n  pattern: hobby-project\n"


def names(services) -> list[str]:
    return [service.name for service in services]


# ----------------------------------------------------------------------------- defaults


def test_example_runs_database_migrations_app_proxy_backup_and_monitoring_in_start_order():
    # GIVEN the hobby-project example (fraiseql, domain, defaults)
    resolved = resolve_example("hobby-project")
    # WHEN the stack is described
    services = hobby.hobby_services(resolved)
    # THEN every service the pattern promises is there, dependencies first
    assert names(services) == [
        "postgres",
        "migrate",
        "app",
        "caddy",
        "backup",
        "node-exporter",
        "postgres-exporter",
        "prometheus",
        "uptime-kuma",
    ]
    for index, service in enumerate(services):
        earlier = set(names(services[:index]))
        assert {dep.service for dep in service.depends_on} <= earlier, service.name


def test_third_party_images_are_the_pinned_tags_from_defaults():
    services = {s.name: s for s in hobby.hobby_services(resolve_example("hobby-project"))}
    assert services["postgres"].image == IMAGES["postgres"]
    assert services["backup"].image == IMAGES["postgres"]  # pg_dump matches the server
    assert services["caddy"].image == IMAGES["caddy"]
    assert services["prometheus"].image == IMAGES["prometheus"]
    assert services["uptime-kuma"].image == IMAGES["uptime-kuma"]
    for service in services.values():
        assert ":" in service.image and not service.image.endswith(":latest") or service.build is not None


def test_app_image_is_built_from_the_generated_dockerfile_and_tagged_with_the_version():
    resolved = resolve_example("hobby-project")
    app = hobby.hobby_stack(resolved).service("app")
    assert app.build == service_model.Build(context=".", dockerfile="docker/Dockerfile")
    assert app.image == "hobby-project:latest"
    assert hobby.hobby_stack(resolved).service("migrate").image == app.image


def test_postgres_has_a_health_check_limits_from_the_size_and_is_not_published():
    resolved = resolve_example("hobby-project")
    postgres = hobby.hobby_stack(resolved).service("postgres")
    assert postgres.healthcheck is not None
    assert postgres.healthcheck.test == ("CMD", "pg_isready", "-U", "hobby_project", "-d", "hobby_project")
    assert (postgres.cpus, postgres.memory_mib) == (resolved.database.cpu, resolved.database.memory_mib)
    assert postgres.ports == ()
    assert postgres.mounts == (service_model.Mount("postgres_data", "/var/lib/postgresql/data"),)
    assert f"max_connections={resolved.database.max_connections}" in postgres.command


def test_long_running_services_restart_unless_stopped_and_the_migration_never_loops():
    services = {s.name: s for s in hobby.hobby_services(resolve_example("hobby-project"))}
    assert services["migrate"].restart == "no" and services["migrate"].one_shot
    for name in (
        "postgres",
        "app",
        "caddy",
        "backup",
        "node-exporter",
        "postgres-exporter",
        "prometheus",
        "uptime-kuma",
    ):
        assert services[name].restart == "unless-stopped", name
        assert not services[name].one_shot


def test_app_waits_for_a_healthy_database_and_finished_migrations():
    app = hobby.hobby_stack(resolve_example("hobby-project")).service("app")
    assert service_model.Dependency("postgres", "service_healthy") in app.depends_on
    assert service_model.Dependency("migrate", "service_completed_successfully") in app.depends_on
    assert app.ports == ()  # only Caddy is public
    assert app.read_only and app.tmpfs == ("/tmp",)


def test_app_health_check_probes_the_framework_health_path_with_its_own_runtime():
    resolved = resolve_example("hobby-project")
    check = hobby.hobby_stack(resolved).service("app").healthcheck
    assert check.test[:2] == ("CMD", "python")
    assert "http://127.0.0.1:8000/health" in check.test[-1]
    assert check.interval_s == resolved.application.health_check_interval
    assert check.retries == resolved.application.unhealthy_threshold


def test_only_the_database_password_is_a_secret_by_default_and_only_referenced():
    resolved = resolve_example("hobby-project")
    stack = hobby.hobby_stack(resolved)
    assert [s.name for s in stack.secrets] == ["DB_PASSWORD"] and stack.secrets[0].generated
    env = stack.service("app").env
    assert env["DATABASE_URL"] == "postgresql://hobby_project:${DB_PASSWORD}@postgres:5432/hobby_project"
    assert stack.service("postgres").env["POSTGRES_PASSWORD"] == "${DB_PASSWORD}"
    assert stack.service("backup").env["PGPASSWORD"] == "${DB_PASSWORD}"
    # postgres-exporter logs in to read pg_stat_database (Prometheus is on by default)
    assert stack.service("postgres-exporter").env["DATA_SOURCE_PASS"] == "${DB_PASSWORD}"
    assert {s.name for s in stack.services if s.secret_refs} == {
        "postgres",
        "migrate",
        "app",
        "backup",
        "postgres-exporter",
    }


def test_domain_gives_caddy_https_ports_and_a_site_block_for_the_domain():
    resolved = resolve_example("hobby-project")
    caddy = hobby.hobby_stack(resolved).service("caddy")
    assert caddy.ports == (
        service_model.Port(80, 80),
        service_model.Port(443, 443),
        service_model.Port(443, 443, "udp"),
    )
    (config,) = caddy.configs
    assert config.path == "docker/Caddyfile" and config.target == "/etc/caddy/Caddyfile"
    assert config.content.startswith("{\n\tmetrics\n}\n\nmyapp.com {\n")
    assert "reverse_proxy app:8000" in config.content
    assert "Strict-Transport-Security" in config.content


def test_monitoring_uis_are_bound_to_localhost_only():
    services = {s.name: s for s in hobby.hobby_services(resolve_example("hobby-project"))}
    assert services["prometheus"].ports == (service_model.Port(9090, 9090, host_ip="127.0.0.1"),)
    assert services["uptime-kuma"].ports == (service_model.Port(3001, 3001, host_ip="127.0.0.1"),)
    config = YAML(typ="safe").load(services["prometheus"].configs[0].content)
    jobs = {job["job_name"]: job for job in config["scrape_configs"]}
    assert jobs["app"]["static_configs"] == [{"targets": ["app:8000"]}]
    assert jobs["app"]["metrics_path"] == "/metrics"


def test_backup_dumps_daily_and_prunes_after_the_retention():
    resolved = resolve_example("hobby-project")
    backup = hobby.hobby_stack(resolved).service("backup")
    script = backup.command[-1]
    assert backup.command[:2] == ("sh", "-c")
    assert "pg_dump --format=custom" in script
    assert "next + 86400" in script
    assert f"-mmin +{7 * 24 * 60} -exec rm -f {{}} +" in script
    assert backup.mounts == (
        service_model.Mount("backups", "/backups"),
        service_model.Mount("backup_metrics", "/metrics"),
    )


BUSYBOX_TOOLS = ("sh", "date", "find", "mv", "rm", "echo", "wc", "kill", "touch")


@pytest.fixture(params=["system", "busybox"])
def toolbox(request, tmp_path) -> str:
    """PATH for the loop's tools: this machine's, or busybox's (what the alpine image has)."""
    if request.param == "system":
        return "/usr/bin:/bin"
    busybox = shutil.which("busybox")
    if busybox is None:
        if os.environ.get("CI"):
            pytest.fail("busybox is not installed (scripts/test.sh installs it); CI must run the alpine tools")
        pytest.skip("busybox is not installed (apt-get install busybox)")
    folder = tmp_path / "busybox"
    folder.mkdir()
    for tool in BUSYBOX_TOOLS:
        (folder / tool).symlink_to(busybox)
    return str(folder)


def run_backup_loop(
    tmp_path: Path, resolved, toolbox: str = "/usr/bin:/bin", *, dump_succeeds: bool = True
) -> tuple[subprocess.CompletedProcess, list[int]]:
    """Run one round of the backup loop with stand-ins for pg_dump and sleep."""
    backups = tmp_path / "backups"
    backups.mkdir()
    fake = tmp_path / "bin"
    fake.mkdir()
    sleeps = tmp_path / "sleeps"
    (fake / "sleep").write_text(
        "#!/usr/bin/env sh\n"
        f'echo "$1" >> {sleeps}\n'
        # the second sleep means one full round is done: stop the loop
        f'[ "$(wc -l < {sleeps})" -ge 2 ] && kill -TERM "$PPID"\n'
        "exit 0\n"
    )
    (fake / "pg_dump").write_text(
        "#!/usr/bin/env sh\n"
        + (
            'for arg; do case "$arg" in --file=*) echo dump > "${arg#--file=}";; esac; done\n'
            if dump_succeeds
            else "echo 'connection refused' >&2; exit 1\n"
        )
    )
    for tool in fake.iterdir():
        tool.chmod(0o755)
    (backups / "hobby_project-old.dump").write_text("old")
    (backups / "hobby_project-recent.dump").write_text("recent")
    subprocess.run(["touch", "-d", "8 days ago", str(backups / "hobby_project-old.dump")], check=True)
    subprocess.run(["touch", "-d", "1 day ago", str(backups / "hobby_project-recent.dump")], check=True)
    script = hobby_config.backup_script(resolved).replace(hobby_config.BACKUP_DIR, str(backups))
    result = subprocess.run(
        ["sh", "-c", script],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
        env={"PATH": f"{fake}:{toolbox}", "PGDATABASE": "hobby_project"},
    )
    return result, [int(line) for line in sleeps.read_text().split()]


def test_backup_loop_waits_for_the_window_dumps_atomically_and_prunes_old_dumps(tmp_path, toolbox):
    import datetime as dt

    # GIVEN the example (daily backups, window 03:00-04:00 UTC, 7 days kept)
    resolved = resolve_example("hobby-project")
    now = dt.datetime.now(dt.UTC)
    # WHEN one round of the loop runs
    result, sleeps = run_backup_loop(tmp_path, resolved, toolbox)
    # THEN it first slept until the next 03:00 UTC
    window = now.replace(hour=3, minute=0, second=0, microsecond=0)
    if window <= now:
        window += dt.timedelta(days=1)
    assert abs(sleeps[0] - (window - now).total_seconds()) <= 5, (sleeps, result.stderr)
    # AND wrote one complete dump, removed the dump past the retention, kept the recent one
    files = sorted(path.name for path in (tmp_path / "backups").iterdir())
    written = [name for name in files if name not in ("hobby_project-old.dump", "hobby_project-recent.dump")]
    assert len(written) == 1 and re.fullmatch(r"hobby_project-\d{8}T\d{6}Z\.dump", written[0]), files
    assert "hobby_project-old.dump" not in files and "hobby_project-recent.dump" in files
    assert "written" in result.stdout


def test_backup_loop_survives_a_failed_dump_without_leaving_a_partial_file(tmp_path, toolbox):
    result, sleeps = run_backup_loop(tmp_path, resolve_example("hobby-project"), toolbox, dump_succeeds=False)
    assert len(sleeps) == 2  # the loop went on to the next round
    files = {path.name for path in (tmp_path / "backups").iterdir()}
    assert files == {"hobby_project-recent.dump"}  # nothing new, no .partial, old one pruned
    assert "backup failed" in result.stderr


def test_hourly_backups_wait_at_most_an_hour(tmp_path):
    resolved = resolve_example("hobby-project")
    resolved = resolved.model_copy(
        update={"database": resolved.database.model_copy(update={"backup_frequency": "hourly"})}
    )
    _, sleeps = run_backup_loop(tmp_path, resolved)
    assert 0 < sleeps[0] <= 3600


def test_volumes_are_those_the_services_mount():
    volumes = hobby.hobby_stack(resolve_example("hobby-project")).volumes
    assert [v.key for v in volumes] == [
        "postgres_data",
        "caddy_data",
        "caddy_config",
        "backups",
        "backup_metrics",
        "prometheus_data",
        "uptime_kuma_data",
    ]


# ---------------------------------------------------------------------------- overrides


def test_no_domain_serves_plain_http_on_port_80(tmp_path):
    resolved = resolve_manifest(tmp_path, MINIMAL)
    caddy = hobby.hobby_stack(resolved).service("caddy")
    assert caddy.ports == (service_model.Port(80, 80),)
    assert caddy.configs[0].content.startswith("{\n\tmetrics\n}\n\n:80 {\n")
    assert "Strict-Transport-Security" not in caddy.configs[0].content


def test_backup_retention_zero_removes_the_backup_service_and_volume(tmp_path):
    resolved = resolve_manifest(tmp_path, MINIMAL + "database:\n  backup:\n    retention: 0\n")
    assert "backup" not in names(hobby.hobby_services(resolved))
    assert "backups" not in [v.key for v in hobby.hobby_stack(resolved).volumes]


def test_weekly_backups_sleep_a_week_and_keep_the_requested_days(tmp_path):
    resolved = resolve_manifest(tmp_path, MINIMAL + "database:\n  backup:\n    frequency: weekly\n    retention: 30\n")
    script = hobby.hobby_stack(resolved).service("backup").command[-1]
    assert "next + 604800" in script and f"-mmin +{30 * 1440} " in script


def test_monitoring_off_removes_prometheus_and_uptime_kuma(tmp_path):
    resolved = resolve_manifest(
        tmp_path, MINIMAL + "monitoring:\n  stack: cloudwatch\n  metrics:\n    prometheus: false\n"
    )
    services = names(hobby.hobby_services(resolved))
    assert "prometheus" not in services and "uptime-kuma" not in services
    keys = [v.key for v in hobby.hobby_stack(resolved).volumes]
    assert "prometheus_data" not in keys and "uptime_kuma_data" not in keys


def test_uptime_kuma_alone_when_prometheus_is_off(tmp_path):
    resolved = resolve_manifest(tmp_path, MINIMAL + "monitoring:\n  metrics:\n    prometheus: false\n")
    services = names(hobby.hobby_services(resolved))
    assert "prometheus" not in services and "uptime-kuma" in services


def test_django_migrates_with_manage_py(tmp_path):
    resolved = resolve_manifest(tmp_path, MINIMAL + "  framework: django\n")
    stack = hobby.hobby_stack(resolved)
    assert stack.service("migrate").command == ("python", "manage.py", "migrate", "--noinput")
    assert "http://127.0.0.1:8000/health/" in stack.service("app").healthcheck.test[-1]


def test_rails_health_check_uses_ruby(tmp_path):
    resolved = resolve_manifest(tmp_path, MINIMAL + "  framework: rails\n")
    check = hobby.hobby_stack(resolved).service("app").healthcheck
    assert check.test[1] == "ruby" and "http://127.0.0.1:3000/up" in check.test[-1]


def test_prebuilt_image_is_pulled_instead_of_built(tmp_path):
    resolved = resolve_example("hobby-project")
    resolved = resolved.model_copy(
        update={"application": resolved.application.model_copy(update={"image": "ghcr.io/me/app:1.2.3"})}
    )
    app = hobby.hobby_stack(resolved).service("app")
    assert app.build is None and app.image == "ghcr.io/me/app:1.2.3"


def test_application_secrets_and_variable_references_become_user_provided_secrets(tmp_path):
    resolved = resolve_manifest(
        tmp_path,
        MINIMAL
        + (
            "environments:\n  - name: production\n    secrets: [STRIPE_KEY]\n"
            '    variables:\n      FEATURE: "on"\n      API_TOKEN: ${API_TOKEN}\n'
        ),
        "production",
    )
    stack = hobby.hobby_stack(resolved)
    assert [(s.name, s.generated) for s in stack.secrets] == [
        ("DB_PASSWORD", True),
        ("STRIPE_KEY", False),
        ("API_TOKEN", False),
    ]
    env = stack.service("app").env
    assert env["STRIPE_KEY"] == "${STRIPE_KEY}" and env["FEATURE"] == "on"
    assert hobby.secret_key("STRIPE_KEY") == "stripeKey"


def test_database_name_is_a_valid_sql_identifier(tmp_path):
    resolved = resolve_example("hobby-project")
    assert hobby.database_name(resolved) == "hobby_project"
    renamed = resolved.model_copy(update={"deployment": resolved.deployment.model_copy(update={"name": "9lives"})})
    assert hobby.database_name(renamed) == "app_9lives"


def test_database_sits_on_the_internal_network_only_and_the_proxy_on_edge_only():
    resolved = resolve_example("hobby-project")
    services = {s.name: s for s in hobby.hobby_services(resolved)}
    internal = {network.key for network in service_model.NETWORKS if network.internal}
    assert internal == {"backend"}
    assert services["postgres"].networks == ("backend",)
    assert services["backup"].networks == ("backend",)
    assert services["caddy"].networks == ("edge",)
    assert set(services["app"].networks) == {"edge", "backend"}
    # a published port cannot live on an internal network alone
    for service in services.values():
        if service.ports:
            assert "edge" in service.networks, service.name


def test_capabilities_are_dropped_except_where_the_entrypoint_switches_user():
    services = {s.name: s for s in hobby.hobby_services(resolve_example("hobby-project"))}
    for name in ("app", "migrate", "caddy", "backup", "prometheus"):
        assert services[name].cap_drop == ("ALL",), name
    assert services["caddy"].cap_add == ("NET_BIND_SERVICE",)
    assert services["postgres"].cap_drop == ()  # docker-entrypoint.sh chowns and switches to postgres
    assert all(s.security_opts == ("no-new-privileges:true",) for s in services.values())


def test_every_service_rotates_its_logs():
    for service in hobby.hobby_services(resolve_example("hobby-project")):
        assert dict(service.log_options) == {"max-size": "10m", "max-file": "5"}, service.name


def test_every_long_running_container_has_limits():
    # GIVEN the hobby example with backups and monitoring on
    from specql_deploy.components.docker.hobby_stack import hobby_services

    from support import resolve_example

    services = hobby_services(resolve_example("hobby-project"))
    # THEN no container can starve PostgreSQL or the app
    unlimited = [s.name for s in services if s.cpus is None or s.memory_mib is None]
    assert unlimited == []
    assert {s.name for s in services} >= {"caddy", "backup", "prometheus", "uptime-kuma"}
