"""Each manifest field names the resolved path it feeds; resolution is one walk over them."""

from __future__ import annotations

import typing

import pytest

from specql_deploy.program import spec as spec_module
from specql_deploy.program.markers import Feeds
from specql_deploy.program.model import ResolvedDeployment
from specql_deploy.program.resolve import user_values


def spec_fields() -> list[tuple[str, str, Feeds]]:
    found = []
    for name in dir(spec_module):
        model = getattr(spec_module, name)
        if isinstance(model, type) and issubclass(model, spec_module.Section) and model is not spec_module.Section:
            for field_name, info in model.model_fields.items():
                found += [(model.__name__, field_name, item) for item in info.metadata if isinstance(item, Feeds)]
    return found


def _resolved_field(path: str) -> object:
    section, _, rest = path.partition(".")
    model = ResolvedDeployment.model_fields[section].annotation
    if "[]." in rest:
        container, _, item_field = rest.partition("[].")
        (item,) = {arg for arg in typing.get_args(model.model_fields[container].annotation) if arg is not Ellipsis}
        return item.model_fields[item_field]
    return model.model_fields[rest]


@pytest.mark.parametrize(
    ("model", "field", "feeds"), spec_fields(), ids=lambda value: str(getattr(value, "path", value))
)
def test_every_feeds_marker_names_a_resolved_field(model, field, feeds):
    assert _resolved_field(feeds.path) is not None


def test_the_walk_writes_shorthands_through_their_converters():
    # GIVEN sections that turn features on by being present, and two regions
    spec = spec_module.DeploymentSpec.model_validate(
        {
            "deployment": {"pattern": "production-saas"},
            "platform": {"regions": ["eu-west-1", "eu-central-1"]},
            "networking": {"public_subnets": 3},
            "cache": "redis",
            "application": {"autoscale": {"max": 9}},
            "monitoring": {"alarms": [{"condition": "cpu > 90", "email": "ops@example.com"}]},
        }
    )
    # WHEN the manifest is walked
    values = user_values(spec)
    # THEN each value lands on its path, converted where the field says so
    assert values["platform.region"] == "eu-west-1" and values["platform.dr_region"] == "eu-central-1"
    assert values["platform.availability_zones"] == 3
    assert values["cache.enabled"] is True and values["cache.engine"] == "redis"
    assert values["application.autoscale"] is True and values["application.autoscale_max"] == 9
    (alarm,) = values["monitoring.alarms"]
    assert (alarm["metric"], alarm["threshold"], alarm["duration_seconds"], alarm["channel"]) == (
        "cpu",
        90.0,
        300,
        "email",
    )
    assert values["monitoring.alarm_emails"] == ("ops@example.com",)


def test_the_platform_section_wins_over_the_subnet_counts():
    spec = spec_module.DeploymentSpec.model_validate(
        {
            "deployment": {"pattern": "small-saas"},
            "platform": {"availability_zones": 2},
            "networking": {"public_subnets": 3, "private_subnets": 3},
        }
    )
    assert user_values(spec)["platform.availability_zones"] == 2


def test_unwritten_fields_feed_nothing():
    spec = spec_module.DeploymentSpec.model_validate({"deployment": {"pattern": "small-saas"}})
    assert user_values(spec) == {"deployment.pattern": "small-saas"}
