"""The one compose renderer: a :class:`~...components.docker.service_model.Stack` as a
compose-specification document (plain dicts, ready to dump as YAML).

Every compose file of the eject goes through it: the hobby stack exactly as `up`
creates it, the cloud patterns' production-like stack for one host, and the
development stack. The files live in ``docker/``, so project-root paths are written
relative to it (``..`` is the project root).
"""

from __future__ import annotations

from typing import Any

from ...components.docker.service_model import (
    COMPOSE_DIR,
    SECRET_REF,
    Mount,
    Port,
    ServiceSpec,
    Stack,
)


def compose_document(stack: Stack, *, env_file: str) -> dict[str, Any]:
    """The stack as a compose file; `env_file` (project-root path) is where a user sets the
    variables the services reference, named in the message compose stops with."""
    document: dict[str, Any] = {
        "name": stack.name,
        "services": {spec.name: compose_service(spec, env_file=env_file) for spec in stack.services},
    }
    if stack.networks:
        document["networks"] = {
            network.key: ({"internal": True} if network.internal else {}) for network in stack.networks
        }
    volumes = stack.volumes
    if volumes:
        document["volumes"] = {volume.key: {} for volume in volumes}
    return document


def compose_service(spec: ServiceSpec, *, env_file: str) -> dict[str, Any]:
    """One service as a compose-specification mapping."""
    out: dict[str, Any] = {}
    if spec.image is not None:
        # CI may run the stack with the image it pushed; the local build is the default.
        out["image"] = "${APP_IMAGE:-" + spec.image + "}" if spec.build is not None else spec.image
    if spec.build is not None:
        build = spec.build
        # compose reads `dockerfile` relative to the context
        dockerfile = build.dockerfile
        if build.context not in (".", ""):
            dockerfile = dockerfile.removeprefix(build.context.rstrip("/") + "/")
        out["build"] = {"context": relative_to_compose_dir(build.context), "dockerfile": dockerfile}
        if build.target is not None:
            out["build"]["target"] = build.target
    if spec.entrypoint is not None:
        out["entrypoint"] = [literal(part) for part in spec.entrypoint]
    if spec.command is not None:
        out["command"] = [literal(part) for part in spec.command]
    if spec.user is not None:
        out["user"] = spec.user
    if spec.env_files:
        out["env_file"] = [relative_to_compose_dir(path) for path in spec.env_files]
    if spec.environment:
        out["environment"] = {name: template(value, env_file) for name, value in spec.environment}
    if spec.ports:
        out["ports"] = [_port(port) for port in spec.ports]
    volumes = [_mount(mount) for mount in spec.mounts]
    volumes += [f"{relative_to_compose_dir(config.path)}:{config.target}:ro" for config in spec.configs]
    if volumes:
        out["volumes"] = volumes
    if spec.healthcheck is not None:
        check = spec.healthcheck
        out["healthcheck"] = {
            "test": [literal(part) for part in check.test],
            "interval": _duration(check.interval_s),
            "timeout": _duration(check.timeout_s),
            "retries": check.retries,
            "start_period": _duration(check.start_period_s),
        }
    if spec.depends_on:
        out["depends_on"] = {dep.service: {"condition": dep.condition} for dep in spec.depends_on}
    if spec.restart is not None:
        out["restart"] = spec.restart
    if spec.read_only:
        out["read_only"] = True
    if spec.tmpfs:
        out["tmpfs"] = list(spec.tmpfs)
    if spec.security_opts:
        out["security_opt"] = list(spec.security_opts)
    if spec.cap_drop:
        out["cap_drop"] = list(spec.cap_drop)
    if spec.cap_add:
        out["cap_add"] = list(spec.cap_add)
    limits: dict[str, Any] = {}
    if spec.cpus is not None:
        limits["cpus"] = f"{spec.cpus:g}"
    if spec.memory_mib is not None:
        limits["memory"] = f"{spec.memory_mib}M"
    if limits:
        out["deploy"] = {"resources": {"limits": limits}}
    if spec.networks:
        out["networks"] = list(spec.networks)
    if spec.log_options:
        out["logging"] = {"driver": "json-file", "options": dict(spec.log_options)}
    return out


def literal(text: str) -> str:
    """Escape ``$`` so compose passes a literal through instead of interpolating it."""
    return text.replace("$", "$$")


def required(name: str, env_file: str) -> str:
    """A compose interpolation that stops compose, naming where to set the variable, when it
    is unset or empty (rather than run with an empty password)."""
    return "${" + f"{name}:?set {name} in {env_file}" + "}"


def template(value: str, env_file: str) -> str:
    """An environment template for compose: each ``${NAME}`` becomes a required variable,
    any other ``$`` is escaped so it reaches the container as written."""
    out: list[str] = []
    position = 0
    for match in SECRET_REF.finditer(value):
        out += [literal(value[position : match.start()]), required(match.group(1), env_file)]
        position = match.end()
    out.append(literal(value[position:]))
    return "".join(out)


def relative_to_compose_dir(path: str) -> str:
    """A project-root path as written in a compose file that lives in ``docker/``."""
    parts = path.split("/")
    if parts[0] == COMPOSE_DIR:
        return "./" + "/".join(parts[1:])
    return "../" + path if path != "." else ".."


def _mount(mount: Mount) -> str:
    suffix = ":ro" if mount.read_only else ""
    if mount.volume is not None:
        return f"{mount.volume}:{mount.target}{suffix}"
    if mount.source is not None and mount.host:
        return f"{mount.source}:{mount.target}{suffix}"
    if mount.source is not None:
        return f"{relative_to_compose_dir(mount.source)}:{mount.target}{suffix}"
    return mount.target


def _duration(seconds: int) -> str:
    return f"{seconds}s"


def _port(port: Port) -> str:
    text = f"{port.published}:{port.target}"
    if port.host_ip:
        text = f"{port.host_ip}:{text}"
    if port.protocol != "tcp":
        text += f"/{port.protocol}"
    return text
