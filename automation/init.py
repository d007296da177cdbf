"""`specql deploy init`: a commented deployment.yaml to start from, and its JSON Schema beside it.

The first line points yaml-language-server (VS Code's YAML extension, Neovim, Helix...)
at the schema written next to the manifest, so the editor completes keys and flags
mistakes as they are typed. Nothing is overwritten: a manifest already there is
refused, as `git init`-style commands refuse to clobber.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import get_args

from ..program.spec import Framework, Pattern

SCHEMA_NAME = "deployment.schema.json"
PATTERNS: tuple[str, ...] = get_args(Pattern)
FRAMEWORKS: tuple[str, ...] = get_args(Framework)

_PATTERN_LINES = {
    "hobby-project": (
        "one Docker host: PostgreSQL, the app and Caddy (HTTPS by Let's Encrypt)",
        [
            "  # host: ssh://deploy@203.0.113.10  # the Docker host; defaults to the local Docker engine",
            "  # domain: app.example.com          # HTTPS for this name once its DNS points at the host",
        ],
    ),
    "small-saas": (
        "an MVP on AWS: ECS Fargate, single-AZ RDS PostgreSQL, one NAT gateway",
        [
            "  region: us-east-1",
            "  # domain: app.example.com  # HTTPS with an ACM certificate",
            "  # database:",
            "  #   size: small            # small, medium, large, xlarge",
            "  # application:",
            "  #   instances: 2",
            "  #   memory: 512Mi",
        ],
    ),
    "production-saas": (
        "high availability on AWS: Multi-AZ RDS, a NAT gateway per zone, autoscaling, WAF",
        [
            "  region: us-east-1",
            "  # domain: app.example.com",
            "  # database:",
            "  #   size: medium",
            "  # application:",
            "  #   autoscale: {min: 2, max: 10}",
        ],
    ),
    "kubernetes": (
        "any cluster your kubeconfig reaches (or `cluster: create` for EKS)",
        [
            "  # cluster: existing        # or create: a new EKS cluster",
            "  # namespace: my-app",
            "  # domain: app.example.com  # ingress with a cert-manager certificate",
        ],
    ),
}


class InitError(Exception):
    """`init` refused; nothing was written."""


def manifest_text(pattern: str, framework: str | None, schema_ref: str = SCHEMA_NAME) -> str:
    summary, lines = _PATTERN_LINES[pattern]
    framework_line = (
        f"  framework: {framework}" if framework else f"  # framework: fraiseql  # one of {', '.join(FRAMEWORKS)}"
    )
    return "\n".join(
        [
            f"# yaml-language-server: $schema={schema_ref}",
            f"# {pattern}: {summary}.",
            "# Check it with `specql deploy validate`, see every resolved value with",
            "# `specql deploy resolve --explain`, and what would be created with `specql deploy preview --offline`.",
            "deployment:",
            f"  pattern: {pattern}",
            "  # name: my-app  # defaults to this folder's name",
            framework_line,
            *lines,
            "",
        ]
    )


def init(directory: Path, pattern: str, framework: str | None) -> tuple[Path, Path]:
    """Write `deployment.yaml` and its schema into `directory`; refuse to overwrite the manifest."""
    if pattern not in PATTERNS:
        raise InitError(f"unknown pattern {pattern!r}; choose {', '.join(PATTERNS)}")
    if framework is not None and framework not in FRAMEWORKS:
        raise InitError(f"unknown framework {framework!r}; choose {', '.join(FRAMEWORKS)}")
    manifest = directory / "deployment.yaml"
    if manifest.exists():
        raise InitError(f"{manifest} already exists; edit it, or remove it to start over (init never overwrites)")
    from ..program.schema import manifest_schema

    directory.mkdir(parents=True, exist_ok=True)
    schema = directory / SCHEMA_NAME
    schema.write_text(json.dumps(manifest_schema(), indent=2) + "\n", encoding="utf-8")
    with manifest.open("x", encoding="utf-8") as handle:  # "x": never replace one written meanwhile
        handle.write(manifest_text(pattern, framework))
    return manifest, schema
