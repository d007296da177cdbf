"""One stack, driven through the Pulumi Automation API: preview, up, destroy, refresh,
outputs, cancel.

The program is a parameter: the CLI passes `make_program(resolved)`, the engine tests
a program of dynamic resources, so the same code path is proven on the real engine.
Every engine call goes through `_call`, which runs it on a worker thread (a Ctrl+C
then waits for the engine to stop cleanly instead of abandoning it mid-write) and
turns any failure into one `DeployError` through `errors.explain`.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from ..program.building_blocks import DELETION_PROTECTION_INPUTS
from .engine import PulumiCli, locate_cli
from .errors import EXIT_USAGE, DeployError, explain, locked_message
from .events import EventLog
from .plugins import Plugin, ensure_plugins
from .releases import Release, releases_from_history
from .stacks import StackLocation
from .summary import PreviewSummary, mask_outputs

T = TypeVar("T")
Listener = Callable[[EventLog, Any], None]


@dataclass(frozen=True)
class Secret:
    """A config value stored encrypted in the stack settings (never in plain text)."""

    value: str


class Deployer:
    """Operations on one stack of one project, for one inline program."""

    def __init__(
        self,
        project: str,
        stack: str,
        program: Callable[[], None] | None,
        work_dir: Path,
        backend_url: str,
        secrets_provider: str | None = "passphrase",
        config: Mapping[str, Any] | None = None,
        *,
        unset_config: tuple[str, ...] = (),
        env_vars: Mapping[str, str] | None = None,
        pulumi_home: Path | None = None,
        plugins: tuple[Plugin, ...] = (),
        cancel_hint: str | None = None,
        cli: PulumiCli | None = None,
    ) -> None:
        self.project = project
        self.stack_name = stack
        self.program = program
        self.work_dir = Path(work_dir)
        self.backend_url = backend_url
        self.secrets_provider = secrets_provider
        self.config = dict(config or {})
        self.unset_config = unset_config
        """Config keys removed from the stack before `config` is set (a missing one is no error)."""
        self.env_vars = {"PULUMI_SKIP_UPDATE_CHECK": "true", **(env_vars or {})}
        self.pulumi_home = pulumi_home
        self.plugins = plugins
        self.cancel_hint = cancel_hint or f"specql deploy cancel <manifest> --env {stack}"
        self._cli = cli
        self._workspace = None

    @classmethod
    def at(cls, location: StackLocation, program: Callable[[], None] | None, **kwargs: Any) -> Deployer:
        return cls(
            location.project,
            location.stack,
            program,
            location.work_dir,
            location.backend_url,
            location.secrets_provider,
            env_vars={**location.env_vars, **kwargs.pop("env_vars", {})},
            **kwargs,
        )

    # ------------------------------------------------------------------ workspace

    @property
    def cli(self) -> PulumiCli:
        if self._cli is None:
            self._cli = locate_cli()
        return self._cli

    def workspace(self):
        if self._workspace is None:
            from pulumi.automation import (
                LocalWorkspace,
                ProjectBackend,
                ProjectSettings,
            )

            self.work_dir.mkdir(parents=True, exist_ok=True)
            if self.pulumi_home is not None:
                Path(self.pulumi_home).mkdir(parents=True, exist_ok=True)
            settings = ProjectSettings(name=self.project, runtime="python", backend=ProjectBackend(self.backend_url))
            command = self.cli.command()
            self._workspace = self._call(
                "open the workspace",
                lambda: LocalWorkspace(
                    work_dir=str(self.work_dir),
                    pulumi_home=str(self.pulumi_home) if self.pulumi_home else None,
                    program=self.program,
                    env_vars=self.env_vars,
                    secrets_provider=self.secrets_provider,
                    project_settings=settings,
                    pulumi_command=command,
                ),
            )
        return self._workspace

    def _stack(self, *, create: bool):
        from pulumi.automation import ConfigValue, Stack

        workspace = self.workspace()
        if not create:
            return self._call("select the stack", lambda: Stack.select(self.stack_name, workspace))
        stack = self._call("select the stack", lambda: Stack.create_or_select(self.stack_name, workspace))
        if self.unset_config:
            keys = list(self.unset_config)
            self._call("clear the stack config", lambda: stack.remove_all_config(keys, path=True))
        if self.config:
            values = {
                key: ConfigValue(value.value, secret=True)
                if isinstance(value, Secret)
                else ConfigValue(value if isinstance(value, str) else _config_text(value))
                for key, value in self.config.items()
            }
            self._call("set the stack config", lambda: stack.set_all_config(values, path=True))
        return stack

    def _prepare(self):
        """Plugins first (a stack is not created for a program that cannot run), then the stack."""
        if self.plugins:
            ensure_plugins(self.workspace(), str(self.cli.path), self.plugins)
        return self._stack(create=True)

    # ---------------------------------------------------------------- engine calls

    def _call(self, what: str, action: Callable[[], T], log: EventLog | None = None) -> T:
        """Run one engine call; a first Ctrl+C waits for the engine to stop cleanly."""
        box: dict[str, Any] = {}
        done = threading.Event()  # not Thread.join: an interrupted join can misreport is_alive()

        def target() -> None:
            try:
                box["value"] = action()
            except BaseException as error:  # noqa: BLE001 - re-raised on the caller's thread
                box["error"] = error
            finally:
                done.set()

        threading.Thread(target=target, name=f"pulumi-{what}", daemon=True).start()
        interrupted = False
        while not done.is_set():
            try:
                done.wait(0.2)
            except KeyboardInterrupt:
                if interrupted:
                    raise DeployError(
                        f"interrupted twice: stopped waiting for the engine to {what}; if "
                        f"the stack stays locked, run: {self.cancel_hint}"
                    ) from None
                interrupted = True
                print(
                    "interrupted: waiting for the engine to stop cleanly (Ctrl+C again to stop waiting)",
                    file=sys.stderr,
                    flush=True,
                )
        if "error" in box:
            error = box["error"]
            mapped = explain(
                error, stack=self.stack_name, cancel_hint=self.cancel_hint, diagnostics=log.errors if log else ()
            )
            if interrupted:
                raise DeployError(
                    f"the {what} was interrupted before it finished ({mapped.message}); "
                    "run the command again to complete it (if it reports a lock, "
                    f"release it first with: {self.cancel_hint})"
                ) from None
            raise mapped from None
        if interrupted:
            print(
                f"the engine had already finished the {what}; nothing was left half done", file=sys.stderr, flush=True
            )
        return box["value"]

    def _summary(self, operation: str, log: EventLog, started: float, outputs=None) -> PreviewSummary:
        return PreviewSummary(
            project=self.project,
            stack=self.stack_name,
            changes=log.resource_changes(),
            unchanged=log.unchanged_count(),
            operation=operation,
            outputs=mask_outputs(outputs or {}),
            duration_seconds=time.monotonic() - started,
            warnings=log.warning_lines(),
        )

    # ------------------------------------------------------------------ operations

    def preview(self, listener: Listener | None = None) -> PreviewSummary:
        stack = self._prepare()
        log, started = EventLog(listener), time.monotonic()
        self._call("preview", lambda: stack.preview(on_event=log), log)
        return self._summary("preview", log, started)

    def up(self, listener: Listener | None = None) -> PreviewSummary:
        stack = self._prepare()
        log, started = EventLog(listener), time.monotonic()
        result = self._call("update", lambda: stack.up(on_event=log, show_secrets=False), log)
        return self._summary("up", log, started, result.outputs)

    def refresh(self, listener: Listener | None = None) -> PreviewSummary:
        stack = self._stack(create=False)
        if self.plugins:
            ensure_plugins(self.workspace(), str(self.cli.path), self.plugins)
        log, started = EventLog(listener), time.monotonic()
        self._call("refresh", lambda: stack.refresh(on_event=log, show_secrets=False), log)
        return self._summary("refresh", log, started)

    def destroy(
        self, listener: Listener | None = None, *, unprotected: Callable[[], None] | None = None
    ) -> PreviewSummary:
        """Delete every resource of the stack.

        With `unprotected` (the same program with deletion protection off), resources
        whose deletion protection is on are first updated by a targeted `up` of that
        program, so the cloud lets the destroy through; nothing else is touched by it.
        """
        stack = self._stack(create=False)
        if self.plugins:
            ensure_plugins(self.workspace(), str(self.cli.path), self.plugins)
        if unprotected is not None:
            state = self._call("export the state", stack.export_stack).deployment
            targets = deletion_protected(state)
            if targets:
                lift = EventLog(listener)
                self._call(
                    "lift deletion protection",
                    lambda: stack.up(program=unprotected, target=targets, on_event=lift, show_secrets=False),
                    lift,
                )
        log, started = EventLog(listener), time.monotonic()
        self._call("destroy", lambda: stack.destroy(on_event=log, show_secrets=False), log)
        return self._summary("destroy", log, started)

    def outputs(self) -> dict[str, Any]:
        """Stack outputs with secret values masked."""
        stack = self._stack(create=False)
        return mask_outputs(self._call("read the outputs", stack.outputs))

    def releases(self) -> list[Release]:
        """The releases the stack ran, newest first, from its update history (read-only)."""
        stack = self._stack(create=False)
        history = self._call("read the stack history", lambda: stack.history(show_secrets=False))
        return releases_from_history(history)

    def cancel(self) -> None:
        """Release the lock an interrupted update left (on Pulumi Cloud: stop the update)."""
        stack = self._stack(create=False)
        self._call("cancel", stack.cancel)

    def stacks(self) -> list[Any]:
        """StackSummary of every stack of this project in the backend."""
        workspace = self.workspace()
        return self._call("list the stacks", workspace.list_stacks)

    def export_state(self) -> dict[str, Any]:
        """The stack's checkpoint (secrets stay encrypted)."""
        stack = self._stack(create=False)
        return self._call("export the state", stack.export_stack).deployment

    def _local_lock_held(self) -> bool:
        """A file backend's lock: the CLI's stack list does not report it as an update in progress."""
        if not self.backend_url.startswith("file://"):
            return False
        from urllib.parse import unquote, urlsplit

        root = Path(unquote(urlsplit(self.backend_url).path))
        locks = root.joinpath(*DIY_LOCKS, self.project, self.stack_name)
        return locks.is_dir() and any(locks.glob("*.json"))

    def adoption_state(self) -> dict[str, Any]:
        """The checkpoint `eject --from-stack` adopts; refused (exit 2) while an update holds the lock.

        An update in progress would change the stack under the eject; a lock an
        interrupted update left means what the cloud holds is unknown.
        """
        stack = self._stack(create=False)
        summaries = self._call("list the stacks", self.workspace().list_stacks)
        busy = any(item.update_in_progress and item.name.rsplit("/", 1)[-1] == self.stack_name for item in summaries)
        if busy or self._local_lock_held():
            raise DeployError(locked_message(self.stack_name, self.cancel_hint) + "; then eject again", code=EXIT_USAGE)
        return self._call("export the state", stack.export_stack).deployment


DIY_LOCKS = (".pulumi", "locks", "organization")
"""Where a self-managed backend keeps a stack's update locks (`<project>/<stack>/<id>.json` below)."""


def deletion_protected(state: Mapping[str, Any] | None) -> list[str]:
    """URNs of the resources in a checkpoint whose deletion protection is on."""
    resources = (state or {}).get("resources") or []
    return sorted(
        resource["urn"]
        for resource in resources
        if any((resource.get("inputs") or {}).get(key) is True for key in DELETION_PROTECTION_INPUTS)
    )


def _config_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
