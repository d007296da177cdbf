"""List prices the cost estimate uses (USD, on-demand, no savings plans or free tier).

Facts, not choices: each entry names the AWS pricing page it comes from. Every price
exists for :data:`PRICE_REGION`; :data:`REGIONAL` holds other regions' own list prices
where they are known. A region or an item missing there is priced at us-east-1's, and
the estimate says so line by line (capture/cost.py), never silently.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

HOURS_PER_MONTH = 730
"""AWS bills a month as 730 hours (365 × 24 / 12)."""

PRICE_REGION = "us-east-1"
"""The region every price below is given for."""


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

_EC2 = "Amazon EC2 pricing, Linux on-demand instance hour, us-east-1 (EBS volumes extra)"
EC2_HOURLY: Mapping[str, Price] = {
    "t3.medium": Price(0.0416, "hour", _EC2),
    "t3.large": Price(0.0832, "hour", _EC2),
    "t3.xlarge": Price(0.1664, "hour", _EC2),
    "m6i.large": Price(0.096, "hour", _EC2),
    "m7g.large": Price(0.0816, "hour", _EC2),
}
"""Instance types an EKS node group can run (building_blocks.EKS_NODE_INSTANCE_TYPE among them)."""

PRICES: Mapping[str, Price] = {
    "eks_cluster": Price(0.10, "hour", "Amazon EKS pricing, cluster hour on standard support"),
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

GLOBAL_PRICES = frozenset({"eks_cluster", "cloudfront", "waf_acl", "waf_rule", "shield_advanced", "kms_key", "secret"})
"""Keys of :data:`PRICES` that AWS lists at one price in every commercial region."""

_EU_WEST_1 = "AWS list price, eu-west-1 (Ireland) on-demand"
REGIONAL: Mapping[str, Mapping[str, Price]] = {
    "eu-west-1": {
        "db.t4g.micro": Price(0.018, "hour", _EU_WEST_1),
        "db.t4g.small": Price(0.036, "hour", _EU_WEST_1),
        "db.t4g.medium": Price(0.072, "hour", _EU_WEST_1),
        "rds_storage_gb": Price(0.127, "GB-month", _EU_WEST_1),
        "fargate_vcpu": Price(0.04048, "vCPU-hour", _EU_WEST_1),
        "fargate_gb": Price(0.004445, "GB-hour", _EU_WEST_1),
        "alb": Price(0.0252, "hour", _EU_WEST_1),
        "alb_lcu": Price(0.008, "LCU-hour", _EU_WEST_1),
        "nlb": Price(0.0252, "hour", _EU_WEST_1),
        "nat_gateway": Price(0.048, "hour", _EU_WEST_1),
        "logs_ingest_gb": Price(0.57, "GB", _EU_WEST_1),
        "alarm": Price(0.10, "alarm-month", _EU_WEST_1),
        "t3.large": Price(0.0912, "hour", _EU_WEST_1),
    },
}
"""Region → its own list prices, by the keys of the tables above (instance class or PRICES key)."""


def price_in(region: str, key: str, table: Mapping[str, Price] = PRICES) -> tuple[Price | None, bool]:
    """`key`'s price in `region`, and whether it is that region's own (False: us-east-1's stands in)."""
    base = table.get(key)
    if region == PRICE_REGION or (table is PRICES and key in GLOBAL_PRICES):
        return base, True
    own = REGIONAL.get(region, {}).get(key)
    if own is not None:
        return own, True
    return base, False
