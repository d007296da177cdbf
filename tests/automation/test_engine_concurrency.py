# ruff: noqa: F811 - fixtures imported from engine_fixtures are redefined as arguments
"""Two updates at once, and an update interrupted by Ctrl+C, on the real engine."""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path

import pytest

from engine_fixtures import pulumi_bin_dir, sandbox  # noqa: F401 - pytest fixtures

pytestmark = pytest.mark.engine

WAIT_SECONDS = 90


def wait_for(predicate, timeout: float = WAIT_SECONDS, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def slow_files(root: Path, delay: float) -> list[dict]:
    """`first` is written at once; `slow` takes `delay` seconds; `after` waits for `slow`."""
    return [
        {"name": "first", "path": str(root / "first.txt"), "content": "1"},
        {"name": "slow", "path": str(root / "slow.txt"), "content": "2", "delay": delay},
        {"name": "after", "path": str(root / "after.txt"), "content": "3", "after": ["slow"]},
    ]


def resource_names(deployer) -> set[str]:
    return {
        r["urn"].rsplit("::", 1)[-1]
        for r in deployer.export_state().get("resources") or []
        if r["type"].startswith("pulumi-python:dynamic")
    }


def test_second_concurrent_up_fails_with_the_locked_message_and_state_survives(sandbox):
    # GIVEN an up holding the stack (a resource takes seconds to create)
    out = sandbox.root / "concurrent"
    out.mkdir()
    spec = sandbox.write_spec(slow_files(out, delay=4), "concurrent", stack="locked")
    first = sandbox.run_driver("up", spec)
    try:
        wait_for(lambda: (out / "first.txt").exists() or first.poll() is not None, what="the first up to start")
        assert first.poll() is None, first.communicate()
        # WHEN a second up starts on the same stack
        second = sandbox.run_driver("up", spec)
        _, second_err = second.communicate(timeout=WAIT_SECONDS)
        # THEN it fails at once with the clear message and exit code 1
        assert second.returncode == 1, second_err
        assert "error: the stack locked is locked by another update" in second_err
        assert "release the lock with: cancel" in second_err  # the driver's cancel hint
        assert "Traceback" not in second_err
        assert first.poll() is None, "the second up must not have waited for the first"
    finally:
        first_out, first_err = first.communicate(timeout=WAIT_SECONDS)
    # AND the first completes, leaving every resource in the state
    assert first.returncode == 0, first_err
    assert json.loads(first_out)["summary"]["create"] == 3
    deployer = sandbox.deployer(slow_files(out, delay=4), stack="locked")
    assert resource_names(deployer) == {"first", "slow", "after"}
    assert deployer.preview().has_changes is False


def test_up_interrupted_by_sigint_is_completed_by_the_next_up(sandbox):
    # GIVEN an up interrupted (Ctrl+C to its process group) while a resource is being created
    out = sandbox.root / "interrupted"
    out.mkdir()
    spec = sandbox.write_spec(slow_files(out, delay=3), "interrupted", stack="interrupted")
    process = sandbox.run_driver("up", spec)
    wait_for(lambda: (out / "first.txt").exists() or process.poll() is not None, what="the up to start")
    assert process.poll() is None, process.communicate()
    os.killpg(process.pid, signal.SIGINT)
    _, err = process.communicate(timeout=WAIT_SECONDS)
    # THEN the interrupted run stops before `after` with a clear message, not a traceback
    assert process.returncode == 1, err
    assert "Traceback" not in err
    assert "was interrupted before it finished" in err
    assert not (out / "after.txt").exists()

    # WHEN the next up runs (releasing a left-over lock first if there is one)
    files = slow_files(out, delay=0)
    deployer = sandbox.deployer(files, stack="interrupted")
    from specql_deploy.automation.errors import DeployError

    try:
        deployer.up()
    except DeployError as error:
        assert "is locked by another update" in error.message
        deployer.cancel()
        deployer.up()
    # THEN nothing is lost: every resource exists and is recorded, and nothing is pending
    assert {p.name for p in out.iterdir()} == {"first.txt", "slow.txt", "after.txt"}
    assert resource_names(deployer) == {"first", "slow", "after"}
    assert not deployer.export_state().get("pending_operations")
    assert deployer.preview().has_changes is False


def test_up_killed_outright_leaves_a_lock_that_cancel_releases(sandbox):
    # GIVEN an up whose processes are all killed (no chance to clean up) mid-update
    out = sandbox.root / "killed"
    out.mkdir()
    spec = sandbox.write_spec(slow_files(out, delay=3), "killed", stack="killed")
    process = sandbox.run_driver("up", spec)
    wait_for(lambda: (out / "first.txt").exists() or process.poll() is not None, what="the up to start")
    # Kill only once the engine has checkpointed `first` and is waiting on the slow resource:
    # a kill in the middle of the checkpoint write would test the file system, not the lock.
    wait_for(
        lambda: _checkpoint_names(sandbox, "killed") >= {"first"} or process.poll() is not None,
        what="the checkpoint with the first resource",
    )
    assert process.poll() is None, process.communicate()
    os.killpg(process.pid, signal.SIGKILL)
    process.communicate(timeout=WAIT_SECONDS)
    from specql_deploy.automation.errors import DeployError

    deployer = sandbox.deployer(slow_files(out, delay=0), stack="killed")
    # WHEN the next up runs THEN it reports the lock and says how to release it
    with pytest.raises(DeployError) as locked:
        deployer.up()
    assert locked.value.code == 1
    assert "the stack killed is locked by another update" in locked.value.message
    assert "release the lock with: specql deploy cancel --stack killed" in locked.value.message
    # AND after cancel the next up completes with nothing lost
    deployer.cancel()
    deployer.up()
    assert {p.name for p in out.iterdir()} == {"first.txt", "slow.txt", "after.txt"}
    assert resource_names(deployer) == {"first", "slow", "after"}
    assert deployer.preview().has_changes is False


def _checkpoint_names(sandbox, stack: str) -> set[str]:
    """Names of the resources in a stack's checkpoint file, once it is complete JSON."""
    import json

    for path in sandbox.state_dir.rglob(f"{stack}.json"):
        try:
            checkpoint = json.loads(path.read_text())
        except (OSError, ValueError):
            return set()
        resources = (checkpoint.get("checkpoint", {}).get("latest") or {}).get("resources") or []
        return {resource["urn"].rsplit("::", 1)[-1] for resource in resources}
    return set()
