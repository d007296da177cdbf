"""Monthly cost estimate of a deployment, from the resources its program registers.

The estimate reads the ResourceGraph (what `up` would create), not the manifest, so a
component that adds a NAT gateway shows up in the bill without anyone editing this
file. Prices are us-east-1 on-demand list prices; every entry names where it comes
from. Usage-driven charges (data transfer, requests, log volume) are assumed small and
stated as assumptions, so the number is a floor a team can reason about, not a quote.
Resources in other regions (the disaster-recovery replica) are priced at the same
us-east-1 rates and say so.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..program.model import ResolvedDeployment
    from .graph import CapturedResource, ResourceGraph

HOURS_PER_MONTH = 730
"""AWS bills a month as 730 hours (365 × 24 / 12)."""

PRICE_REGION = "us-east-1"


@dataclass(frozen=True)
class Price:
    """One list price and the page it comes from."""

    amount: float
    unit: str
    source: str


_RDS = "AWS RDS for PostgreSQL pricing, us-east-1 on-demand, Single-AZ (Multi-AZ doubles it)"
RDS_HOURLY: Mapping[str, Price] = {
    "db.t4g.micro": Price(0.016, "hour", _RDS),
    "db.t4g.small": Price(0.032, "hour", _RDS),
    "db.t4g.medium": Price(0.065, "hour", _RDS),
    "db.t4g.large": Price(0.129, "hour", _RDS),
    "db.m7g.large": Price(0.168, "hour", _RDS),
    "db.m7g.xlarge": Price(0.337, "hour", _RDS),
    "db.m7g.2xlarge": Price(0.674, "hour", _RDS),
    "db.r7g.large": Price(0.239, "hour", _RDS),
    "db.r7g.xlarge": Price(0.478, "hour", _RDS),
    "db.r7g.2xlarge": Price(0.956, "hour", _RDS),
}
"""Instance classes the pattern size tables can choose."""

_CACHE = "AWS ElastiCache pricing, us-east-1 on-demand node-hours (Redis OSS / Valkey)"
CACHE_HOURLY: Mapping[str, Price] = {
    "cache.t4g.micro": Price(0.016, "hour", _CACHE),
    "cache.t4g.small": Price(0.032, "hour", _CACHE),
    "cache.t4g.medium": Price(0.065, "hour", _CACHE),
    "cache.m7g.large": Price(0.158, "hour", _CACHE),
    "cache.m7g.xlarge": Price(0.315, "hour", _CACHE),
    "cache.r7g.large": Price(0.219, "hour", _CACHE),
    "cache.r7g.xlarge": Price(0.437, "hour", _CACHE),
}

PRICES: Mapping[str, Price] = {
    "rds_storage_gb": Price(0.115, "GB-month", "AWS RDS pricing, gp2/gp3 storage, us-east-1, Single-AZ"),
    "fargate_vcpu": Price(0.04048, "vCPU-hour", "AWS Fargate pricing, Linux/x86, us-east-1"),
    "fargate_gb": Price(0.004445, "GB-hour", "AWS Fargate pricing, Linux/x86, us-east-1"),
    "alb": Price(0.0225, "hour", "Elastic Load Balancing pricing, Application Load Balancer hour, us-east-1"),
    "alb_lcu": Price(0.008, "LCU-hour", "Elastic Load Balancing pricing, one LCU assumed for light traffic"),
    "nlb": Price(0.0225, "hour", "Elastic Load Balancing pricing, Network Load Balancer hour, us-east-1"),
    "nat_gateway": Price(0.045, "hour", "Amazon VPC pricing, NAT gateway hour, us-east-1 (data processing extra)"),
    "cloudfront": Price(0.0, "month", "Amazon CloudFront pricing: no base fee; 1 TB and 10M requests a month are free"),
    "waf_acl": Price(5.0, "web ACL-month", "AWS WAF pricing, web ACL per month"),
    "waf_rule": Price(1.0, "rule-month", "AWS WAF pricing, rule (or managed rule group) per month"),
    "shield_advanced": Price(3000.0, "month", "AWS Shield Advanced pricing, organisation subscription per month"),
    "logs_ingest_gb": Price(0.50, "GB", "Amazon CloudWatch pricing, log ingestion (standard class)"),
    "alarm": Price(0.10, "alarm-month", "Amazon CloudWatch pricing, standard-resolution metric alarm"),
    "kms_key": Price(1.0, "key-month", "AWS KMS pricing, customer managed key per month"),
    "secret": Price(0.40, "secret-month", "AWS Secrets Manager pricing, secret per month"),
}

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
            "total": self.total,
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

    resources = list(iter_custom(graph))
    regions = _regions(graph)
    items: list[CostItem] = []
    for resource in sorted(resources, key=lambda item: item.name):
        items.extend(_price(resource, graph, regions, resolved))
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
    region = resolved.platform.region if resolved is not None else PRICE_REGION
    assumptions = [
        f"List prices of {PRICE_REGION} on-demand, {HOURS_PER_MONTH} hours a month; no savings plans or free tier.",
        f"CloudWatch Logs: {LOG_GB_PER_GROUP:g} GB ingested per log group a month.",
        "Not included: data transfer, NAT data processing, S3 storage and requests, backups beyond the free allowance.",
    ]
    if any(value != PRICE_REGION for value in regions.values()):
        assumptions.append("Resources in other regions are priced at us-east-1 rates.")
    return CostEstimate(items=tuple(items), region=region, assumptions=tuple(assumptions))


def _regions(graph: ResourceGraph) -> dict[str, str]:
    """Provider URN → region."""
    return {
        resource.urn: str(resource.inputs.get("region") or PRICE_REGION)
        for resource in graph.resources
        if resource.is_provider
    }


def _hourly(price: Price, quantity: float = 1.0) -> float:
    return round(price.amount * quantity * HOURS_PER_MONTH, 2)


def _short(resource: CapturedResource) -> str:
    return resource.name


def _price(
    resource: CapturedResource, graph: ResourceGraph, regions: Mapping[str, str], resolved: ResolvedDeployment | None
) -> list[CostItem]:
    """The bill lines of one resource (none for free resources)."""
    inputs = resource.inputs
    token = resource.type
    suffix = ""
    region = regions.get(resource.provider or "", PRICE_REGION)
    if region != PRICE_REGION:
        suffix = f" ({region})"
    if token == "aws:rds/instance:Instance":
        return _rds(resource, suffix, resolved)
    if token == "aws:ecs/service:Service":
        return _fargate(resource, graph, suffix)
    if token == "aws:lb/loadBalancer:LoadBalancer":
        kind = str(inputs.get("loadBalancerType") or "application")
        if kind == "network":
            price = PRICES["nlb"]
            return [
                CostItem(
                    "load balancer", f"Network Load Balancer {_short(resource)}{suffix}", _hourly(price), price.source
                )
            ]
        price, lcu = PRICES["alb"], PRICES["alb_lcu"]
        return [
            CostItem(
                "load balancer",
                f"Application Load Balancer {_short(resource)} (+1 LCU){suffix}",
                round(_hourly(price) + _hourly(lcu), 2),
                price.source,
            )
        ]
    if token == "aws:ec2/natGateway:NatGateway":
        price = PRICES["nat_gateway"]
        return [CostItem("network", f"NAT gateway {_short(resource)}{suffix}", _hourly(price), price.source)]
    if token == "aws:elasticache/replicationGroup:ReplicationGroup":
        return _cache(resource, _cache_nodes(inputs), suffix)
    if token == "aws:elasticache/cluster:Cluster":
        return _cache(resource, int(inputs.get("numCacheNodes") or 1), suffix)
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
        price = PRICES["logs_ingest_gb"]
        return [
            CostItem(
                "monitoring",
                f"Log group {_short(resource)} (~{LOG_GB_PER_GROUP:g} GB){suffix}",
                round(price.amount * LOG_GB_PER_GROUP, 2),
                price.source,
            )
        ]
    if token == "aws:cloudwatch/metricAlarm:MetricAlarm":
        price = PRICES["alarm"]
        return [CostItem("monitoring", f"Alarm {_short(resource)}", price.amount, price.source)]
    if token == "aws:kms/key:Key":
        price = PRICES["kms_key"]
        return [CostItem("security", f"KMS key {_short(resource)}{suffix}", price.amount, price.source)]
    if token == "aws:secretsmanager/secret:Secret":
        price = PRICES["secret"]
        return [CostItem("security", f"Secret {_short(resource)}{suffix}", price.amount, price.source)]
    return []


def _rds(resource: CapturedResource, suffix: str, resolved: ResolvedDeployment | None) -> list[CostItem]:
    inputs = resource.inputs
    klass = str(inputs.get("instanceClass") or "")
    price = RDS_HOURLY.get(klass)
    multi = bool(inputs.get("multiAz"))
    items = []
    if price is None:
        items.append(
            CostItem(
                "database",
                f"RDS {klass} {_short(resource)} (no list price known)",
                0.0,
                "not in the price table: add it to capture/cost.py",
            )
        )
    else:
        copies = 2 if multi else 1
        label = f"RDS {klass}{' Multi-AZ' if multi else ''} {_short(resource)}{suffix}"
        items.append(CostItem("database", label, _hourly(price, copies), price.source))
    storage = inputs.get("allocatedStorage")
    if storage is None and inputs.get("replicateSourceDb") and resolved is not None:
        storage = resolved.database.storage_gb  # a replica is as large as its source
    if isinstance(storage, (int, float)) and storage > 0:
        gb = PRICES["rds_storage_gb"]
        copies = 2 if multi else 1
        items.append(
            CostItem(
                "database",
                f"RDS storage {storage:g} GB {_short(resource)}{suffix}",
                round(gb.amount * storage * copies, 2),
                gb.source,
            )
        )
    return items


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


def _fargate(service: CapturedResource, graph: ResourceGraph, suffix: str) -> list[CostItem]:
    size = _task_size(service, graph)
    count = service.inputs.get("desiredCount")
    if size is None or not isinstance(count, (int, float)):
        return []
    vcpu, gb = size
    cpu_price, gb_price = PRICES["fargate_vcpu"], PRICES["fargate_gb"]
    monthly = round((cpu_price.amount * vcpu + gb_price.amount * gb) * count * HOURS_PER_MONTH, 2)
    return [
        CostItem(
            "compute",
            f"Fargate {count:g} × ({vcpu:g} vCPU, {gb:g} GB) {_short(service)}{suffix}",
            monthly,
            cpu_price.source,
        )
    ]


def _cache_nodes(inputs: Mapping[str, Any]) -> int:
    if inputs.get("numCacheClusters"):
        return int(inputs["numCacheClusters"])
    groups = int(inputs.get("numNodeGroups") or 1)
    replicas = int(inputs.get("replicasPerNodeGroup") or 0)
    return groups * (replicas + 1)


def _cache(resource: CapturedResource, nodes: int, suffix: str) -> list[CostItem]:
    node_type = str(resource.inputs.get("nodeType") or "")
    price = CACHE_HOURLY.get(node_type)
    if price is None:
        return [
            CostItem(
                "cache",
                f"ElastiCache {node_type} {_short(resource)} (no list price known)",
                0.0,
                "not in the price table: add it to capture/cost.py",
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
