"""Eject: write the exporters' files into a directory the team then owns.

Three guarantees:

- All or nothing. Every file is rendered and written to a temporary directory first;
  only when that succeeded do files move into place, each with an atomic rename (a
  new output directory moves in as a whole). A failing exporter leaves the target
  untouched.
- The user's edits are safe. ``.specql-eject.json`` records the SHA-256 of every
  file the last eject wrote. A file whose bytes no longer match its record (or a file
  that eject never wrote) is the user's: eject refuses to replace it unless forced.
- Re-running is a no-op. Files whose content is unchanged are not touched, so a second
  eject of the same manifest changes no byte and no modification time.
- One environment per folder. The record names the environment each file was ejected
  for; an eject of another environment that would overwrite or remove any of them is
  refused with their names (eject it into its own folder, or ``--force`` to replace),
  as OpenTofu and Pulumi users keep one root or stack per environment.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import __version__
from ..exporters import TARGETS, ExportContext, GeneratedFile, load_renderer
from ..program.model import ResolvedDeployment

RECORD_NAME = ".specql-eject.json"
RECORD_VERSION = 2


class EjectError(Exception):
    """Eject could not run (bad target list, clashing exporters)."""


class UserChangedFiles(EjectError):
    """Files in the output directory that eject did not write as they are now."""

    def __init__(self, paths: list[str]) -> None:
        self.paths = sorted(paths)
        super().__init__(
            "these files were changed since the last eject (or were never written by it); "
            "rerun with --force to replace them: " + ", ".join(self.paths)
        )


class OtherEnvironment(EjectError):
    """The output folder holds another environment's eject, which this one would overwrite."""

    def __init__(self, output: Path, environment: str, theirs: str, paths: list[str]) -> None:
        self.output, self.environment, self.theirs = output, environment, theirs
        self.paths = sorted(paths)
        super().__init__(
            f"{output} holds the {theirs} eject: ejecting {environment} there would overwrite or remove "
            f"{len(self.paths)} of its file(s); eject {environment} into its own folder "
            f"(-o {suggested_output(output, environment)}) or rerun with --force to replace the {theirs} files: "
            + ", ".join(self.paths)
        )


def suggested_output(output: Path, environment: str) -> Path:
    """Where another environment's eject goes beside `output` (`generated` → `generated-production`)."""
    return output.with_name(f"{output.name}-{environment}")


@dataclass
class EjectResult:
    output: Path
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    """Files an earlier eject wrote that the current one no longer generates (deleted)."""
    kept: list[str] = field(default_factory=list)
    """No longer generated but changed by the user: left in place, dropped from the record."""
    targets: dict[str, int] = field(default_factory=dict)
    """Target → number of files it generated."""

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.removed)


def parse_targets(only: Iterable[str] | None) -> list[str]:
    """Target names in registry order; `None` or empty means all. Raises on unknown names."""
    if not only:
        return list(TARGETS)
    wanted = {name.strip() for item in only for name in item.split(",") if name.strip()}
    unknown = sorted(wanted - set(TARGETS))
    if unknown:
        raise EjectError(f"unknown target(s) {', '.join(unknown)}; choose from {', '.join(TARGETS)}")
    return [name for name in TARGETS if name in wanted]


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def render_targets(
    resolved: ResolvedDeployment,
    context: ExportContext,
    targets: list[str],
) -> tuple[dict[str, tuple[str, GeneratedFile]], dict[str, int]]:
    """path → (target, file) for every file of the targets, and the file count per target."""
    files: dict[str, tuple[str, GeneratedFile]] = {}
    counts: dict[str, int] = {}
    for target in targets:
        generated = load_renderer(target)(resolved, context)
        counts[target] = len(generated)
        for item in generated:
            if item.path == RECORD_NAME:
                raise EjectError(f"target {target} may not write {RECORD_NAME}")
            if item.path in files:
                if files[item.path][1] == item:
                    continue  # the same file from two targets (compose mounts observability/'s)
                raise EjectError(f"targets {files[item.path][0]} and {target} both generate {item.path}")
            files[item.path] = (target, item)
    return files, counts


def read_record(output: Path) -> dict[str, dict[str, str]]:
    """path → {"sha256", "target", "environment"} from the last eject (empty when there was none).

    A record of version 1 names one environment for all its files; each entry gets it.
    """
    path = output / RECORD_NAME
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise EjectError(f"{path} is unreadable ({error}); delete it to start afresh") from None
    environment = data.get("environment")
    files: dict[str, dict[str, str]] = {}
    for name, entry in dict(data.get("files", {})).items():
        files[name] = dict(entry)
        if environment and "environment" not in entry:
            files[name]["environment"] = str(environment)
    return files


def _current_digest(path: Path) -> str | None:
    try:
        return digest(path.read_bytes()) if path.is_file() else None
    except OSError:
        return None


def _blocked(output: Path, path: str) -> bool:
    """Something that is not a regular file sits where the file or one of its folders goes."""
    target = output / path
    if target.exists() and not target.is_file():
        return True
    return any(parent.exists() and not parent.is_dir() for parent in target.parents if output in parent.parents)


