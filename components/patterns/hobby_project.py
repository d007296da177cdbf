"""HobbyProject: one Docker host running PostgreSQL, the application and Caddy.

For a solo developer on a laptop or one VPS. The stack is the one
:mod:`specql_deploy.components.docker.hobby_stack` describes, the same description the
ejected `docker-compose.prod.yaml` is written from.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pulumi

from ...program.building_blocks import DOCKER_DB_PASSWORD_LENGTH
from ..docker.app import App, AppArgs
from ..docker.backup import Backup, BackupArgs
from ..docker.containers import Placement
from ..docker.database import Database, DatabaseArgs
from ..docker.hobby_config import serves_https
from ..docker.hobby_stack import GRAFANA_PASSWORD, HobbyStack, app_services, database_name, hobby_stack, secret_key
from ..docker.host import DockerHost, DockerHostArgs
from ..docker.monitoring import Monitoring, MonitoringArgs
from ..docker.reverse_proxy import ReverseProxy, ReverseProxyArgs

if TYPE_CHECKING:
    from ...program.model import ResolvedDeployment

MONITORING_SERVICES = ("node-exporter", "postgres-exporter", "prometheus", "loki", "alloy", "grafana", "uptime-kuma")
DATA_VOLUMES = frozenset({"postgres_data", "backups"})
"""Volumes holding data that production stacks protect from a mistaken destroy."""


def generated_password(resource_name: str, parent: pulumi.Resource) -> pulumi.Output[str]:
    """A password pulumi-random generates once and keeps encrypted in the state."""
    import pulumi_random as random

    password = random.RandomPassword(
        resource_name,
        length=DOCKER_DB_PASSWORD_LENGTH,
        special=False,
        opts=pulumi.ResourceOptions(parent=parent),
    )
    return pulumi.Output.secret(password.result)


def user_secrets(stack: HobbyStack, config: Any = None, *, offline: bool) -> dict[str, pulumi.Output[str]]:
    """The application's own secrets, read from Pulumi config (`pulumi config set --secret`).

    A missing value fails a deployment with the command that sets it; when `offline`
    (a preview, the offline capture) it stands in as an empty secret so the graph can be shown.
    """
    config = config if config is not None else pulumi.Config()
    values: dict[str, pulumi.Output[str]] = {}
    for secret in stack.secrets:
        if secret.generated:
            continue
        key = secret_key(secret.name)
        value = config.get_secret(key)
        if value is None:
            if not offline:
                raise ValueError(f"secret {secret.name} has no value: run `pulumi config set --secret {key} <value>`")
            value = pulumi.Output.secret("")
        values[secret.name] = value
    return values


class HobbyProject(pulumi.ComponentResource):
    """PostgreSQL 16, the application and Caddy on one Docker engine, plus optional
    backups and monitoring.

    Services and their order come from :func:`~..docker.hobby_stack.hobby_services`; this class
    only wires them: the engine (local or `deployment.host`), private networks, named
    volumes, the generated database password, and each concept component.
    """

    def __init__(
        self,
        name: str,
        resolved: ResolvedDeployment,
        opts: pulumi.ResourceOptions | None = None,
        *,
        project_root: str = ".",
        offline: bool = False,
    ):
        """``project_root`` is the folder of `deployment.yaml` (the build context and the
        ejected `docker/Dockerfile` are relative to it). Defaults to `.`.

        ``offline``: nothing is built or started (a preview, the offline capture), so the
        Dockerfile need not exist yet and secrets without a value stand in as empty.
        Defaults to `False`: a deployment."""
        super().__init__("specql:patterns:HobbyProject", name, None, opts)
        self.resolved = resolved
        stack = self.stack = hobby_stack(resolved)
        project = resolved.stack_prefix
        labels = {f"specql.{key.lower()}": value for key, value in resolved.tags().items()}

        self.host = DockerHost(
            f"{name}-host",
            DockerHostArgs(
                project=project,
                host=resolved.deployment.host,
                volumes=stack.volumes,
                protected_volumes=DATA_VOLUMES if resolved.database.deletion_protection else frozenset(),
                labels=labels,
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
        child = pulumi.ResourceOptions(parent=self, providers={"docker": self.host.provider})
        placement = Placement(project, self.host.networks, self.host.volumes, labels=labels)

        self.database = Database(
            f"{name}-database",
            DatabaseArgs(
                service=stack.service("postgres"),
                placement=placement,
                database=database_name(resolved),
            ),
            opts=child,
        )
        generated: dict[str, pulumi.Output[str]] = {"DB_PASSWORD": self.database.password}
        if any(secret.name == GRAFANA_PASSWORD for secret in stack.secrets):
            generated[GRAFANA_PASSWORD] = generated_password(f"{name}-grafana-password", self)
        placement = placement.with_secrets({**generated, **user_secrets(stack, offline=offline)})
        started: dict[str, pulumi.Resource] = {"postgres": self.database.container}

        names = {service.name for service in stack.services}
        self.app = App(
            f"{name}-app",
            AppArgs(
                service=stack.service("app"),
                replicas=tuple(stack.service(replica) for replica in app_services(resolved)[1:]),
                migrate=stack.service("migrate") if "migrate" in names else None,
                placement=placement,
                offline=offline,
                after=dict(started),
                project_root=project_root,
            ),
            opts=child,
        )
        if self.app.migration is not None:
            started["migrate"] = self.app.migration
        started["app"] = self.app.container
        started.update(self.app.replicas)

        self.proxy = ReverseProxy(
            f"{name}-proxy",
            ReverseProxyArgs(
                service=stack.service("caddy"),
                placement=placement,
                domain=resolved.deployment.domain,
                https=serves_https(resolved),
                after=dict(started),
            ),
            opts=child,
        )
        started["caddy"] = self.proxy.container

        self.backup: Backup | None = None
        if "backup" in names:
            self.backup = Backup(
                f"{name}-backup",
                BackupArgs(
                    service=stack.service("backup"),
                    placement=placement,
                    after=dict(started),
                    offsite=stack.service("backup-offsite") if "backup-offsite" in names else None,
                ),
                opts=child,
            )
            started["backup"] = self.backup.container

        self.monitoring: Monitoring | None = None
        monitors = tuple(service for service in stack.services if service.name in MONITORING_SERVICES)
        if monitors:
            self.monitoring = Monitoring(
                f"{name}-monitoring",
                MonitoringArgs(
                    services=monitors,
                    placement=placement,
                    after=dict(started),
                ),
                opts=child,
            )

        self.register_outputs(self.stack_outputs())

    def stack_outputs(self) -> dict[str, Any]:
        """What `specql deploy outputs` shows: where the app is and what runs where."""
        containers = {
            "postgres": self.database.container_name,
            **self.app.container_names,
            "caddy": self.proxy.container_name,
        }
        if self.backup is not None:
            containers["backup"] = self.backup.container_name
            if self.backup.offsite_container_name is not None:
                containers["backup-offsite"] = self.backup.offsite_container_name
        if self.monitoring is not None:
            containers.update(self.monitoring.container_names)
        outputs: dict[str, Any] = {
            "url": self.proxy.url,
            "docker_host": self.resolved.deployment.host or "local",
            "app_image": self.app.image_name,
            "containers": containers,
            "networks": {key: network.name for key, network in self.host.networks.items()},
            "volumes": {key: volume.name for key, volume in self.host.volumes.items()},
            "database_url": self.database.url,
        }
        return outputs
