"""Ansible target: ``infrastructure/ansible/`` for the Docker-host pattern (hobby-project).

Three playbooks prepare the Debian server `deployment.host` names, before the first
`specql deploy up` (or `docker compose up`) reaches it over SSH:

- ``setup-docker-host.yml``: Debian's Docker engine (``docker.io``, patched by Debian's
  security updates) with log rotation, and the ``deploy`` user whose key CI uses;
- ``harden-server.yml``: SSH with keys only and no root login, UFW allowing 22, 80 and
  443 only, fail2ban on SSH, unattended security upgrades, auditd;
- ``install-monitoring.yml``: the Prometheus node exporter (bound to 127.0.0.1) and the
  log shipper (Grafana Alloy, with the configuration the hobby stack's Alloy loads)
  sending the containers' logs to the Loki at ``loki_push_url``.

Run setup first (it authorizes the keys), then harden:
``ansible-playbook -i inventory/hosts.yml playbooks/setup-docker-host.yml``. The only
collections used, ``ansible.posix`` and ``community.general``, ship in PyPI's ``ansible``
package (``requirements.yml`` names them for an ``ansible-core`` install). AWS patterns get
no playbooks: their tasks run on Fargate, and a shell on AWS goes through SSM Session
Manager, not an SSH bastion (docs/RUNBOOK.md).
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

from ruamel.yaml.scalarstring import LiteralScalarString

from ...components.observability.logs import alloy_config
from ...program.building_blocks import (
    ALLOY_DATA,
    ANSIBLE_APT_CACHE_VALID_SECONDS,
    ANSIBLE_SSH_MAX_AUTH_TRIES,
    AUDIT_WATCHED_PATHS,
    DOCKER_CONTAINER_LOGS,
    DOCKER_LOG_ROTATION,
    FAIL2BAN_SSH,
    NODE_EXPORTER_LISTEN_ADDRESS,
    YAML_INDENT,
)
from ...program.catalogue import DEBIAN_HOST_PACKAGES, IMAGES, PORTS
from ...program.model import ResolvedDeployment
from ..contract import ExportContext, GeneratedFile
from ..headers import hash_header
from ..yaml_text import dump_yaml

__all__ = ["render"]

ROOT = "infrastructure/ansible"
GROUP = "docker_hosts"
DEPLOY_USER = "deploy"
"""The user `specql deploy` and CI connect as (`ssh://deploy@server`): in the docker group, no sudo."""
PLACEHOLDER_HOST = "server.example.com"


def _literal(text: str) -> LiteralScalarString:
    return LiteralScalarString(text.strip("\n") + "\n")


def _host(resolved: ResolvedDeployment) -> tuple[str, dict[str, Any]]:
    """Inventory name and connection variables of `deployment.host`."""
    host = resolved.deployment.host
    if not host or not host.startswith("ssh://"):
        return PLACEHOLDER_HOST, {"ansible_user": "admin"}
    address = urlsplit(host)
    variables: dict[str, Any] = {"ansible_host": address.hostname}
    if address.port:
        variables["ansible_port"] = address.port
    # The account that ran the engine over SSH is the one to configure with (it needs sudo).
    variables["ansible_user"] = address.username or "admin"
    return address.hostname or PLACEHOLDER_HOST, variables


def _inventory(resolved: ResolvedDeployment) -> dict[str, Any]:
    name, variables = _host(resolved)
    return {GROUP: {"hosts": {name: variables}}}


def _group_vars(resolved: ResolvedDeployment) -> dict[str, Any]:
    return {
        "deploy_user": DEPLOY_USER,
        # Public keys (one string each) of the people who administer the server: written to
        # the connecting account before password logins are switched off. Required.
        "admin_authorized_keys": [],
        # Public keys allowed to log in as the deploy user (CI's DEPLOY_SSH_KEY). Required.
        "deploy_authorized_keys": [],
        "ssh_port": PORTS["ssh"],
        "loki_push_url": f"http://127.0.0.1:{PORTS['loki']}/loki/api/v1/push",
    }


def _task(name: str, module: str, args: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"name": name, module: args, **extra}


def _apt(playbook: str) -> dict[str, Any]:
    return _task(
        "Install " + ", ".join(DEBIAN_HOST_PACKAGES[playbook]),
        "ansible.builtin.apt",
        {
            "name": list(DEBIAN_HOST_PACKAGES[playbook]),
            "state": "present",
            "update_cache": True,
            "cache_valid_time": ANSIBLE_APT_CACHE_VALID_SECONDS,
        },
    )


def _service(name: str, unit: str) -> dict[str, Any]:
    return _task(name, "ansible.builtin.systemd_service", {"name": unit, "enabled": True, "state": "started"})


def _play(name: str, tasks: list[dict[str, Any]], handlers: list[dict[str, Any]] | None = None) -> list[Any]:
    play: dict[str, Any] = {"name": name, "hosts": GROUP, "become": True, "tasks": tasks}
    if handlers:
        play["handlers"] = handlers
    return [play]


def _keys_required(variable: str, who: str) -> dict[str, Any]:
    return _task(
        f"Require {who}",
        "ansible.builtin.assert",
        {
            "that": [f"{variable} | length > 0"],
            "fail_msg": f"Set {variable} in inventory/group_vars/{GROUP}.yml: {who}.",
        },
    )


def setup_docker_host(resolved: ResolvedDeployment) -> list[Any]:
    rotation = dict(DOCKER_LOG_ROTATION)
    daemon = {
        "log-driver": "json-file",
        "log-opts": rotation,
        # Containers keep running while the engine restarts for an upgrade.
        "live-restore": True,
        "no-new-privileges": True,
    }
    return _play(
        "Docker engine and the deploy user",
        [
            _keys_required("deploy_authorized_keys", "the public keys allowed to deploy (CI's DEPLOY_SSH_KEY)"),
            _apt("setup-docker-host"),
            _task(
                "Configure the Docker engine (log rotation, live restore, no new privileges)",
                "ansible.builtin.copy",
                {
                    "dest": "/etc/docker/daemon.json",
                    "content": _literal(json.dumps(daemon, indent=YAML_INDENT["mapping"], sort_keys=True)),
                    "owner": "root",
                    "group": "root",
                    "mode": "0644",
                },
                notify="Restart docker",
            ),
            _service("Start the Docker engine at boot", "docker"),
            _task(
                "Create the deploy user (docker group, no sudo)",
                "ansible.builtin.user",
                {"name": "{{ deploy_user }}", "groups": ["docker"], "append": True, "shell": "/bin/bash"},
            ),
            _task(
                "Authorize the deploy keys",
                "ansible.posix.authorized_key",
                {
                    "user": "{{ deploy_user }}",
                    # The full path lets check mode run before the user exists.
                    "path": "/home/{{ deploy_user }}/.ssh/authorized_keys",
                    "key": "{{ deploy_authorized_keys | join('\\n') }}",
                    "exclusive": True,
                    "state": "present",
                },
            ),
        ],
        [_task("Restart docker", "ansible.builtin.systemd_service", {"name": "docker", "state": "restarted"})],
    )


def harden_server(resolved: ResolvedDeployment) -> list[Any]:
    sshd = _literal(f"""
