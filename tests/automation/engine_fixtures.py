"""Engine fixtures: the real Pulumi CLI, an isolated PULUMI_HOME and a local state folder.

Engine test modules import these fixtures by name (`from engine_fixtures import ...`).
They are not in a tests/automation/conftest.py because a second module named
`conftest` would shadow tests/conftest.py for the suites that `from conftest import`.

Engine tests need the CLI built by `scripts/install-pulumi-cli.sh` (or any `pulumi` on
PATH). Without it they skip with the reason shown, except in CI (`CI` set), where a
missing CLI fails them: CI must never go green by skipping the engine.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
INSTALL_SCRIPT = ROOT / "scripts" / "install-pulumi-cli.sh"
PASSPHRASE = "engine-tests-passphrase"


def _cached_bin_dir() -> Path | None:
    """The folder install-pulumi-cli.sh builds into, asked only when already built (no download)."""
    from specql_deploy.automation.engine import cache_bin_dir

    expected = cache_bin_dir()
    if not (expected / "pulumi").is_file():
        return None
    printed = subprocess.run(
        ["bash", str(INSTALL_SCRIPT), "--print-bin-dir"],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
        env={**os.environ, "PYTHON": sys.executable},
    )
    return Path(printed.stdout.strip()) if printed.returncode == 0 and printed.stdout.strip() else expected


def _find_bin_dir() -> Path | None:
    cached = _cached_bin_dir()
    if cached is not None:
        return cached
    found = shutil.which("pulumi")
    if found and shutil.which("pulumi-resource-pulumi-python"):
        return Path(found).resolve().parent
    return None


@pytest.fixture(scope="session")
def pulumi_bin_dir() -> Iterator[Path]:
    """The CLI's folder, put first on PATH (the dynamic-provider shim lives there too)."""
    bin_dir = _find_bin_dir()
    if bin_dir is None:
        reason = (
            "the Pulumi CLI is not installed (build it with scripts/install-pulumi-cli.sh, "
            "or put `pulumi` and `pulumi-resource-pulumi-python` on PATH)"
        )
        if os.environ.get("CI"):
            pytest.fail(f"engine tests cannot run in CI: {reason}")
        pytest.skip(reason)
    previous = os.environ.get("PATH", "")
    os.environ["PATH"] = os.pathsep.join([str(bin_dir), previous])
    try:
        yield bin_dir
    finally:
        os.environ["PATH"] = previous


@dataclass
class EngineSandbox:
    """A private backend, PULUMI_HOME and work folder; builds Deployers for file programs."""

    root: Path
    backend_url: str
    env: dict[str, str] = field(default_factory=dict)

    @property
    def home(self) -> Path:
        return self.root / "pulumi-home"

    @property
    def state_dir(self) -> Path:
        return self.root / "state"

    def spec(self, files: list[dict[str, Any]], *, stack: str = "dev", project: str = "files") -> dict[str, Any]:
        return {
            "project": project,
            "stack": stack,
            "work_dir": str(self.root / "work" / project),
            "backend_url": self.backend_url,
            "env": self.env,
            "pulumi_home": str(self.home),
            "files": files,
        }

    def deployer(
        self,
        files: list[dict[str, Any]],
        *,
        stack: str = "dev",
        project: str = "files",
        config: dict[str, Any] | None = None,
    ):
        from specql_deploy.automation.deployer import Deployer

        from engine_resources import files_program

        spec = self.spec(files, stack=stack, project=project)
        return Deployer(
            project,
            stack,
            files_program(spec),
            Path(spec["work_dir"]),
            self.backend_url,
            "passphrase",
            config,
            env_vars=self.env,
            pulumi_home=self.home,
            cancel_hint=f"specql deploy cancel --stack {stack}",
        )

    def write_spec(self, files: list[dict[str, Any]], name: str, **kwargs: Any) -> Path:
        path = self.root / f"{name}.json"
        path.write_text(json.dumps(self.spec(files, **kwargs)))
        return path

    def run_driver(self, operation: str, spec_path: Path, **popen: Any) -> subprocess.Popen:
        """The driver in its own process (and session, so a signal reaches it like Ctrl+C would)."""
        return subprocess.Popen(
            [sys.executable, str(HERE / "engine_resources.py"), operation, str(spec_path)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, **self.env},
            start_new_session=True,
            preexec_fn=_interruptible,
            **popen,
        )


def _interruptible() -> None:
    """Ctrl+C reaches the driver even when this run was started in the background (`nohup`,
    `&`, some CI runners): such a start leaves SIGINT ignored, and an ignored signal stays
    ignored across exec, so Python would never raise KeyboardInterrupt."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def python_path() -> str:
    """Dynamic providers are unpickled in the shim's process: it must import engine_resources."""
    return os.pathsep.join([str(HERE), *[p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]])


def make_sandbox(root: Path, backend_url: str | None = None, **env: str) -> EngineSandbox:
    root.mkdir(parents=True, exist_ok=True)
    (root / "state").mkdir(exist_ok=True)
    return EngineSandbox(
        root=root,
        backend_url=backend_url or (root / "state").as_uri(),
        env={
            "PULUMI_CONFIG_PASSPHRASE": PASSPHRASE,
            "PYTHONPATH": python_path(),
            "PULUMI_SKIP_UPDATE_CHECK": "true",
            **env,
        },
    )


@pytest.fixture(scope="module")
def sandbox(pulumi_bin_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> EngineSandbox:
    """One private backend per test module (stacks in it are shared by the module's tests)."""
    return make_sandbox(tmp_path_factory.mktemp("engine"))


@pytest.fixture(scope="session")
def sandbox_factory(pulumi_bin_dir: Path):
    """make_sandbox(root, backend_url=None, **env) for tests that need another backend."""
    return make_sandbox


@pytest.fixture(scope="session")
def engine_python_path() -> str:
    """PYTHONPATH for processes that run the engine (so the shim finds engine_resources)."""
    return python_path()
