"""pulumi-docker components under mocks: the inputs each one registers."""

from __future__ import annotations

import json
from pathlib import Path

import pulumi
import pytest

from specql_deploy.capture import (
    MASK,
    CapturedResource,
    ResourceGraph,
    run_under_mocks,
)
from specql_deploy.components.docker import hobby_stack as hobby
from specql_deploy.components.docker import service_model
from specql_deploy.components.docker.app import App, AppArgs
from specql_deploy.components.docker.backup import Backup, BackupArgs
from specql_deploy.components.docker.containers import Placement
from specql_deploy.components.docker.database import Database, DatabaseArgs
from specql_deploy.components.docker.host import DockerHost, DockerHostArgs
from specql_deploy.components.docker.monitoring import Monitoring, MonitoringArgs
from specql_deploy.components.docker.reverse_proxy import ReverseProxy, ReverseProxyArgs
from specql_deploy.program.manifest import load
from specql_deploy.program.resolve import resolve

ROOT = Path(__file__).resolve().parents[3]


def example_path(name: str) -> Path:
    return ROOT / "examples" / name / "deployment.yaml"


def resolve_example(name: str, environment: str | None = None):
    manifest = load(example_path(name))
    return resolve(manifest.spec, environment, default_name=manifest.default_name)


CONTAINER = "docker:index/container:Container"
PASSWORD = "random:index/randomPassword:RandomPassword"
SENTINEL = "Sentinel0Password0Never0Plain0x"


def password_hook(resource: CapturedResource) -> dict:
    """Mocked outputs: inputs, plus a recognisable generated password."""
    state = dict(resource.inputs)
    if resource.type == PASSWORD:
        state["result"] = SENTINEL
    return state


def run(program, **kwargs) -> ResourceGraph:
    return run_under_mocks(program, project="demo", stack="dev", outputs_for=password_hook, **kwargs)


def stack_of(resolved=None):
    return hobby.hobby_stack(resolved or resolve_example("hobby-project"))


def host_and_placement(stack, *, host=None, protected=frozenset()):
    docker_host = DockerHost(
        "h",
        DockerHostArgs(
            project="demo-dev",
            host=host,
            volumes=stack.volumes,
            protected_volumes=protected,
            labels={"specql.project": "demo"},
        ),
    )
    placement = Placement("demo-dev", docker_host.networks, docker_host.volumes, labels={"specql.project": "demo"})
    opts = pulumi.ResourceOptions(providers={"docker": docker_host.provider})
    return docker_host, placement, opts


def containers(graph: ResourceGraph) -> dict[str, CapturedResource]:
    return {resource.inputs["name"]: resource for resource in graph.of_type(CONTAINER)}


def env_of(resource: CapturedResource) -> dict[str, str]:
    return dict(entry.split("=", 1) for entry in resource.inputs.get("envs", []))


def assert_secret_env(resource: CapturedResource, key: str) -> None:
    entries = resource.inputs["envs"]
    index = next(i for i, entry in enumerate(entries) if entry.startswith(f"{key}="))
    assert f"envs[{index}]" in resource.secret_paths, (key, resource.secret_paths)


def assert_no_plain_sentinel(graph: ResourceGraph) -> None:
    raw = json.dumps([dict(r.inputs) for r in graph.resources])
    public = json.dumps([r.public_inputs() for r in graph.resources])
    assert SENTINEL in raw  # the password did reach the containers...
    assert SENTINEL not in public  # ...but only through secret inputs


# ---------------------------------------------------------------------------- DockerHost


def test_docker_host_defaults_to_the_local_engine():
    # GIVEN no host
    graph = run(lambda: host_and_placement(stack_of()))
    # THEN the explicit provider has no host (local engine / DOCKER_HOST)
    (provider,) = graph.of_type("pulumi:providers:docker")
    assert "host" not in provider.inputs and "sshOpts" not in provider.inputs
    edge, backend = graph.named("h-edge"), graph.named("h-backend")
    assert edge.inputs["name"] == "demo-dev_edge" and edge.inputs["driver"] == "bridge"
    assert "internal" not in edge.inputs
    assert backend.inputs["name"] == "demo-dev_backend" and backend.inputs["internal"] is True
    assert edge.provider == provider.urn and backend.provider == provider.urn
    volumes = graph.of_type("docker:index/volume:Volume")
    assert {v.inputs["name"] for v in volumes} == {f"demo-dev_{v.key}" for v in stack_of().volumes}
    assert all(v.provider == provider.urn and not v.protect for v in volumes)