# Written by harden-server.yml: keys only, no root login.
PermitRootLogin no
PasswordAuthentication no
KbdInteractiveAuthentication no
PubkeyAuthentication yes
X11Forwarding no
MaxAuthTries {ANSIBLE_SSH_MAX_AUTH_TRIES}
""")
    jail = _literal(f"""
# Written by harden-server.yml.
[sshd]
enabled = true
backend = systemd
port = {{{{ ssh_port }}}}
maxretry = {FAIL2BAN_SSH["maxretry"]}
findtime = {FAIL2BAN_SSH["findtime"]}
bantime = {FAIL2BAN_SSH["bantime"]}
""")
    periodic = _literal("""
// Written by harden-server.yml: refresh the package lists and apply security updates daily.
APT::Periodic::Update-Package-Lists "1";
APT::Periodic::Unattended-Upgrade "1";
""")
    audit = _literal(
        "## Written by harden-server.yml: who changed accounts, sudo, SSH or Docker.\n"
        + "".join(f"-w {path} -p wa -k specql-{key}\n" for path, key in AUDIT_WATCHED_PATHS)
    )
    allow = [
        _task(
            f"Allow {label} through the firewall",
            "community.general.ufw",
            {"rule": rule, "port": port, "proto": "tcp"},
        )
        for label, rule, port in (
            ("SSH (rate limited)", "limit", "{{ ssh_port }}"),
            ("HTTP", "allow", str(PORTS["http"])),
            ("HTTPS", "allow", str(PORTS["https"])),
        )
    ]
    return _play(
        "Harden the server",
        [
            _keys_required("admin_authorized_keys", "the administrators' public keys, before passwords are refused"),
            _apt("harden-server"),
            _task(
                "Authorize the administrators' keys on the connecting account",
                "ansible.posix.authorized_key",
                {"user": "{{ ansible_user }}", "key": "{{ admin_authorized_keys | join('\\n') }}", "state": "present"},
            ),
            _task(
                "SSH accepts keys only, never root",
                "ansible.builtin.copy",
                {
                    "dest": "/etc/ssh/sshd_config.d/10-hardening.conf",
                    "content": sshd,
                    "owner": "root",
                    "group": "root",
                    "mode": "0644",
                    "validate": "/usr/sbin/sshd -t -f %s",
                },
                notify="Restart ssh",
            ),
            _task(
                "Firewall denies every other incoming connection",
                "community.general.ufw",
                {"direction": "incoming", "default": "deny"},
            ),
            _task(
                "Firewall lets outgoing connections through",
                "community.general.ufw",
                {"direction": "outgoing", "default": "allow"},
            ),
            *allow,
            _task("Enable the firewall", "community.general.ufw", {"state": "enabled"}),
            _task(
                "Ban addresses that keep failing SSH logins",
                "ansible.builtin.copy",
                {
                    "dest": "/etc/fail2ban/jail.d/sshd.local",
                    "content": jail,
                    "owner": "root",
                    "group": "root",
                    "mode": "0644",
                },
                notify="Restart fail2ban",
            ),
            _service("Run fail2ban", "fail2ban"),
            _task(
                "Apply security updates every day",
                "ansible.builtin.copy",
                {
                    "dest": "/etc/apt/apt.conf.d/20auto-upgrades",
                    "content": periodic,
                    "owner": "root",
                    "group": "root",
                    "mode": "0644",
                },
            ),
            _task(
                "Audit changes to accounts, sudo, SSH and Docker",
                "ansible.builtin.copy",
                {
                    "dest": "/etc/audit/rules.d/specql.rules",
                    "content": audit,
                    "owner": "root",
                    "group": "root",
                    "mode": "0640",
                },
                notify="Load the audit rules",
            ),
            _service("Run auditd", "auditd"),
        ],
        [
            _task("Restart ssh", "ansible.builtin.systemd_service", {"name": "ssh", "state": "restarted"}),
            _task("Restart fail2ban", "ansible.builtin.systemd_service", {"name": "fail2ban", "state": "restarted"}),
            _task(
                "Load the audit rules",
                "ansible.builtin.command",
                {"cmd": "augenrules --load"},
                changed_when=True,
            ),
        ],
    )


ALLOY_CONFIG_DIR = "/etc/alloy"
ALLOY_STATE_DIR = "/var/lib/alloy"


def _alloy_config(resolved: ResolvedDeployment) -> LiteralScalarString:
    # The hobby stack's Alloy configuration (components/observability/logs.py), pushing to
    # the playbook's `loki_push_url` (Ansible fills it in when it copies the file).
    text = alloy_config(resolved, push_url="{{ loki_push_url }}")
    return _literal(
        "// Written by install-monitoring.yml: every container's log (Docker's json-file logs) to Loki.\n" + text
    )


def _alloy_unit() -> LiteralScalarString:
    image = IMAGES["alloy"]
    return _literal(f"""
