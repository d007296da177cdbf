"""Releases of a stack, read from its update history, and the one `rollback` goes back to.

Every `up` records what it deployed in the stack config (`specql:version`, the key the
plain `pulumi` program reads too, and `specql:image` when a full image reference was
given; see :data:`~specql_deploy.program.resolve.VERSION_CONFIG`), and the engine keeps each
update's config in the stack history. So the history is the release list, newest
first, with nothing stored beside the state: `rollback` picks one and runs `up` with it,
as `kamal rollback VERSION` redeploys an earlier image. The infrastructure stays what
the manifest says; only the image the service runs changes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from difflib import get_close_matches
from typing import Any

from ..program.resolve import IMAGE_CONFIG, LEGACY_VERSION_CONFIG, VERSION_CONFIG
from .errors import EXIT_USAGE, DeployError


@dataclass(frozen=True)
class Release:
    """One deployed release: the image tag (and reference) an update ran."""

    tag: str
    image: str | None = None
    update: int | None = None
    """The stack update that deployed it (`pulumi stack history` numbering)."""
    deployed_at: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"tag": self.tag, "image": self.image, "update": self.update, "deployedAt": self.deployed_at}


def releases_from_history(updates: Iterable[Any]) -> list[Release]:
    """Distinct releases of the stack's successful updates, newest first.

    `updates` are the Automation API's UpdateSummary objects (newest first, as
    `Stack.history()` returns them); a redeploy of the same tag is one release.
    """
    found: list[Release] = []
    for update in updates:
        if getattr(update, "kind", None) != "update" or getattr(update, "result", None) != "succeeded":
            continue
        config = getattr(update, "config", None) or {}
        # updates made by specql-deploy 0.1 recorded the tag under its old key
        tag = _value(config.get(VERSION_CONFIG)) or _value(config.get(LEGACY_VERSION_CONFIG))
        if not tag:
            continue
        release = Release(
            tag=tag,
            image=_value(config.get(IMAGE_CONFIG)),
            update=getattr(update, "version", None),
            deployed_at=str(getattr(update, "end_time", None) or getattr(update, "start_time", "") or "") or None,
        )
        if found and (found[-1].tag, found[-1].image) == (release.tag, release.image):
            continue
        found.append(release)
    return found


def _value(item: Any) -> str | None:
    if item is None:
        return None
    value = getattr(item, "value", item)
    return str(value) if value not in (None, "", "[secret]") else None


def choose(releases: list[Release], wanted: str | None, stack: str) -> Release:
    """The release to go back to: `wanted`, or the one before the current; refusals exit 2."""
    if not releases:
        raise DeployError(
            f"the stack {stack} has no recorded release yet; `specql deploy up` records one with each deploy",
            code=EXIT_USAGE,
        )
    current = releases[0]
    if wanted is None:
        if len(releases) < 2:
            raise DeployError(
                f"the stack {stack} has only ever run {current.tag}: there is no earlier release to go back to",
                code=EXIT_USAGE,
            )
        return releases[1]
    if wanted == current.tag:
        raise DeployError(f"the stack {stack} already runs {wanted}", code=EXIT_USAGE)
    for release in releases:
        if release.tag == wanted:
            return release
    tags = [release.tag for release in releases]
    close = get_close_matches(wanted, tags, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    raise DeployError(
        f"the stack {stack} never ran {wanted!r} (releases, newest first: {', '.join(tags)}){hint}", code=EXIT_USAGE
    )
