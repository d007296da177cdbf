"""Results of engine operations, as JSON for machines and Markdown for pull requests.

`PreviewSummary` is what a preview means to a reviewer: which resources are created,
updated, replaced or deleted and which properties changed. The Markdown comment puts
the counts first, flags stateful resources (databases, buckets, caches, volumes) that
would be replaced or deleted at the very top, folds details away, carries a hidden
marker so a workflow edits one sticky comment, and never exceeds GitHub's limit.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .events import CHANGE_ACTIONS, ResourceChange

GITHUB_COMMENT_LIMIT = 65_536
"""GitHub rejects issue and pull-request comments longer than this many characters."""

# Resources whose replacement or deletion loses data: flagged at the top of a preview.
STATEFUL_TYPES: frozenset[str] = frozenset(
    {
        "aws:rds/instance:Instance",
        "aws:rds/cluster:Cluster",
        "aws:rds/clusterInstance:ClusterInstance",
        "aws:rds/globalCluster:GlobalCluster",
        "aws:s3/bucket:Bucket",
        "aws:s3/bucketV2:BucketV2",
        "aws:elasticache/cluster:Cluster",
        "aws:elasticache/replicationGroup:ReplicationGroup",
        "aws:elasticache/serverlessCache:ServerlessCache",
        "aws:dynamodb/table:Table",
        "aws:efs/fileSystem:FileSystem",
        "aws:ebs/volume:Volume",
        "aws:kms/key:Key",
        "aws:secretsmanager/secret:Secret",
        "aws:ecr/repository:Repository",
        "aws:backup/vault:Vault",
        "docker:index/volume:Volume",
        "kubernetes:core/v1:PersistentVolumeClaim",
        "kubernetes:core/v1:PersistentVolume",
        "kubernetes:apps/v1:StatefulSet",
        # The operator deletes a PostgreSQL cluster's volumes with the cluster object.
        "kubernetes:postgresql.cnpg.io/v1:Cluster",
        "kubernetes:postgres-operator.crunchydata.com/v1beta1:PostgresCluster",
    }
)
DESTRUCTIVE_ACTIONS = ("replace", "delete")
ACTION_SYMBOLS = {"create": "+", "update": "~", "replace": "+-", "delete": "-", "import": "=", "refresh": "~"}
ACTION_TITLES = {
    "create": "to create",
    "update": "to update",
    "replace": "to replace",
    "delete": "to delete",
    "import": "to import",
}


def is_stateful(change: ResourceChange) -> bool:
    return change.type in STATEFUL_TYPES


@dataclass(frozen=True)
class PreviewSummary:
    """What an operation would do (or did) to a stack."""

    project: str
    stack: str
    changes: tuple[ResourceChange, ...]
    unchanged: int = 0
    operation: str = "preview"
    outputs: Mapping[str, Any] = field(default_factory=dict)
    """Stack outputs after the operation; secret values are already masked."""
    duration_seconds: float | None = None
    warnings: tuple[str, ...] = ()
    """What the program, the provider or the cloud's API warned about (`resource: message`)."""

    @property
    def has_changes(self) -> bool:
        return any(change.action in CHANGE_ACTIONS for change in self.changes)

    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(CHANGE_ACTIONS, 0)
        for change in self.changes:
            if change.action in counts:
                counts[change.action] += 1
        return counts

    def stateful_at_risk(self) -> tuple[ResourceChange, ...]:
        return tuple(change for change in self.changes if change.action in DESTRUCTIVE_ACTIONS and is_stateful(change))

    def to_dict(self) -> dict[str, Any]:
        return {
            "project": self.project,
            "stack": self.stack,
            "operation": self.operation,
            "hasChanges": self.has_changes,
            "summary": {**self.counts(), "same": self.unchanged},
            "statefulAtRisk": [change.urn for change in self.stateful_at_risk()],
            "resources": [change.to_dict() for change in self.changes],
            **({"outputs": dict(self.outputs)} if self.outputs else {}),
            **({"warnings": list(self.warnings)} if self.warnings else {}),
            **({"durationSeconds": round(self.duration_seconds, 1)} if self.duration_seconds is not None else {}),
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, sort_keys=False)

    def headline(self) -> str:
        counts = self.counts()
        parts = [f"{counts[action]} {ACTION_TITLES[action]}" for action in CHANGE_ACTIONS if counts[action]]
        changed = ", ".join(parts) if parts else "no changes"
        return f"{changed} ({self.unchanged} unchanged)"


# ---------------------------------------------------------------------------- Markdown


def sticky_marker(project: str, stack: str) -> str:
    """Hidden comment a workflow searches for to update its one preview comment."""
    return f"<!-- specql-deploy:preview:{project}/{stack} -->"


