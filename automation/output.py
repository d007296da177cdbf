"""How the CLI writes: colour (`--color`, `NO_COLOR`, `FORCE_COLOR`) and JSON mode.

Every rich Console of the CLI comes from :func:`console`, so one switch governs all of
them, typer's help included. `NO_COLOR` (any non-empty value, https://no-color.org)
turns off every escape sequence, not only colours: bold and italics too. Under
`--json`, errors are printed as JSON on stdout (:func:`json_errors`) with the usual
exit codes, so a script reads one document whatever happened. Rich is imported only
when a console is asked for.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from rich.console import Console

ColorMode = Literal["auto", "always", "never"]
COLOR_MODES: tuple[ColorMode, ...] = ("auto", "always", "never")

_state: dict[str, Any] = {"color": "auto", "json": False, "changes": False}


def set_color(mode: ColorMode) -> None:
    """Choose colour for this process (and the typer help it prints)."""
    _state["color"] = mode
    if not plain() and mode == "auto" and "typer.rich_utils" not in sys.modules:
        return  # typer's defaults already are "auto"; its help module stays unimported
    import typer.rich_utils

    original = _state.setdefault("typer_force_terminal", typer.rich_utils.FORCE_TERMINAL)
    typer.rich_utils.COLOR_SYSTEM = None if plain() else "auto"
    typer.rich_utils.FORCE_TERMINAL = True if mode == "always" else original


def color_from_environment() -> None:
    """Honour `NO_COLOR` before anything prints (the help of `specql --help` included)."""
    if os.environ.get("NO_COLOR"):
        set_color("auto")


def plain() -> bool:
    """No escape sequences at all: `--color never`, or `NO_COLOR` unless `--color always`."""
    mode = _state["color"]
    return mode == "never" or (mode == "auto" and bool(os.environ.get("NO_COLOR")))


def console(*, stderr: bool = False, **options: Any) -> Console:
    """A rich Console that follows the colour choice."""
    from rich.console import Console

    if plain():
        options.setdefault("color_system", None)
    elif _state["color"] == "always":
        options.setdefault("force_terminal", True)
    return Console(stderr=stderr, **options)


def start_command() -> None:
    """A new command line: no JSON mode and no changes reported yet (the colour choice stays)."""
    _state["json"] = False
    _state["changes"] = False


def report_changes() -> None:
    """`preview --detailed-exitcode` is exiting 2 for changes, not for bad input."""
    _state["changes"] = True


def changes_reported() -> bool:
    return bool(_state["changes"])


def set_json(enabled: bool) -> None:
    _state["json"] = enabled


def json_mode() -> bool:
    return bool(_state["json"])


def json_errors(problems: Iterable[Any]) -> None:
    """`{"errors": [{"path", "line", "message"}]}` on stdout; a problem is a Problem or text."""
    errors = [
        dict(problem)
        if isinstance(problem, dict)
        else {
            "path": getattr(problem, "path", None),
            "line": getattr(problem, "line", None),
            "message": getattr(problem, "message", str(problem)),
        }
        for problem in problems
    ]
    sys.stdout.write(json.dumps({"errors": errors}, indent=2) + "\n")
    sys.stdout.flush()
