"""DockerHost: the engine a hobby project runs on, its private networks and its named volumes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi
import pulumi_docker as docker

from ...program.building_blocks import DOCKER_SSH_OPTIONS
from .service_model import NETWORKS, NetworkSpec, VolumeSpec


def docker_host_args(host: str | None) -> dict[str, object]:
    """Provider inputs for an engine: the local one (None) or a remote one over SSH/TCP."""
    if host is None:
        return {}
    args: dict[str, object] = {"host": host}
    if host.startswith("ssh://"):
        args["ssh_opts"] = list(DOCKER_SSH_OPTIONS)
    return args


@dataclass(frozen=True)
class DockerHostArgs:
    """Arguments of :class:`DockerHost`."""

    project: str
    """Compose-style project name (`<name>-<env>`): the networks and volumes are named
    `<project>_<key>`, as `docker compose -p <project>` names them, so the ejected compose
    file finds the same data. Required."""
    host: str | None = None
    """Docker engine address (`ssh://user@server`, `tcp://...`). Defaults to `None` (the
    local engine, or whatever `DOCKER_HOST` names)."""
    volumes: tuple[VolumeSpec, ...] = ()
    """Named volumes to create. Defaults to none."""
    networks: tuple[NetworkSpec, ...] = NETWORKS
    """Bridge networks to create. Defaults to :data:`.service_model.NETWORKS` (`edge`, and the
    internal `backend`)."""
    protected_volumes: frozenset[str] = frozenset()
    """Volume keys that hold data which must survive a mistaken destroy (`protect` and
    `retain_on_delete`). Defaults to none."""
    labels: Mapping[str, str] = field(default_factory=dict)
    """Labels on the networks and volumes (the deployment's tags). Defaults to none."""


class DockerHost(pulumi.ComponentResource):
    """One Docker engine with private bridge networks and named volumes.

    The explicit provider is exposed as :attr:`provider`; the pattern hands it to every
    other component so all containers land on the same engine.
    """

    provider: docker.Provider
    networks: dict[str, docker.Network]
    volumes: dict[str, docker.Volume]

    def __init__(self, name: str, args: DockerHostArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("specql:docker:DockerHost", name, None, opts)
        self.provider = docker.Provider(
            f"{name}-engine", **docker_host_args(args.host), opts=pulumi.ResourceOptions(parent=self)
        )
        # Networks and volumes carry fixed names (the compose names), which cannot exist
        # twice: a replacement deletes first.
        child = pulumi.ResourceOptions(parent=self, provider=self.provider, delete_before_replace=True)
        self.networks = {}
        for network in args.networks:
            self.networks[network.key] = docker.Network(
                f"{name}-{network.key}",
                name=f"{args.project}_{network.key}",
                driver="bridge",
                internal=network.internal or None,
                labels=[docker.NetworkLabelArgs(label=key, value=value) for key, value in sorted(args.labels.items())]
                or None,
                opts=child,
            )
        self.volumes = {}
        for volume in args.volumes:
            keep = volume.key in args.protected_volumes
            self.volumes[volume.key] = docker.Volume(
                f"{name}-{volume.key.replace('_', '-')}",
                name=f"{args.project}_{volume.key}",
                labels=[docker.VolumeLabelArgs(label=key, value=value) for key, value in sorted(args.labels.items())]
                or None,
                opts=pulumi.ResourceOptions.merge(child, pulumi.ResourceOptions(protect=keep, retain_on_delete=keep)),
            )
        self.register_outputs(
            {
                "networks": {key: network.name for key, network in self.networks.items()},
                "volumes": {key: volume.name for key, volume in self.volumes.items()},
            }
        )