def write_file(root: Path, item: GeneratedFile, data: bytes) -> None:
    """Write one generated file under `root` with its mode (the seam the failure tests replace)."""
    path = root / item.path
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    path.chmod(0o755 if item.executable else 0o644)


def _record_bytes(context: ExportContext, entries: dict[str, dict[str, str]]) -> bytes:
    resolved = context.resolved
    document: dict[str, Any] = {
        "version": RECORD_VERSION,
        "generator": f"specql-deploy {__version__}",
        "manifest": context.manifest_name,
        "pattern": resolved.deployment.pattern,
        "environment": resolved.deployment.environment,
        "files": {path: entries[path] for path in sorted(entries)},
    }
    return (json.dumps(document, indent=2, sort_keys=False) + "\n").encode()


def eject(
    resolved: ResolvedDeployment,
    manifest_path: Path,
    output: Path,
    *,
    only: Iterable[str] | None = None,
    force: bool = False,
    graph_factory: Callable[[], Any] | None = None,
    environments: Mapping[str, ResolvedDeployment] | None = None,
    stack_state: Mapping[str, Any] | None = None,
) -> EjectResult:
    """Render the targets and move their files into ``output`` (see the module doc).

    ``environments`` holds the other environments the targets read, resolved
    (:func:`~..exporters.environments_needed` names them); ``stack_state`` the exported
    state of a running stack the OpenTofu target adopts (`--from-stack`).
    """
    targets = parse_targets(only)
    output = Path(output)
    if output.exists() and not output.is_dir():
        raise EjectError(f"{output} exists and is not a directory")
    context = ExportContext(Path(manifest_path), resolved, graph_factory, dict(environments or {}), stack_state)
    files, counts = render_targets(resolved, context, targets)
    result = EjectResult(output=output, targets=counts)

    record = read_record(output)
    new_record = {path: entry for path, entry in record.items() if entry.get("target") not in targets}

    environment = resolved.deployment.environment
    conflicts: list[str] = []
    blocked: list[str] = []
    others: dict[str, list[str]] = {}
    """Environment → its files this eject would overwrite or remove."""
    to_write: list[tuple[GeneratedFile, bytes]] = []
    for path in sorted(files):
        target, item = files[path]
        data = item.content.encode()
        wanted = digest(data)
        new_record[path] = {"sha256": wanted, "target": target, "environment": environment}
        current = _current_digest(output / path)
        if current == wanted:
            result.unchanged.append(path)
            continue
        recorded = record.get(path, {}).get("sha256")
        theirs = record.get(path, {}).get("environment", environment)
        if _blocked(output, path):
            blocked.append(path)
        elif current is not None and current != recorded:
            conflicts.append(path)
        elif current is not None and theirs != environment:
            others.setdefault(theirs, []).append(path)
        (result.updated if current is not None else result.created).append(path)
        to_write.append((item, data))

    stale: list[str] = []
    for path, entry in record.items():
        if entry.get("target") not in targets or path in files:
            continue
        current = _current_digest(output / path)
        if current is None:
            continue
        if current == entry.get("sha256"):
            stale.append(path)
            if entry.get("environment", environment) != environment:
                others.setdefault(entry["environment"], []).append(path)
        else:
            result.kept.append(path)
    result.removed = sorted(stale)
    result.kept.sort()

    if blocked:
        raise EjectError("a folder or file is in the way of (move it, even --force cannot): " + ", ".join(blocked))
    if others and not force:
        theirs = " and ".join(sorted(others))
        raise OtherEnvironment(output, environment, theirs, [path for paths in others.values() for path in paths])
    if conflicts and not force:
        raise UserChangedFiles(conflicts)

    record_data = _record_bytes(context, new_record)
    record_changed = _current_digest(output / RECORD_NAME) != digest(record_data)
    if not to_write and not stale and not record_changed:
        return result
    _commit(output, to_write, stale, record_data)
    return result


def _commit(output: Path, to_write: list[tuple[GeneratedFile, bytes]], stale: list[str], record: bytes) -> None:
    """Write everything to a temporary tree, then move it into place."""
    if not output.exists():
        output.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{output.name}.eject-", dir=output.parent))
        try:
            for item, data in to_write:
                write_file(staging, item, data)
            (staging / RECORD_NAME).write_bytes(record)
            staging.chmod(0o755)
            os.rename(staging, output)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        return

    # Existing directory: stage inside it (same filesystem, so every rename is atomic).
    staging = Path(tempfile.mkdtemp(prefix=".specql-eject-", dir=output))
    try:
        for item, data in to_write:
            write_file(staging, item, data)
        (staging / RECORD_NAME).write_bytes(record)
        for item, _ in to_write:
            destination = output / item.path
            destination.parent.mkdir(parents=True, exist_ok=True)
            os.replace(staging / item.path, destination)
        for path in stale:
            (output / path).unlink(missing_ok=True)
            _prune_empty_parents(output, output / path)
        os.replace(staging / RECORD_NAME, output / RECORD_NAME)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _prune_empty_parents(root: Path, path: Path) -> None:
    parent = path.parent
    while parent != root and parent.is_dir() and not any(parent.iterdir()):
        parent.rmdir()
        parent = parent.parent
