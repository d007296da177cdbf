"""Regions: the ARN partition of a region and the names of its availability zones."""

from __future__ import annotations


def partition(region: str) -> str:
    """The ARN partition a region lives in (`aws`, `aws-cn`, `aws-us-gov`)."""
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"


def zone_names(region: str, count: int) -> tuple[str, ...]:
    """The first `count` zones of a region (`us-east-1a`, `us-east-1b`, ...).

    Zone letters a, b, c exist in every commercial region, so the names are known
    without an API call; the program stays runnable offline and under mocks.
    """
    return tuple(f"{region}{chr(ord('a') + index)}" for index in range(count))
