"""Turning a :class:`~.service_model.ServiceSpec` into a pulumi-docker container.

Every concept component (Database, App, ReverseProxy, Backup, Monitoring) creates its
containers through :func:`service_container`, so the mapping from the shared stack
description to provider inputs lives in one place and cannot differ per service.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_docker as docker

from ...program.building_blocks import DOCKER_WAIT_MARGIN_SECONDS
from .service_model import SECRET_REF, ServiceSpec


@dataclass(frozen=True)
class Placement:
    """Where the stack's containers go and what they may reference."""

    project: str
    """Prefix of every container name (the compose project name, `<name>-<env>`)."""
    networks: Mapping[str, docker.Network]
    """Networks by key; each container joins those its spec names, with its service name as alias."""
    volumes: Mapping[str, docker.Volume]
    """Named volumes by key (see :attr:`.service_model.Stack.volumes`)."""
    secrets: Mapping[str, pulumi.Output[str]] = field(default_factory=dict)
    """Secret values by name, substituted for ``${NAME}`` in environment templates."""
    labels: Mapping[str, str] = field(default_factory=dict)
    """Labels on every container (the deployment's tags). Defaults to none."""

    def with_secrets(self, secrets: Mapping[str, pulumi.Output[str]]) -> Placement:
        return Placement(self.project, self.networks, self.volumes, {**self.secrets, **secrets}, self.labels)


def container_name(project: str, service: str) -> str:
    """Container names are `<project>-<service>`: unique per stack on a shared host."""
    return f"{project}-{service}"


def environment(spec: ServiceSpec, secrets: Mapping[str, pulumi.Output[str]]) -> list[pulumi.Input[str]]:
    """``KEY=value`` entries; any entry that references a secret becomes a secret Output.

    Only the entries with a ``${NAME}`` reference are secret, so the rest stay readable
    in a preview while no password is ever written as a plain string.
    """
    entries: list[pulumi.Input[str]] = []
    for key, template in spec.environment:
        refs = SECRET_REF.findall(template)
        if not refs:
            entries.append(f"{key}={template}")
            continue
        missing = sorted(set(refs) - set(secrets))
        if missing:
            raise ValueError(
                f"service {spec.name!r}: environment {key} references secret {missing[0]}, "
                f"which the stack does not define (defined: {', '.join(sorted(secrets)) or 'none'})"
            )
        entries.append(
            pulumi.Output.secret(
                pulumi.Output.all(*(secrets[ref] for ref in refs)).apply(
                    functools.partial(_filled, key, template, refs)
                )
            )
        )
    return entries


def _filled(key: str, template: str, refs: Sequence[str], values: Sequence[str]) -> str:
    return _fill(key, template, dict(zip(refs, values, strict=True)))


def _fill(key: str, template: str, values: Mapping[str, str]) -> str:
    return f"{key}=" + SECRET_REF.sub(lambda match: str(values[match.group(1)]), template)


def healthcheck(spec: ServiceSpec) -> docker.ContainerHealthcheckArgs | None:
    check = spec.healthcheck
    if check is None:
        return None
    return docker.ContainerHealthcheckArgs(
        tests=list(check.test),
        interval=f"{check.interval_s}s",
        timeout=f"{check.timeout_s}s",
        retries=check.retries,
        start_period=f"{check.start_period_s}s",
    )


def wait_timeout(spec: ServiceSpec) -> int | None:
    """How long `up` waits for health: the check's worst case plus a margin."""
    check = spec.healthcheck
    if check is None:
        return None
    return check.start_period_s + check.retries * (check.interval_s + check.timeout_s) + DOCKER_WAIT_MARGIN_SECONDS


def ports(spec: ServiceSpec) -> list[docker.ContainerPortArgs]:
    return [
        docker.ContainerPortArgs(internal=port.target, external=port.published, protocol=port.protocol, ip=port.host_ip)
        for port in spec.ports
    ]