def test_docker_host_over_ssh_sets_host_and_non_interactive_ssh_options():
    graph = run(lambda: host_and_placement(stack_of(), host="ssh://deploy@203.0.113.10"))
    (provider,) = graph.of_type("pulumi:providers:docker")
    assert provider.inputs["host"] == "ssh://deploy@203.0.113.10"
    options = provider.inputs["sshOpts"]
    assert "BatchMode=yes" in options and "StrictHostKeyChecking=no" not in options


def test_docker_host_over_tcp_has_no_ssh_options():
    graph = run(lambda: host_and_placement(stack_of(), host="tcp://10.1.2.3:2376"))
    (provider,) = graph.of_type("pulumi:providers:docker")
    assert provider.inputs["host"] == "tcp://10.1.2.3:2376" and "sshOpts" not in provider.inputs


def test_docker_host_protects_the_data_volumes_it_is_told_to():
    graph = run(lambda: host_and_placement(stack_of(), protected=frozenset({"postgres_data", "backups"})))
    volumes = {v.inputs["name"]: v for v in graph.of_type("docker:index/volume:Volume")}
    assert volumes["demo-dev_postgres_data"].protect and volumes["demo-dev_postgres_data"].retain_on_delete
    assert volumes["demo-dev_backups"].protect
    assert not volumes["demo-dev_caddy_data"].protect


# ------------------------------------------------------------------------------ Database


def database_program(stack):
    def program():
        _, placement, opts = host_and_placement(stack)
        database = Database(
            "db",
            DatabaseArgs(service=stack.service("postgres"), placement=placement, database="hobby_project"),
            opts=opts,
        )
        pulumi.export("url", database.url)

    return program


def test_database_generates_a_letters_and_digits_password():
    graph = run(database_program(stack_of()))
    (password,) = graph.of_type(PASSWORD)
    assert password.inputs["length"] == 32 and password.inputs["special"] is False


def test_database_container_defaults():
    graph = run(database_program(stack_of()))
    postgres = containers(graph)["demo-dev-postgres"]
    inputs = postgres.inputs
    assert inputs["image"] == "postgres:16.15-alpine3.24"
    assert inputs["restart"] == "unless-stopped"
    assert inputs["healthcheck"]["tests"] == ["CMD", "pg_isready", "-U", "hobby_project", "-d", "hobby_project"]
    assert inputs["healthcheck"]["interval"] == "10s" and inputs["healthcheck"]["retries"] == 5
    assert inputs["wait"] is True and inputs["waitTimeout"] > 30
    assert "ports" not in inputs
    assert inputs["networksAdvanced"] == [{"name": "demo-dev_backend", "aliases": ["postgres"]}]
    assert "capabilities" not in inputs  # the entrypoint switches to the postgres user
    assert inputs["logDriver"] == "json-file" and inputs["logOpts"] == {"max-size": "10m", "max-file": "5"}
    assert inputs["volumes"] == [{"volumeName": "demo-dev_postgres_data", "containerPath": "/var/lib/postgresql/data"}]
    assert (inputs["cpus"], inputs["memory"]) == ("0.5", 1024)
    assert inputs["securityOpts"] == ["no-new-privileges:true"]
    assert postgres.provider == graph.of_type("pulumi:providers:docker")[0].urn


def test_database_password_reaches_postgres_only_as_a_secret():
    graph = run(database_program(stack_of()))
    postgres = containers(graph)["demo-dev-postgres"]
    assert env_of(postgres)["POSTGRES_PASSWORD"] == SENTINEL
    assert_secret_env(postgres, "POSTGRES_PASSWORD")
    assert "envs[0]" not in postgres.secret_paths  # POSTGRES_DB stays readable
    assert_no_plain_sentinel(graph)
    assert graph.outputs["url"] == MASK


