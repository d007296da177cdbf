"""`specql deploy preview --offline`: what the program would create, with no cloud at all.

The program runs under recording mocks (:mod:`...capture`): no credentials, no engine,
no network. `--json` prints the ResourceGraph contract (`ResourceGraph.to_json` in
capture/graph.py); the default is a table per top-level component with the settings a
reviewer looks for first, a summary line and the monthly cost estimate. Pulumi and provider SDKs are imported
only here, inside the function, so the CLI starts fast.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .exits import EXIT_CHANGES, EXIT_FAILED, EXIT_OK
from .summary import GITHUB_COMMENT_LIMIT, PreviewSummary

if TYPE_CHECKING:
    from rich.console import Console

    from ..capture import CapturedResource, ResourceGraph
    from ..capture.cost import CostEstimate
    from ..program.model import ResolvedDeployment

KEY_INPUTS: Mapping[str, tuple[str, ...]] = {
    "pulumi:providers:aws": ("region",),
    "aws:ec2/vpc:Vpc": ("cidrBlock",),
    "aws:ec2/subnet:Subnet": ("cidrBlock", "availabilityZone"),
    "aws:rds/instance:Instance": (
        "instanceClass",
        "engineVersion",
        "multiAz",
        "allocatedStorage",
        "storageEncrypted",
        "deletionProtection",
        "backupRetentionPeriod",
    ),
    "aws:ecs/service:Service": ("desiredCount", "launchType"),
    "aws:ecs/taskDefinition:TaskDefinition": ("cpu", "memory"),
    "aws:appautoscaling/target:Target": ("minCapacity", "maxCapacity"),
    "aws:lb/loadBalancer:LoadBalancer": ("loadBalancerType", "internal"),
    "aws:lb/listener:Listener": ("port", "protocol"),
    "aws:lb/targetGroup:TargetGroup": ("port", "protocol", "targetType"),
    "aws:elasticache/replicationGroup:ReplicationGroup": (
        "nodeType",
        "numCacheClusters",
        "atRestEncryptionEnabled",
        "transitEncryptionEnabled",
    ),
    "aws:cloudwatch/logGroup:LogGroup": ("retentionInDays",),
    "aws:cloudwatch/metricAlarm:MetricAlarm": ("metricName", "threshold"),
    "aws:s3/bucket:Bucket": ("bucket",),
    "aws:kms/key:Key": ("enableKeyRotation",),
}
"""Per type, the inputs the table shows (others show their first few scalar inputs)."""

_MAX_SHOWN = 3


def offline_preview(
    manifest_path: Path,
    env: str | None,
    as_json: bool,
    *,
    markdown: Path | None = None,
    detailed_exitcode: bool = False,
) -> int:
    """Run the offline preview and print it; return the exit code (2 bad input, 1 failure).

    Offline, the stack is taken as new: every resource is a create. `markdown` receives
    the pull-request comment of that plan with the cost estimate; `detailed_exitcode`
    answers 2 when there is anything to create (and 1, not 2, for bad input).
    """
    import typer

    from . import output
    from .cli_manifest import fail, load_resolved

    output.set_json(as_json)

    try:
        _, resolved = load_resolved(manifest_path, env)
        try:
            graph = _capture(resolved)
        except Exception as error:  # noqa: BLE001 - any failure of the program is reported, not raised
            fail(f"the program failed under mocks: {type(error).__name__}: {error}", EXIT_FAILED)
    except typer.Exit as exit_:
        code = int(exit_.exit_code)
        return EXIT_FAILED if detailed_exitcode and code != EXIT_OK else code
    from ..capture.cost import estimate

    cost = estimate(graph, resolved)
    summary = as_summary(graph, resolved)
    if markdown is not None:
        from .summary import render_markdown

        markdown.parent.mkdir(parents=True, exist_ok=True)
        comment = render_markdown(summary, limit=GITHUB_COMMENT_LIMIT - COST_ROOM)
        markdown.write_text(f"{comment}\n{cost_markdown(cost)}", encoding="utf-8")
    if as_json:
        document = {**graph.to_json(), "hasChanges": summary.has_changes, "cost": cost.to_dict()}
        sys.stdout.write(json.dumps(document, indent=2, sort_keys=False, default=str) + "\n")
    else:
        from .output import console

        render_table(graph, resolved, cost, console())
    return EXIT_CHANGES if detailed_exitcode and summary.has_changes else EXIT_OK


COST_ROOM = 8_000
"""Characters of a PR comment kept for the cost table under the resource rows."""


def as_summary(graph: ResourceGraph, resolved: ResolvedDeployment) -> PreviewSummary:
    """The offline capture as a preview of a new stack: every resource is created."""
    from .events import ResourceChange

    changes = tuple(
        ResourceChange(urn=resource.urn, type=resource.type, name=resource.name, action="create")
        for resource in graph.resources
        if resource.type != "pulumi:pulumi:Stack"
    )
    return PreviewSummary(
        project=resolved.deployment.name,
        stack=resolved.deployment.environment,
        changes=changes,
        operation="preview --offline",
    )


def cost_markdown(cost: CostEstimate) -> str:
    """The cost estimate as a folded section of the PR comment."""
    headline = f"${cost.total:,.2f}" if cost.priced else "not priced"
    return f"<details><summary>Estimated monthly cost: {headline}</summary>\n\n{cost.markdown()}\n</details>\n"


def _capture(resolved: ResolvedDeployment) -> ResourceGraph:
    from ..capture import capture

    return capture(resolved)


def group_by_component(graph: ResourceGraph) -> dict[str, list[CapturedResource]]:
    """Top-level component name (or `providers`) → its cloud resources, sorted by name.

    Registration order under the engine depends on when outputs resolve, so the table
    sorts (providers first, then components by name) to print the same twice.
    """
    from ..capture import natural_key

    groups: dict[str, list[CapturedResource]] = {}
    for resource in sorted(graph.resources, key=lambda item: (natural_key(item.name), item.type)):
        if not resource.custom:
            continue
        if resource.is_provider:
            key = "providers"
        else:
            top = graph.top_component(resource)
            key = top.name if top is not None else "(stack)"
        groups.setdefault(key, []).append(resource)
    return dict(sorted(groups.items(), key=lambda pair: (pair[0] != "providers", natural_key(pair[0]))))


def key_inputs(resource: CapturedResource) -> str:
    """The few settings a reviewer checks first, secrets masked."""
    inputs = resource.public_inputs()
    keys = KEY_INPUTS.get(resource.type)
    if keys is None:
        keys = tuple(
            key
            for key, value in sorted(inputs.items())
            if _informative(value) and key not in ("tags", "name", "description")
        )[:_MAX_SHOWN]
    shown = [f"{key}={_scalar(inputs[key])}" for key in keys if key in inputs]
    return ", ".join(shown)


def _informative(value: Any) -> bool:
    """Scalars worth a reviewer's eye: not references to other resources, not JSON documents."""
    if isinstance(value, (bool, int, float)):
        return True
    if not isinstance(value, str) or not value:
        return False
    return not (value.startswith(("{", "[", "arn:aws:offline")) or value.endswith("-id"))


