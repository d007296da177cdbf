"""The exporter contract: every target renders a list of files from one resolution.

An exporter is a module with ``render(resolved, context) -> list[GeneratedFile]``.
It returns files and never writes them: ``automation/eject.py`` owns the disk (the
temporary directory, the user-change check, the atomic move), so every exporter is a
pure function that tests can call without a filesystem. A target that does not apply
to a pattern returns ``[]``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from ..program.model import ResolvedDeployment


@dataclass(frozen=True)
class GeneratedFile:
    """One file of the eject tree."""

    path: str
    """Posix path relative to the eject root (``docker/Dockerfile``); never absolute, no ``..``."""
    content: str
    """Full text of the file, ending with a newline."""
    executable: bool = False
    """Written with mode 0755 instead of 0644. Defaults to `False`."""

    def __post_init__(self) -> None:
        pure = PurePosixPath(self.path)
        if pure.is_absolute() or ".." in pure.parts or not self.path or "\\" in self.path:
            raise ValueError(f"generated file path must be relative and inside the eject root: {self.path!r}")


@dataclass
class ExportContext:
    """What an exporter may need beyond the resolution, computed lazily and at most once."""

    manifest_path: Path
    """The manifest the files are generated from (named in every file header)."""
    resolved: ResolvedDeployment
    """The resolution being exported (the same object passed to ``render``)."""
    graph_factory: Callable[[], Any] | None = None
    """Builds the offline ResourceGraph; ``None`` uses ``capture.capture(resolved)``."""
    environments: Mapping[str, ResolvedDeployment] = field(default_factory=dict)
    """Other environments of the same manifest, resolved, by name (see :meth:`environment`)."""
    stack_state: Mapping[str, Any] | None = None
    """The exported deployment of the running stack the eject adopts (`eject --from-stack`),
    secrets still encrypted; ``None`` for a fresh eject."""
    _graph: Any = field(default=None, init=False, repr=False)

    @property
    def graph(self) -> Any:
        """The offline ResourceGraph of the Pulumi program (captured under mocks on first use)."""
        if self._graph is None:
            if self.graph_factory is not None:
                self._graph = self.graph_factory()
            else:
                from ..capture import capture

                self._graph = capture(self.resolved)
        return self._graph

    def environment(self, name: str) -> ResolvedDeployment:
        """The same manifest resolved for another environment (the production env files
        need production's variables whatever ``--env`` the eject ran with).

        The caller resolves them beforehand (:func:`exporters.environments_needed` names
        them), so an exporter never reads the manifest itself.
        """
        if name == self.resolved.deployment.environment:
            return self.resolved
        try:
            return self.environments[name]
        except KeyError:
            raise LookupError(
                f"environment {name!r} was not resolved for this export; resolve every "
                "environment exporters.environments_needed() names into the context"
            ) from None

    @property
    def manifest_name(self) -> str:
        """The manifest's file name as written in headers (no absolute path: output must not
        depend on where the repository is checked out)."""
        return self.manifest_path.name


class Renderer(Protocol):
    def __call__(self, resolved: ResolvedDeployment, context: ExportContext) -> list[GeneratedFile]: ...
