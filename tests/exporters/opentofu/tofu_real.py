"""The real OpenTofu and the real AWS provider, run on ejected trees against moto_server.

`scripts/install-opentofu.sh` builds both from the Go module proxy and writes a CLI
configuration (`TF_CLI_CONFIG_FILE`) that installs providers from a local filesystem
mirror, so `tofu init` needs no network. `scripts/test.sh` exports `SPECQL_TOFU` and
`TF_CLI_CONFIG_FILE`; run by hand, the helpers fall back to the cache paths the script
writes. A missing binary skips with the reason locally and fails in CI.

The eject is never edited: the tests only add `moto_override.tf` beside the root
module (OpenTofu merges `*_override.tf` into the blocks of the same name), which points
every provider block at the emulator with fake credentials.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

CACHE = Path(os.environ.get("SPECQL_CACHE", Path.home() / ".cache" / "specql-deploy"))
TOFU_VERSION = "1.12.6"
COMMAND_TIMEOUT = 1800
"""Seconds: an apply of the largest eject against the emulator on a busy 2-core runner."""

PROVIDER_ENDPOINTS = (
    "acm",
    "amp",
    "appautoscaling",
    "cloudfront",
    "cloudwatch",
    "ec2",
    "ecr",
    "ecs",
    "eks",
    "elasticache",
    "elbv2",
    "iam",
    "kms",
    "logs",
    "rds",
    "route53",
    "s3",
    "secretsmanager",
    "shield",
    "sns",
    "sts",
    "wafv2",
)
"""Every service of scripts/aws-provider-services.txt that has an endpoint setting."""

FAKE_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}


def _in_ci() -> bool:
    return bool(os.environ.get("CI"))


def tofu_binary() -> str:
    """The built `tofu`; skips (locally) or fails (CI) with the command that builds it."""
    candidates = [os.environ.get("SPECQL_TOFU"), str(CACHE / f"opentofu-{TOFU_VERSION}" / "bin" / "tofu")]
    for candidate in candidates:
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    message = "OpenTofu is not built (run scripts/install-opentofu.sh)"
    if _in_ci():
        pytest.fail(message + "; CI must run the OpenTofu tier", pytrace=False)
    pytest.skip(message)


def cli_config() -> str:
    # not TF_CLI_CONFIG_FILE: a machine may point that at a configuration of its own
    path = os.environ.get("SPECQL_TOFU_CLI_CONFIG") or str(CACHE / "opentofu.tofurc")
    if not Path(path).is_file():
        message = f"no OpenTofu CLI configuration at {path} (run scripts/install-opentofu.sh)"
        if _in_ci():
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    return path


def provider_version() -> str:
    """The AWS provider version in the mirror (what `versions.tf` must accept)."""
    mirror = CACHE / "opentofu-mirror" / "registry.opentofu.org" / "hashicorp" / "aws"
    versions = sorted(path.name for path in mirror.iterdir()) if mirror.is_dir() else []
    if not versions:
        pytest.fail("the provider mirror is empty (run scripts/install-opentofu.sh)", pytrace=False)
    return versions[-1]


def override_text(endpoint: str, aliases: list[str | None]) -> str:
    """`moto_override.tf`: every provider block (by alias) talks to the emulator only."""
    blocks = []
    for alias in aliases:
        lines = ['provider "aws" {']
        if alias:
            lines.append(f'  alias                       = "{alias}"')
        lines += [
            '  access_key                  = "testing"',
            '  secret_key                  = "testing"',
            "  skip_credentials_validation = true",
            "  skip_requesting_account_id  = true",
            "  skip_metadata_api_check     = true",
            "  s3_use_path_style           = true",
            "",
            "  endpoints {",
            *(f'    {service} = "{endpoint}"' for service in PROVIDER_ENDPOINTS),
            "  }",
            "}",
        ]
        blocks.append("\n".join(lines) + "\n")
    return "# Written by the test tier: the eject's providers talk to moto_server only.\n\n" + "\n".join(blocks)


def provider_aliases(root: Path) -> list[str | None]:
    """Aliases of the `aws` provider blocks the root module declares (None: the default one)."""
    import hcl2

    aliases: list[str | None] = []
    for path in sorted(root.glob("*.tf")):
        if path.name.endswith("_override.tf"):
            continue
        document = hcl2.loads(path.read_text(encoding="utf-8"))
        for entry in document.get("provider", []):
            for name, body in entry.items():
                if name.strip('"') == "aws":
                    alias = body.get("alias")
                    aliases.append(alias.strip('"') if isinstance(alias, str) else None)
    return aliases


@dataclass
class Run:
    """One tofu command's result."""

    args: list[str]
    returncode: int
    stdout: str
    stderr: str

    def explain(self) -> str:
        return f"$ tofu {' '.join(self.args)}\n(exit {self.returncode})\n{self.stdout[-6000:]}\n{self.stderr[-6000:]}"


