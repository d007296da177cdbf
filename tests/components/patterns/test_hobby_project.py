"""HobbyProject through the real program entry point, captured offline."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from specql_deploy.capture import MASK, CapturedResource, capture
from specql_deploy.components.docker import hobby_stack as hobby
from specql_deploy.components.patterns.hobby_project import user_secrets
from specql_deploy.program.manifest import load
from specql_deploy.program.resolve import resolve

ROOT = Path(__file__).resolve().parents[3]
EXAMPLE_NAMES = sorted(path.parent.name for path in (ROOT / "examples").glob("*/deployment.yaml"))


def example_path(name: str) -> Path:
    return ROOT / "examples" / name / "deployment.yaml"


def resolve_example(name: str, environment: str | None = None):
    manifest = load(example_path(name))
    return resolve(manifest.spec, environment, default_name=manifest.default_name)


CONTAINER = "docker:index/container:Container"
SENTINEL = "Sentinel0Password0Never0Plain0x"
HOBBY_EXAMPLES = [name for name in EXAMPLE_NAMES if resolve_example(name).deployment.pattern == "hobby-project"]


def password_hook(resource: CapturedResource) -> dict:
    state = dict(resource.inputs)
    if resource.type == "random:index/randomPassword:RandomPassword":
        state["result"] = SENTINEL
    return state


def with_values(resolved, **sections):
    """A copy of the resolution with some fields of some sections replaced."""
    update = {section: getattr(resolved, section).model_copy(update=values) for section, values in sections.items()}
    return resolved.model_copy(update=update)


def container_names(graph) -> set[str]:
    return {resource.inputs["name"] for resource in graph.of_type(CONTAINER)}


@pytest.fixture(scope="module")
def example_graph():
    return capture(resolve_example("hobby-project"), outputs_for=password_hook)


def test_the_examples_include_a_hobby_project():
    assert HOBBY_EXAMPLES == ["hobby-project"]


@pytest.mark.parametrize("example", HOBBY_EXAMPLES)
def test_offline_preview_lists_one_container_per_service(example):
    # GIVEN an example manifest of the pattern
    resolved = resolve_example(example)
    # WHEN the program runs under mocks
    graph = capture(resolved)
    # THEN there is a container per described service, and the shared plumbing
    services = hobby.hobby_services(resolved)
    assert container_names(graph) == {f"{resolved.stack_prefix}-{s.name}" for s in services}
    counts = Counter(resource.type for resource in graph.resources)
    assert counts["pulumi:providers:docker"] == 1
    assert counts["docker:index/network:Network"] == 2
    assert counts["docker:index/volume:Volume"] == len(hobby.hobby_stack(resolved).volumes)
    assert counts["random:index/randomPassword:RandomPassword"] == 1
    assert counts["docker:index/image:Image"] == 1
    assert counts["specql:patterns:HobbyProject"] == 1
    # the offline preview's JSON carries them too
    listed = {item["name"] for item in graph.to_json()["resources"]}
    assert {resource.name for resource in graph.of_type(CONTAINER)} <= listed


def test_example_component_tree(example_graph):
    root = example_graph.named("hobby-project-dev")
    assert root.type == "specql:patterns:HobbyProject"
    children = {r.type for r in example_graph.children(root.urn)}
    assert children == {
        "specql:docker:DockerHost",
        "specql:docker:Database",
        "specql:docker:App",
        "specql:docker:ReverseProxy",
        "specql:docker:Backup",
        "specql:docker:Monitoring",
    }


def test_every_docker_resource_uses_the_one_explicit_provider(example_graph):
    (provider,) = example_graph.of_type("pulumi:providers:docker")
    docker_resources = [r for r in example_graph.resources if r.type.startswith("docker:")]
    assert docker_resources
    assert all(r.provider == provider.urn for r in docker_resources)
    assert "host" not in provider.inputs  # the example runs on the local engine


def test_no_plain_password_in_any_input(example_graph):
    raw = json.dumps([dict(r.inputs) for r in example_graph.resources])
    public = json.dumps([r.public_inputs() for r in example_graph.resources])
    assert raw.count(SENTINEL) >= 4  # postgres, migrate, app, backup all receive it
    assert SENTINEL not in public
    preview = json.dumps(example_graph.to_json())
    assert SENTINEL not in preview


def test_stack_outputs(example_graph):
    outputs = example_graph.outputs
    assert outputs["url"] == "https://myapp.com"
    assert outputs["docker_host"] == "local"
    assert outputs["app_image"] == "hobby-project:latest"
    assert outputs["containers"]["postgres"] == "hobby-project-dev-postgres"
    assert set(outputs["containers"]) == {
        "postgres",
        "app",
        "caddy",
        "backup",
        "node-exporter",
        "postgres-exporter",
        "prometheus",
        "uptime-kuma",
    }
    assert outputs["networks"] == {"edge": "hobby-project-dev_edge", "backend": "hobby-project-dev_backend"}
    assert outputs["volumes"]["postgres_data"] == "hobby-project-dev_postgres_data"
    assert outputs["database_url"] == MASK


def test_non_production_volumes_are_not_protected(example_graph):
    assert not any(v.protect for v in example_graph.of_type("docker:index/volume:Volume"))


# ----------------------------------------------------------------------------- overrides


def test_remote_host_goes_to_the_provider():
    resolved = resolve_example("hobby-project")
    resolved = with_values(resolved, deployment={"host": "ssh://deploy@203.0.113.10"})
    graph = capture(resolved)
    (provider,) = graph.of_type("pulumi:providers:docker")
    assert provider.inputs["host"] == "ssh://deploy@203.0.113.10"
    assert "BatchMode=yes" in provider.inputs["sshOpts"]
    assert graph.outputs["docker_host"] == "ssh://deploy@203.0.113.10"


def test_monitoring_off_creates_no_monitoring_containers():
    resolved = with_values(resolve_example("hobby-project"), monitoring={"prometheus": False, "stack": "cloudwatch"})
    graph = capture(resolved)
    assert graph.of_type("specql:docker:Monitoring") == []
    assert not {"hobby-project-dev-prometheus", "hobby-project-dev-uptime-kuma"} & container_names(graph)
    assert "prometheus" not in graph.outputs["containers"]


def test_backups_off_creates_no_backup_job_or_volume():
    resolved = with_values(resolve_example("hobby-project"), database={"backup_retention_days": 0})
    graph = capture(resolved)
    assert graph.of_type("specql:docker:Backup") == []
    assert "hobby-project-dev-backup" not in container_names(graph)
    assert "hobby-project-dev_backups" not in {v.inputs["name"] for v in graph.of_type("docker:index/volume:Volume")}


def test_deletion_protection_protects_database_and_backup_volumes():
    resolved = with_values(resolve_example("hobby-project"), database={"deletion_protection": True})
    graph = capture(resolved)
    protected = {v.inputs["name"] for v in graph.of_type("docker:index/volume:Volume") if v.protect}
    assert protected == {"hobby-project-dev_postgres_data", "hobby-project-dev_backups"}


def test_no_domain_gives_an_http_url_and_port_80_only():
    resolved = with_values(resolve_example("hobby-project"), deployment={"domain": None})
    graph = capture(resolved)
    assert graph.outputs["url"] == "http://localhost"
    caddy = next(r for r in graph.of_type(CONTAINER) if r.inputs["name"] == "hobby-project-dev-caddy")
    assert [p["external"] for p in caddy.inputs["ports"]] == [80]


def test_application_secrets_reach_the_app_as_secret_environment():
    resolved = with_values(resolve_example("hobby-project"), application={"secrets": ("STRIPE_KEY",)})
    graph = capture(resolved)
    app = next(r for r in graph.of_type(CONTAINER) if r.inputs["name"] == "hobby-project-dev-app")
    index = next(i for i, entry in enumerate(app.inputs["envs"]) if entry.startswith("STRIPE_KEY="))
    assert f"envs[{index}]" in app.secret_paths


class FakeConfig:
    def __init__(self, values):
        self.values = values

    def get_secret(self, key):
        return self.values.get(key)


def test_missing_user_secret_fails_a_real_deployment_with_the_command_to_set_it():
    resolved = with_values(resolve_example("hobby-project"), application={"secrets": ("STRIPE_KEY",)})
    with pytest.raises(ValueError, match=r"pulumi config set --secret stripeKey"):
        user_secrets(hobby.hobby_stack(resolved), FakeConfig({}), offline=False)


def test_user_secret_is_read_from_pulumi_config():
    resolved = with_values(resolve_example("hobby-project"), application={"secrets": ("STRIPE_KEY",)})
    values = user_secrets(hobby.hobby_stack(resolved), FakeConfig({"stripeKey": "from-config"}), offline=False)
    assert values == {"STRIPE_KEY": "from-config"}


def test_project_root_locates_the_build_context():
    from specql_deploy.capture import run_under_mocks
    from specql_deploy.components.patterns.hobby_project import HobbyProject

    resolved = resolve_example("hobby-project")
    graph = run_under_mocks(lambda: HobbyProject("x", resolved, project_root="/srv/hobby", offline=True))
    (image,) = graph.of_type("docker:index/image:Image")
    assert image.inputs["build"] == {"context": "/srv/hobby", "dockerfile": "/srv/hobby/docker/Dockerfile"}


def test_named_docker_resources_are_replaced_by_deleting_first():
    # A second container with the same name (or the same host ports) cannot be created
    # while the first exists: every named resource must be delete-before-replace.
    import pulumi

    from specql_deploy.capture import run_under_mocks
    from specql_deploy.components.patterns.hobby_project import HobbyProject

    seen: dict[tuple[str, str], bool] = {}

    def record(args):
        seen[(args.type_, args.name)] = bool(args.opts.delete_before_replace)
        return None

    def program():
        pulumi.runtime.register_stack_transformation(record)
        HobbyProject("x", resolve_example("hobby-project"), offline=True)

    run_under_mocks(program)
    named = {
        key: value
        for key, value in seen.items()
        if key[0] in (CONTAINER, "docker:index/network:Network", "docker:index/volume:Volume")
    }
    # containers (with node exporter and postgres-exporter), networks, volumes (with backup_metrics)
    assert len(named) == 9 + 2 + 7
    assert all(named.values()), [key for key, value in named.items() if not value]


OFFSITE = {"backup_destination": "s3://shop-backups/hobby", "backup_region": "eu-west-1"}


def test_an_off_site_destination_adds_a_copy_that_cannot_touch_the_database_or_delete():
    resolved = with_values(resolve_example("hobby-project"), database=OFFSITE)
    graph = capture(resolved, outputs_for=password_hook)
    [copy] = [c for c in graph.of_type(CONTAINER) if c.inputs["name"] == "hobby-project-dev-backup-offsite"]
    inputs = copy.inputs
    assert inputs["image"].startswith("rclone/rclone:")
    assert inputs["entrypoints"] == ["sh", "-c"]
    script = inputs["command"][0]
    assert "rclone copy /backups offsite:shop-backups/hobby --immutable" in script
    assert "sync" not in script and "--delete" not in script and "purge" not in script
    assert inputs["user"] == "65534:65534" and inputs["readOnly"] is True
    [volume] = inputs["volumes"]
    assert volume["containerPath"] == "/backups" and volume["readOnly"] is True
    # it reaches the internet, never the database's internal network
    assert [network["name"] for network in inputs["networksAdvanced"]] == ["hobby-project-dev_edge"]
    env = dict(item.split("=", 1) for item in inputs["envs"])
    assert env["RCLONE_CONFIG_OFFSITE_REGION"] == "eu-west-1"
    assert env["RCLONE_CONFIG_OFFSITE_SERVER_SIDE_ENCRYPTION"] == "AES256"
    # the keys are secrets from config: exactly those entries are secret in the graph
    secret = {inputs["envs"][int(path.removeprefix("envs[").rstrip("]"))].split("=")[0] for path in copy.secret_paths}
    assert secret == {"RCLONE_CONFIG_OFFSITE_ACCESS_KEY_ID", "RCLONE_CONFIG_OFFSITE_SECRET_ACCESS_KEY"}
    backup = next(c for c in graph.of_type(CONTAINER) if c.inputs["name"] == "hobby-project-dev-backup")
    assert backup.urn in copy.dependencies
    assert graph.outputs["containers"]["backup-offsite"] == "hobby-project-dev-backup-offsite"


def test_the_off_site_keys_are_secrets_the_user_provides():
    resolved = with_values(resolve_example("hobby-project"), database=OFFSITE)
    secrets = {secret.name: secret for secret in hobby.hobby_secrets(resolved)}
    for name in ("BACKUP_ACCESS_KEY_ID", "BACKUP_SECRET_ACCESS_KEY"):
        assert secrets[name].generated is False and "off-site" in secrets[name].description
    assert "BACKUP_ACCESS_KEY_ID" not in {s.name for s in hobby.hobby_secrets(resolve_example("hobby-project"))}


def test_an_s3_compatible_endpoint_replaces_aws_encryption_headers():
    resolved = with_values(
        resolve_example("hobby-project"),
        database={**OFFSITE, "backup_endpoint": "https://acct.r2.cloudflarestorage.com", "backup_region": "auto"},
    )
    copy = next(s for s in hobby.hobby_services(resolved) if s.name == "backup-offsite")
    env = copy.env
    assert env["RCLONE_CONFIG_OFFSITE_PROVIDER"] == "Other"
    assert env["RCLONE_CONFIG_OFFSITE_ENDPOINT"] == "https://acct.r2.cloudflarestorage.com"
    assert "RCLONE_CONFIG_OFFSITE_SERVER_SIDE_ENCRYPTION" not in env


def test_no_destination_no_off_site_copy(example_graph):
    assert "hobby-project-dev-backup-offsite" not in container_names(example_graph)


def test_instances_run_that_many_app_containers_behind_caddy():
    # GIVEN hobby-project with `replicas: 3`
    resolved = with_values(resolve_example("hobby-project"), application={"instances": 3})
    # WHEN captured
    graph = capture(resolved)
    containers = {resource.inputs["name"]: resource for resource in graph.of_type(CONTAINER)}
    prefix = resolved.stack_prefix
    # THEN three app containers, the first keeping its one-instance name, each reachable by its own alias
    apps = [f"{prefix}-app", f"{prefix}-app-2", f"{prefix}-app-3"]
    assert set(apps) <= set(containers)
    assert f"{prefix}-app-4" not in containers
    for name, alias in zip(apps, ("app", "app-2", "app-3"), strict=True):
        assert [network["aliases"] for network in containers[name].inputs["networksAdvanced"]] == [[alias]] * 2
    # Caddy balances over all three, and starts after each is healthy
    caddyfile = next(upload["content"] for upload in containers[f"{prefix}-caddy"].inputs["uploads"])
    assert "reverse_proxy app:8000 app-2:8000 app-3:8000 {" in caddyfile
    assert {"app", "app-2", "app-3"} <= set(graph.outputs["containers"])
    # Prometheus scrapes every instance
    prometheus = next(upload["content"] for upload in containers[f"{prefix}-prometheus"].inputs["uploads"])
    import yaml

    jobs = {job["job_name"]: job for job in yaml.safe_load(prometheus)["scrape_configs"]}
    assert jobs["app"]["static_configs"] == [{"targets": ["app:8000", "app-2:8000", "app-3:8000"]}]


def test_one_instance_keeps_the_single_app_container():
    graph = capture(resolve_example("hobby-project"))
    names = container_names(graph)
    assert "hobby-project-dev-app" in names and "hobby-project-dev-app-2" not in names
