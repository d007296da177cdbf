"""Wall time of the CLI's front door: `specql --help`, `validate` and `resolve`.

Prints min / median / max wall time over several runs of each command as a whole
process, against the targets of the foundation (0.3 s, 0.4 s, 0.5 s on the project's
2-core machine), and the median CPU time (user + sys) of the same runs: on a busy
machine the wall time waits for a core, the CPU time does not. Beside them, the same
front door of the peer tools when they are installed (`pulumi --help`, `tofu -help`, the
`SPECQL_TOFU` the OpenTofu tier builds), each with its ratio to ours. The runs of all
commands take turns, and the first line says whether the package's bytecode is cached
(without it an editable install compiles every module on every run when
PYTHONDONTWRITEBYTECODE is set). Run: `python benchmarks/cli.py [--runs N]`.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = tuple(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-dir"].values())
"""The package's top-level folders, as pyproject.toml maps them."""
LARGEST = max((ROOT / "examples").glob("*/deployment.yaml"), key=lambda path: path.stat().st_size)


def specql() -> list[str]:
    found = shutil.which("specql", path=str(Path(sys.executable).parent))
    return [found] if found else [sys.executable, "-m", "specql_deploy"]


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(commands: list[list[str]], runs: int) -> list[tuple[list[float], list[float]]]:
    """(wall seconds, CPU seconds) of each run of each command. The runs take turns
    (one of each command, `runs` times), so a busy spell of the machine falls on all alike."""
    for command in commands:
        subprocess.run(command, capture_output=True, check=True)  # warm the file cache
    samples: list[tuple[list[float], list[float]]] = [([], []) for _ in commands]
    for _ in range(runs):
        for command, (wall, cpu) in zip(commands, samples, strict=True):
            start, start_cpu = time.perf_counter(), _children_cpu()
            subprocess.run(command, capture_output=True, check=True)
            wall.append(time.perf_counter() - start)
            cpu.append(_children_cpu() - start_cpu)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    runs = parser.parse_args().runs
    base = specql()
    cases = [
        ("specql --help", base + ["--help"], 0.3),
        (f"validate {LARGEST.parent.name}", base + ["deploy", "validate", str(LARGEST)], 0.4),
        (f"resolve {LARGEST.parent.name}", base + ["deploy", "resolve", str(LARGEST), "--json"], 0.5),
    ]
    others = peers()
    cached, modules = bytecode_cached()
    print(f"bytecode cached for {cached} of the package's {modules} modules (scripts/install-venv.sh compiles it)")
    print(f"{'command':32} {'min':>7} {'median':>7} {'max':>7} {'cpu':>7} {'target':>7}")
    results = timed([command for _, command, _ in cases] + [command for _, command in others], runs)
    help_median = statistics.median(results[0][0])
    for (label, _, target), (wall, cpu) in zip(cases, results, strict=False):
        median = statistics.median(wall)
        verdict = "ok" if median <= target else "SLOW"
        print(
            f"{label:32} {min(wall):7.3f} {median:7.3f} {max(wall):7.3f} "
            f"{statistics.median(cpu):7.3f} {target:7.2f}  {verdict}"
        )
    for (label, _), (wall, cpu) in zip(others, results[len(cases) :], strict=True):
        median = statistics.median(wall)
        print(
            f"{label:32} {min(wall):7.3f} {median:7.3f} {max(wall):7.3f} "
            f"{statistics.median(cpu):7.3f}          specql --help is {help_median / median:.2f}x this"
        )


def bytecode_cached() -> tuple[int, int]:
    """(modules whose bytecode is cached and current, modules): without it every run of
    an editable install under PYTHONDONTWRITEBYTECODE compiles the package again."""
    sources = [path for package in PACKAGES for path in (ROOT / package).rglob("*.py")]
    current = 0
    for source in sources:
        cache = Path(importlib.util.cache_from_source(str(source)))
        current += cache.is_file() and cache.stat().st_mtime >= source.stat().st_mtime
    return current, len(sources)


def peers() -> list[tuple[str, list[str]]]:
    """The peer tools' own `--help`, where installed."""
    found = []
    pulumi = shutil.which("pulumi")
    if pulumi:
        found.append(("pulumi --help (peer)", [pulumi, "--help"]))
    tofu = os.environ.get("SPECQL_TOFU") or shutil.which("tofu")
    if tofu:
        found.append(("tofu -help (peer)", [tofu, "-help"]))
    return found


if __name__ == "__main__":
    main()
