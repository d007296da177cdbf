"""Engine events → per-resource changes and progress.

The Automation API streams the engine's events (one `ResourcePreEvent` when a step
starts, `ResOutputsEvent` when it ends, `ResOpFailedEvent`, diagnostics, a final
summary). `EventLog` folds them into `ResourceChange`s (what happens to each resource
and which properties changed) and per-resource timings for live progress. Only
property *names* are kept, never values, so nothing secret can leak from here.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

# Engine step op → the action a reader cares about.
ACTIONS: Mapping[str, str] = {
    "create": "create",
    "update": "update",
    "replace": "replace",
    "create-replacement": "replace",
    "delete-replaced": "replace",
    "discard-replaced": "replace",
    "delete": "delete",
    "discard": "delete",
    "read": "read",
    "read-replacement": "read",
    "import": "import",
    "import-replacement": "import",
    "refresh": "refresh",
    "same": "same",
    "remove-pending-replace": "same",
}
CHANGE_ACTIONS = ("create", "update", "replace", "delete", "import")
ROOT_STACK_TYPE = "pulumi:pulumi:Stack"
# Engine bookkeeping inputs that are not the user's properties.
_INTERNAL_INPUT = ("__provider", "__defaults")


@dataclass(frozen=True)
class ResourceChange:
    """What one operation does to one resource."""

    urn: str
    type: str
    name: str
    action: str
    """create / update / replace / delete / import / read / refresh / same."""
    changed: tuple[str, ...] = ()
    """Top-level properties whose values differ (names only)."""
    replace_reasons: tuple[str, ...] = ()
    """Properties that force the replacement (replace only)."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "urn": self.urn,
            "type": self.type,
            "name": self.name,
            "action": self.action,
            "changed": list(self.changed),
            "replaceReasons": list(self.replace_reasons),
        }


def is_reported(change: ResourceChange) -> bool:
    """Not engine bookkeeping: the root stack and default providers are implied, not reviewed."""
    if change.type == ROOT_STACK_TYPE:
        return False
    return not (change.type.startswith("pulumi:providers:") and change.name.startswith("default"))


def name_of(urn: str) -> str:
    return urn.rsplit("::", 1)[-1]


def _top_level(keys) -> tuple[str, ...]:
    names: list[str] = []
    for key in keys or ():
        top = str(key).split(".", 1)[0].split("[", 1)[0]
        if top and not top.startswith(_INTERNAL_INPUT) and top not in names:
            names.append(top)
    return tuple(sorted(names))


def _input_diff(old: Mapping[str, Any] | None, new: Mapping[str, Any] | None) -> tuple[str, ...]:
    """Properties whose inputs differ, for providers that report no detailed diff."""
    old, new = dict(old or {}), dict(new or {})
    keys = set(old) | set(new)
    return _top_level(key for key in keys if old.get(key) != new.get(key))


def change_from_metadata(metadata) -> ResourceChange:
    """A ResourceChange from a StepEventMetadata."""
    op = getattr(metadata.op, "value", metadata.op)
    action = ACTIONS.get(str(op), str(op))
    changed = _top_level(metadata.detailed_diff or ()) or _top_level(metadata.diffs or ())
    if not changed and action in ("update", "replace") and metadata.old and metadata.new:
        changed = _input_diff(metadata.old.inputs, metadata.new.inputs)
    reasons = _top_level(metadata.keys or ()) if action == "replace" else ()
    if action == "replace" and not changed:
        changed = reasons
    return ResourceChange(
        urn=metadata.urn,
        type=metadata.type,
        name=name_of(metadata.urn),
        action=action,
        changed=changed,
        replace_reasons=reasons,
    )


def _merge(previous: ResourceChange | None, current: ResourceChange) -> ResourceChange:
    """Replacements arrive as several steps; keep one entry with every reason."""
    if previous is None or previous.action == "same":
        return current
    if current.action == "same":
        return previous
    action = "replace" if "replace" in (previous.action, current.action) else current.action
    return ResourceChange(
        urn=current.urn,
        type=current.type,
        name=current.name,
        action=action,
        changed=tuple(sorted(set(previous.changed) | set(current.changed))),
        replace_reasons=tuple(sorted(set(previous.replace_reasons) | set(current.replace_reasons))),
    )


@dataclass(frozen=True)
class DnsRecord:
    """A record someone must publish: `name TYPE value`."""

    name: str
    type: str
    value: str

    def __str__(self) -> str:
        return f"{self.name} {self.type} {self.value}"


CERTIFICATE_TYPE = "aws:acm/certificate:Certificate"


def validation_records(outputs: Mapping[str, Any] | None) -> tuple[DnsRecord, ...]:
    """ACM's DNS validation records from a certificate's outputs (one per domain name)."""
    records = []
    for option in (outputs or {}).get("domainValidationOptions") or ():
        if isinstance(option, Mapping) and option.get("resourceRecordName"):
            record = DnsRecord(
                str(option["resourceRecordName"]),
                str(option.get("resourceRecordType") or "CNAME"),
                str(option.get("resourceRecordValue") or ""),
            )
            if record not in records:
                records.append(record)
    return tuple(records)