def test_database_health_check_override():
    # GIVEN a stack whose PostgreSQL check is different
    stack = stack_of()
    postgres = stack.service("postgres")
    custom = service_model.Healthcheck(
        ("CMD-SHELL", "pg_isready"), interval_s=3, timeout_s=2, retries=9, start_period_s=1
    )
    changed = hobby.HobbyStack(
        name=stack.name,
        services=tuple(
            s
            if s.name != "postgres"
            else type(postgres)(**{**postgres.__dict__, "healthcheck": custom, "restart": "always"})
            for s in stack.services
        ),
        secrets=stack.secrets,
    )
    graph = run(database_program(changed))
    inputs = containers(graph)["demo-dev-postgres"].inputs
    assert inputs["healthcheck"] == {
        "tests": ["CMD-SHELL", "pg_isready"],
        "interval": "3s",
        "timeout": "2s",
        "retries": 9,
        "startPeriod": "1s",
    }
    assert inputs["waitTimeout"] == 1 + 9 * (3 + 2) + 30
    assert inputs["restart"] == "always"


# ----------------------------------------------------------------------------------- App


def app_program(stack, **app_kwargs):
    def program():
        _, placement, opts = host_and_placement(stack)
        database = Database(
            "db",
            DatabaseArgs(service=stack.service("postgres"), placement=placement, database="hobby_project"),
            opts=opts,
        )
        placement = placement.with_secrets({"DB_PASSWORD": database.password})
        names = {s.name for s in stack.services}
        App(
            "app",
            AppArgs(
                service=stack.service("app"),
                migrate=stack.service("migrate") if "migrate" in names else None,
                placement=placement,
                after={"postgres": database.container},
                **{"offline": True, **app_kwargs},
            ),
            opts=opts,
        )

    return program


def test_app_image_is_built_from_the_generated_dockerfile_and_not_pushed():
    graph = run(app_program(stack_of()))
    (image,) = graph.of_type("docker:index/image:Image")
    assert image.inputs["build"] == {"context": ".", "dockerfile": "docker/Dockerfile"}
    assert image.inputs["skipPush"] is True and image.inputs["imageName"] == "hobby-project:latest"
    assert containers(graph)["demo-dev-app"].inputs["image"] == "hobby-project:latest"


def test_a_deployment_that_builds_the_image_needs_the_dockerfile(tmp_path):
    # GIVEN a deployment (not offline) whose project root has no docker/Dockerfile
    # WHEN the app is built
    # THEN it stops with the command that writes the Dockerfile
    with pytest.raises(Exception, match="specql deploy eject deployment.yaml -o . --only docker"):
        run(app_program(stack_of(), project_root=str(tmp_path), offline=False))


def test_app_build_paths_follow_the_project_root():
    graph = run(app_program(stack_of(), project_root="/srv/demo"))
    (image,) = graph.of_type("docker:index/image:Image")
    assert image.inputs["build"] == {"context": "/srv/demo", "dockerfile": "/srv/demo/docker/Dockerfile"}


def test_migrations_run_once_to_completion_before_the_app():
    graph = run(app_program(stack_of()))
    found = containers(graph)
    migrate, app = found["demo-dev-migrate"], found["demo-dev-app"]
    assert migrate.inputs["command"] == ["fraiseql", "migrate", "up"]
    assert migrate.inputs["mustRun"] is False and migrate.inputs["attach"] is True
    assert migrate.inputs["restart"] == "no"
    assert migrate.urn in app.dependencies
    assert found["demo-dev-postgres"].urn in migrate.dependencies


def test_app_container_defaults():
    graph = run(app_program(stack_of()))
    app = containers(graph)["demo-dev-app"]
    inputs = app.inputs
    assert inputs["command"] == ["fraiseql", "run", "--host", "0.0.0.0", "--port", "8000"]
    assert inputs["readOnly"] is True and inputs["tmpfs"] == {"/tmp": ""}
    assert inputs["capabilities"] == {"drops": ["ALL"]}
    assert [n["name"] for n in inputs["networksAdvanced"]] == ["demo-dev_edge", "demo-dev_backend"]
    assert "ports" not in inputs
    assert inputs["restart"] == "unless-stopped" and inputs["wait"] is True
    assert inputs["healthcheck"]["tests"][:2] == ["CMD", "python"]
    env = env_of(app)
    assert env["PORT"] == "8000" and env["APP_ENV"] == "dev"
    assert env["DATABASE_URL"] == f"postgresql://hobby_project:{SENTINEL}@postgres:5432/hobby_project"
    assert_secret_env(app, "DATABASE_URL")
    assert_no_plain_sentinel(graph)