# Written by install-monitoring.yml: the log shipper, as a container the engine restarts.
[Unit]
Description=Grafana Alloy log shipper
After=docker.service
Requires=docker.service

[Service]
ExecStartPre=-/usr/bin/docker rm --force alloy
ExecStart=/usr/bin/docker run --rm --name alloy --network host --read-only --tmpfs /tmp \\
  --cap-drop ALL --security-opt no-new-privileges \\
  --volume {ALLOY_CONFIG_DIR}:{ALLOY_CONFIG_DIR}:ro \\
  --volume {ALLOY_STATE_DIR}:{ALLOY_STATE_DIR} \\
  --volume {DOCKER_CONTAINER_LOGS}:{DOCKER_CONTAINER_LOGS}:ro \\
  {image} run --storage.path={ALLOY_DATA} {ALLOY_CONFIG_DIR}/config.alloy
ExecStop=/usr/bin/docker stop alloy
Restart=always

[Install]
WantedBy=multi-user.target
""")


def install_monitoring(resolved: ResolvedDeployment) -> list[Any]:
    return _play(
        "Node exporter and the log shipper",
        [
            _apt("install-monitoring"),
            _task(
                "Node exporter listens on the host only",
                "ansible.builtin.copy",
                {
                    "dest": "/etc/default/prometheus-node-exporter",
                    "content": f'ARGS="--web.listen-address={NODE_EXPORTER_LISTEN_ADDRESS}:{PORTS["node-exporter"]}"\n',
                    "owner": "root",
                    "group": "root",
                    "mode": "0644",
                },
                notify="Restart the node exporter",
            ),
            _service("Run the node exporter", "prometheus-node-exporter"),
            _task(
                "Folders of the log shipper",
                "ansible.builtin.file",
                {"path": "{{ item }}", "state": "directory", "owner": "root", "group": "root", "mode": "0750"},
                loop=[ALLOY_CONFIG_DIR, ALLOY_STATE_DIR, ALLOY_DATA],
            ),
            _task(
                "Log shipper configuration",
                "ansible.builtin.copy",
                {
                    "dest": f"{ALLOY_CONFIG_DIR}/config.alloy",
                    "content": _alloy_config(resolved),
                    "owner": "root",
                    "group": "root",
                    "mode": "0640",
                },
                notify="Restart the log shipper",
            ),
            _task(
                "Log shipper service",
                "ansible.builtin.copy",
                {
                    "dest": "/etc/systemd/system/alloy.service",
                    "content": _alloy_unit(),
                    "owner": "root",
                    "group": "root",
                    "mode": "0644",
                },
                register="alloy_unit",
                notify="Restart the log shipper",
            ),
            _task(
                "Run the log shipper",
                "ansible.builtin.systemd_service",
                {"name": "alloy", "enabled": True, "state": "started", "daemon_reload": True},
                # Check mode writes no unit file, so there is no unit to ask systemd about yet.
                when="not (ansible_check_mode and alloy_unit is changed)",
            ),
        ],
        [
            _task(
                "Restart the node exporter",
                "ansible.builtin.systemd_service",
                {"name": "prometheus-node-exporter", "state": "restarted"},
            ),
            _task(
                "Restart the log shipper",
                "ansible.builtin.systemd_service",
                {"name": "alloy", "state": "restarted", "daemon_reload": True},
                when="not (ansible_check_mode and alloy_unit is changed)",
            ),
        ],
    )


PLAYBOOKS = {
    "setup-docker-host.yml": ("Docker engine and the deploy user. Run first.", setup_docker_host),
    "harden-server.yml": ("SSH keys only, UFW 22/80/443, fail2ban, security upgrades, auditd.", harden_server),
    "install-monitoring.yml": ("Node exporter and the log shipper (Grafana Alloy to Loki).", install_monitoring),
}


def _yaml(context: ExportContext, what: str, data: Any) -> str:
    text = dump_yaml(data)
    if isinstance(data, list):
        # A playbook is a list: its items start at column 0 (yamllint), nested lists stay indented.
        text = "".join(line[2:] if line.startswith("  ") else line for line in text.splitlines(keepends=True))
    return hash_header(context, what=what) + "---\n" + text


def render(resolved: ResolvedDeployment, context: ExportContext) -> list[GeneratedFile]:
    if resolved.cloud != "docker":
        return []
    files = [
        GeneratedFile(
            f"{ROOT}/inventory/hosts.yml",
            _yaml(context, "The Docker host, from deployment.host.", _inventory(resolved)),
        ),
        GeneratedFile(
            f"{ROOT}/inventory/group_vars/{GROUP}.yml",
            _yaml(context, "Settings of the playbooks; fill in the two key lists.", _group_vars(resolved)),
        ),
        GeneratedFile(
            f"{ROOT}/requirements.yml",
            _yaml(
                context,
                "Collections the playbooks use (bundled with PyPI's `ansible`; for ansible-core:\n"
                "ansible-galaxy collection install -r requirements.yml).",
                {"collections": [{"name": "ansible.posix"}, {"name": "community.general"}]},
            ),
        ),
    ]
    for name, (what, build) in PLAYBOOKS.items():
        files.append(GeneratedFile(f"{ROOT}/playbooks/{name}", _yaml(context, what, build(resolved))))
    return files