def short_type(token: str) -> str:
    """`aws:ec2/vpc:Vpc` → `aws:ec2:Vpc` (the middle part repeats the class name)."""
    package, _, rest = token.partition(":")
    module, _, name = rest.partition(":")
    return f"{package}:{module.split('/')[0]}:{name}" if name else token


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    return text if len(text) <= 40 else text[:37] + "..."


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def summary_line(graph: ResourceGraph) -> str:
    summary = graph.to_json()["summary"]
    protected = [resource.name for resource in graph.resources if resource.protect]
    line = (
        f"{_count(summary['resources'], 'resource')} in {_count(summary['components'], 'component')}, "
        f"{_count(summary['providers'], 'explicit provider')}; {summary['protected']} protected"
    )
    if protected:
        line += f" ({', '.join(protected)})"
    return line


def render_table(graph: ResourceGraph, resolved: ResolvedDeployment, cost: CostEstimate, console: Console) -> None:
    """One table per top-level component, then the summary and the cost estimate."""
    from rich.table import Table

    prefix = f"{resolved.stack_prefix}-"
    console.print(
        f"[bold]{resolved.stack_prefix}[/bold] ({resolved.deployment.pattern}, "
        f"{resolved.platform.region}) — offline preview, nothing was contacted"
    )
    for component, resources in group_by_component(graph).items():
        table = Table(title=component, title_justify="left", expand=False)
        table.add_column("type", no_wrap=True)
        table.add_column("name", no_wrap=True)
        table.add_column("key inputs")
        for resource in resources:
            name = resource.name.removeprefix(prefix)
            flag = " 🔒" if resource.protect else ""
            table.add_row(short_type(resource.type), name + flag, key_inputs(resource))
        console.print(table)
    console.print(summary_line(graph))
    if not cost.priced:
        console.print("Estimated monthly cost: not priced")
        for assumption in cost.assumptions:
            console.print(f"  {assumption}", style="dim")
        return
    cost_table = Table(title=f"Estimated monthly cost: ${cost.total:,.2f}", title_justify="left")
    cost_table.add_column("item")
    cost_table.add_column("USD/month", justify="right")
    for item in cost.items:
        cost_table.add_row(item.description, f"{item.monthly:,.2f}")
    console.print(cost_table)
    for assumption in cost.assumptions:
        console.print(f"  {assumption}", style="dim")
