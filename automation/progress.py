"""Live progress of an engine operation, from its events.

On a terminal, a rich live table shows every resource being worked on with its state
and elapsed time; elsewhere (CI logs, pipes) one line is printed as each resource
finishes, so logs stay readable and greppable.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from rich.console import Console
from rich.live import Live
from rich.table import Table

from . import output
from .summary import ACTION_SYMBOLS, PreviewSummary

if TYPE_CHECKING:
    from .events import EventLog, ResourceProgress

STATUS_STYLES = {
    "failed": "bold red",
    "created": "green",
    "updated": "yellow",
    "replaced": "magenta",
    "deleted": "red",
    "refreshed": "cyan",
}


def _table(log: EventLog, title: str) -> Table:
    table = Table(title=title, expand=False, show_edge=False)
    for column in ("", "resource", "type", "status", "time"):
        table.add_column(column, justify="right" if column == "time" else "left")
    for entry in list(log.progress.values()):
        change = entry.change
        table.add_row(
            ACTION_SYMBOLS.get(change.action, ""),
            change.name,
            change.type,
            f"[{STATUS_STYLES.get(entry.status, 'bold')}]{entry.status}[/]",
            f"{entry.elapsed:5.1f}s",
        )
    return table


def dns_notice(entry: ResourceProgress) -> str:
    """What to publish for a certificate that waits for DNS validation, and why `up` waits."""
    records = "\n".join(f"    {record}" for record in entry.validation)
    return (
        f"certificate {entry.change.name} waits for ACM to see this DNS record; add it at your DNS "
        f"provider (with deployment.dns_zone, a Route 53 zone gets it automatically):\n{records}\n"
        "  the update goes on once ACM has validated it (usually minutes; the wait gives up after 75)."
    )


@contextmanager
def live_progress(console: Console, title: str, *, dns_records: bool = False) -> Iterator:
    """A listener for Deployer operations that renders progress while the block runs.

    With `dns_records`, the validation records of each new certificate are printed as
    soon as it exists: without a Route 53 zone, nothing else tells the user what the
    update is waiting for.
    """
    told: set[str] = set()

    def notice(entry: ResourceProgress) -> str | None:
        if not dns_records or not entry.validation or entry.change.urn in told:
            return None
        told.add(entry.change.urn)
        return dns_notice(entry)

    if console.is_terminal:
        live = Live(console=console, refresh_per_second=8, transient=False)
        state: dict[str, EventLog] = {}
        lock = threading.Lock()

        def listener(log: EventLog, entry: ResourceProgress) -> None:
            with lock:
                state["log"] = log
                live.update(_table(log, title))
                text = notice(entry)
                if text:
                    live.console.print(text, highlight=False, markup=False)

        with live:
            yield listener
        return

    def print_line(_log: EventLog, entry: ResourceProgress) -> None:
        if entry.finished is not None:
            console.print(
                f"  {ACTION_SYMBOLS.get(entry.change.action, ' ')} {entry.status:<10} "
                f"{entry.change.name} ({entry.change.type}) {entry.elapsed:.1f}s",
                highlight=False,
                markup=False,
            )
            text = notice(entry)
            if text:
                console.print(text, highlight=False, markup=False)

    yield print_line


def print_warnings(summary: PreviewSummary) -> None:
    """One `warning: ...` line on stderr per warning of the operation (never on stdout,
    so `--json` output stays parseable)."""
    if summary.warnings:
        errors = output.console(stderr=True, highlight=False, soft_wrap=True)
        for warning in summary.warnings:
            errors.print(f"warning: {warning}", markup=False)


def print_summary(
    console: Console, summary: PreviewSummary, *, show_outputs: bool = True, show_warnings: bool = True
) -> None:
    """Human summary: counts, stateful risks, one line per changed resource, outputs; warnings on stderr."""
    if show_warnings:
        print_warnings(summary)
    console.print(
        f"[bold]{summary.operation}[/] {summary.project}/{summary.stack}: {summary.headline()}", highlight=False
    )
    for change in summary.stateful_at_risk():
        console.print(
            f"  [bold red]![/] stateful {change.type} {change.name} will be "
            f"{'replaced' if change.action == 'replace' else 'deleted'}",
            highlight=False,
        )
    for change in summary.changes:
        changed = f" [{', '.join(change.changed)}]" if change.changed else ""
        console.print(
            f"  {ACTION_SYMBOLS.get(change.action, ' '):>2} {change.action:<8} {change.name} ({change.type}){changed}",
            highlight=False,
            markup=False,
        )
    if show_outputs and summary.outputs:
        console.print("[bold]outputs[/]")
        for key, value in sorted(summary.outputs.items()):
            console.print(f"  {key}: {value}", highlight=False, markup=False)
