"""Wall time of the CLI's front door: `specql --help`, `validate` and `resolve`.

Prints min / median / max over several runs of each command as a whole process,
against the targets of the foundation (0.3 s, 0.4 s, 0.5 s on the project's 2-core
machine). Run: `python benchmarks/cli.py [--runs N]`.
"""

from __future__ import annotations

import argparse
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


def timed(command: list[str], runs: int) -> list[float]:
    subprocess.run(command, capture_output=True, check=True)  # warm the file cache
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, capture_output=True, check=True)
        samples.append(time.perf_counter() - start)
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
    print(f"{'command':32} {'min':>7} {'median':>7} {'max':>7} {'target':>7}")
    for label, command, target in cases:
        samples = timed(command, runs)
        median = statistics.median(samples)
        verdict = "ok" if median <= target else "SLOW"
        print(f"{label:32} {min(samples):7.3f} {median:7.3f} {max(samples):7.3f} {target:7.2f}  {verdict}")


if __name__ == "__main__":
    main()
