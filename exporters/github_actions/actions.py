"""Third-party actions, pinned to full commit SHAs.

A tag can be moved to other code after review; a commit SHA cannot. The version in
the trailing comment is what the SHA was released as, for humans and for Dependabot
(which understands the `@sha # vX.Y.Z` convention and proposes upgrades).
"""

from __future__ import annotations

import re
from typing import NamedTuple

from ...program.versions import ACTIONS as PINNED_ACTIONS


class Action(NamedTuple):
    repository: str
    ref: str
    """Full commit SHA, or an exact release tag where the SHA could not be verified."""
    version: str

    @property
    def uses(self) -> str:
        return f"{self.repository}@{self.ref}"


ACTIONS: dict[str, Action] = {
    name: Action(pin.repository, pin.sha, pin.release) for name, pin in PINNED_ACTIONS.items()
}
"""Role → action, from the one version table (``program.versions.ACTIONS``)."""


def uses(name: str) -> str:
    return ACTIONS[name].uses


def annotate_versions(text: str) -> str:
    """Append `# vX.Y.Z` to every pinned `uses:` line of a dumped workflow."""
    by_uses = {action.uses: action.version for action in ACTIONS.values()}

    def comment(match: re.Match[str]) -> str:
        version = by_uses.get(match.group(2))
        return (
            match.group(0)
            if version is None or version == match.group(2).split("@")[1]
            else (f"{match.group(0)}  # {version}")
        )

    return re.sub(r"^(\s*-?\s*uses: )(\S+)$", comment, text, flags=re.MULTILINE)
