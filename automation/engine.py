"""Finding the Pulumi CLI and checking it is new enough, before any engine operation.

The Automation API drives the `pulumi` binary; when it is missing or too old the SDK
fails with a bare `FileNotFoundError` or a version traceback. Here both become one
sentence that says what to install and how. The CLI is looked up on PATH, then in the
cache `scripts/install-pulumi-cli.sh` builds into; that directory also holds the
`pulumi-resource-pulumi-python` shim dynamic providers need, so it is put on PATH.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from functools import cache
from importlib import metadata
from pathlib import Path

from .errors import DeployError

VERSION_TIMEOUT_SECONDS = 30


def sdk_version() -> str:
    """The installed `pulumi` Python SDK version; the CLI built for it has the same number."""
    return metadata.version("pulumi")


def minimum_cli_version() -> str:
    """The oldest CLI the installed Automation API accepts."""
    from pulumi.automation._minimum_version import _MINIMUM_VERSION

    return str(_MINIMUM_VERSION)


def install_hint(version: str) -> str:
    return (
        f"install it with `curl -fsSL https://get.pulumi.com | sh -s -- --version {version}` "
        f"(or `brew install pulumi/tap/pulumi`), or build it offline with "
        f"`scripts/install-pulumi-cli.sh`, then put it on PATH"
    )


def cache_bin_dir() -> Path:
    """Where scripts/install-pulumi-cli.sh builds the CLI for the installed SDK."""
    root = Path(os.environ.get("SPECQL_CACHE") or Path.home() / ".cache" / "specql-deploy")
    return root / f"pulumi-{sdk_version()}" / "bin"


def find_cli() -> Path | None:
    """The `pulumi` binary: PATH first, then the project's build cache."""
    found = shutil.which("pulumi")
    if found:
        return Path(found).resolve()
    cached = cache_bin_dir() / "pulumi"
    return cached if cached.is_file() and os.access(cached, os.X_OK) else None


def _parse_version(text: str):
    from semver import VersionInfo

    try:
        return VersionInfo.parse(text.strip().lstrip("v"))
    except ValueError:
        return None


@dataclass(frozen=True)
class PulumiCli:
    path: Path
    version: str

    @property
    def bin_dir(self) -> Path:
        return self.path.parent

    def command(self):
        """A PulumiCommand for this binary; never downloads (no `PulumiCommand.install`)."""
        from pulumi.automation import PulumiCommand

        if self.bin_dir.name == "bin":
            return PulumiCommand(root=str(self.bin_dir.parent), skip_version_check=True)
        return PulumiCommand(skip_version_check=True)


def check_cli(path: Path | None) -> PulumiCli:
    """Validate a CLI path and version, or raise DeployError saying how to install one."""
    wanted = sdk_version()
    if path is None:
        raise DeployError(f"the Pulumi CLI (`pulumi`) was not found on PATH; {install_hint(wanted)}")
    environment = {**os.environ, "PULUMI_SKIP_UPDATE_CHECK": "true"}
    try:
        completed = subprocess.run(
            [str(path), "version"],
            capture_output=True,
            text=True,
            timeout=VERSION_TIMEOUT_SECONDS,
            env=environment,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise DeployError(f"the Pulumi CLI at {path} does not run ({error}); {install_hint(wanted)}") from None
    version = _parse_version(completed.stdout)
    minimum = _parse_version(minimum_cli_version())
    if completed.returncode != 0 or version is None:
        raise DeployError(f"the Pulumi CLI at {path} did not report a version; {install_hint(wanted)}")
    if version.major != minimum.major or version.compare(minimum) < 0:
        raise DeployError(
            f"the Pulumi CLI at {path} is version {version}, but this tool's Pulumi SDK "
            f"needs {minimum.major}.x at least {minimum} (built for {wanted}); "
            f"{install_hint(wanted)}"
        )
    return PulumiCli(path=path, version=str(version))


@cache
def _located(_path: str, _cache: str) -> PulumiCli:
    """Checked once per PATH and cache folder (each check runs `pulumi version`)."""
    return check_cli(find_cli())


def locate_cli() -> PulumiCli:
    """The checked CLI, with its directory on PATH (for plugins and the dynamic-provider shim)."""
    cli = _located(os.environ.get("PATH", ""), os.environ.get("SPECQL_CACHE", ""))
    entries = os.environ.get("PATH", "").split(os.pathsep)
    if str(cli.bin_dir) not in entries:
        os.environ["PATH"] = os.pathsep.join([str(cli.bin_dir), *[e for e in entries if e]])
    return cli