@dataclass
class ResourceProgress:
    """Live state of one resource during an update (for the progress display)."""

    change: ResourceChange
    started: float
    finished: float | None = None
    failed: bool = False
    validation: tuple[DnsRecord, ...] = ()
    """DNS records a certificate waits for (ACM's validation CNAMEs), once it is created."""

    @property
    def elapsed(self) -> float:
        return (self.finished or time.monotonic()) - self.started

    @property
    def status(self) -> str:
        if self.failed:
            return "failed"
        if self.finished is None:
            return {
                "create": "creating",
                "update": "updating",
                "replace": "replacing",
                "delete": "deleting",
                "read": "reading",
                "import": "importing",
                "refresh": "refreshing",
            }.get(self.change.action, "working")
        return {
            "create": "created",
            "update": "updated",
            "replace": "replaced",
            "delete": "deleted",
            "read": "read",
            "import": "imported",
            "refresh": "refreshed",
        }.get(self.change.action, "unchanged")


@dataclass
class EventLog:
    """Thread-safe fold of engine events; pass `log` as the Automation API's `on_event`.

    `listener` is called (from the engine's event thread) after every resource step
    event, for live progress.
    """

    listener: Callable[[EventLog, ResourceProgress], None] | None = None
    changes: dict[str, ResourceChange] = field(default_factory=dict)
    progress: dict[str, ResourceProgress] = field(default_factory=dict)
    errors: list[tuple[str | None, str]] = field(default_factory=list)
    warnings: list[tuple[str | None, str]] = field(default_factory=list)
    """(urn, message) of each distinct warning the program, provider or API server sent."""
    counts: dict[str, int] = field(default_factory=dict)
    cancelled: bool = False
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def __call__(self, event) -> None:
        with self._lock:
            updated = self._fold(event)
        if updated is not None and self.listener is not None:
            self.listener(self, updated)

    def _fold(self, event) -> ResourceProgress | None:
        if event.cancel_event is not None:
            self.cancelled = True
        diagnostic = event.diagnostic_event
        if diagnostic is not None and diagnostic.severity == "error":
            self.errors.append((diagnostic.urn, diagnostic.message))
        elif diagnostic is not None and diagnostic.severity == "warning" and not diagnostic.ephemeral:
            warning = (diagnostic.urn, diagnostic.message.strip())
            if warning[1] and warning not in self.warnings:
                self.warnings.append(warning)
        if event.summary_event is not None:
            self.counts = {
                getattr(op, "value", str(op)): count
                for op, count in (event.summary_event.resource_changes or {}).items()
            }
        pre = event.resource_pre_event
        if pre is not None:
            return self._step_started(pre.metadata)
        done = event.res_outputs_event
        if done is not None:
            return self._step_finished(done.metadata, failed=False)
        failed = event.res_op_failed_event
        if failed is not None:
            return self._step_finished(failed.metadata, failed=True)
        return None

    def _step_started(self, metadata) -> ResourceProgress | None:
        change = change_from_metadata(metadata)
        self.changes[change.urn] = _merge(self.changes.get(change.urn), change)
        if not is_reported(change) or self.changes[change.urn].action == "same":
            return None
        entry = self.progress.get(change.urn)
        if entry is None:
            entry = self.progress[change.urn] = ResourceProgress(self.changes[change.urn], time.monotonic())
        else:
            entry.change, entry.finished = self.changes[change.urn], None
        return entry

    def _step_finished(self, metadata, *, failed: bool) -> ResourceProgress | None:
        entry = self.progress.get(metadata.urn)
        if entry is None:
            return None
        entry.finished = time.monotonic()
        entry.failed = entry.failed or failed
        if not failed and metadata.type == CERTIFICATE_TYPE and metadata.new is not None:
            entry.validation = validation_records(getattr(metadata.new, "outputs", None))
        return entry

    def resource_changes(self) -> tuple[ResourceChange, ...]:
        """Changed resources (not the root stack, not unchanged ones), in event order."""
        with self._lock:
            return tuple(
                change
                for change in self.changes.values()
                if is_reported(change) and change.action not in ("same", "read")
            )

    def warning_lines(self) -> tuple[str, ...]:
        """`resource: message` per warning (the message alone when it names no resource)."""
        with self._lock:
            return tuple(
                message if not urn or urn.endswith(f"::{ROOT_STACK_TYPE}") else f"{name_of(urn)}: {message}"
                for urn, message in self.warnings
            )

    def unchanged_count(self) -> int:
        with self._lock:
            return sum(1 for change in self.changes.values() if is_reported(change) and change.action == "same")
