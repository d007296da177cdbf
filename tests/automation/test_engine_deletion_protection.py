"""`destroy` lifts deletion protection first, on the real engine.

RDS instances and load balancers carry deletion protection in every AWS stack; the
cloud then refuses a plain delete, so a destroy the user confirmed must first turn it
off on exactly those resources. The dynamic `LocalFile` refuses deletion the same way.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from engine_fixtures import pulumi_bin_dir, sandbox  # noqa: F401 - pytest fixtures

pytestmark = pytest.mark.engine


def files(root: Path, *, protected: bool, extra: bool = False, b_content: str = "bravo") -> list[dict]:
    entries = [
        {"name": "db", "path": str(root / "db.txt"), "content": "data", "deletion_protection": protected},
        {"name": "b", "path": str(root / "b.txt"), "content": b_content},
    ]
    if extra:
        entries.append({"name": "new", "path": str(root / "new.txt"), "content": "never applied"})
    return entries


def kinds(deployer) -> list[str]:
    """The stack's operations, newest first."""
    return [entry.kind for entry in deployer._stack(create=False).history()]


def test_a_plain_destroy_is_refused_by_the_protected_resource(sandbox):
    from specql_deploy.automation.errors import DeployError

    out = sandbox.root / "plain"
    out.mkdir()
    sandbox.deployer(files(out, protected=True), stack="plain").up()
    with pytest.raises(DeployError) as refused:
        sandbox.deployer(files(out, protected=True), stack="plain").destroy()
    assert "deletion protection is on" in refused.value.message
    assert (out / "db.txt").exists()


def test_destroy_with_the_unprotected_program_lifts_the_guard_then_deletes_everything(sandbox):
    from specql_deploy.automation.deployer import deletion_protected

    from engine_resources import files_program

    out = sandbox.root / "lifted"
    out.mkdir()
    deployer = sandbox.deployer(files(out, protected=True), stack="lifted")
    deployer.up()
    state = deployer.export_state()
    assert [urn.rsplit("::", 1)[1] for urn in deletion_protected(state)] == ["db"]

    # the lift program also changes b and adds a resource: a targeted update leaves both alone
    unprotected = files_program(sandbox.spec(files(out, protected=False, extra=True, b_content="changed")))
    destroyed = deployer.destroy(unprotected=unprotected)

    assert {change.name: change.action for change in destroyed.changes} == {"db": "delete", "b": "delete"}
    assert list(out.iterdir()) == []
    resources = deployer.export_state().get("resources") or []
    assert [r for r in resources if r["type"] != "pulumi:pulumi:Stack"] == []
    assert kinds(deployer) == ["destroy", "update", "update"]  # newest first: the lift ran once


def test_the_lift_reaches_a_protected_resource_inside_a_component(sandbox):
    # RDS instances and load balancers are children of components: the targeted update must reach them
    import pulumi

    from specql_deploy.automation.deployer import Deployer

    from engine_resources import LocalFile

    out = sandbox.root / "nested"
    out.mkdir()

    def program_with(protected: bool):
        def program() -> None:
            database = pulumi.ComponentResource("specql:test:Database", "db")
            LocalFile(
                "db-primary",
                str(out / "primary.txt"),
                "data",
                opts=pulumi.ResourceOptions(parent=database),
                deletion_protection=protected,
            )
            database.register_outputs({})

        return program

    deployer = Deployer(
        "files",
        "nested",
        program_with(True),
        sandbox.root / "work" / "files",
        sandbox.backend_url,
        "passphrase",
        env_vars=sandbox.env,
        pulumi_home=sandbox.home,
    )
    deployer.up()
    destroyed = deployer.destroy(unprotected=program_with(False))
    assert {change.name for change in destroyed.changes} == {"db", "db-primary"}
    assert list(out.iterdir()) == []


def test_destroy_without_protected_resources_runs_no_update(sandbox):
    from engine_resources import files_program

    out = sandbox.root / "open"
    out.mkdir()
    deployer = sandbox.deployer(files(out, protected=False), stack="open")
    deployer.up()
    unprotected = files_program(sandbox.spec(files(out, protected=False, extra=True)))
    deployer.destroy(unprotected=unprotected)
    assert kinds(deployer) == ["destroy", "update"]
    assert list(out.iterdir()) == []


def test_destroy_keeps_pulumi_protected_data_and_says_how_to_go_further(sandbox):
    # production data carries Pulumi's protect: destroy deletes the rest and names what it kept
    import pulumi

    from specql_deploy.automation.deployer import Deployer
    from specql_deploy.automation.errors import DeployError

    from engine_resources import LocalFile

    out = sandbox.root / "production"
    out.mkdir()

    def program() -> None:
        LocalFile("db", str(out / "db.txt"), "data", opts=pulumi.ResourceOptions(protect=True))
        LocalFile("web", str(out / "web.txt"), "page")

    deployer = Deployer(
        "files",
        "production",
        program,
        sandbox.root / "work" / "files",
        sandbox.backend_url,
        "passphrase",
        env_vars=sandbox.env,
        pulumi_home=sandbox.home,
    )
    deployer.up()
    with pytest.raises(DeployError) as kept:
        deployer.destroy()
    assert kept.value.code == 1
    message = kept.value.message
    assert message.startswith("kept 1 protected resource (db): a production stack's data carries Pulumi's")
    assert "pulumi state unprotect 'urn:pulumi:production::files::pulumi-python:dynamic:Resource::db'" in message
    assert sorted(path.name for path in out.iterdir()) == ["db.txt"]


def test_deletion_protected_reads_both_aws_input_names():
    from specql_deploy.automation.deployer import deletion_protected

    state = {
        "resources": [
            {"urn": "urn:pulumi:dev::p::aws:rds/instance:Instance::db", "inputs": {"deletionProtection": True}},
            {
                "urn": "urn:pulumi:dev::p::aws:lb/loadBalancer:LoadBalancer::lb",
                "inputs": {"enableDeletionProtection": True},
            },
            {"urn": "urn:pulumi:dev::p::aws:rds/instance:Instance::off", "inputs": {"deletionProtection": False}},
            {"urn": "urn:pulumi:dev::p::aws:s3/bucket:Bucket::logs", "inputs": {}},
            {"urn": "urn:pulumi:dev::p::pulumi:pulumi:Stack::p-dev"},
        ]
    }
    assert deletion_protected(state) == [
        "urn:pulumi:dev::p::aws:lb/loadBalancer:LoadBalancer::lb",
        "urn:pulumi:dev::p::aws:rds/instance:Instance::db",
    ]
    assert deletion_protected(None) == [] and deletion_protected({}) == []


# ruff: noqa: F811 - fixtures imported from engine_fixtures are redefined as arguments