@dataclass
class Workspace:
    """An ejected root module wired to one moto server."""

    root: Path
    endpoint: str
    region: str = "us-east-1"
    env: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.binary = tofu_binary()
        self.env = {
            **{key: value for key, value in os.environ.items() if not key.startswith(("AWS_", "TF_"))},
            **FAKE_CREDENTIALS,
            "AWS_REGION": self.region,
            "AWS_DEFAULT_REGION": self.region,
            "TF_CLI_CONFIG_FILE": cli_config(),
            "TF_IN_AUTOMATION": "1",
            "CHECKPOINT_DISABLE": "1",
            **self.env,
        }

    def wire(self) -> None:
        (self.root / "moto_override.tf").write_text(
            override_text(self.endpoint, provider_aliases(self.root)), encoding="utf-8"
        )
        example = self.root / "terraform.tfvars.example"
        if example.exists() and not (self.root / "terraform.tfvars").exists():
            shutil.copyfile(example, self.root / "terraform.tfvars")

    def tofu(self, *args: str, timeout: int = COMMAND_TIMEOUT) -> Run:
        """Run one command; its output also goes to `tofu.log` beside the root, as it comes."""
        log = self.root / "tofu.log"
        with log.open("ab") as sink:
            sink.write(f"\n$ tofu {' '.join(args)}\n".encode())
            sink.flush()
            start = sink.tell()
            result = subprocess.run(
                [self.binary, *args],
                cwd=self.root,
                env=self.env,
                stdout=sink,
                stderr=subprocess.PIPE,
                text=True,
                timeout=timeout,
                check=False,
            )
        stdout = log.read_bytes()[start:].decode("utf-8", errors="replace")
        if result.stderr:
            with log.open("a", encoding="utf-8") as sink:
                sink.write(result.stderr)
        return Run(list(args), result.returncode, stdout, result.stderr)

    def ok(self, *args: str) -> Run:
        run = self.tofu(*args)
        assert run.returncode == 0, run.explain()
        return run

    def init(self) -> Run:
        return self.ok("init", "-input=false", "-no-color")

    def validate(self) -> dict[str, Any]:
        run = self.tofu("validate", "-json", "-no-color")
        return json.loads(run.stdout)

    def plan(self, *extra: str) -> Run:
        return self.tofu("plan", "-input=false", "-no-color", "-lock=false", *extra)

    def show_plan(self, plan_file: str) -> dict[str, Any]:
        result = subprocess.run(
            [self.binary, "show", "-json", "-no-color", plan_file],
            cwd=self.root,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=COMMAND_TIMEOUT,
            check=False,
        )
        assert result.returncode == 0, result.stderr[-3000:]
        return json.loads(result.stdout)

    def state_addresses(self) -> list[str]:
        run = self.tofu("state", "list", "-no-color")
        return [line for line in run.stdout.splitlines() if line.strip()] if run.returncode == 0 else []


def diagnostics(validation: dict[str, Any]) -> list[str]:
    """Every error and warning of `tofu validate -json`, one line each."""
    found = []
    for item in validation.get("diagnostics", []):
        where = item.get("range", {})
        place = f"{where.get('filename', '?')}:{where.get('start', {}).get('line', '?')}" if where else ""
        found.append(f"{item.get('severity')}: {place} {item.get('summary')}: {item.get('detail', '')}".strip())
    return found


