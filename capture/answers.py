"""Answers to the data-source calls a program makes when it runs under mocks.

A real run asks AWS (the caller's account, the zones of a region, a Route 53 zone, a
managed prefix list); under mocks each call is answered here with stable fake values
that depend only on the call's arguments and the region of its provider, so two
captures of the same deployment are identical. The components make their calls as in
a real run and know nothing of these answers; a capture may pass its own answers for
one run (the OpenTofu export answers with references to data sources).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

CallHandler = Callable[[Mapping[str, Any], str], dict]
"""(call arguments, provider region) → the call's result, keys as the engine spells them."""


def _availability_zones(args: Mapping[str, Any], region: str) -> dict[str, Any]:
    return {
        "names": [f"{region}{zone}" for zone in "abcdef"],
        "zoneIds": [f"{region}-az{index}" for index in range(1, 7)],
        "id": region,
    }


def _caller_identity(args: Mapping[str, Any], region: str) -> dict[str, Any]:
    return {
        "accountId": "123456789012",
        "arn": "arn:aws:iam::123456789012:user/offline",
        "userId": "OFFLINE",
        "id": "123456789012",
    }


def _region(args: Mapping[str, Any], region: str) -> dict[str, Any]:
    return {"name": region, "region": region, "id": region}


def _partition(args: Mapping[str, Any], region: str) -> dict[str, Any]:
    return {"partition": "aws", "dnsSuffix": "amazonaws.com", "id": "aws"}


def _route53_zone(args: Mapping[str, Any], region: str) -> dict[str, Any]:
    """A stable fake id for the named public zone (`example.com` → `ZEXAMPLECOM`)."""
    name = str(args.get("name") or "zone")
    zone_id = f"Z{name.upper().replace('.', '')}"
    return {"zoneId": zone_id, "id": zone_id, "name": name, "privateZone": False}


def _managed_prefix_list(args: Mapping[str, Any], region: str) -> dict[str, Any]:
    """A stable fake id per list and region: `com.amazonaws.global.cloudfront.origin-facing`
    in us-east-1 → `pl-cloudfront-us-east-1` (the real list is AWS's)."""
    name = str(args.get("name") or "prefix-list")
    labels = name.split(".")
    service = labels[-2] if len(labels) > 1 else labels[0]
    return {"id": f"pl-{service}-{region}", "name": name, "entries": []}


ANSWERS: Mapping[str, CallHandler] = {
    "aws:index/getAvailabilityZones:getAvailabilityZones": _availability_zones,
    "aws:index/getCallerIdentity:getCallerIdentity": _caller_identity,
    "aws:index/getRegion:getRegion": _region,
    "aws:index/getPartition:getPartition": _partition,
    "aws:route53/getZone:getZone": _route53_zone,
    "aws:ec2/getManagedPrefixList:getManagedPrefixList": _managed_prefix_list,
}
"""Call token → its answer under mocks."""
