"""Regions: the ARN partition a region lives in (its zones come from AWS, see network.py)."""

from __future__ import annotations


def partition(region: str) -> str:
    """The ARN partition a region lives in (`aws`, `aws-cn`, `aws-us-gov`)."""
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"
