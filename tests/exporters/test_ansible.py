"""Ansible target: the Docker host's playbooks pass `ansible-playbook --syntax-check`,
`ansible-lint --profile production`, and a real `--check` run against a Debian root
over a chroot connection; the hardening they promise is in them."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from ruamel.yaml import YAML

import validators
from eject_support import render_example, write_tree

ROOT = "infrastructure/ansible"
PLAYBOOKS = ("setup-docker-host.yml", "harden-server.yml", "install-monitoring.yml")
CACHE = Path(os.environ.get("SPECQL_CACHE", Path.home() / ".cache" / "specql-deploy"))
ANSIBLE_DEFAULT = CACHE / "ansible-12.3.0-lint-26.10.1" / "bin"
DEBIAN_DEFAULT = CACHE / "debian-bookworm"
ADMIN_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIG7k4xQ0o3d0Mq3F0r0Z7ZfKkqf3j3v3m8n7L2b1c0aA admin@test"
DEPLOY_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIG7k4xQ0o3d0Mq3F0r0Z7ZfKkqf3j3v3m8n7L2b1c0aB ci@test"


def ansible_bin() -> Path:
    folder = Path(os.environ.get("SPECQL_ANSIBLE") or ANSIBLE_DEFAULT)
    if not (folder / "ansible-lint").exists() or not (folder / "ansible-playbook").exists():
        validators.missing("ansible-playbook and ansible-lint", "run scripts/install-validators.sh --ansible")
    return folder


def debian_root() -> Path:
    root = Path(os.environ.get("SPECQL_DEBIAN_ROOT") or DEBIAN_DEFAULT)
    if not (root / "usr" / "bin" / "python3").exists():
        validators.missing("the Debian root", "run scripts/install-debian-chroot.sh (as root)")
    if os.geteuid() != 0:
        validators.missing("root (chroot)", "run the Ansible tier as root")
    return root


def run(folder: Path, args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PATH": f"{folder}:{os.environ['PATH']}", "ANSIBLE_NOCOLOR": "1", "NO_COLOR": "1"}
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=900, check=False)


@pytest.fixture(scope="module")
def ejected(tmp_path_factory) -> Path:
    root = write_tree(tmp_path_factory.mktemp("ansible"), render_example("hobby-project", "ansible"))
    return root / ROOT


def playbook(name: str) -> list[dict]:
    return YAML(typ="safe").load(render_example("hobby-project", "ansible")[f"{ROOT}/playbooks/{name}"])


def tasks(name: str) -> list[dict]:
    return [task for play in playbook(name) for task in play["tasks"]]


def test_only_the_docker_host_pattern_gets_playbooks():
    assert sorted(render_example("hobby-project", "ansible")) == sorted(
        [
            f"{ROOT}/inventory/hosts.yml",
            f"{ROOT}/inventory/group_vars/docker_hosts.yml",
            f"{ROOT}/requirements.yml",
            *(f"{ROOT}/playbooks/{name}" for name in PLAYBOOKS),
        ]
    )
    assert render_example("small-saas", "ansible") == {}
    assert render_example("kubernetes", "ansible") == {}


def test_the_inventory_comes_from_deployment_host(tmp_path):
    from eject_support import render_path

    # GIVEN a hobby manifest whose engine is reached over SSH
    manifest = tmp_path / "deployment.yaml"
    manifest.write_text("deployment:\n  pattern: hobby-project\n  host: ssh://ops@203.0.113.10:2222\n")
    # WHEN the ansible target renders
    inventory = YAML(typ="safe").load(render_path(manifest, "ansible")[f"{ROOT}/inventory/hosts.yml"])
    # THEN the host, its port and the account are the manifest's
    assert inventory == {
        "docker_hosts": {
            "hosts": {"203.0.113.10": {"ansible_host": "203.0.113.10", "ansible_port": 2222, "ansible_user": "ops"}}
        }
    }


def test_harden_server_keeps_its_promises():
    found = tasks("harden-server.yml")
    sshd = next(task for task in found if task.get("ansible.builtin.copy", {}).get("dest", "").startswith("/etc/ssh/"))
    content = sshd["ansible.builtin.copy"]["content"]
    assert "PermitRootLogin no" in content and "PasswordAuthentication no" in content
    ufw = [task["community.general.ufw"] for task in found if "community.general.ufw" in task]
    opened = sorted(rule["port"] for rule in ufw if rule.get("rule") in ("allow", "limit"))
    assert opened == ["443", "80", "{{ ssh_port }}"]
    assert {"direction": "incoming", "default": "deny"} in ufw and {"state": "enabled"} in ufw
    packages = next(task for task in found if "ansible.builtin.apt" in task)["ansible.builtin.apt"]["name"]
    assert {"fail2ban", "unattended-upgrades", "auditd", "ufw"} <= set(packages)
    # Passwords are refused only after the administrators' keys are in place.
    names = [task["name"] for task in found]
    assert names.index("Authorize the administrators' keys on the connecting account") < names.index(
        "SSH accepts keys only, never root"
    )


def test_the_log_shipper_is_alloy_with_the_hobby_stacks_configuration():
    from specql_deploy.components.observability.logs import alloy_config, loki_push_url
    from specql_deploy.program.catalogue import IMAGES

    from support import resolve_example

    # GIVEN the hobby example and what its own Alloy loads (components/observability/logs.py)
    resolved = resolve_example("hobby-project")
    stack_text = alloy_config(resolved)
    found = tasks("install-monitoring.yml")
    copies = {
        task["ansible.builtin.copy"]["dest"]: task["ansible.builtin.copy"]
        for task in found
        if "ansible.builtin.copy" in task
    }
    # THEN the playbook writes that text, only the Loki address being its `loki_push_url`
    config = copies["/etc/alloy/config.alloy"]["content"]
    assert config.split("\n", 1)[1] == stack_text.replace(loki_push_url(resolved), "{{ loki_push_url }}")
    # AND runs the pinned Alloy image (the hobby stack's), unprivileged and read-only
    unit = copies["/etc/systemd/system/alloy.service"]["content"]
    assert f" {IMAGES['alloy']} run " in unit
    assert "--read-only" in unit and "--cap-drop ALL" in unit and "/var/lib/docker/containers:ro" in unit
    # AND Promtail (end of life) is gone
    assert "promtail" not in render_example("hobby-project", "ansible")[f"{ROOT}/playbooks/install-monitoring.yml"]


@pytest.mark.validators
def test_syntax_check_and_ansible_lint_production_pass(ejected):
    folder = ansible_bin()
    for name in PLAYBOOKS:
        result = run(
            folder,
            [str(folder / "ansible-playbook"), "-i", "inventory/hosts.yml", "--syntax-check", f"playbooks/{name}"],
            ejected,
        )
        assert result.returncode == 0, result.stdout + result.stderr
    lint = run(folder, [str(folder / "ansible-lint"), "--offline", "--profile", "production", "--nocolor"], ejected)
    assert lint.returncode == 0, lint.stdout + lint.stderr
    assert "Profile 'production' was required, and it passed" in lint.stdout + lint.stderr


@pytest.mark.validators
def test_check_mode_runs_against_a_debian_host(ejected):
    # GIVEN a Debian root with the connecting account, reached through a chroot connection,
    # and an inventory beside the generated one (so the generated group_vars apply)
    folder, root = ansible_bin(), debian_root()
    if subprocess.run(["chroot", str(root), "id", "admin"], capture_output=True, check=False).returncode != 0:
        subprocess.run(["chroot", str(root), "useradd", "--create-home", "--shell", "/bin/bash", "admin"], check=True)
    host = {
        "ansible_connection": "community.general.chroot",
        "ansible_host": str(root),
        "ansible_user": "admin",
        "ansible_python_interpreter": "/usr/bin/python3",
        "admin_authorized_keys": [ADMIN_KEY],
        "deploy_authorized_keys": [DEPLOY_KEY],
    }
    inventory = ejected / "inventory" / "test-chroot.yml"
    with inventory.open("w") as stream:
        YAML().dump({"docker_hosts": {"hosts": {"chroot-host": host}}}, stream)
    try:
        for name in PLAYBOOKS:
            # WHEN each playbook runs in check mode
            result = run(
                folder,
                [str(folder / "ansible-playbook"), "-i", str(inventory), "--check", "--diff", f"playbooks/{name}"],
                ejected,
            )
            # THEN it completes without a failed task, and shows the changes it would make
            assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
            assert "failed=0" in result.stdout and "unreachable=0" in result.stdout
            if name == "harden-server.yml":
                assert "+PermitRootLogin no" in result.stdout
            if name == "install-monitoring.yml":
                # Ansible filled in the Loki address of the Alloy configuration
                assert '+    url = "http://127.0.0.1:3100/loki/api/v1/push"' in result.stdout
    finally:
        inventory.unlink()
