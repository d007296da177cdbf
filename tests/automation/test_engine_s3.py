# ruff: noqa: F811 - fixtures imported from engine_fixtures are redefined as arguments
"""The S3 state backend (and the KMS secrets provider) on a moto server, with the real engine."""

from __future__ import annotations

import pytest

from specql_deploy.automation.bootstrap import bootstrap, plan_for
from specql_deploy.automation.emulate import DUMMY_CREDENTIALS, MotoServer
from specql_deploy.automation.stacks import with_s3_endpoint

from engine_fixtures import pulumi_bin_dir, sandbox_factory  # noqa: F401 - pytest fixtures

pytestmark = pytest.mark.engine


@pytest.fixture(scope="module")
def s3_sandbox(sandbox_factory, tmp_path_factory):
    """A bootstrapped bucket on moto and a sandbox whose backend is s3://state-bucket/teams/a."""
    with MotoServer() as moto:
        patch = pytest.MonkeyPatch()
        for key, value in moto.environment("us-east-1").items():
            patch.setenv(key, value)
        plan = plan_for("s3://state-bucket/teams/a", region="us-east-1", endpoint_url=moto.endpoint)
        bootstrap(plan)
        backend = with_s3_endpoint("s3://state-bucket/teams/a", moto.endpoint, "us-east-1")
        sandbox = sandbox_factory(tmp_path_factory.mktemp("s3"), backend, **moto.environment("us-east-1"))
        yield moto, plan, sandbox
        patch.undo()


def s3_client(moto: MotoServer):
    import boto3

    return boto3.client(
        "s3",
        region_name="us-east-1",
        endpoint_url=moto.endpoint,
        aws_access_key_id=DUMMY_CREDENTIALS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=DUMMY_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
    )


def bucket_keys(moto: MotoServer) -> list[str]:
    pages = s3_client(moto).get_paginator("list_objects_v2").paginate(Bucket="state-bucket")
    return [item["Key"] for page in pages for item in page.get("Contents", [])]


def test_the_backend_url_uses_the_sdk_v2_endpoint_parameters():
    url = with_s3_endpoint("s3://bucket/prefix", "http://127.0.0.1:5000", "us-east-1")
    assert url == (
        "s3://bucket/prefix?endpoint=http%3A%2F%2F127.0.0.1%3A5000"
        "&use_path_style=true&disable_https=true&region=us-east-1"
    )


def test_the_tls_only_policy_refuses_the_engine_over_plain_http(s3_sandbox):
    # GIVEN the bootstrapped bucket WHEN reached over http (the emulator has no TLS) THEN denied
    from specql_deploy.automation.errors import DeployError

    _, _, sandbox = s3_sandbox
    with pytest.raises(DeployError) as denied:
        sandbox.deployer([], stack="denied").preview()
    assert denied.value.code == 1
    assert "credentials are missing, were rejected, or may not do this" in denied.value.message
    assert "403" in denied.value.message


def test_state_lands_in_the_bucket_under_the_prefix(s3_sandbox):
    # GIVEN the bootstrapped bucket, its TLS-only policy lifted (moto only speaks plain http)
    moto, _, sandbox = s3_sandbox
    s3_client(moto).delete_bucket_policy(Bucket="state-bucket")
    out = sandbox.root / "files"
    out.mkdir()
    files = [{"name": "a", "path": str(out / "a.txt"), "content": "on s3"}]
    # WHEN a stack is deployed to it THEN its checkpoint is in the bucket, under the prefix
    result = sandbox.deployer(files).up()
    assert result.counts()["create"] == 1
    keys = bucket_keys(moto)
    assert "teams/a/.pulumi/stacks/files/dev.json" in keys
    assert not any(key.startswith(".pulumi/") for key in keys)
    # AND a new workspace reads it back: nothing to change, outputs intact
    again = sandbox.deployer(files)
    assert again.preview().has_changes is False
    assert again.outputs()["a_content"] == "on s3"
    assert [s.name for s in again.stacks()] == ["dev"]


def test_kms_secrets_provider_from_bootstrap_encrypts_stack_secrets(s3_sandbox):
    from specql_deploy.automation.deployer import Deployer, Secret

    from engine_resources import files_program

    _, plan, sandbox = s3_sandbox
    out = sandbox.root / "kms"
    out.mkdir()
    spec = sandbox.spec([{"name": "k", "path": str(out / "k.txt"), "secret": "token"}], stack="kms")
    env = {key: value for key, value in sandbox.env.items() if not key.startswith("PULUMI_CONFIG_PASSPHRASE")}
    deployer = Deployer(
        "files",
        "kms",
        files_program(spec),
        sandbox.root / "work-kms",
        sandbox.backend_url,
        plan.secrets_provider(),
        {"token": Secret("kms-protected-value")},
        env_vars=env,
        pulumi_home=sandbox.home,
    )
    result = deployer.up()
    assert result.outputs["k_content"] == "[secret]"
    assert (out / "k.txt").read_text() == "kms-protected-value"
    settings = (sandbox.root / "work-kms" / "Pulumi.kms.yaml").read_text()
    assert "awskms://" in settings and "kms-protected-value" not in settings