def test_prebuilt_application_image_is_pulled_not_built():
    resolved = resolve_example("hobby-project")
    resolved = resolved.model_copy(
        update={"application": resolved.application.model_copy(update={"image": "ghcr.io/me/app:1.2.3"})}
    )
    graph = run(app_program(stack_of(resolved)))
    assert graph.of_type("docker:index/image:Image") == []
    pulled = {r.inputs["name"] for r in graph.of_type("docker:index/remoteImage:RemoteImage")}
    assert "ghcr.io/me/app:1.2.3" in pulled
    assert containers(graph)["demo-dev-app"].inputs["image"] == "ghcr.io/me/app:1.2.3"


def test_app_without_its_migration_dependency_fails_early():
    stack = stack_of()

    def program():
        _, placement, opts = host_and_placement(stack)
        App(
            "app",
            AppArgs(
                service=stack.service("app"),
                migrate=None,
                placement=placement,
                offline=True,
                after={"postgres": placement.networks["backend"]},
            ),
            opts=opts,
        )

    with pytest.raises(Exception, match="depends on 'migrate'"):
        run(program)


def test_undefined_secret_reference_fails_with_its_name():
    stack = stack_of()

    def program():
        _, placement, opts = host_and_placement(stack)
        App(
            "app",
            AppArgs(
                service=stack.service("app"),
                migrate=stack.service("migrate"),
                placement=placement,
                offline=True,
                after={"postgres": placement.networks["backend"]},
            ),
            opts=opts,
        )

    with pytest.raises(Exception, match="references secret DB_PASSWORD"):
        run(program)


# -------------------------------------------------------------------------- ReverseProxy


def proxy_program(stack, domain, https=True):
    def program():
        _, placement, opts = host_and_placement(stack)
        proxy = ReverseProxy(
            "proxy",
            ReverseProxyArgs(
                service=stack.service("caddy"),
                placement=placement,
                domain=domain,
                https=https,
                after={"app": placement.networks["edge"]},
            ),
            opts=opts,
        )
        pulumi.export("url", proxy.url)

    return program


def test_reverse_proxy_with_domain_publishes_https_and_uploads_the_caddyfile():
    graph = run(proxy_program(stack_of(), "myapp.com"))
    caddy = containers(graph)["demo-dev-caddy"]
    assert caddy.inputs["image"] == "caddy:2.11.4-alpine"
    assert [(p["internal"], p["external"], p["protocol"]) for p in caddy.inputs["ports"]] == [
        (80, 80, "tcp"),
        (443, 443, "tcp"),
        (443, 443, "udp"),
    ]
    (upload,) = caddy.inputs["uploads"]
    # the site block, after the global options that turn on metrics for Prometheus
    assert upload["file"] == "/etc/caddy/Caddyfile" and upload["content"].startswith("{\n\tmetrics\n}\n\nmyapp.com {")
    assert {v["volumeName"] for v in caddy.inputs["volumes"]} == {"demo-dev_caddy_data", "demo-dev_caddy_config"}
    assert caddy.inputs["capabilities"] == {"drops": ["ALL"], "adds": ["NET_BIND_SERVICE"]}
    assert caddy.inputs["networksAdvanced"] == [{"name": "demo-dev_edge", "aliases": ["caddy"]}]
    assert graph.outputs["url"] == "https://myapp.com"


def test_reverse_proxy_without_domain_serves_http_on_port_80(tmp_path):
    resolved = resolve_example("hobby-project")
    stack = stack_of(
        resolved.model_copy(update={"deployment": resolved.deployment.model_copy(update={"domain": None})})
    )
    graph = run(proxy_program(stack, None))
    caddy = containers(graph)["demo-dev-caddy"]
    assert [(p["internal"], p["external"]) for p in caddy.inputs["ports"]] == [(80, 80)]
    assert caddy.inputs["uploads"][0]["content"].startswith("{\n\tmetrics\n}\n\n:80 {")
    assert graph.outputs["url"] == "http://localhost"


