"""The ejected README's steps and `deploy.sh`, run exactly as written against moto_server.

A user reads the README, copies its shell blocks into a terminal and runs `./deploy.sh`.
This test does the same in the eject's folder, with nothing but an environment: OpenTofu
on PATH, fake credentials, the CLI configuration of the local provider mirror,
`moto_override.tf` beside the root (the endpoints of the emulator; OpenTofu merges
`*_override.tf` into the provider blocks) and `TF_CLI_ARGS_plan`/`TF_CLI_ARGS_destroy`
holding the `-exclude` of each resource moto cannot create (MOTO_GAPS). Not a line of the
README or of the script is changed.

The one block left out is the image build and push: it needs a Docker engine, which this
machine does not have. The test asserts it is the only one.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pytest

from specql_deploy.automation.emulate import MotoServer

from . import tofu_real as real
from .test_tofu_real import eject, excluded
from support import resolve_example

pytestmark = [pytest.mark.tofu, pytest.mark.filterwarnings("ignore::DeprecationWarning")]

EXAMPLE, ENVIRONMENT = "small-saas", "dev"
NEEDS_DOCKER = re.compile(r"^\s*docker\s", re.MULTILINE)
"""A block that drives a Docker engine (none here): the image build and push."""


def shell_blocks(readme: str) -> list[str]:
    """The fenced `sh` blocks of a Markdown document, in order."""
    return re.findall(r"^```sh\n(.*?)^```$", readme, re.MULTILINE | re.DOTALL)


class Terminal:
    """Runs what a user types in the eject's folder; every command's output goes to one log."""

    def __init__(self, root: Path, env: dict[str, str]):
        self.root, self.env = root, env
        self.log = root / "verbatim.log"

    def run(self, script: str, *, answer: str | None = None) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            ["bash", "-euo", "pipefail", "-c", script],
            cwd=self.root,
            env=self.env,
            input=answer,
            stdin=None if answer is not None else subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=real.COMMAND_TIMEOUT,
            check=False,
        )
        with self.log.open("a", encoding="utf-8") as sink:
            sink.write(f"\n$ {script}\n(exit {done.returncode})\n{done.stdout}\n{done.stderr}")
        return done

    def ok(self, script: str, *, answer: str | None = None) -> subprocess.CompletedProcess[str]:
        done = self.run(script, answer=answer)
        assert done.returncode == 0, (
            f"$ {script}\n(exit {done.returncode})\n{done.stdout[-6000:]}\n{done.stderr[-6000:]}"
        )
        return done


def _environment(workspace: real.Workspace, tmp_path: Path) -> dict[str, str]:
    """What the test provides: `tofu` on PATH, the mirror's CLI configuration, the emulator's gaps."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "tofu").symlink_to(workspace.binary)
    gaps = " ".join(excluded(workspace))
    return {
        **workspace.env,
        "PATH": f"{bin_dir}:{os.environ.get('PATH', '/usr/bin:/bin')}",
        "TF_CLI_ARGS_plan": gaps,
        "TF_CLI_ARGS_destroy": gaps,
    }


def _task_images(terminal: Terminal) -> list[str]:
    state = json.loads(terminal.ok("tofu show -json -no-color").stdout)
    images = []
    modules = [state["values"]["root_module"]]
    while modules:
        module = modules.pop()
        modules.extend(module.get("child_modules", []))
        for resource in module.get("resources", []):
            if resource["type"] == "aws_ecs_task_definition":
                images += [item["image"] for item in json.loads(resource["values"]["container_definitions"])]
    return images


def test_the_readme_steps_and_deploy_sh_run_as_written(tmp_path):
    with MotoServer() as moto:
        # GIVEN the eject of small-saas in its own repository, and an account holding what the manifest names
        resolved = resolve_example(EXAMPLE, ENVIRONMENT)
        real.prepare_account(moto.endpoint, resolved)
        root = eject(EXAMPLE, ENVIRONMENT, tmp_path / "eject")
        workspace = real.Workspace(root, moto.endpoint)
        terminal = Terminal(root, _environment(workspace, tmp_path))
        git = "git -c user.name=test -c user.email=test@example.com"
        terminal.ok(f"git init --quiet ../.. && {git} -C ../.. add --all && {git} -C ../.. commit --quiet -m eject")
        commit = terminal.ok("git rev-parse HEAD").stdout.strip()
        (root / "moto_override.tf").write_text(
            real.override_text(moto.endpoint, real.provider_aliases(root)), encoding="utf-8"
        )

        blocks = shell_blocks((root / "README.md").read_text(encoding="utf-8"))
        # THEN the README has the steps, the image push, and the release; only the push needs Docker
        assert len(blocks) == 3, blocks
        steps, push, release = blocks
        assert [bool(NEEDS_DOCKER.search(block)) for block in blocks] == [False, True, False], blocks
        assert "tofu apply" in steps and "docker push" in push and "./deploy.sh" in release

        # WHEN the README's steps run as written
        terminal.ok(steps)
        # THEN the stack exists, running the manifest's tag
        assert terminal.ok("tofu state list").stdout.strip()
        assert [image.rsplit(":", 1)[1] for image in _task_images(terminal)] == [resolved.deployment.version]

        # WHEN deploy.sh runs as written, then the README's release
        terminal.ok("./deploy.sh")
        terminal.ok(release)
        # THEN the service runs the commit's image
        images = _task_images(terminal)
        assert [image.rsplit(":", 1)[1] for image in images] == [commit], images

        # WHEN `./deploy.sh destroy` runs, the stack's name typed at its prompt
        refused = terminal.run("./deploy.sh destroy", answer="no\n")
        assert refused.returncode == 1 and "nothing was destroyed" in refused.stderr
        terminal.ok("./deploy.sh destroy", answer=f"{resolved.stack_prefix}\n")
        # THEN nothing is left
        assert terminal.ok("tofu state list").stdout.strip() == ""