def service_container(
    resource_name: str,
    spec: ServiceSpec,
    placement: Placement,
    *,
    image: pulumi.Input[str],
    started: Mapping[str, pulumi.Resource] | None = None,
    labels: Mapping[str, pulumi.Input[str]] | None = None,
    opts: pulumi.ResourceOptions | None = None,
) -> docker.Container:
    """The container for one service.

    ``labels`` are added to the placement's labels. ``started`` maps service names to
    the resources already created; the container
    depends on those its spec names in ``depends_on``. Services with a health check are
    waited for until healthy, so their dependents start only then (compose's
    ``service_healthy``); one-shot services are attached and run to completion
    (compose's ``service_completed_successfully``).
    """
    started = started or {}
    if spec.env_files or any(mount.volume is None and not mount.host for mount in spec.mounts):
        raise ValueError(
            f"service {spec.name!r}: env files and bind or anonymous mounts are for compose's "
            "development stack; a deployed container takes named volumes and its environment only"
        )
    missing = [dep.service for dep in spec.depends_on if dep.service not in started]
    if missing:
        raise ValueError(f"service {spec.name!r} depends on {missing[0]!r}, which is not created before it")
    depends_on: Sequence[pulumi.Resource] = [started[dep.service] for dep in spec.depends_on]
    # A fixed container name and fixed host ports cannot exist twice: replace by deleting first.
    options = pulumi.ResourceOptions.merge(
        opts, pulumi.ResourceOptions(depends_on=list(depends_on), delete_before_replace=True)
    )
    waits = spec.healthcheck is not None and not spec.one_shot
    return docker.Container(
        resource_name,
        name=container_name(placement.project, spec.name),
        image=image,
        entrypoints=list(spec.entrypoint) if spec.entrypoint is not None else None,
        command=list(spec.command) if spec.command is not None else None,
        user=spec.user,
        envs=environment(spec, placement.secrets) or None,
        ports=ports(spec) or None,
        volumes=[
            docker.ContainerVolumeArgs(
                host_path=mount.source,
                container_path=mount.target,
                read_only=mount.read_only or None,
            )
            if mount.host
            else docker.ContainerVolumeArgs(
                volume_name=placement.volumes[str(mount.volume)].name,
                container_path=mount.target,
                read_only=mount.read_only or None,
            )
            for mount in spec.mounts
        ]
        or None,
        uploads=[docker.ContainerUploadArgs(file=config.target, content=config.content) for config in spec.configs]
        or None,
        networks_advanced=[
            docker.ContainerNetworksAdvancedArgs(name=placement.networks[key].name, aliases=[spec.name])
            for key in spec.networks
        ],
        healthcheck=healthcheck(spec),
        wait=waits or None,
        wait_timeout=wait_timeout(spec) if waits else None,
        restart=spec.restart,
        cpus=f"{spec.cpus:g}" if spec.cpus is not None else None,
        memory=spec.memory_mib,
        read_only=spec.read_only or None,
        tmpfs=dict.fromkeys(spec.tmpfs, "") or None,
        security_opts=list(spec.security_opts) or None,
        capabilities=docker.ContainerCapabilitiesArgs(
            drops=list(spec.cap_drop) or None, adds=list(spec.cap_add) or None
        )
        if spec.cap_drop or spec.cap_add
        else None,
        log_driver="json-file" if spec.log_options else None,
        log_opts=dict(spec.log_options) or None,
        labels=[
            docker.ContainerLabelArgs(label=key, value=value)
            for key, value in sorted({**placement.labels, **(labels or {})}.items())
        ]
        or None,
        must_run=False if spec.one_shot else None,
        attach=True if spec.one_shot else None,
        logs=True if spec.one_shot else None,
        opts=options,
    )


def pulled_image(
    resource_name: str, spec: ServiceSpec, opts: pulumi.ResourceOptions | None = None
) -> docker.RemoteImage:
    """Pull a pinned image onto the host, kept when the stack is destroyed (other stacks may share it)."""
    return docker.RemoteImage(resource_name, name=spec.image, keep_locally=True, opts=opts)
