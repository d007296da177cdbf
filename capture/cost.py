"""Monthly cost estimate of a deployment, from the resources its program registers.

The estimate reads the ResourceGraph (what `up` would create), not the manifest, so a
component that adds a NAT gateway shows up in the bill without anyone editing this
file. Prices are on-demand list prices from the tables in program/prices.py; every
entry names where it comes from. A resource is priced in its own region where the
table has that region's price; otherwise at us-east-1's, and its line says so.
Usage-driven charges (data transfer, requests, log volume) are assumed small and
stated as assumptions, so the number is a floor a team can reason about, not a quote.
A stack that runs on a host or cluster of the user's own (hobby-project, kubernetes
on an existing cluster) is not priced, and the estimate says so instead of $0.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..program.model import ResolvedDeployment
    from .graph import CapturedResource, ResourceGraph

from ..program.prices import (
    CACHE_HOURLY,
    EC2_HOURLY,
    HOURS_PER_MONTH,
    PRICE_REGION,
    PRICES,
    RDS_HOURLY,
    REGIONAL,
    Price,
    price_in,
)

__all__ = ["CACHE_HOURLY", "EC2_HOURLY", "HOURS_PER_MONTH", "PRICES", "PRICE_REGION", "RDS_HOURLY", "Price"]

_CATEGORY_ORDER = ("database", "compute", "load balancer", "network", "cache", "edge", "monitoring", "security")

LOG_GB_PER_GROUP = 1.0
"""Assumed ingestion per log group and month; a quiet service writes less, a busy one more."""


@dataclass(frozen=True)
class CostItem:
    """One line of the bill."""

    category: str
    description: str
    monthly: float
    source: str


@dataclass(frozen=True)
class CostEstimate:
    """Itemised monthly estimate (USD)."""

    items: tuple[CostItem, ...]
    region: str
    assumptions: tuple[str, ...]

    @property
    def priced(self) -> bool:
        """Whether anything was priced (a stack on the user's own host or cluster is not)."""
        return bool(self.items)

    @property
    def total(self) -> float:
        return round(sum(item.monthly for item in self.items), 2)

    def by_category(self) -> dict[str, float]:
        totals: dict[str, float] = {}
        for item in self.items:
            totals[item.category] = round(totals.get(item.category, 0.0) + item.monthly, 2)
        return totals

    def to_dict(self) -> dict[str, Any]:
        """The estimate for `--json`: total, items, assumptions (USD a month)."""
        return {
            "currency": "USD",
            "period": "month",
            "region": self.region,
            "total": self.total if self.priced else None,
            "items": [
                {
                    "category": item.category,
                    "description": item.description,
                    "monthly": item.monthly,
                    "source": item.source,
                }
                for item in self.items
            ],
            "assumptions": list(self.assumptions),
        }

    def markdown(self) -> str:
        """A Markdown table with a total and the assumptions (used by the OpenTofu README)."""
        if not self.items:
            return "".join(f"- {assumption}\n" for assumption in self.assumptions)
        lines = ["| Item | Monthly (USD) | Price source |", "|---|---:|---|"]
        for item in self.items:
            lines.append(f"| {item.description} | {item.monthly:,.2f} | {item.source} |")
        lines.append(f"| **Total** | **{self.total:,.2f}** | |")
        lines.append("")
        lines.extend(f"- {assumption}" for assumption in self.assumptions)
        return "\n".join(lines) + "\n"


def estimate(graph: ResourceGraph, resolved: ResolvedDeployment | None = None) -> CostEstimate:
    """Price every billable resource the program registers."""
    from .graph import iter_custom

    region = resolved.platform.region if resolved is not None else PRICE_REGION
    unpriced = _runs_on_own_machines(resolved)
    if unpriced is not None and not graph.of_type("aws:eks/cluster:Cluster"):
        return CostEstimate(items=(), region=region, assumptions=(unpriced,))
    pricer = _Pricer(_regions(graph, region), region)
    items: list[CostItem] = []
    for resource in sorted(iter_custom(graph), key=lambda item: item.name):
        items.extend(pricer.price(resource, graph, resolved))
    if graph.of_type("aws:shield/protection:Protection") and not graph.of_type("aws:shield/subscription:Subscription"):
        price = PRICES["shield_advanced"]
        items.append(
            CostItem(
                "edge",
                "Shield Advanced subscription the protections require (1-year commitment; "
                "one per organisation, not per stack)",
                price.amount,
                price.source,
            )
        )
    items.sort(key=lambda item: (_CATEGORY_ORDER.index(item.category), item.description))
    regions = sorted(set(pricer.regions.values()) | {region})
    own = [name for name in regions if name == PRICE_REGION or name in REGIONAL]
    assumptions = [
        f"List prices of {', '.join(own) or PRICE_REGION} on-demand, {HOURS_PER_MONTH} hours a month; "
        "no savings plans or free tier.",
        f"CloudWatch Logs: {LOG_GB_PER_GROUP:g} GB ingested per log group a month.",
        "Not included: data transfer, NAT data processing, S3 storage and requests, backups beyond the free allowance.",
    ]
    if pricer.stand_ins:
        assumptions.append(
            f"The price table has no {', '.join(sorted(pricer.stand_ins))} list price for some items: "
            f'the lines marked "at {PRICE_REGION} price" use {PRICE_REGION}\'s.'
        )
    if unpriced is not None:
        assumptions.append(unpriced)
    return CostEstimate(items=tuple(items), region=region, assumptions=tuple(assumptions))


def _runs_on_own_machines(resolved: ResolvedDeployment | None) -> str | None:
    """Why a stack on the user's own host or cluster has no cloud bill here (`None`: it has one)."""
    if resolved is None:
        return None
    if resolved.cloud == "docker":
        host = resolved.deployment.host or "the local Docker engine"
        return (
            f"Not priced: hobby-project runs every container on your own Docker host ({host}); "
            "its cost is that machine's, whatever your hosting provider charges for it."
        )
    if resolved.cloud == "kubernetes":
        return "Not priced: the workloads run on the cluster's nodes" + (
            " (priced above as the node group)."
            if resolved.kubernetes.cluster == "create"
            else ", and with `cluster: existing` that cluster's bill is its owner's."
        )
    return None


def _regions(graph: ResourceGraph, default: str) -> dict[str, str]:
    """Provider URN → region (the stack's region for a provider that names none)."""
    return {
        resource.urn: str(resource.inputs.get("region") or default)
        for resource in graph.resources
        if resource.is_provider
    }


def _hourly(price: Price, quantity: float = 1.0) -> float:
    return round(price.amount * quantity * HOURS_PER_MONTH, 2)


def _short(resource: CapturedResource) -> str:
    return resource.name


class _Pricer:
    """Prices resources in their own region, noting where us-east-1's price stands in."""

    def __init__(self, regions: Mapping[str, str], default: str) -> None:
        self.regions = dict(regions)
        self.default = default
        self.stand_ins: set[str] = set()

    def region_of(self, resource: CapturedResource) -> str:
        return self.regions.get(resource.provider or "", self.default)

    def lookup(self, region: str, key: str, table: Mapping[str, Price] = PRICES) -> tuple[Price | None, str]:
        """The price and a label suffix: ` (<region>)` off us-east-1, plus a mark for a stand-in price."""
        price, own = price_in(region, key, table)
        if price is not None and not own:
            self.stand_ins.add(region)
        suffix = f" ({region})" if region != PRICE_REGION else ""
        if price is not None and not own:
            suffix = f" ({region}, at {PRICE_REGION} price)"
        return price, suffix

    def price(
        self, resource: CapturedResource, graph: ResourceGraph, resolved: ResolvedDeployment | None
    ) -> list[CostItem]:
        """The bill lines of one resource (none for free resources)."""
        inputs = resource.inputs
        token = resource.type
        region = self.region_of(resource)

        def item(category: str, label: str, key: str, quantity: float = 1.0, hourly: bool = True) -> list[CostItem]:
            price, suffix = self.lookup(region, key)
            assert price is not None, key
            amount = _hourly(price, quantity) if hourly else round(price.amount * quantity, 2)
            return [CostItem(category, f"{label}{suffix}", amount, price.source)]

        if token == "aws:rds/instance:Instance":
            return self._rds(resource, region, resolved)
        if token == "aws:ecs/service:Service":
            return self._fargate(resource, graph, region)
        if token == "aws:lb/loadBalancer:LoadBalancer":
            if str(inputs.get("loadBalancerType") or "application") == "network":
                return item("load balancer", f"Network Load Balancer {_short(resource)}", "nlb")
            alb, alb_suffix = self.lookup(region, "alb")
            lcu, _ = self.lookup(region, "alb_lcu")
            assert alb is not None and lcu is not None
            return [
                CostItem(
                    "load balancer",
                    f"Application Load Balancer {_short(resource)} (+1 LCU){alb_suffix}",
                    round(_hourly(alb) + _hourly(lcu), 2),
                    alb.source,
                )
            ]
        if token == "aws:ec2/natGateway:NatGateway":
            return item("network", f"NAT gateway {_short(resource)}", "nat_gateway")
        if token == "aws:elasticache/replicationGroup:ReplicationGroup":
            return self._cache(resource, _cache_nodes(inputs), region)
        if token == "aws:elasticache/cluster:Cluster":
            return self._cache(resource, int(inputs.get("numCacheNodes") or 1), region)
        if token == "aws:cloudfront/distribution:Distribution":
            price = PRICES["cloudfront"]
            return [CostItem("edge", f"CloudFront distribution {_short(resource)} (usage-based)", 0.0, price.source)]
        if token == "aws:wafv2/webAcl:WebAcl":
            acl, rule = PRICES["waf_acl"], PRICES["waf_rule"]
            rules = len(inputs.get("rules") or [])
            return [
                CostItem(
                    "edge",
                    f"WAF web ACL {_short(resource)} with {rules} rules",
                    acl.amount + rule.amount * rules,
                    acl.source,
                )
            ]
        if token in ("aws:shield/subscription:Subscription",):
            price = PRICES["shield_advanced"]
            return [CostItem("edge", "Shield Advanced subscription", price.amount, price.source)]
        if token == "aws:cloudwatch/logGroup:LogGroup":
            return item(
                "monitoring",
                f"Log group {_short(resource)} (~{LOG_GB_PER_GROUP:g} GB)",
                "logs_ingest_gb",
                LOG_GB_PER_GROUP,
                hourly=False,
            )
        if token == "aws:cloudwatch/metricAlarm:MetricAlarm":
            price = PRICES["alarm"]
            return [CostItem("monitoring", f"Alarm {_short(resource)}", price.amount, price.source)]
        if token == "aws:kms/key:Key":
            return item("security", f"KMS key {_short(resource)}", "kms_key", hourly=False)
        if token == "aws:secretsmanager/secret:Secret":
            return item("security", f"Secret {_short(resource)}", "secret", hourly=False)
        if token == "aws:eks/cluster:Cluster":
            return item("compute", f"EKS control plane {_short(resource)}", "eks_cluster")
        if token == "aws:eks/nodeGroup:NodeGroup":
            return self._nodes(resource, region)
        return []

    def _rds(self, resource: CapturedResource, region: str, resolved: ResolvedDeployment | None) -> list[CostItem]:
        inputs = resource.inputs
        klass = str(inputs.get("instanceClass") or "")
        price, suffix = self.lookup(region, klass, RDS_HOURLY)
        multi = bool(inputs.get("multiAz"))
        copies = 2 if multi else 1
        items = []
        if price is None:
            items.append(
                CostItem(
                    "database",
                    f"RDS {klass} {_short(resource)} (no list price known)",
                    0.0,
                    "not in the price table: add it to program/prices.py",
                )
            )
        else:
            label = f"RDS {klass}{' Multi-AZ' if multi else ''} {_short(resource)}{suffix}"
            items.append(CostItem("database", label, _hourly(price, copies), price.source))
        storage = inputs.get("allocatedStorage")
        if storage is None and inputs.get("replicateSourceDb") and resolved is not None:
            storage = resolved.database.storage_gb  # a replica is as large as its source
        if isinstance(storage, (int, float)) and storage > 0:
            gb, gb_suffix = self.lookup(region, "rds_storage_gb")
            assert gb is not None
            items.append(
                CostItem(
                    "database",
                    f"RDS storage {storage:g} GB {_short(resource)}{gb_suffix}",
                    round(gb.amount * storage * copies, 2),
                    gb.source,
                )
            )
        return items

    def _fargate(self, service: CapturedResource, graph: ResourceGraph, region: str) -> list[CostItem]:
        size = _task_size(service, graph)
        count = service.inputs.get("desiredCount")
        if size is None or not isinstance(count, (int, float)):
            return []
        vcpu, gb = size
        cpu_price, suffix = self.lookup(region, "fargate_vcpu")
        gb_price, _ = self.lookup(region, "fargate_gb")
        assert cpu_price is not None and gb_price is not None
        monthly = round((cpu_price.amount * vcpu + gb_price.amount * gb) * count * HOURS_PER_MONTH, 2)
        return [
            CostItem(
                "compute",
                f"Fargate {count:g} × ({vcpu:g} vCPU, {gb:g} GB) {_short(service)}{suffix}",
                monthly,
                cpu_price.source,
            )
        ]

    def _cache(self, resource: CapturedResource, nodes: int, region: str) -> list[CostItem]:
        node_type = str(resource.inputs.get("nodeType") or "")
        price, suffix = self.lookup(region, node_type, CACHE_HOURLY)
        if price is None:
            return [
                CostItem(
                    "cache",
                    f"ElastiCache {node_type} {_short(resource)} (no list price known)",
                    0.0,
                    "not in the price table: add it to program/prices.py",
                )
            ]
        return [
            CostItem(
                "cache",
                f"ElastiCache {nodes} × {node_type} {_short(resource)}{suffix}",
                _hourly(price, nodes),
                price.source,
            )
        ]

    def _nodes(self, resource: CapturedResource, region: str) -> list[CostItem]:
        """A managed node group: its desired number of on-demand instances."""
        inputs = resource.inputs
        count = int((inputs.get("scalingConfig") or {}).get("desiredSize") or 1)
        kinds = [str(kind) for kind in inputs.get("instanceTypes") or []]
        kind = kinds[0] if kinds else "?"
        price, suffix = self.lookup(region, kind, EC2_HOURLY)
        if price is None:
            return [
                CostItem(
                    "compute",
                    f"EKS nodes {_short(resource)} ({count} × {kind}, no list price known)",
                    0.0,
                    "not in the price table: add it to program/prices.py",
                )
            ]
        return [
            CostItem(
                "compute",
                f"EKS nodes {_short(resource)} ({count} × {kind}){suffix}",
                _hourly(price, count),
                price.source,
            )
        ]


def _task_size(service: CapturedResource, graph: ResourceGraph) -> tuple[float, float] | None:
    """(vCPU, GB) of the task definition a service runs (found through its dependencies)."""
    definitions = graph.of_type("aws:ecs/taskDefinition:TaskDefinition")
    linked = [item for item in definitions if item.urn in service.dependencies] or definitions[:1]
    if not linked:
        return None
    inputs: Mapping[str, Any] = linked[0].inputs
    try:
        return int(inputs["cpu"]) / 1024, int(inputs["memory"]) / 1024
    except (KeyError, TypeError, ValueError):
        return None


def _cache_nodes(inputs: Mapping[str, Any]) -> int:
    if inputs.get("numCacheClusters"):
        return int(inputs["numCacheClusters"])
    groups = int(inputs.get("numNodeGroups") or 1)
    replicas = int(inputs.get("replicasPerNodeGroup") or 0)
    return groups * (replicas + 1)
