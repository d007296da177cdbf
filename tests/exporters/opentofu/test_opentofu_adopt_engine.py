"""`eject --from-stack` against the real Pulumi engine: a local backend holding the stack's
checkpoint (imported with `pulumi stack import`), read back through the Automation API.

No cloud is needed: the checkpoint is the program's capture with fabricated IDs and
Pulumi-generated names (stack_state.fabricated), the generated password a secret the
engine encrypts. The OpenTofu tier proves the same eject against live resources.
"""

from __future__ import annotations

import json
import re
import shutil
import uuid
from pathlib import Path

import pytest
from typer.testing import CliRunner

from specql_deploy.automation.cli import app

from . import stack_state
from . import tofu_real as real
from .tofu_support import BASE, manifest, resolve

pytestmark = [pytest.mark.engine, pytest.mark.filterwarnings("ignore::DeprecationWarning")]

PASSWORD = "engine-adoption-password-" + "q7" * 16
"""The generated password the checkpoint holds as a secret."""


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    """production-saas copied into a folder whose `.specql/state` holds its `dev` stack."""
    real.pulumi_cli()
    root = tmp_path_factory.mktemp("adopt-engine")
    folder = root / "production-saas"
    shutil.copytree(manifest("production-saas").parent, folder)
    patch = pytest.MonkeyPatch()
    patch.setenv("PULUMI_HOME", str(root / "pulumi-home"))
    patch.delenv("PULUMI_CONFIG_PASSPHRASE", raising=False)
    patch.delenv("PULUMI_CONFIG_PASSPHRASE_FILE", raising=False)
    resolved = resolve("production-saas")
    graph, states = stack_state.fabricated(resolved)
    for urn, state in states.items():
        if urn.endswith("::production-saas-dev-cache-auth-token"):
            state.secrets["result"] = PASSWORD
        if urn.endswith("::production-saas-dev-cache-auth-value"):
            state.outputs.pop("secretString", None)
            state.secrets["secretString"] = PASSWORD
    deployment = stack_state.deployment(graph, states, project="production-saas", stack="dev")
    real.import_stack(folder / "deployment.yaml", resolved, deployment)
    yield folder, deployment, states
    patch.undo()


def _eject(folder: Path, out: Path):
    return CliRunner().invoke(
        app, ["deploy", "eject", str(folder / "deployment.yaml"), "-o", str(out), "--from-stack", "dev"]
    )


def test_the_engine_keeps_the_password_encrypted_and_the_eject_writes_it_nowhere(project, tmp_path):
    folder, deployment, states = project
    # GIVEN the stack as the engine stores it: the password encrypted
    stored = "\n".join(
        path.read_text(encoding="utf-8", errors="replace") for path in (folder / ".specql").rglob("*.json")
    )
    assert "production-saas-dev-cache-auth-token" in stored and PASSWORD not in stored
    # WHEN it is ejected from its state
    result = _eject(folder, tmp_path / "adopted")
    # THEN the eject adopts every resource it holds, and the password is in no file and no output
    assert result.exit_code == 0, result.output
    imports = re.findall(r"^  to = (\S+)$", (tmp_path / "adopted" / BASE / "imports.tf").read_text(), re.M)
    waits = [urn for urn in states if "CertificateValidation" in urn]  # no import: created, no AWS object
    assert len(imports) == len(states) - 1 - len(waits)  # nor the generated password, in no OpenTofu state
    assert PASSWORD not in result.output
    assert [p for p in (tmp_path / "adopted").rglob("*") if p.is_file() and PASSWORD in p.read_text()] == []


def test_a_stack_locked_by_an_update_is_refused(project, tmp_path):
    folder, _, _ = project
    # GIVEN the lock an interrupted update leaves in the backend
    locks = folder / ".specql" / "state" / ".pulumi" / "locks" / "organization" / "production-saas" / "dev"
    locks.mkdir(parents=True, exist_ok=True)
    lock = locks / f"{uuid.uuid4()}.json"
    lock.write_text(json.dumps({"pid": 1, "username": "ci", "hostname": "runner", "timestamp": "2026-01-01T00:00:00Z"}))
    try:
        result = _eject(folder, tmp_path / "adopted")
    finally:
        lock.unlink()
    # THEN the eject stops before reading the state, says how to release it, and writes nothing
    assert result.exit_code == 2, result.output
    assert "locked" in result.output and "specql deploy cancel" in result.output
    assert not (tmp_path / "adopted").exists()


def test_a_stack_with_pending_operations_is_refused_by_name(project, tmp_path):
    folder, deployment, _ = project
    # GIVEN the checkpoint an interrupted update leaves: an operation still pending in it
    # (`pulumi stack import` drops pending operations, so they are written as the engine does)
    checkpoint = folder / ".specql" / "state" / ".pulumi" / "stacks" / "production-saas" / "dev.json"
    original = checkpoint.read_text(encoding="utf-8")
    stored = json.loads(original)
    latest = stored["checkpoint"]["latest"]
    database = next(item for item in latest["resources"] if item["urn"].endswith("::production-saas-dev-db-primary"))
    latest["pending_operations"] = [{"resource": database, "type": "updating"}]
    checkpoint.write_text(json.dumps(stored), encoding="utf-8")
    try:
        result = _eject(folder, tmp_path / "adopted")
    finally:
        checkpoint.write_text(original, encoding="utf-8")
    # THEN the eject is refused, naming the operation and what to do, and writes nothing
    assert result.exit_code == 2, result.output
    assert "pending operation" in result.output and "production-saas-dev-db-primary" in result.output
    assert "specql deploy refresh" in result.output
    assert not (tmp_path / "adopted").exists()