def planned_changes(plan: dict[str, Any]) -> dict[str, list[str]]:
    """Action → addresses of a `tofu show -json` plan (no-op and read left out)."""
    changes: dict[str, list[str]] = {}
    for change in plan.get("resource_changes", []):
        actions = change["change"]["actions"]
        if actions in (["no-op"], ["read"]):
            continue
        changes.setdefault("-".join(actions), []).append(change["address"])
    return changes


def changed_attributes(plan: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(address, type, top-level attribute) of every attribute a `tofu show -json` plan changes.

    A replaced resource counts as a change of each attribute that forces the replacement
    (`replace_paths`); one created, deleted or replaced for no named attribute, of `*`.
    """
    found = []
    for change in plan.get("resource_changes", []):
        actions = change["change"]["actions"]
        if actions in (["no-op"], ["read"]):
            continue
        causes = sorted({str(path[0]) for path in change["change"].get("replace_paths") or [] if path})
        if set(actions) == {"delete", "create"} and causes:
            found.extend((change["address"], change["type"], cause) for cause in causes)
            continue
        if actions != ["update"]:
            found.append((change["address"], change["type"], "*"))
            continue
        before, after = change["change"].get("before") or {}, change["change"].get("after") or {}
        unknown = change["change"].get("after_unknown") or {}
        for key in sorted(set(before) | set(after)):
            if before.get(key) != after.get(key) or unknown.get(key):
                found.append((change["address"], change["type"], key))
    return found


def prepare_account(endpoint: str, resolved: Any) -> None:
    """What the manifest says already exists in the account: the Route 53 zone it names."""
    import boto3

    zone = resolved.deployment.dns_zone
    if zone:
        route53 = boto3.client(
            "route53",
            region_name="us-east-1",
            endpoint_url=endpoint,
            aws_access_key_id=FAKE_CREDENTIALS["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=FAKE_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        )
        route53.create_hosted_zone(Name=zone, CallerReference=f"specql-test-{zone}")


def pulumi_cli() -> None:
    """The Pulumi CLI the adoption journey imports its state with; skips (locally) or fails (CI)."""
    from specql_deploy.automation.engine import find_cli

    if find_cli() is None:
        message = "the Pulumi CLI is not built (run scripts/install-pulumi-cli.sh)"
        if _in_ci():
            pytest.fail(message + "; CI must run the adoption journey", pytrace=False)
        pytest.skip(message)


def import_stack(manifest_path: Path, resolved: Any, deployment: dict[str, Any]) -> None:
    """`pulumi stack import` of a checkpoint into the manifest's local backend (`.specql/state`),
    through the Automation API, as the stack `specql deploy up` would have created."""
    from pulumi.automation import Deployment

    from specql_deploy.automation.deployer import Deployer
    from specql_deploy.automation.engine import locate_cli
    from specql_deploy.automation.stacks import locate

    location = locate(resolved.deployment.name, resolved.deployment.environment, manifest_path)
    deployer = Deployer.at(location, None, cli=locate_cli())
    stack = deployer._stack(create=True)
    # The stack's own secrets provider (its passphrase salt) encrypts the plain secrets on import.
    current = deployer._call("export the state", stack.export_stack).deployment
    checkpoint = {**deployment, "secrets_providers": current.get("secrets_providers")}
    deployer._call("import the state", lambda: stack.import_stack(Deployment(version=3, deployment=checkpoint)))


def show_state(workspace: Workspace) -> dict[str, Any]:
    """`tofu show -json` of the workspace's state."""
    result = subprocess.run(
        [workspace.binary, "show", "-json", "-no-color"],
        cwd=workspace.root,
        env=workspace.env,
        capture_output=True,
        text=True,
        timeout=COMMAND_TIMEOUT,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout)


def secret_value(endpoint: str, region: str, secret_id: str, version_id: str) -> str:
    """A Secrets Manager value, read back from the emulator (what the stack's password is)."""
    import boto3

    client = boto3.client(
        "secretsmanager",
        region_name=region,
        endpoint_url=endpoint,
        aws_access_key_id=FAKE_CREDENTIALS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=FAKE_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
    )
    return client.get_secret_value(SecretId=secret_id, VersionId=version_id)["SecretString"]


def imports_planned(plan: dict[str, Any]) -> set[str]:
    """Addresses a `tofu show -json` plan imports."""
    return {change["address"] for change in plan.get("resource_changes", []) if change["change"].get("importing")}
