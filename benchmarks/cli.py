"""Wall time of the CLI's front door: `specql --help`, `validate` and `resolve`.

Prints min / median / max wall time over several runs of each command as a whole
process, against the targets of the foundation (0.3 s, 0.4 s, 0.5 s on the project's
2-core machine), and the median CPU time (user + sys) of the same runs: on a busy
machine the wall time waits for a core, the CPU time does not. Beside them, the same
front door of the peer tools when they are installed (`pulumi --help`, `tofu -help`, the
`SPECQL_TOFU` the OpenTofu tier builds), each with its ratio to ours. Run: `python
benchmarks/cli.py [--runs N]`.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LARGEST = max((ROOT / "examples").glob("*/deployment.yaml"), key=lambda path: path.stat().st_size)


def specql() -> list[str]:
    found = shutil.which("specql", path=str(Path(sys.executable).parent))
    return [found] if found else [sys.executable, "-m", "specql_deploy"]


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(command: list[str], runs: int) -> tuple[list[float], list[float]]:
    """(wall seconds, CPU seconds) of each run."""
    subprocess.run(command, capture_output=True, check=True)  # warm the file cache
    wall, cpu = [], []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), _children_cpu()
        subprocess.run(command, capture_output=True, check=True)
        wall.append(time.perf_counter() - start)
        cpu.append(_children_cpu() - start_cpu)
    return wall, cpu


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
    print(f"{'command':32} {'min':>7} {'median':>7} {'max':>7} {'cpu':>7} {'target':>7}")
    help_median = 0.0
    for label, command, target in cases:
        samples, cpu = timed(command, runs)
        median = statistics.median(samples)
        help_median = help_median or median
        verdict = "ok" if median <= target else "SLOW"
        print(
            f"{label:32} {min(samples):7.3f} {median:7.3f} {max(samples):7.3f} "
            f"{statistics.median(cpu):7.3f} {target:7.2f}  {verdict}"
        )
    for label, command in peers():
        samples, cpu = timed(command, runs)
        median = statistics.median(samples)
        print(
            f"{label:32} {min(samples):7.3f} {median:7.3f} {max(samples):7.3f} "
            f"{statistics.median(cpu):7.3f}          specql --help is {help_median / median:.2f}x this"
        )


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
