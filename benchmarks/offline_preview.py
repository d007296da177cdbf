"""Benchmark: offline preview of the production-saas example against its import floor.

The floor is what no offline preview can beat: a fresh interpreter importing pulumi
and touching every pulumi_aws / pulumi_random class the program registers. The
preview (`specql deploy preview FILE --offline --json`, a fresh process each time) is
measured cold (no bytecode cache: a first run after install) and warm (median of
several runs), and must stay within 1.5 × the floor + 0.5 s measured the same way.

Usage: python benchmarks/offline_preview.py [--runs N] [--example NAME]
Exit 0 when both measurements meet the target, 1 otherwise.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FACTOR, SLACK = 1.5, 0.5


def used_classes(example: str) -> list[tuple[str, str]]:
    """(python module, class) of every resource type the example's program registers."""
    from specql_deploy.capture import capture
    from specql_deploy.program.manifest import load
    from specql_deploy.program.resolve import resolve

    manifest = load(ROOT / "examples" / example / "deployment.yaml")
    graph = capture(resolve(manifest.spec, None, default_name=manifest.default_name))
    classes = set()
    for resource in graph.resources:
        package, _, rest = resource.type.partition(":")
        if package not in ("aws", "random") or not resource.custom:
            continue
        module, _, name = rest.partition(":")
        folder = module.split("/")[0]
        if package == "aws":
            classes.add(("pulumi_aws" if folder == "index" else f"pulumi_aws.{folder}", name))
        else:
            classes.add(("pulumi_random", name))
    return sorted(classes)


def floor_script(classes: list[tuple[str, str]]) -> str:
    lines = ["import importlib, pulumi"]
    lines += [f"getattr(importlib.import_module({module!r}), {name!r})" for module, name in classes]
    return "\n".join(lines)


def preview_command(example: str) -> list[str]:
    specql = Path(sys.executable).parent / "specql"
    manifest = str(ROOT / "examples" / example / "deployment.yaml")
    if specql.exists():
        return [str(specql), "deploy", "preview", manifest, "--offline", "--json"]
    return [sys.executable, "-m", "specql_deploy.automation.cli", "deploy", "preview", manifest, "--offline", "--json"]


def timed(command: list[str], *, cold: bool) -> float:
    env = dict(os.environ)
    with tempfile.TemporaryDirectory() as cache:
        if cold:
            env["PYTHONPYCACHEPREFIX"] = cache  # empty bytecode cache: every module compiles
        start = time.perf_counter()
        result = subprocess.run(
            command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, check=False
        )
        elapsed = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"command failed ({result.returncode}): {' '.join(command)}\n{result.stderr[-2000:]}")
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="warm runs per measurement (median reported)")
    parser.add_argument("--example", default="production-saas")
    args = parser.parse_args()

    classes = used_classes(args.example)
    floor_cmd = [sys.executable, "-c", floor_script(classes)]
    preview_cmd = preview_command(args.example)
    timed(preview_cmd, cold=False)  # fill the bytecode cache once for the warm runs

    rows = []
    for label, cold in (("cold", True), ("warm", False)):
        runs = 1 if cold else args.runs
        floor = statistics.median(timed(floor_cmd, cold=cold) for _ in range(runs))
        preview = statistics.median(timed(preview_cmd, cold=cold) for _ in range(runs))
        target = FACTOR * floor + SLACK
        rows.append((label, floor, preview, target, preview <= target))

    print(f"offline preview of {args.example}: {len(classes)} provider classes in the floor")
    print(f"{'':6} {'floor s':>8} {'preview s':>10} {'target s':>9}  ok")
    for label, floor, preview, target, ok in rows:
        print(f"{label:6} {floor:8.2f} {preview:10.2f} {target:9.2f}  {'yes' if ok else 'NO'}")
    return 0 if all(row[-1] for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