# -------------------------------------------------------------------- Backup, Monitoring


def test_backup_job_dumps_with_the_secret_password_into_the_backups_volume():
    stack = stack_of()

    def program():
        _, placement, opts = host_and_placement(stack)
        database = Database(
            "db",
            DatabaseArgs(service=stack.service("postgres"), placement=placement, database="hobby_project"),
            opts=opts,
        )
        Backup(
            "backup",
            BackupArgs(
                service=stack.service("backup"),
                placement=placement.with_secrets({"DB_PASSWORD": database.password}),
                after={"postgres": database.container},
            ),
            opts=opts,
        )

    graph = run(program)
    found = containers(graph)
    backup = found["demo-dev-backup"]
    assert backup.inputs["image"] == "postgres:16.15-alpine3.24"
    assert backup.inputs["command"][:2] == ["sh", "-c"] and "pg_dump" in backup.inputs["command"][2]
    # the dumps, and the last success's time for node exporter (Prometheus is on)
    assert backup.inputs["volumes"] == [
        {"volumeName": "demo-dev_backups", "containerPath": "/backups"},
        {"volumeName": "demo-dev_backup_metrics", "containerPath": "/metrics"},
    ]
    assert env_of(backup)["PGHOST"] == "postgres"
    assert_secret_env(backup, "PGPASSWORD")
    assert found["demo-dev-postgres"].urn in backup.dependencies
    assert_no_plain_sentinel(graph)


def test_monitoring_runs_prometheus_and_uptime_kuma_on_localhost_ports():
    stack = stack_of()
    monitors = tuple(s for s in stack.services if s.name in ("prometheus", "uptime-kuma"))

    def program():
        _, placement, opts = host_and_placement(stack)
        Monitoring(
            "mon",
            MonitoringArgs(
                services=monitors,
                placement=placement,
                after={"app": placement.networks["edge"], "caddy": placement.networks["edge"]},
            ),
            opts=opts,
        )

    graph = run(program)
    found = containers(graph)
    prometheus, kuma = found["demo-dev-prometheus"], found["demo-dev-uptime-kuma"]
    assert prometheus.inputs["image"] == "prom/prometheus:v3.14.0"
    assert prometheus.inputs["ports"] == [{"internal": 9090, "external": 9090, "protocol": "tcp", "ip": "127.0.0.1"}]
    assert prometheus.inputs["uploads"][0]["file"] == "/etc/prometheus/prometheus.yml"
    assert kuma.inputs["image"] == "louislam/uptime-kuma:1.23.16-alpine"
    assert kuma.inputs["ports"][0]["ip"] == "127.0.0.1"
    assert kuma.inputs["volumes"] == [{"volumeName": "demo-dev_uptime_kuma_data", "containerPath": "/app/data"}]


def test_missing_dockerfile_fails_with_the_eject_command(tmp_path):
    from specql_deploy.components.docker.app import require_dockerfile

    with pytest.raises(FileNotFoundError, match=r"specql deploy eject deployment.yaml -o . --only docker"):
        require_dockerfile(str(tmp_path / "docker" / "Dockerfile"))
    (tmp_path / "docker").mkdir()
    (tmp_path / "docker" / "Dockerfile").write_text("FROM scratch\n")
    require_dockerfile(str(tmp_path / "docker" / "Dockerfile"))  # present: no error


def test_app_is_gated_on_the_migration_exit_code():
    from specql_deploy.components.docker.app import MIGRATION_LABEL, require_success

    # GIVEN the app and its migration under mocks (no exit code yet)
    graph = run(app_program(stack_of()))
    app = containers(graph)["demo-dev-app"]
    labels = {item["label"]: item["value"] for item in app.inputs["labels"]}
    # THEN the app carries the gate, which waits for the job...
    assert labels[MIGRATION_LABEL] == "pending"
    assert containers(graph)["demo-dev-migrate"].urn in app.dependencies
    # ...passes a successful run and stops the deployment on a failed one
    assert require_success(0) == "applied"
    with pytest.raises(RuntimeError, match="migrations exited with code 3"):
        require_success(3)
