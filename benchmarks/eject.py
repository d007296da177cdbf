"""Wall time of `specql deploy eject` against the offline preview of the same manifest.

Eject runs the offline capture (for OpenTofu) and then renders files, so its budget is
the preview's time plus at most one second. Each command runs as a whole process;
eject writes into a fresh directory every run (the first-eject case, the slower one).
Prints the median of each and the difference per example; exits 1 when an example goes
over budget. Run: `python benchmarks/eject.py [--runs N] [--example NAME ...]`.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted(path.parent.name for path in (ROOT / "examples").glob("*/deployment.yaml"))
BUDGET_SECONDS = 1.0
"""Eject may take this much longer than the offline preview of the same manifest."""


def specql() -> list[str]:
    found = shutil.which("specql", path=str(Path(sys.executable).parent))
    return [found] if found else [sys.executable, "-m", "specql_deploy"]


def run_once(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, capture_output=True, check=True)
    return time.perf_counter() - start


def median_of(make_command, runs: int) -> float:
    """Median wall time; `make_command(i)` builds the i-th command (one warm-up run first)."""
    run_once(make_command(-1))
    return statistics.median(run_once(make_command(index)) for index in range(runs))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--example", action="append", choices=EXAMPLES, help="Example to time (repeatable); defaults to all."
    )
    args = parser.parse_args()
    base = specql()
    over = []
    print(f"{'example':<18} {'preview':>9} {'eject':>9} {'extra':>9}  (median of {args.runs}, seconds)")
    with tempfile.TemporaryDirectory(prefix="specql-eject-bench-") as scratch:
        for example in args.example or EXAMPLES:
            manifest = str(ROOT / "examples" / example / "deployment.yaml")
            preview_command = [*base, "deploy", "preview", manifest, "--offline", "--json"]
            eject_command = [*base, "deploy", "eject", manifest, "-o"]
            out = f"{scratch}/{example}"
            preview = median_of(lambda _, command=preview_command: command, args.runs)
            eject = median_of(lambda index, command=eject_command, out=out: [*command, f"{out}-{index + 1}"], args.runs)
            extra = eject - preview
            flag = "" if extra <= BUDGET_SECONDS else f"  over the {BUDGET_SECONDS:g} s budget"
            print(f"{example:<18} {preview:>9.2f} {eject:>9.2f} {extra:>+9.2f}{flag}")
            if flag:
                over.append(example)
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
