"""Data-source answers under mocks: stable, and derived only from the call and its region."""

from __future__ import annotations

from specql_deploy.capture.answers import ANSWERS


def test_a_route53_zone_answers_with_an_id_made_from_its_name():
    # GIVEN the public zone the production-saas example names
    # WHEN the program looks it up under mocks
    answer = ANSWERS["aws:route53/getZone:getZone"]({"name": "example.com", "privateZone": False}, "us-east-1")
    # THEN the id is stable and the zone is public
    assert answer == {"zoneId": "ZEXAMPLECOM", "id": "ZEXAMPLECOM", "name": "example.com", "privateZone": False}


def test_a_managed_prefix_list_answers_per_service_and_region():
    answer = ANSWERS["aws:ec2/getManagedPrefixList:getManagedPrefixList"](
        {"name": "com.amazonaws.global.cloudfront.origin-facing"}, "eu-west-1"
    )
    assert answer["id"] == "pl-cloudfront-eu-west-1"
    assert answer["entries"] == []
