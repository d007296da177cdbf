"""Golden files: what the docker, compose, config, github-actions, gitlab-ci, observability,
ansible and docs targets write for every example, kept in the repository so a change to the
output shows up in review.

Regenerate after an intended change with one command:

    python tests/exporters/test_golden.py

then read the diff before committing it.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from eject_support import EXAMPLES, MY_TARGETS, render_example

GOLDEN = Path(__file__).resolve().parent / "golden"
REGENERATE = "python tests/exporters/test_golden.py"


def expected_files(example: str) -> dict[str, str]:
    files: dict[str, str] = {}
    # observability too (its dashboards are JSON, with no comment header: checked in test_observability)
    for target in (*MY_TARGETS, "observability"):
        files.update(render_example(example, target))
    return files


def stored_files(example: str) -> dict[str, str]:
    root = GOLDEN / example
    return {
        path.relative_to(root).as_posix(): path.read_text(encoding="utf-8")
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


@pytest.mark.parametrize("example", EXAMPLES)
def test_output_matches_the_golden_files(example):
    expected = expected_files(example)
    stored = stored_files(example)
    assert sorted(stored) == sorted(expected), f"file list changed; regenerate with: {REGENERATE}"
    for path, content in expected.items():
        assert stored[path] == content, f"{example}/{path} changed; regenerate with: {REGENERATE}"


def regenerate() -> None:
    import shutil

    for example in EXAMPLES:
        root = GOLDEN / example
        shutil.rmtree(root, ignore_errors=True)
        for path, content in expected_files(example).items():
            target = root / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(content, encoding="utf-8")
        print(f"wrote {root.relative_to(Path.cwd()) if root.is_relative_to(Path.cwd()) else root}")


if __name__ == "__main__":
    regenerate()
