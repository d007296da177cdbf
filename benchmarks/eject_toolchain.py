"""Benchmark: the eject beside the toolchain that consumes it, on one manifest in one run.

Times, each as a whole process, on the same manifest (production-saas by default):
`specql deploy preview --offline --json`, `specql deploy eject` (a fresh directory each
run), then on that eject `tofu validate` and `tofu plan -refresh=false` against a
moto_server on 127.0.0.1 (the OpenTofu tier's `moto_override.tf` beside the root, the
Route 53 zone the manifest names created first). Prints the median, minimum and maximum
of each and its ratio to the preview and to the eject, side by side; `tofu init` runs
once before (its time is printed, not counted).

Needs OpenTofu and the provider mirror (`scripts/install-opentofu.sh`; the paths it
prints in `SPECQL_TOFU` and `SPECQL_TOFU_CLI_CONFIG`, or its cache) and moto's server.
Usage: python benchmarks/eject_toolchain.py [--runs N] [--example NAME]
Exit 0 after printing; 2 when OpenTofu or its mirror is missing.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted(path.parent.name for path in (ROOT / "examples").glob("*/deployment.yaml"))
TIER = ROOT / "tests" / "exporters" / "opentofu" / "tofu_real.py"
"""The OpenTofu tier's helpers: where the binary and mirror are, the emulator override."""


def tier() -> ModuleType:
    spec = importlib.util.spec_from_file_location("tofu_real", TIER)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up while it loads
    spec.loader.exec_module(module)
    return module


def specql() -> list[str]:
    found = shutil.which("specql", path=str(Path(sys.executable).parent))
    return [found] if found else [sys.executable, "-m", "specql_deploy"]


def run_once(command: list[str], **options) -> float:
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False, **options)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(
            f"{' '.join(command)} failed ({done.returncode}):\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
        )
    return elapsed


def timed(make: Callable[[int], float], runs: int) -> list[float]:
    """`make(i)` runs the i-th command and returns its seconds; one warm-up (i = -1) first."""
    make(-1)
    return [make(index) for index in range(runs)]


def located(real: ModuleType) -> tuple[str, str] | None:
    """The tofu binary and the mirror's CLI configuration, as the tier finds them."""
    binary = os.environ.get("SPECQL_TOFU") or str(real.CACHE / f"opentofu-{real.TOFU_VERSION}" / "bin" / "tofu")
    config = os.environ.get("SPECQL_TOFU_CLI_CONFIG") or str(real.CACHE / "opentofu.tofurc")
    if not Path(binary).is_file() or not Path(config).is_file():
        return None
    return binary, config


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--example", choices=EXAMPLES, default="production-saas")
    args = parser.parse_args()
    real = tier()
    toolchain = located(real)
    if toolchain is None:
        print("OpenTofu or its provider mirror is missing: run scripts/install-opentofu.sh", file=sys.stderr)
        return 2
    binary, config = toolchain

    from specql_deploy.automation.emulate import MotoServer
    from specql_deploy.program.manifest import load
    from specql_deploy.program.resolve import resolve

    manifest = ROOT / "examples" / args.example / "deployment.yaml"
    loaded = load(manifest)
    resolved = resolve(loaded.spec, None, default_name=loaded.default_name)
    base = specql()
    results: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory(prefix="specql-toolchain-bench-") as scratch, MotoServer() as moto:
        preview = [*base, "deploy", "preview", str(manifest), "--offline", "--json"]
        results["specql deploy preview --offline"] = timed(lambda _: run_once(preview), args.runs)
        eject = [*base, "deploy", "eject", str(manifest), "-o"]
        results["specql deploy eject"] = timed(
            lambda index: run_once([*eject, f"{scratch}/eject-{index + 1}"]), args.runs
        )

        root = Path(scratch) / "eject-1" / "infrastructure" / "opentofu"
        real.prepare_account(moto.endpoint, resolved)
        (root / "moto_override.tf").write_text(
            real.override_text(moto.endpoint, real.provider_aliases(root)), encoding="utf-8"
        )
        env = {
            **{key: value for key, value in os.environ.items() if not key.startswith(("AWS_", "TF_"))},
            **real.FAKE_CREDENTIALS,
            "AWS_REGION": resolved.platform.region,
            "TF_CLI_CONFIG_FILE": config,
            "TF_IN_AUTOMATION": "1",
            "CHECKPOINT_DISABLE": "1",
        }
        tofu = {"cwd": root, "env": env}
        init = run_once([binary, "init", "-input=false", "-no-color"], **tofu)
        validate = [binary, "validate", "-no-color"]
        results["tofu validate"] = timed(lambda _: run_once(validate, **tofu), args.runs)
        plan = [binary, "plan", "-refresh=false", "-input=false", "-lock=false", "-no-color"]
        results["tofu plan -refresh=false (moto)"] = timed(lambda _: run_once(plan, **tofu), args.runs)

    medians = {name: statistics.median(values) for name, values in results.items()}
    first, second = list(medians.values())[:2]
    print(f"{args.example}: {args.runs} runs of each after one warm-up, wall seconds")
    print(f"{'step':<34} {'median':>8} {'min':>8} {'max':>8} {'× preview':>10} {'× eject':>8}")
    for name, values in results.items():
        median = medians[name]
        print(
            f"{name:<34} {median:>8.2f} {min(values):>8.2f} {max(values):>8.2f}"
            f" {median / first:>10.2f} {median / second:>8.2f}"
        )
    print(f"(tofu init, once, not counted: {init:.2f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
