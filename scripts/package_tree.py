"""Lay out the installed package for tools that do not read setuptools' package-dir.

pyproject.toml maps the repository's top-level folders (program/, components/, ...)
into one import package, `specql_deploy`. Type checkers and editors look for
`specql_deploy/program/...` on disk; this writes that tree as symbolic links to the
real folders, so they check and report the very files in the repository:

    python scripts/package_tree.py build/typecheck   # then: mypy (mypy_path points here)
"""

from __future__ import annotations

import shutil
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def lay_out(target: Path) -> Path:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    mapping: dict[str, str] = config["tool"]["setuptools"]["package-dir"]
    shutil.rmtree(target, ignore_errors=True)
    for package, folder in sorted(mapping.items()):
        link = target.joinpath(*package.split("."))
        if package.count(".") == 0:
            # the root package: its own files, beside the linked sub-packages
            link.mkdir(parents=True)
            for item in (ROOT / folder).iterdir():
                if item.suffix == ".py":
                    (link / item.name).symlink_to(item)
        else:
            link.parent.mkdir(parents=True, exist_ok=True)
            link.symlink_to(ROOT / folder, target_is_directory=True)
    return target


if __name__ == "__main__":
    print(lay_out(Path(sys.argv[1] if len(sys.argv) > 1 else "build/typecheck").resolve()))