def _cell(text: str) -> str:
    """Text safe inside a Markdown table cell and outside HTML."""
    return (
        text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("|", "\\|")
        .replace("`", "'")
        .replace("\n", " ")
    )


def _code_list(names: tuple[str, ...]) -> str:
    return ", ".join(f"`{_cell(name)}`" for name in names) if names else "—"


def _risk_line(change: ResourceChange) -> str:
    verb = "replaced" if change.action == "replace" else "deleted"
    because = (
        f" because `{'`, `'.join(_cell(r) for r in change.replace_reasons)}` changed" if change.replace_reasons else ""
    )
    return f"> - **{_cell(change.name)}** (`{_cell(change.type)}`) will be **{verb}**{because}"


def _row(change: ResourceChange) -> str:
    return (
        f"| {ACTION_SYMBOLS.get(change.action, '')} {change.action} | `{_cell(change.name)}` "
        f"| `{_cell(change.type)}` | {_code_list(change.changed)} |"
    )


def _render(summary: PreviewSummary, risks: list[str], rows_by_action: dict[str, list[str]], omitted: int) -> str:
    counts = summary.counts()
    lines = [
        sticky_marker(summary.project, summary.stack),
        f"### specql deploy {summary.operation}: `{_cell(summary.project)}` / `{_cell(summary.stack)}`",
        "",
        "| create | update | replace | delete | unchanged |",
        "|---:|---:|---:|---:|---:|",
        (
            f"| {counts['create']} | {counts['update']} | {counts['replace']} | {counts['delete']} "
            f"| {summary.unchanged} |"
        ),
        "",
    ]
    at_risk = summary.stateful_at_risk()
    if at_risk:
        lines += [
            "> [!CAUTION]",
            (
                f"> **{len(at_risk)} stateful resource(s) will be replaced or deleted; their data "
                "may be lost.** Review before merging."
            ),
            *risks,
        ]
        if len(risks) < len(at_risk):
            lines.append(f"> - … and {len(at_risk) - len(risks)} more")
        lines.append("")
    if not summary.has_changes:
        lines += ["No changes: the stack matches the program.", ""]
    for action in CHANGE_ACTIONS:
        rows = rows_by_action.get(action)
        if not rows:
            continue
        lines += [
            f"<details><summary>{counts[action]} {ACTION_TITLES[action]}</summary>",
            "",
            "| action | resource | type | changed properties |",
            "|---|---|---|---|",
            *rows,
            "",
            "</details>",
            "",
        ]
    if omitted:
        lines += [
            (
                f"> **Truncated:** {omitted} resource row(s) are not shown because a GitHub "
                f"comment is limited to {GITHUB_COMMENT_LIMIT:,} characters. Run "
                "`specql deploy preview --json` for the full list."
            ),
            "",
        ]
    return "\n".join(lines)


def render_markdown(summary: PreviewSummary, limit: int = GITHUB_COMMENT_LIMIT) -> str:
    """The PR comment for a preview: never longer than `limit` characters."""
    risks = [_risk_line(change) for change in summary.stateful_at_risk()]
    rows = [(change.action, _row(change)) for change in summary.changes if change.action in CHANGE_ACTIONS]

    def build(keep_rows: int, keep_risks: int) -> str:
        grouped: dict[str, list[str]] = {}
        for action, row in rows[:keep_rows]:
            grouped.setdefault(action, []).append(row)
        return _render(summary, risks[:keep_risks], grouped, len(rows) - keep_rows)

    text = build(len(rows), len(risks))
    if len(text) <= limit:
        return text
    # Keep the headline and as many stateful warnings as fit, then the most detail rows.
    low, high = 0, len(risks)
    while low < high:
        middle = (low + high + 1) // 2
        low, high = (middle, high) if len(build(0, middle)) <= limit else (low, middle - 1)
    keep_risks = low
    low, high = 0, len(rows)
    while low < high:
        middle = (low + high + 1) // 2
        low, high = (middle, high) if len(build(middle, keep_risks)) <= limit else (low, middle - 1)
    text = build(low, keep_risks)
    return text if len(text) <= limit else text[:limit]


# ----------------------------------------------------------------------------- outputs


def mask_outputs(outputs: Mapping[str, Any]) -> dict[str, Any]:
    """OutputValue map → plain values with secrets replaced by `[secret]`."""
    masked: dict[str, Any] = {}
    for key, output in outputs.items():
        if getattr(output, "secret", False):
            masked[key] = "[secret]"
        else:
            masked[key] = getattr(output, "value", output)
    return masked
